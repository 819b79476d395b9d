"""`cslevels score`: the examples in every format, the gate, bad answers, rubric lookup.

Expected levels are worked out by hand from examples/*.yaml and rubrics/*.yaml.
Scales used there: frequency and share score 0, 0.25, 0.5, 0.75, 1 for values
0-4; practice (and six-levels' occurrence) scores 0, 0.33, 0.67, 1 for 0-3.
Every built-in level uses threshold 0.75 (five-grades' grade 5: 0.85) and
min_coverage 0.5.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, Invoke
from cslevels.reporting.formats import SCORE_FORMATS

ANSI = re.compile(r"\x1b\[")
RIVERSIDE = str(EXAMPLES / "riverside-cafe.yaml")
RIVERSIDE_2027 = str(EXAMPLES / "riverside-cafe-2027-05.yaml")
HARBOR = str(EXAMPLES / "harbor-hardware-team.yaml")
NORTHWIND = str(EXAMPLES / "northwind-dental.yaml")
SEVEN_LEVELS = ["Availability", "Attention", "Listening and empathy", "Problem solving",
                "Responsiveness", "Professionalism", "Follow-up"]


def score_json(invoke: Invoke, *args: str, env: dict[str, str] | None = None) -> Any:
    result = invoke("score", *args, "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the examples, by hand


# riverside-cafe (seven-levels), weights in brackets:
#   1 availability: channels[2] 2->0.67, reachable 3->0.75, phone 4->1, written 4->1,
#     out-of-hours 2->0.67: (1.34 + 0.75 + 1 + 1 + 0.67) / 6 = 4.76 / 6 = 0.7933  achieved
#   2 attention: greeting[2] 4->1, name-use 2->0.5, scripts n/a, focus 3->0.75:
#     (2 + 0.5 + 0.75) / 4 = 3.25 / 4 = 0.8125  achieved
#   3 listening: interruptions[2] 3->0.75, cues 4->1, feelings[2] 3->0.75, checks 3->0.75,
#     training 2->0.67: (1.5 + 1 + 1.5 + 0.75 + 0.67) / 7 = 5.42 / 7 = 0.7743  achieved
#   4 problem solving: root-cause[2] 1->0.25, first-time[2] 3->0.75, options 2->0.5,
#     authority 1->0.33, known-fixes 0->0: (0.5 + 1.5 + 0.5 + 0.33 + 0) / 7 = 2.83 / 7 = 0.4043
#     not achieved  => level 3.
#   Fastest path to 4: needs 0.75 * 7 = 5.25, has 2.83, short 2.42; gains: root-cause
#     2 * 0.75 = 1.5, known-fixes 1.0, authority 0.67, ...: 1.5 + 1.0 = 2.5 >= 2.42 -> 2 raises.
# riverside-cafe-2027-05: 1 = (2 + 0.75 + 1 + 0.75 + 0.67) / 6 = 0.8617; 2 = 0.8125 as above;
#   3 = (1.5 + 1 + 1.5 + 0.75 + 1) / 7 = 0.8214; 4 = (1.5 + 1.5 + 0.75 + 1 + 0.67) / 7 = 0.7743;
#   5 responsiveness: tracking[2] 2->0.67, history 2->0.5, updates 2->0.5, stalled n/a,
#   standards 1->0.33: (1.34 + 0.5 + 0.5 + 0.33) / 5 = 0.534 not achieved  => level 4.
# harbor-hardware-team (six-levels): 1 alertness: heads-up[2] 3->0.75, eye-contact 3->0.75,
#   moving 4->1, body 3->0.75, expectations 2->0.67: (1.5 + 0.75 + 1 + 0.75 + 0.67) / 6
#   = 4.67 / 6 = 0.7783; 2 acknowledgement: greeted[2] 2->0.5, in-store 3->0.75, open 3->0.75,
#   answered[2] 4->1, training 4->1, coaching 2->0.67: (1 + 0.75 + 0.75 + 2 + 1 + 0.67) / 8
#   = 6.17 / 8 = 0.7713; 3 conversation: asks[2] 1->0.25, beyond 2->0.5, common-ground
#   1->0.33, own-style 3->1, insights 1->0.33, regulars 3->0.75:
#   (0.5 + 0.5 + 0.33 + 1 + 0.33 + 0.75) / 7 = 3.41 / 7 = 0.4871  => level 2.
# northwind-dental (five-grades): 1 = (2 + 1 + 1) / 4 = 1.0 (threshold 0.5);
#   2: recorded[2] 3->1, reply 4->1, standard 2->0.67, induction[2] 3->0.75, escalation 4->1,
#   feedback 3->1: (2 + 1 + 0.67 + 1.5 + 1 + 1) / 8 = 7.17 / 8 = 0.8963;
#   3: (2 * 0.75 + 1 + 0.75 + 0.75) / 5 = 0.8; 4: consistently[2] 2->0.5, trainer[2] 1->0.33,
#   plan[2] 2->0.5, reputation 4->1, attention[2] 3->0.75, corners 2->0.5:
#   (1 + 0.66 + 1 + 1 + 1.5 + 0.5) / 10 = 0.566, and three required questions are below
#   0.75  => level 3.
@pytest.mark.parametrize(
    ("path", "level", "scores"),
    [
        (RIVERSIDE, 3, [4.76 / 6, 3.25 / 4, 5.42 / 7, 2.83 / 7]),
        (RIVERSIDE_2027, 4, [5.17 / 6, 3.25 / 4, 5.75 / 7, 5.42 / 7, 2.67 / 5]),
        (HARBOR, 2, [4.67 / 6, 6.17 / 8, 3.41 / 7]),
        (NORTHWIND, 3, [4.0 / 4, 7.17 / 8, 4.0 / 5, 5.66 / 10]),
    ],
)
def test_examples_achieve_the_hand_computed_level(invoke: Invoke, path: str, level: int,
                                                  scores: list[float]) -> None:
    data = score_json(invoke, path)
    assert data["achieved_level"] == level
    got = [lv["score"] for lv in data["levels"][: len(scores)]]
    assert got == pytest.approx(scores, abs=1e-6)
    statuses = [lv["status"] for lv in data["levels"][: level + 1]]
    assert statuses == ["achieved"] * level + ["not achieved"]
    assert data["next_level"]["id"] == data["levels"][level]["id"]


def test_riverside_json_has_the_spec_keys_and_the_fastest_path(invoke: Invoke) -> None:
    data = score_json(invoke, RIVERSIDE)
    assert data["subject"] == "Riverside Cafe"
    assert data["rubric"]["id"] == "seven-levels"
    assert data["rubric"]["version"] == "2.0.0"
    assert data["rubric"]["title"] == "The 7 Levels of Customer Service"
    assert data["method"] == "staged"
    # index: mean of the seven level scores (equal level weights):
    # 0.7933 + 0.8125 + 0.7743 + 0.4043 + 0.282 (responsiveness: (0.66 + 0.25 + 0.5 + 0) / 5)
    # + 0.8457 (professionalism: (2 + 1 + 1.5 + 0.75 + 0.67) / 7) + 0.266 (follow-up:
    # (0.5 + 0.5 + 0 + 0.33) / 5) = 4.1781; / 7 = 0.5969 -> 59.7
    assert data["index"] == 59.7
    assert [lv["name"] for lv in data["levels"]] == SEVEN_LEVELS
    for rank, lv in enumerate(data["levels"], 1):
        assert {"id", "name", "rank", "score", "coverage", "status"} <= lv.keys()
        assert lv["rank"] == rank
        assert lv["coverage"] == 1.0  # every question is answered (n/a included)
    assert data["next_level"]["id"] == "problem-solving"
    assert data["next_level"]["fastest_path"] == ["problem-solving.root-cause",
                                                  "problem-solving.known-fixes"]
    # level 6 meets its threshold (0.8457) but level 4 blocks it
    assert data["blocker"]["id"] == "problem-solving"
    assert data["blocker"]["blocked"] == ["professionalism"]


def test_several_files_give_a_json_list_in_order(invoke: Invoke) -> None:
    data = score_json(invoke, HARBOR, RIVERSIDE, NORTHWIND)
    assert isinstance(data, list)
    assert [d["subject"] for d in data] == ["Harbor Hardware, shop floor team",
                                           "Riverside Cafe", "Northwind Dental"]
    assert [d["achieved_level"] for d in data] == [2, 3, 3]


# ---------------------------------------------------------------- the three report formats


def test_terminal_report_reads_well(invoke: Invoke) -> None:
    result = invoke("score", RIVERSIDE)
    assert result.exit_code == 0
    out = result.stdout
    for text in ("Riverside Cafe", "The 7 Levels of Customer Service", "J. Moreno",
                 "2026-11-20", "Achieved level 3 of 7: Listening and empathy", "Index 59.7",
                 "Executive summary", "Improvement plan", "To reach level 4 (Problem solving)",
                 "2 changes take its score from 40% to 76% (+36 points).",
                 "Then level 5 (Responsiveness)", "Then level 7 (Follow-up)",
                 "4.1 · now 20-49%; aim for 95% or more · +21 points",
                 "Add a required \"cause\" field", "Also worth doing in this level:",
                 "Notes and evidence", "Test email sent 2026-11-12",
                 "level 4 (Problem solving) blocks it", "Technical details",
                 "4.1 problem-solving.root-cause"):
        assert text in " ".join(out.split()), text
    for name in SEVEN_LEVELS:
        assert name in out
    # the profile table: one row per level with its score, coverage and status
    assert re.search(r"4\s+Problem solving\s+40%.*100%\s+✘ not achieved", out)
    assert re.search(r"3\s+▶ Listening and empathy\s+77%.*100%\s+✔ achieved", out)
    assert not ANSI.search(out)
    assert result.stderr == ""


def test_markdown_report(invoke: Invoke) -> None:
    result = invoke("score", NORTHWIND, "--format", "markdown")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("# Customer service assessment: Northwind Dental\n")
    # index: (1.0 + 0.8963 + 0.8 + 0.566 + grade 5 (2 * 0.33 + 0.5) / 3 = 0.3867) / 5 = 73.0
    assert "**Result: Grade 3 — Established** · index 73.0 / 100" in out
    assert "| 4 | Grade 4 — Excellent | 57% | 75% | 100% | ✘ not achieved |" in out
    # the required criteria that hold grade 4 back are named
    assert "required questions 4.1 (50%), 4.2 (33%) and 4.3 (50%)" in out
    assert "| 4.2 | grade-4-excellent.trainer-available |" in out  # ids in the appendix only
    assert "### To reach Grade 4 — Excellent" in out
    assert "## Notes and evidence" in out


@pytest.mark.parametrize("path", [RIVERSIDE, RIVERSIDE_2027, HARBOR, NORTHWIND])
@pytest.mark.parametrize("fmt", ["terminal", "json", "markdown"])
def test_every_example_in_every_text_format(invoke: Invoke, path: str, fmt: str) -> None:
    result = invoke("score", path, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stdout) > 200


@pytest.mark.parametrize("fmt", list(SCORE_FORMATS))
def test_every_registered_format_renders(invoke: Invoke, fmt: str, tmp_path: Path) -> None:
    if importlib.util.find_spec(SCORE_FORMATS[fmt].partition(":")[0]) is None:
        pytest.skip(f"{SCORE_FORMATS[fmt]} is not written yet")
    result = invoke("score", RIVERSIDE, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert "Riverside Cafe" in result.stdout


@pytest.mark.parametrize(("name", "check"), [
    ("report.md", lambda text: text.startswith("# Customer service assessment")),
    ("report.json", lambda text: json.loads(text)["achieved_level"] == 3),
    ("REPORT.JSON", lambda text: json.loads(text)["achieved_level"] == 3),
    ("report.txt", lambda text: "Achieved level 3 of 7" in text),
])
def test_output_suffix_picks_the_format(invoke: Invoke, tmp_path: Path, name: str,
                                        check: Any) -> None:
    target = tmp_path / name
    result = invoke("score", RIVERSIDE, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    assert check(target.read_text(encoding="utf-8"))


def test_an_explicit_format_that_contradicts_the_suffix_is_refused(invoke: Invoke,
                                                                   tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    result = invoke("score", RIVERSIDE, "-o", str(target), "--format", "json")
    assert result.exit_code == 1 and not target.exists()
    assert "--format json does not match the file name: .md is for --format markdown" in (
        result.stderr)


# ---------------------------------------------------------------- gate and target


@pytest.mark.parametrize(("threshold", "code"), [(0, 0), (2, 0), (3, 0), (4, 1), (7, 1)])
def test_fail_under(invoke: Invoke, threshold: int, code: int) -> None:
    result = invoke("score", RIVERSIDE, "--fail-under", str(threshold), "--format", "json")
    assert result.exit_code == code
    assert json.loads(result.stdout)["achieved_level"] == 3  # the report is printed either way
    if code:
        assert f"achieved level 3 is below --fail-under {threshold}" in result.stderr


def test_fail_under_with_several_files_fails_when_any_is_below(invoke: Invoke) -> None:
    # riverside-2027 is at 4, harbor at 2
    assert invoke("score", RIVERSIDE_2027, HARBOR, "--fail-under", "2").exit_code == 0
    result = invoke("score", RIVERSIDE_2027, HARBOR, "--fail-under", "3")
    assert result.exit_code == 1
    assert "harbor-hardware-team.yaml: achieved level 2 is below --fail-under 3" in result.stderr
    assert "riverside-cafe-2027-05" not in result.stderr


def test_target_shows_the_gap_to_the_target(invoke: Invoke) -> None:
    result = invoke("score", RIVERSIDE, "--target", "5")
    assert result.exit_code == 0
    out = result.stdout
    # staged: level 5 needs levels 4 and 5
    flat = " ".join(out.split())
    assert ("The road to the target, level 5 (Responsiveness): 4 changes over 2 levels not yet "
            "achieved" in flat)
    assert "To reach level 4 (Problem solving)" in flat
    assert "Then level 5 (Responsiveness)" in flat
    assert "Follow-up" not in flat[flat.index("Improvement plan"):flat.index("Notes and")]
    data = score_json(invoke, RIVERSIDE, "--target", "5")
    assert [s["id"] for s in data["plan"]["stages"]] == ["problem-solving", "responsiveness"]
    assert data["plan"]["goal"] == 5 and data["plan"]["changes"] == 4
    data = score_json(invoke, RIVERSIDE, "--target", "5")
    assert data["target"]["level"] == 5
    assert data["target"]["reached"] is False
    assert [g["id"] for g in data["target"]["gaps"]] == ["problem-solving", "responsiveness"]
    # responsiveness: 1.41 of 5 (= 0.282); 0.75 needs 3.75, 2.34 short. Gains: case-tracking
    # [2] 2 * (1 - 0.33) = 1.34, written-standards 1.0, history-kept 0.75, status-updates 0.5:
    # 1.34 + 1.0 = 2.34 -> exactly enough (exact threshold), so two raises.
    assert data["target"]["gaps"][1]["fastest_path"] == [
        "responsiveness.case-tracking", "responsiveness.written-standards"]
    assert data["target"]["fastest_path"][:2] == data["next_level"]["fastest_path"]


def test_target_already_reached(invoke: Invoke) -> None:
    result = invoke("score", RIVERSIDE, "--target", "2")
    assert result.exit_code == 0
    assert "The target, level 2 (Attention), is reached." in result.stdout


def test_target_beyond_the_rubric_is_an_error(invoke: Invoke) -> None:
    result = invoke("score", HARBOR, "--target", "7")
    assert result.exit_code == 1
    assert "--target 7 is beyond the 6 levels of six-levels" in result.stderr


# ---------------------------------------------------------------- no colour, narrow terminals


@pytest.mark.parametrize("columns", ["30", "50", "64", "80", "200"])
def test_plain_output_at_any_width(invoke: Invoke, columns: str) -> None:
    result = invoke("score", RIVERSIDE, HARBOR, env={"COLUMNS": columns, "NO_COLOR": "1"})
    assert result.exit_code == 0
    out = result.stdout
    assert not ANSI.search(out)
    # every level name whole on a line, with its status
    for name in [*SEVEN_LEVELS, "Partnership/Advocacy/Community"]:
        assert name in out
    assert out.count("✔ achieved") + out.count("✘ not achieved") == 7 + 6
    width = max(40, min(int(columns), 110))
    assert max(len(line) for line in out.splitlines()) <= width


def test_narrow_terminal_lists_levels_with_score_and_status(invoke: Invoke) -> None:
    out = invoke("score", RIVERSIDE, env={"COLUMNS": "50"}).stdout
    assert "4. Problem solving\n   ✘ not achieved · score 40% · answered 100%" in out


def test_colour_only_when_asked(invoke: Invoke) -> None:
    # the test runner is not a terminal: plain unless FORCE_COLOR
    assert not ANSI.search(invoke("score", RIVERSIDE, env={"NO_COLOR": ""}).stdout)
    coloured = invoke("score", RIVERSIDE, env={"FORCE_COLOR": "1"}).stdout
    assert ANSI.search(coloured)


# ---------------------------------------------------------------- untrusted text


HOSTILE = """\
schema: cslevels/answers/v1
rubric: seven-levels
subject: "[link=https://evil.example]Cafe[/link]"
assessor: "\\e]8;;https://evil.example\\e\\\\click\\e]8;;\\e\\\\"
answers:
  availability.channels:
    value: 2
    note: "[bold red]x[/] and \\e[31mred\\e[0m\\rover"
    evidence: ["[i]proof[/i]"]
"""


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"FORCE_COLOR": "1", "NO_COLOR": ""}])
def test_markup_and_escape_sequences_are_shown_literally(invoke: Invoke, tmp_path: Path,
                                                          env: dict[str, str]) -> None:
    path = write(tmp_path / "hostile.yaml", HOSTILE)
    result = invoke("score", str(path), env=env)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "[bold red]x[/]" in out
    assert "[link=https://evil.example]Cafe[/link]" in out
    assert "[i]proof[/i]" in out
    assert "\\x1b[31mred\\x1b[0m\\x0dover" in out  # visible escapes, not a red word
    assert "\\x1b]8;;https://evil.example" in out
    assert "\r" not in out
    assert "\x1b]8" not in out  # no hyperlink reached the terminal
    # the only raw ESC sequences are rich's own colour codes (SGR: ESC [ ... m)
    assert not re.search(r"\x1b(?!\[[0-9;]*m)", out)


def test_markdown_escapes_untrusted_text(invoke: Invoke, tmp_path: Path) -> None:
    path = write(tmp_path / "hostile.yaml", HOSTILE)
    out = invoke("score", str(path), "--format", "markdown").stdout
    assert "\\[link=https\\://evil.example\\]Cafe\\[/link\\]" in out
    assert "\x1b" not in out


# ---------------------------------------------------------------- bad answers files


HEAD = "schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: Test\n"


def bad(invoke: Invoke, tmp_path: Path, text: str, *args: str) -> tuple[int, str, Path]:
    path = write(tmp_path / "answers.yaml", text)
    result = invoke("score", str(path), *args)
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr, path


def test_unknown_question_with_did_you_mean(invoke: Invoke, tmp_path: Path) -> None:
    code, err, path = bad(invoke, tmp_path, HEAD + "answers:\n  availability.chanels: 2\n")
    assert code == 1
    assert (f"{path}:5:3: error: unknown question 'availability.chanels' for rubric "
            "seven-levels (did you mean 'availability.channels'?)") in err


def test_value_off_the_scale(invoke: Invoke, tmp_path: Path) -> None:
    code, err, path = bad(invoke, tmp_path, HEAD + "answers:\n  availability.phone-wait: 7\n")
    assert code == 1
    assert f"{path}:5:28: error: availability.phone-wait: 7 is not an option" in err
    assert "choose one of: 0 (Under 20%), 1 (20-49%)" in err


def test_value_off_the_scale_in_long_form(invoke: Invoke, tmp_path: Path) -> None:
    code, err, path = bad(invoke, tmp_path,
                          HEAD + "answers:\n  attention.greeting:\n    value: 9\n    note: hi\n")
    assert code == 1
    assert f"{path}:6:12: error: attention.greeting: 9 is not an option" in err


def test_na_where_not_allowed(invoke: Invoke, tmp_path: Path) -> None:
    code, err, path = bad(invoke, tmp_path,
                          HEAD + "answers:\n  availability.out-of-hours: n/a\n")
    assert code == 1
    assert f"{path}:5:30: error: availability.out-of-hours does not allow n/a" in err


def test_duplicate_key(invoke: Invoke, tmp_path: Path) -> None:
    code, err, path = bad(invoke, tmp_path, HEAD + "answers:\n  availability.channels: 2\n"
                          "  availability.channels: 3\n")
    assert code == 1
    assert f"{path}:6:3: error: duplicate key 'availability.channels'" in err


def test_unknown_rubric_lists_the_available_ids(invoke: Invoke, tmp_path: Path) -> None:
    code, err, path = bad(invoke, tmp_path,
                          "schema: cslevels/answers/v1\nrubric: seven-level\nsubject: T\n")
    assert code == 1
    assert f"{path}:2:9: error: unknown rubric 'seven-level'" in err
    assert "did you mean 'seven-levels'?" in err
    assert "available: five-grades, seven-levels, six-levels" in err


def test_every_problem_in_a_file_is_reported_at_once(invoke: Invoke, tmp_path: Path) -> None:
    code, err, path = bad(invoke, tmp_path, HEAD + "answers:\n  availability.chanels: 2\n"
                          "  availability.phone-wait: 7\n  availability.out-of-hours: n/a\n")
    assert code == 1
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert [line.split(": error:")[0] for line in lines] == [
        f"{path}:5:3", f"{path}:6:28", f"{path}:7:30"]


def test_version_mismatch_warns_and_scores(invoke: Invoke, tmp_path: Path) -> None:
    text = HEAD.replace("subject", 'rubric_version: "0.9"\nsubject') + (
        "answers:\n  availability.channels: 3\n")
    path = write(tmp_path / "old.yaml", text)
    result = invoke("score", str(path), "--format", "json")
    assert result.exit_code == 0
    assert (f"{path}:3:17: warning: answers were made for seven-levels version 0.9, but the "
            "rubric is version 2.0.0; scoring against 2.0.0") in result.stderr
    data = json.loads(result.stdout)  # stdout is only the JSON, diagnostics are on stderr
    assert data["rubric"]["version"] == "2.0.0"
    assert any("version 0.9" in w for w in data["warnings"])
    terminal = invoke("score", str(path))
    assert "⚠ answers were made for seven-levels version 0.9" in terminal.stdout


def test_one_bad_file_does_not_hide_the_others(invoke: Invoke, tmp_path: Path) -> None:
    broken = write(tmp_path / "broken.yaml", HEAD + "answers:\n  availability.chanels: 2\n")
    result = invoke("score", RIVERSIDE, str(broken), "--format", "json")
    assert result.exit_code == 1
    # two files named: a list, even though only one of them could be scored
    assert [r["subject"] for r in json.loads(result.stdout)] == ["Riverside Cafe"]
    assert f"{broken}:5:3: error: unknown question" in result.stderr


def test_the_json_shape_follows_the_arguments_not_what_succeeded(invoke: Invoke,
                                                                 tmp_path: Path) -> None:
    broken = write(tmp_path / "broken.yaml", HEAD + "answers:\n  availability.chanels: 2\n")
    one = json.loads(invoke("score", RIVERSIDE, "--format", "json").stdout)
    two = json.loads(invoke("score", RIVERSIDE, NORTHWIND, "--format", "json").stdout)
    one_of_two = json.loads(invoke("score", str(broken), RIVERSIDE, "--format", "json").stdout)
    combined = json.loads(invoke("score", RIVERSIDE, RIVERSIDE_2027, "--combine",
                                 "--format", "json").stdout)
    assert isinstance(one, dict) and isinstance(combined, dict)
    assert isinstance(two, list) and len(two) == 2
    assert isinstance(one_of_two, list) and len(one_of_two) == 1


@pytest.mark.parametrize("content", ["", "- a list\n", "schema: [unclosed\n",
                                     "schema: cslevels/rubric/v1\nid: x\n"])
def test_not_an_answers_file(invoke: Invoke, tmp_path: Path, content: str) -> None:
    code, err, path = bad(invoke, tmp_path, content)
    assert code == 1
    assert err.startswith(str(path))


def test_missing_file(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("score", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert str(tmp_path / "nope.yaml") in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- finding custom rubrics


CUSTOM_RUBRIC = """\
schema: cslevels/rubric/v1
id: custom-model
version: "2.0"
title: Custom model
method: staged
threshold: 0.75
min_coverage: 0.5
scales:
  yn:
    label: Is it so?
    options:
      - {value: "no", label: "No", score: 0.0}
      - {value: partly, label: "Partly", score: 0.5}
      - {value: "yes", label: "Yes", score: 1.0}
levels:
  - id: basics
    name: Basics
    questions:
      - {id: phone, text: Is the phone answered?, scale: yn, guidance: Call log.,
         recommendation: Answer it.}
      - {id: email, text: Are emails answered?, scale: yn, weight: 2, allow_na: true,
         guidance: Inbox., recommendation: Reply.}
  - id: care
    name: Care
    questions:
      - {id: greet, text: Are customers greeted?, scale: yn, guidance: Watch.,
         recommendation: Greet.}
      - {id: names, text: Are names used?, scale: yn, guidance: Listen.,
         recommendation: Use names.}
"""
CUSTOM_ANSWERS = """\
schema: cslevels/answers/v1
rubric: custom-model
rubric_version: "2.0"
subject: Custom shop
answers:
  basics.phone: "yes"
  basics.email: "yes"
  care.greet: "yes"
  care.names: partly
"""
# basics (1 + 2*1) / 3 = 1.0; care (1 + 0.5) / 2 = 0.75 = the threshold: achieved -> level 2;
# index 100 * (1.0 + 0.75) / 2 = 87.5


@pytest.fixture
def custom(tmp_path: Path) -> tuple[Path, Path]:
    rubric = write(tmp_path / "rubrics" / "custom.yaml", CUSTOM_RUBRIC)
    answers = write(tmp_path / "shop.yaml", CUSTOM_ANSWERS)
    return rubric, answers


def check_custom(data: Any) -> None:
    assert data["rubric"] == {"id": "custom-model", "version": "2.0", "title": "Custom model",
                              "digest": data["rubric"]["digest"]}
    assert data["achieved_level"] == 2
    assert data["index"] == 87.5
    assert data["next_level"] is None  # every level achieved


def test_custom_rubric_is_not_found_without_a_folder(invoke: Invoke,
                                                     custom: tuple[Path, Path]) -> None:
    result = invoke("score", str(custom[1]))
    assert result.exit_code == 1
    assert "unknown rubric 'custom-model'" in result.stderr


def test_custom_rubric_by_rubrics_dir(invoke: Invoke, custom: tuple[Path, Path]) -> None:
    check_custom(score_json(invoke, str(custom[1]), "--rubrics-dir", str(custom[0].parent)))


def test_custom_rubric_by_environment(invoke: Invoke, custom: tuple[Path, Path]) -> None:
    env = {"CSLEVELS_RUBRICS_PATH": str(custom[0].parent)}
    check_custom(score_json(invoke, str(custom[1]), env=env))


def test_custom_rubric_by_file(invoke: Invoke, custom: tuple[Path, Path]) -> None:
    check_custom(score_json(invoke, str(custom[1]), "--rubric", str(custom[0])))


def test_rubric_option_must_match_the_answers(invoke: Invoke, custom: tuple[Path, Path]) -> None:
    result = invoke("score", RIVERSIDE, "--rubric", str(custom[0]))
    assert result.exit_code == 1
    assert "answers are for rubric 'seven-levels', but --rubric gave 'custom-model'" in (
        result.stderr)


def test_unknown_rubric_lists_custom_ids_too(invoke: Invoke, custom: tuple[Path, Path],
                                            tmp_path: Path) -> None:
    path = write(tmp_path / "x.yaml", "schema: cslevels/answers/v1\nrubric: nope\nsubject: T\n")
    result = invoke("score", str(path), "--rubrics-dir", str(custom[0].parent))
    assert result.exit_code == 1
    assert "available: custom-model, five-grades, seven-levels, six-levels" in result.stderr


def test_continuous_rubric_has_a_null_achieved_level(invoke: Invoke, tmp_path: Path) -> None:
    rubric = write(tmp_path / "r" / "c.yaml",
                   CUSTOM_RUBRIC.replace("method: staged", "method: continuous"))
    answers = write(tmp_path / "a.yaml", CUSTOM_ANSWERS.replace("basics.email: \"yes\"",
                                                                "basics.email: \"no\""))
    data = score_json(invoke, str(answers), "--rubric", str(rubric))
    # basics (1 + 0) / 3 = 0.333 not achieved; care 0.75 achieved, standing alone
    assert data["method"] == "continuous"
    assert data["achieved_level"] is None
    assert [lv["status"] for lv in data["levels"]] == ["not achieved", "achieved"]
    assert data["next_level"]["id"] == "basics"
    assert data["blocker"] is None
    out = invoke("score", str(answers), "--rubric", str(rubric)).stdout
    assert "1 of 2 levels achieved" in out
    # --fail-under on a continuous rubric compares the number of levels achieved, the
    # number the report and summary show ("1 of 2 levels achieved"): 1 here, in any order
    assert invoke("score", str(answers), "--rubric", str(rubric), "--fail-under", "1"
                  ).exit_code == 0
    gate = invoke("score", str(answers), "--rubric", str(rubric), "--fail-under", "2")
    assert gate.exit_code == 1
    assert "1 of 2 levels achieved, below --fail-under 2" in gate.stderr


def test_missing_answers_are_listed(invoke: Invoke, custom: tuple[Path, Path]) -> None:
    text = CUSTOM_ANSWERS.replace('  basics.email: "yes"\n', "")
    path = write(custom[1], text)
    out = invoke("score", str(path), "--rubrics-dir", str(custom[0].parent)).stdout
    # basics: phone only, coverage 1 / 3 < 0.5 -> insufficient; answering email fixes it
    assert "Missing answers (1)" in out
    flat = " ".join(out.split())
    assert "1.2 basics.email" in flat  # in the appendix
    assert "Insufficient: only 33% of it is answered." in flat
    assert "1.2 · answer it; aim for Yes" in flat
