"""Issue 18, item 6: the owner's questionnaire (assess).

Typed labels are answers, each level ends with one line of feedback, every line fits
the terminal without a broken word, q says how to score the partial file, and a
template's placeholder subject is asked for.  The tiny rubric is tests/test_assess.py's:
scale freq 0/1/2 (Never, Sometimes, Always) scoring 0, 0.5, 1; threshold 0.75.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from cslevels.commands.assess.questionnaire import Questionnaire, match_option
from cslevels.core.documents import LoadedRubric
from cslevels.files.drafts import AnswersDraft
from cslevels.files.loading import load_rubric
from test_assess import TINY

LONG = ("Of the last twenty written complaints, what share were answered by somebody "
        "responsible-for-complaints-handling within one working day, with an apology?")


def _rubric(tmp_path: Path, text: str = TINY) -> LoadedRubric:
    (tmp_path / "r").mkdir(exist_ok=True)
    path = tmp_path / "r" / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rubric(path)


def _machine(tmp_path: Path, text: str = TINY) -> Questionnaire:
    rubric = _rubric(tmp_path, text).rubric
    return Questionnaire(rubric, AnswersDraft.new(rubric, "Shop", None, dt.date(2026, 1, 1)))


def test_an_option_label_in_any_case_is_an_answer(tmp_path: Path) -> None:
    scale = _rubric(tmp_path).rubric.scales["freq"]
    assert match_option(scale, "always") is not None
    assert match_option(scale, "  SomeTimes ").value == 1  # type: ignore[union-attr]
    assert match_option(scale, "alway") is None


def test_each_level_ends_with_a_line_on_how_it_stands(tmp_path: Path) -> None:
    machine = _machine(tmp_path)
    assert machine.handle("Always").messages == []  # basics.phone = 2 (score 1)
    assert machine.handle("").messages == []  # no note; still in level 1
    machine.handle("1")  # basics.email = Sometimes (0.5)
    step = machine.handle("")
    # by hand: (1 + 0.5) / 2 = 75%, at the threshold 75%: achieved
    assert step.messages == ["Level 1 (Basics): 2 of 2 answered; ✔ achieved "
                             "(score 75%, threshold 75%)."]
    machine.handle("s")
    step = machine.handle("s")
    assert step.messages[-1] == ("Level 2 (Care): 0 of 2 answered; ? insufficient "
                                 "(no score yet).")


@pytest.mark.parametrize("width", [60, 110])
def test_every_line_fits_and_no_word_is_broken(tmp_path: Path, width: int) -> None:
    machine = _machine(tmp_path, TINY.replace("Is the phone answered?", LONG, 1))
    screen = machine.screen(width)
    lines = screen.splitlines()
    assert all(len(line) <= width for line in lines), [ln for ln in lines if len(ln) > width]
    words = set(screen.split())
    assert all(word in words for word in LONG.split())  # every word whole, on one line
    assert len(machine.prompt(width)) < width


def _cli(tmp_path: Path, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1",
           "CSLEVELS_RUBRICS_PATH": ""}
    return subprocess.run([sys.executable, "-m", "cslevels", *args,
                           "--rubrics-dir", str(tmp_path / "r")],
                          input=stdin, capture_output=True, text=True, cwd=tmp_path, env=env,
                          check=False)


def test_quit_says_how_to_score_the_partial_file(tmp_path: Path) -> None:
    _rubric(tmp_path)
    out = _cli(tmp_path, "assess", "tiny", "-o", "c.yaml", "--subject", "Shop", "--assessor",
               "A", "--no-tty", stdin="2\n\nq\n")
    said = out.stdout + out.stderr
    # the command whole (on its own line when the line would be too long), then the caveat
    command = f"cslevels score c.yaml --rubrics-dir {tmp_path / 'r'}\n"
    assert (f"To score it as it is: {command}" in said
            or f"To score it as it is:\n  {command}" in said)
    assert "The result will be marked as a draft, resting on partial answers." in said


def test_a_templates_placeholder_subject_is_asked_for(tmp_path: Path) -> None:
    _rubric(tmp_path)
    made = _cli(tmp_path, "template", "tiny", "-o", "t.yaml", stdin="")
    assert made.returncode == 0, made.stderr
    out = _cli(tmp_path, "assess", "tiny", "-o", "t.yaml", "--no-tty",
               stdin="Corner Cafe\n\n2\n\nq\n")
    assert "Subject (the template's placeholder" in out.stdout + out.stderr
    data = yaml.safe_load((tmp_path / "t.yaml").read_text(encoding="utf-8"))
    assert data["subject"] == "Corner Cafe"


LONG_LEVEL = "Reachable by telephone, electronic mail and walk-in visitors during opening hours"
LONG_LABEL = "Sometimes, when somebody responsible happens to be standing near the counter"


@pytest.mark.slow
@pytest.mark.parametrize("width", [60, 110])
def test_a_resumed_session_fits_a_real_terminal(tmp_path: Path, width: int) -> None:
    """Through a pseudo-terminal of ``width`` columns (no COLUMNS): the header, the resume
    recap, its prompt, a question screen, the level's feedback and the quit lines all fit,
    and every word of the long level name, question and label arrives whole."""
    import io

    import pexpect

    text = (TINY.replace("Are emails answered?", LONG, 1)  # question 2, shown next
            .replace("name: Basics", f"name: {LONG_LEVEL}", 1)
            .replace("label: Sometimes", f"label: '{LONG_LABEL}'", 1))
    _rubric(tmp_path, text)
    (tmp_path / "c.yaml").write_text(
        "schema: cslevels/answers/v1\nrubric: tiny\nsubject: Corner Cafe\nassessor: Ana\n"
        "date: 2026-01-05\nanswers:\n  basics.phone: 1\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update({"PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1", "TERM": "xterm",
                "CSLEVELS_RUBRICS_PATH": ""})
    log = io.StringIO()
    child = pexpect.spawn(sys.executable, ["-m", "cslevels", "assess", "tiny", "-o", "c.yaml",
                                           "--rubrics-dir", "r"],
                          cwd=str(tmp_path), env=env, encoding="utf-8", timeout=20,
                          dimensions=(40, width))
    child.logfile_read = log
    child.expect_exact("q = quit: ")  # the resume prompt, after the recap
    child.sendline("")
    answer = ["q = quit): ", "s, q): "]  # the answer prompt, long or short
    child.expect_exact(answer)  # question 2 (email)
    child.sendline("2")
    child.expect_exact("): ")  # its note
    child.sendline("")
    child.expect_exact(answer)  # level 2's first question, after level 1's feedback
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    out = log.getvalue().replace("\r\n", "\n")
    lines = out.split("\n")
    assert all(len(line) <= width for line in lines), [ln for ln in lines if len(ln) > width]
    words = set(out.split())
    for name in (LONG_LEVEL, LONG, LONG_LABEL):
        missing = [w for w in name.split() if w not in words]
        assert not missing, (name, missing)
    assert "1 of 6 questions answered:" in out  # the recap was shown
    assert f"1 ({LONG_LABEL.split(',')[0]}," in out
    assert "Level 1 (Reachable" in out  # the level's feedback line
    assert "To continue:" in out
    assert "cslevels assess tiny -o c.yaml --rubrics-dir r" in out  # the command whole
