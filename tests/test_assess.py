"""`cslevels assess`: the real program driven through a pseudo-terminal.

The rubric below is small so each run takes about a second.  Every expected
level and index is worked out by hand in the test's comments.

tiny rubric: scale freq 0/1/2 scores 0, 0.5, 1; threshold 0.75; min_coverage 0.5.
  level 1 basics:  phone, email (email allows n/a)
  level 2 care:    greet, names
  level 3 loyalty: follow, thanks
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest
import yaml

from cslevels.commands.assess.questionnaire import Questionnaire, match_option, option_keys
from cslevels.commands.assess.saving import SignalGuard
from cslevels.commands.assess.session import AssessOptions, run_assess
from cslevels.core.models import Rubric
from cslevels.errors import OutputError

pytestmark = pytest.mark.slow

TINY = """\
schema: cslevels/rubric/v1
id: tiny
version: "1.0"
title: Tiny model
subject: shop
method: staged
threshold: 0.75
min_coverage: 0.5
scales:
  freq:
    label: How often?
    options:
      - {value: 0, label: Never, score: 0.0}
      - {value: 1, label: Sometimes, score: 0.5}
      - {value: 2, label: Always, score: 1.0}
levels:
  - id: basics
    name: Basics
    summary: The shop can be reached.
    questions:
      - id: phone
        text: Is the phone answered?
        scale: freq
        guidance: Look at the call log of the last month.
        recommendation: Answer the phone.
      - id: email
        text: Are emails answered?
        scale: freq
        allow_na: true
        guidance: Read the inbox.
        recommendation: Read the inbox daily.
  - id: care
    name: Care
    summary: Staff care about customers.
    questions:
      - id: greet
        text: Are customers greeted?
        scale: freq
        guidance: Watch the counter for an hour.
        recommendation: Greet everyone.
      - id: names
        text: Are regulars called by name?
        scale: freq
        guidance: Watch the counter for an hour.
        recommendation: Learn names.
  - id: loyalty
    name: Loyalty
    summary: Customers come back.
    questions:
      - id: follow
        text: Are complaints followed up?
        scale: freq
        guidance: Complaint book.
        recommendation: Call back.
      - id: thanks
        text: Are regulars thanked?
        scale: freq
        guidance: Observation.
        recommendation: Say thanks.
"""

PROMPT = "q = quit): "


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    (rubrics / "tiny.yaml").write_text(TINY, encoding="utf-8")
    return {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "xterm",
            "CSLEVELS_RUBRICS_PATH": str(rubrics)}


def spawn(tmp_path: Path, env: dict[str, str], *args: str, **kwargs: object) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "cslevels", "assess", "tiny", *args],
                         cwd=str(tmp_path), env=env, encoding="utf-8", timeout=10,
                         dimensions=(50, 100), **kwargs)


def answer(child: pexpect.spawn, text: str, note: str | None = None) -> None:
    """Wait for the answer prompt, type ``text``; then the note when one is given."""
    child.expect_exact(PROMPT)
    child.sendline(text)
    if note is not None:
        child.expect_exact("Note (")
        child.expect_exact("): ")
        child.sendline(note)


def ended(child: pexpect.spawn) -> int | None:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def answers_in(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data["answers"]


def run_cli(env: dict[str, str], cwd: Path, *args: str,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cslevels", *args], cwd=cwd, env=env,
                          input=stdin, capture_output=True, text=True, timeout=30,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def score_json(env: dict[str, str], path: Path) -> dict[str, object]:
    result = run_cli(env, path.parent, "score", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def start(tmp_path: Path, env: dict[str, str], file: str = "cafe.yaml",
          *extra: str) -> pexpect.spawn:
    return spawn(tmp_path, env, "-o", file, "--subject", "Corner Cafe", "--assessor", "Ana",
                 *extra)


# ---------------------------------------------------------------- Ctrl-C, resume, finish


def test_ctrl_c_keeps_answers_then_resume_and_finish(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "cafe.yaml"
    child = start(tmp_path, env)
    answer(child, "2", note="")
    answer(child, "n", note="no email address at all")
    answer(child, "1", note="")
    child.expect_exact("Question 4 of 6")
    child.expect_exact(PROMPT)
    child.sendintr()
    child.expect_exact("Interrupted. 3 of 6 questions answered, saved in cafe.yaml.")
    child.expect_exact("To continue: cslevels assess tiny -o cafe.yaml")
    assert ended(child) == 130

    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["schema"] == "cslevels/answers/v1"
    assert (data["rubric"], data["rubric_version"]) == ("tiny", "1.0")
    assert (data["subject"], data["assessor"]) == ("Corner Cafe", "Ana")
    assert data["date"] == dt.date.today()
    assert data["answers"] == {
        "basics.phone": 2,
        "basics.email": {"value": "n/a", "note": "no email address at all"},
        "care.greet": 1,
    }
    assert run_cli(env, tmp_path, "validate", "cafe.yaml").returncode == 0
    # Partial: basics = phone only (email n/a) = 1.0 -> achieved;
    # care = greet 0.5 with coverage 1/2 = 0.5 (not below min_coverage) -> not achieved.
    partial = score_json(env, out)
    assert partial["achieved_level"] == 1
    assert [lv["status"] for lv in partial["levels"]] == ["achieved", "not achieved",
                                                         "insufficient"]

    child = spawn(tmp_path, env, "-o", "cafe.yaml")
    child.expect_exact("3 of 6 questions answered")
    child.expect_exact("email: n/a")
    child.expect_exact("Enter = continue with question 4 of 6")
    child.sendline("")
    child.expect_exact("Question 4 of 6")
    answer(child, "2", note="")
    answer(child, "2", note="")
    answer(child, "0", note="never thanked anyone")
    child.expect_exact("Done: 6 of 6 questions answered")
    child.expect_exact("Reports:")
    child.expect_exact("cslevels score cafe.yaml -o cafe.html")
    child.expect_exact("cslevels score cafe.yaml --format markdown -o cafe.md")
    assert ended(child) == 0

    # basics 1.0; care (0.5 + 1)/2 = 0.75 -> achieved; loyalty (1 + 0)/2 = 0.5 -> not.
    # Index = (1.0 + 0.75 + 0.5) / 3 = 0.75 -> 75.0
    final = score_json(env, out)
    assert final["achieved_level"] == 2
    assert final["index"] == 75.0
    assert answers_in(out)["loyalty.thanks"] == {"value": 0, "note": "never thanked anyone"}
    assert answers_in(out)["basics.email"] == {"value": "n/a",
                                               "note": "no email address at all"}


def test_asks_subject_and_assessor_when_not_given(tmp_path: Path, env: dict[str, str]) -> None:
    child = spawn(tmp_path, env, "-o", "new.yaml")
    child.expect_exact("Subject (the shop assessed): ")
    child.sendline("")
    child.expect_exact("This is needed: type a name.")
    child.expect_exact("Subject (the shop assessed): ")
    child.sendline("Harbor Books")
    child.expect_exact("Assessor (your name; Enter to leave it out): ")
    child.sendline("")
    child.expect_exact("Question 1 of 6")
    answer(child, "q")
    child.expect_exact("To continue: cslevels assess tiny -o new.yaml")
    assert ended(child) == 0
    data = yaml.safe_load((tmp_path / "new.yaml").read_text(encoding="utf-8"))
    assert data["subject"] == "Harbor Books"
    assert "assessor" not in data
    assert data["answers"] == {}
    assert run_cli(env, tmp_path, "validate", "new.yaml").returncode == 0


# ---------------------------------------------------------------- EOF, back, refusals, guidance


def test_eof_keeps_answers_and_says_how_to_resume(tmp_path: Path, env: dict[str, str]) -> None:
    child = start(tmp_path, env)
    answer(child, "1", note="")
    answer(child, "2", note="")
    child.expect_exact("Question 3 of 6")
    child.expect_exact(PROMPT)
    child.sendeof()
    child.expect_exact("End of input. 2 of 6 questions answered, saved in cafe.yaml.")
    child.expect_exact("To continue: cslevels assess tiny -o cafe.yaml")
    assert ended(child) == 1
    assert answers_in(tmp_path / "cafe.yaml") == {"basics.phone": 1, "basics.email": 2}


def test_back_changes_an_answer_and_bad_input_is_asked_again(
        tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "cafe.yaml"
    child = start(tmp_path, env)
    child.expect_exact("Question 1 of 6")
    answer(child, "n")  # phone does not allow n/a
    child.expect_exact("This question does not allow n/a")
    answer(child, "7")
    child.expect_exact("Not an answer: '7'. Type one of 0, 1, 2")
    answer(child, "?")
    child.expect_exact("Guidance: Look at the call log of the last month.")
    answer(child, "b")
    child.expect_exact("This is the first question.")
    answer(child, "0", note="first thought")
    child.expect_exact("Question 2 of 6")
    answer(child, "b")
    child.expect_exact("Question 1 of 6")
    child.expect_exact("Current answer: 0 (Never) (press Enter to keep it)")
    answer(child, "2")
    child.expect_exact("Note (Enter keeps the current note, - removes it): ")
    child.sendline("called three times, always answered")
    child.expect_exact("Question 2 of 6")
    answer(child, "s")
    child.expect_exact("Skipped: it stays unanswered")
    child.expect_exact("Question 3 of 6")
    answer(child, "q")
    assert ended(child) == 0
    assert answers_in(out) == {
        "basics.phone": {"value": 2, "note": "called three times, always answered"}}


@pytest.mark.parametrize("signum, code", [(signal.SIGHUP, 129), (signal.SIGTERM, 143)])
def test_hangup_or_terminate_keeps_answers(tmp_path: Path, env: dict[str, str], signum: int,
                                           code: int) -> None:
    child = start(tmp_path, env)
    answer(child, "2", note="")
    answer(child, "1", note="")
    child.expect_exact("Question 3 of 6")
    child.expect_exact(PROMPT)
    child.kill(signum)
    assert ended(child) == code
    assert answers_in(tmp_path / "cafe.yaml") == {"basics.phone": 2, "basics.email": 1}


def test_closing_the_terminal_keeps_answers(tmp_path: Path, env: dict[str, str]) -> None:
    child = start(tmp_path, env)
    answer(child, "2", note="")
    answer(child, "0")
    child.expect_exact("Note (")
    # The pty goes away: the program gets SIGHUP / EIO.  Only the terminal is closed here
    # (pexpect's close() would go on to SIGINT and SIGKILL a program still saving on a
    # busy machine); then the program is given all the time it takes to end by itself.
    child.ptyproc.fileobj.close()
    for _ in range(1200):
        if not child.ptyproc.isalive():
            break
        time.sleep(0.05)
    assert child.ptyproc.exitstatus == 129
    assert answers_in(tmp_path / "cafe.yaml") == {"basics.phone": 2, "basics.email": 0}


def test_sigkill_between_answers_leaves_a_valid_file(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "cafe.yaml"
    child = start(tmp_path, env)
    answer(child, "2", note="")
    answer(child, "1", note="")
    answer(child, "2")  # the last answer: killed at once, saved or not
    child.kill(signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL
    got = answers_in(out)
    assert {k: got[k] for k in ("basics.phone", "basics.email")} == {
        "basics.phone": 2, "basics.email": 1}
    assert set(got) <= {"basics.phone", "basics.email", "care.greet"}
    assert got.get("care.greet", 2) == 2
    assert run_cli(env, tmp_path, "validate", "cafe.yaml").returncode == 0


def test_review_keeps_notes_evidence_and_metadata(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "cafe.yaml"
    original = """\
# Hand-written after the visit.
schema: cslevels/answers/v1
rubric: tiny
rubric_version: "1.0"
subject: Corner Cafe
assessor: Ana
date: 2026-03-01
target: 3
answers:
  basics.phone: {value: 1, note: rang twice, evidence: [call log March]}
  basics.email: n/a
  care.greet: 2
  care.names: 2
  loyalty.follow: 2
  loyalty.thanks: 2
"""
    out.write_text(original, encoding="utf-8")
    child = spawn(tmp_path, env, "-o", "cafe.yaml", "--review")
    child.expect_exact("6 of 6 questions answered")
    child.expect_exact("Current answer: 1 (Sometimes)")
    answer(child, "", note="")  # Enter keeps the answer, Enter keeps the note
    child.expect_exact("Current answer: n/a")
    answer(child, "", note="")
    answer(child, "1", note="")  # care.greet 2 -> 1
    child.expect_exact("kept as cafe.yaml.orig")
    for _ in range(3):
        answer(child, "", note="")
    child.expect_exact("Done: 6 of 6 questions answered")
    assert ended(child) == 0
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["date"] == dt.date(2026, 3, 1)
    assert data["target"] == 3
    assert data["answers"] == {
        "basics.phone": {"value": 1, "note": "rang twice", "evidence": ["call log March"]},
        "basics.email": "n/a", "care.greet": 1, "care.names": 2,
        "loyalty.follow": 2, "loyalty.thanks": 2,
    }
    assert (tmp_path / "cafe.yaml.orig").read_text(encoding="utf-8") == original


# ---------------------------------------------------------------- files that must not be touched


@pytest.mark.parametrize("content, message", [
    ("hello: [unclosed\n", "YAML syntax error"),
    (TINY, "this is a rubric, not an answers file"),
    ("schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: X\nanswers: {}\n",
     "answers for rubric 'seven-levels', not 'tiny'"),
    ("schema: cslevels/answers/v1\nrubric: tiny\nsubject: X\nanswers:\n  basics.phone: 9\n",
     "not an option of scale"),
    ("", "empty"),
])
def test_refuses_a_file_that_is_not_its_answers(tmp_path: Path, env: dict[str, str],
                                                 content: str, message: str) -> None:
    out = tmp_path / "cafe.yaml"
    out.write_text(content, encoding="utf-8")
    child = start(tmp_path, env)
    child.expect_exact(message)
    assert ended(child) == 1
    assert out.read_text(encoding="utf-8") == content
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cafe")] == []


def test_refuses_a_different_subject(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "cafe.yaml"
    content = "schema: cslevels/answers/v1\nrubric: tiny\nsubject: Old Mill\nanswers: {}\n"
    out.write_text(content, encoding="utf-8")
    result = run_cli(env, tmp_path, "assess", "tiny", "-o", "cafe.yaml", "--subject", "New Mill",
                     "--no-tty", stdin="")
    assert result.returncode == 1
    assert "cafe.yaml: error: this file assesses 'Old Mill', not 'New Mill'" in result.stderr
    assert out.read_text(encoding="utf-8") == content


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_keeps_the_file(tmp_path: Path, env: dict[str, str]) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    out = folder / "cafe.yaml"
    out.write_text("schema: cslevels/answers/v1\nrubric: tiny\nsubject: X\nanswers:\n"
                   "  basics.phone: 2\n", encoding="utf-8")
    before = out.read_bytes()
    folder.chmod(0o500)
    try:
        result = run_cli(env, tmp_path, "assess", "tiny", "-o", "ro/cafe.yaml", "--no-tty",
                         stdin="1\n")
    finally:
        folder.chmod(0o700)
    assert result.returncode == 1
    assert "could not save the answers" in result.stderr
    assert out.read_bytes() == before


def test_disk_full_midway_keeps_the_file(tmp_path: Path, env: dict[str, str]) -> None:
    """A file-size limit makes the next save fail with EFBIG, even for root."""
    out = tmp_path / "cafe.yaml"
    child = start(tmp_path, env)
    answer(child, "2", note="")
    child.expect_exact("Question 2 of 6")
    answer(child, "q")
    assert ended(child) == 0
    before = out.read_bytes()
    limit = len(before) + 10  # the next answer's line does not fit

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a core dump
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    child = spawn(tmp_path, env, "-o", "cafe.yaml", preexec_fn=small_files)
    child.expect_exact("Enter = continue with question 2 of 6")
    child.sendline("")
    answer(child, "1")  # saved at once, before its note: "  basics.email: 1" does not fit
    child.expect_exact("cafe.yaml: error: could not save the answers: File too large")
    child.expect_exact("the file on disk still holds every earlier answer")
    assert ended(child) == 1
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# ---------------------------------------------------------------- not a terminal; --no-tty


def test_refuses_when_stdin_is_not_a_terminal(tmp_path: Path, env: dict[str, str]) -> None:
    result = run_cli(env, tmp_path, "assess", "tiny", "-o", "cafe.yaml", "--subject", "X",
                     stdin="2\n")
    assert result.returncode == 2
    assert "input is not a terminal" in result.stderr
    assert "--no-tty" in result.stderr
    assert not (tmp_path / "cafe.yaml").exists()


def test_no_tty_scripted_run(tmp_path: Path, env: dict[str, str]) -> None:
    # subject, assessor, then answer + note per question; `b` and `n` work as in a terminal.
    script = "\n".join([
        "Corner Cafe", "Ana",
        "1", "",            # basics.phone = 1
        "b", "2", "-",      # back to phone: 2 (note prompt: '-' = none)
        "n", "",            # email: n/a
        "2", "",            # care.greet
        "2", "busy Saturday",  # care.names
        "s",                # loyalty.follow skipped
        "1", "",            # loyalty.thanks
    ]) + "\n"
    result = run_cli(env, tmp_path, "assess", "tiny", "-o", "cafe.yaml", "--no-tty",
                     stdin=script)
    assert result.returncode == 0, result.stderr
    assert answers_in(tmp_path / "cafe.yaml") == {
        "basics.phone": 2, "basics.email": "n/a", "care.greet": 2,
        "care.names": {"value": 2, "note": "busy Saturday"}, "loyalty.thanks": 1,
    }
    assert "1 question(s) left unanswered" in result.stdout
    # basics 1.0, care 1.0 -> achieved; loyalty coverage 1/2, score 0.5 -> not achieved.
    report = result.stdout.split("Done: 5 of 6 questions answered")[1]
    assert "Corner Cafe" in report and "Care" in report  # the score report follows
    assert score_json(env, tmp_path / "cafe.yaml")["achieved_level"] == 2


def test_rubric_given_as_a_path_and_unknown_rubric(tmp_path: Path, env: dict[str, str]) -> None:
    bare = {**env, "CSLEVELS_RUBRICS_PATH": ""}
    result = run_cli(bare, tmp_path, "assess", "rubrics/tiny.yaml", "-o", "c.yaml", "--subject",
                     "X", "--assessor", "", "--no-tty", stdin="2\n\nq\n")
    assert result.returncode == 0, result.stderr
    assert "To continue: cslevels assess rubrics/tiny.yaml -o c.yaml" in result.stdout
    assert answers_in(tmp_path / "c.yaml") == {"basics.phone": 2}
    result = run_cli(bare, tmp_path, "assess", "tinny", "-o", "d.yaml", "--no-tty", stdin="")
    assert result.returncode == 1
    assert "unknown rubric 'tinny'" in result.stderr
    assert not (tmp_path / "d.yaml").exists()


# ---------------------------------------------------------------- in process: the state machine


def tiny_rubric() -> Rubric:
    return Rubric.model_validate(yaml.safe_load(TINY))


def test_questionnaire_walks_to_the_next_unanswered_question() -> None:
    from cslevels.files.drafts import AnswersDraft

    rubric = tiny_rubric()
    draft = AnswersDraft.new(rubric, "X", None)
    draft.set_value("basics.email", 1)
    machine = Questionnaire(rubric, draft)
    assert machine.item.key == "basics.phone"
    step = machine.handle("2")
    assert step.changed and machine.phase == "note"
    machine.handle("")
    assert machine.item.key == "care.greet"  # email was already answered
    assert not machine.handle("b").changed
    assert machine.item.key == "basics.email"
    assert not machine.handle("").changed  # Enter keeps the current answer
    machine.handle("")
    assert machine.item.key == "care.greet"
    for _ in range(4):
        machine.handle("s")
    assert machine.phase == "done"
    assert machine.unanswered() == ["care.greet", "care.names", "loyalty.follow",
                                    "loyalty.thanks"]


def test_string_valued_scale_is_numbered_and_accepts_values() -> None:
    from cslevels.core.models import Scale

    scale = Scale.model_validate({"label": "In place?", "options": [
        {"value": "no", "label": "No", "score": 0}, {"value": "yes", "label": "Yes", "score": 1}]})
    assert [k for k, _ in option_keys(scale)] == ["1", "2"]
    assert match_option(scale, "2").value == "yes"
    assert match_option(scale, "yes").value == "yes"
    assert match_option(scale, "NO").value == "no"
    assert match_option(scale, "3") is None
    numeric = tiny_rubric().scales["freq"]
    assert [k for k, _ in option_keys(numeric)] == ["0", "1", "2"]
    assert match_option(numeric, "0").value == 0  # the value itself, not position 0


def test_untrusted_rubric_text_is_printed_cleaned() -> None:
    from cslevels.files.drafts import AnswersDraft

    data = yaml.safe_load(TINY)
    data["levels"][0]["questions"][0]["text"] = "Evil \x1b]8;;http://x\x07link\x1b[2J?"
    rubric = Rubric.model_validate(data)
    screen = Questionnaire(rubric, AnswersDraft.new(rubric, "X", None)).screen()
    assert "\x1b" not in screen and "\x07" not in screen
    assert "Evil \\x1b]8;;http://x\\x07link\\x1b[2J?" in screen


def test_a_required_question_says_so_on_its_screen() -> None:
    from cslevels.files.drafts import AnswersDraft

    data = yaml.safe_load(TINY)
    rubric = Rubric.model_validate(data)
    screen = Questionnaire(rubric, AnswersDraft.new(rubric, "X", None)).screen()
    assert "Required:" not in screen
    data["levels"][0]["questions"][0]["required"] = True
    rubric = Rubric.model_validate(data)
    screen = Questionnaire(rubric, AnswersDraft.new(rubric, "X", None)).screen()
    assert "Required: the level needs this answer at or above its threshold." in screen


def test_signal_during_a_save_is_delivered_after_it() -> None:
    guard = SignalGuard()
    with guard:
        with pytest.raises(KeyboardInterrupt), guard.deferred():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            finished = True  # the block ran to its end despite Ctrl-C
        assert finished


def test_failed_save_in_process_keeps_the_file_and_says_what_was_lost(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    import errno

    from cslevels.files.drafts import AnswersDraft, render_answers

    out = tmp_path / "cafe.yaml"
    draft = AnswersDraft.new(tiny_rubric(), "X", None)
    draft.set_value("basics.phone", 2)
    original = render_answers(draft)  # as assess writes it: no .orig copy is needed
    out.write_text(original, encoding="utf-8")

    def no_space(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", no_space)
    monkeypatch.setenv("CSLEVELS_RUBRICS_PATH", env["CSLEVELS_RUBRICS_PATH"])
    stdout = io.StringIO()
    with pytest.raises(OutputError) as caught:
        run_assess(AssessOptions("tiny", out, no_tty=True), stdin=io.StringIO("1\n"),
                   stdout=stdout, stderr=io.StringIO())
    text = str(caught.value)
    assert text.startswith(f"{out}: error: could not save the answers: No space left on device")
    assert "the file on disk still holds every earlier answer" in text
    assert "not saved: the answer to basics.email" in text
    assert out.read_text(encoding="utf-8") == original
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_file_changed_by_something_else_is_not_overwritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    out = tmp_path / "cafe.yaml"
    monkeypatch.setenv("CSLEVELS_RUBRICS_PATH", env["CSLEVELS_RUBRICS_PATH"])
    edited = "schema: cslevels/answers/v1\nrubric: tiny\nsubject: Edited\nanswers: {}\n"

    class EditingStdin(io.StringIO):
        """After the first answer, an editor rewrites the file."""

        calls = 0

        def readline(self, *args: object) -> str:  # type: ignore[override]
            EditingStdin.calls += 1
            if EditingStdin.calls == 3:
                out.write_text(edited, encoding="utf-8")
            return super().readline()

    with pytest.raises(OutputError, match="changed on disk"):
        run_assess(AssessOptions("tiny", out, subject="X", assessor="", no_tty=True),
                   stdin=EditingStdin("2\n\n1\n"), stdout=io.StringIO(), stderr=io.StringIO())
    assert out.read_text(encoding="utf-8") == edited


def test_a_crash_midway_keeps_answers_and_says_how_to_continue(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    out = tmp_path / "cafe.yaml"
    monkeypatch.setenv("CSLEVELS_RUBRICS_PATH", env["CSLEVELS_RUBRICS_PATH"])
    real_screen = Questionnaire.screen

    def screen(self: Questionnaire, width: int = 100) -> str:
        if self.index == 2:
            raise RuntimeError("a bug")
        return real_screen(self, width)

    monkeypatch.setattr(Questionnaire, "screen", screen)
    stderr = io.StringIO()
    with pytest.raises(RuntimeError, match="a bug"):
        run_assess(AssessOptions("tiny", out, subject="X", assessor="", no_tty=True),
                   stdin=io.StringIO("2\n\n1\nsome note\n"), stdout=io.StringIO(),
                   stderr=stderr)
    assert "2 of 6 questions answered, saved in" in stderr.getvalue()
    said = stderr.getvalue().replace("To continue:\n  ", "To continue: ")  # when too long
    assert f"To continue: cslevels assess tiny -o {out}\n" in said
    assert answers_in(out) == {"basics.phone": 2, "basics.email": {"value": 1,
                                                                   "note": "some note"}}


def test_a_hostile_output_name_is_shown_safely_and_the_command_still_names_it(
        tmp_path: Path, env: dict[str, str]) -> None:
    """The file name is the user's own, but may come from anywhere: 'Saving to', the stop
    line and 'To continue' never hand a bidi override or ESC to the terminal, and the
    command to continue is in bash's $'...' form, which names the same file when pasted."""
    name = "cafe\u202e\x1b[31m it's.yaml"
    result = run_cli(env, tmp_path, "assess", "tiny", "-o", name, "--subject", "X",
                     "--assessor", "", "--no-tty", stdin="2\n\nq\n")
    assert result.returncode == 0, result.stderr
    shown = result.stdout + result.stderr
    assert "\u202e" not in shown and "\x1b" not in shown
    assert "Saving to cafe\\u202e\\x1b[31m it's.yaml after every answer" in shown
    command = "cslevels assess tiny -o $'cafe\\u202e\\x1b[31m it\\'s.yaml'"
    assert command in shown
    pasted = subprocess.run(["bash", "-c", f"printf %s {command.split(' -o ')[1]}"],
                            capture_output=True, text=True, check=True).stdout
    assert pasted == name and (tmp_path / name).exists()
