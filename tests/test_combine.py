"""`cslevels score A B C --combine`: several raters, one combined result, disagreements.

Three raters (Ann, Ben, Cat) assess the corner shop (tests/data/series/corner-shop.yaml,
threshold 0.75).  Scores: often 0/.25/.5/.75/1, done 0/.5/1.  By hand:

  question (weight)         Ann          Ben          Cat          combined            spread
  basics.greeting (2)       4 = 1.0      3 = 0.75     4 = 1.0      2.75/3 = 0.9167     0.25
  basics.phone (1)          3 = 0.75     3 = 0.75     -            1.5/2  = 0.75       0
  basics.tidy (1)           2 = 1.0      n/a          2 = 1.0      2/2    = 1.0        0  Ben out
  care.complaints-logged    2 = 1.0      0 = 0.0      2 = 1.0      2/3    = 0.6667     1.0  flagged
  care.callbacks            3 = 0.75     2 = 0.5      3 = 0.75     2/3    = 0.6667     0.25
  loyalty.regulars-known(2) 1 = 0.25     1 = 0.25     0 = 0.0      0.5/3  = 0.1667     0.25
  loyalty.feedback          n/a          n/a          -            n/a (all who answered)

  basics  = (2*0.9167 + 0.75 + 1.0) / 4 = 3.5833/4 = 0.8958  achieved
  care    = (0.6667 + 0.6667) / 2       = 0.6667            not achieved
  loyalty = (2*0.1667) / 2              = 0.1667            not achieved (feedback n/a)
  -> level 1; index = (0.8958 + 0.6667 + 0.1667) / 3 = 0.5764 -> 57.6
Had Ben's n/a on tidy counted as 0, basics would be (2*0.9167 + 0.75 + 0.6667)/4 = 0.8125.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, Invoke, text_formats
from cslevels.core.combine import DISAGREEMENT, QuestionSpread, Rater, RaterAnswer, combine
from cslevels.core.models import Question
from cslevels.errors import InputError
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers
from cslevels.reporting.formats import SCORE_FORMATS

SERIES = DATA / "series"
LIB = ("--rubrics-dir", str(SERIES))

RATERS = {
    "ann.yaml": ("Ann", {"basics.greeting": 4, "basics.phone": 3, "basics.tidy": 2,
                         "care.complaints-logged": {"value": 2, "note": "Book checked: all there."},
                         "care.callbacks": 3, "loyalty.regulars-known": 1,
                         "loyalty.feedback": "n/a"}),
    "ben.yaml": ("Ben", {"basics.greeting": 3, "basics.phone": 3, "basics.tidy": "n/a",
                         "care.complaints-logged": {"value": 0, "note": "No book at the till."},
                         "care.callbacks": 2, "loyalty.regulars-known": 1,
                         "loyalty.feedback": "n/a"}),
    "cat.yaml": ("Cat", {"basics.greeting": 4, "basics.tidy": 2, "care.complaints-logged": 2,
                         "care.callbacks": 3, "loyalty.regulars-known": 0}),
}


@pytest.fixture
def raters(tmp_path: Path) -> list[Path]:
    paths = []
    for n, (name, (assessor, answers)) in enumerate(RATERS.items(), 1):
        lines = ["schema: cslevels/answers/v1", "rubric: corner-shop", "subject: Corner Shop",
                 f"assessor: {assessor}", f"date: 2026-03-0{n}", "answers:"]
        lines += [f"  {key}: {json.dumps(value)}" for key, value in answers.items()]
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def combined_json(invoke: Invoke, paths: list[Path], *extra: str) -> dict:
    result = invoke("score", *map(str, paths), "--combine", *LIB, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def questions(data: dict) -> dict[str, dict]:
    return {q["id"]: q for lv in data["levels"] for q in lv["questions"]}


def test_combined_scores_are_the_hand_computed_means(invoke: Invoke, raters: list[Path]) -> None:
    data = combined_json(invoke, raters)
    q = questions(data)
    assert q["basics.greeting"]["score"] == pytest.approx(2.75 / 3)
    assert q["basics.phone"]["score"] == pytest.approx(0.75)  # Cat did not answer
    assert q["basics.tidy"]["score"] == pytest.approx(1.0)  # Ben's n/a is left out, not 0
    assert q["care.complaints-logged"]["score"] == pytest.approx(2 / 3)
    assert q["care.callbacks"]["score"] == pytest.approx(2 / 3)
    assert q["loyalty.regulars-known"]["score"] == pytest.approx(0.5 / 3)
    assert q["loyalty.feedback"]["state"] == "na"  # n/a from everyone who answered it
    scores = [lv["score"] for lv in data["levels"]]
    assert scores == pytest.approx([3.583333 / 4, 2 / 3, 1 / 6], abs=1e-6)
    assert data["achieved_level"] == 1
    assert data["index"] == 57.6
    assert data["assessor"] == "Ann; Ben; Cat"
    assert data["date"] == "2026-03-03"  # the latest rater's date


def test_disagreement_is_flagged_and_the_spread_reported(invoke: Invoke,
                                                         raters: list[Path]) -> None:
    spread = combined_json(invoke, raters)["raters"]
    assert [r["name"] for r in spread["raters"]] == ["Ann", "Ben", "Cat"]
    assert spread["disagreements"] == ["care.complaints-logged"]
    by_id = {q["id"]: q for q in spread["questions"]}
    assert by_id["care.complaints-logged"]["spread"] == 1.0
    assert by_id["basics.greeting"]["spread"] == 0.25
    assert by_id["basics.greeting"]["disagreement"] is False
    assert by_id["basics.phone"]["spread"] == 0.0
    assert by_id["loyalty.feedback"]["spread"] is None
    assert [a["state"] for a in by_id["basics.tidy"]["answers"]] == ["answered", "na", "answered"]
    assert [a["value"] for a in by_id["care.complaints-logged"]["answers"]] == [2, 0, 2]


def test_notes_of_every_rater_are_kept(invoke: Invoke, raters: list[Path]) -> None:
    note = questions(combined_json(invoke, raters))["care.complaints-logged"]["note"]
    assert "Ann: Book checked: all there." in note and "Ben: No book at the till." in note


def test_agreeing_raters_keep_the_option_and_others_get_a_mean(invoke: Invoke,
                                                               raters: list[Path]) -> None:
    q = questions(combined_json(invoke, raters))
    assert q["basics.phone"]["answer"] == "Often"  # everyone who answered said 3
    assert q["care.callbacks"]["answer"] == "mean of 3: 67%"


def test_terminal_and_markdown_show_the_rater_disagreement_section(
        invoke: Invoke, raters: list[Path]) -> None:
    terminal = invoke("score", *map(str, raters), "--combine", *LIB)
    assert terminal.exit_code == 0, terminal.stderr
    assert "Rater disagreement" in terminal.stdout
    flagged = [line for line in terminal.stdout.splitlines() if "⚠ disagree" in line]
    assert len(flagged) == 1 and "care.complaints-logged" in flagged[0]
    assert "Yes (2)" in flagged[0] and "No (0)" in flagged[0]
    markdown = invoke("score", *map(str, raters), "--combine", *LIB, "-f", "markdown").stdout
    assert "## Rater disagreement" in markdown
    flagged = [line for line in markdown.splitlines() if "**⚠ disagree**" in line]
    assert len(flagged) == 1 and "care.complaints-logged" in flagged[0]


@pytest.mark.parametrize("fmt", text_formats(SCORE_FORMATS))
def test_every_score_format_renders_a_combined_result(fmt: str, invoke: Invoke,
                                                      raters: list[Path]) -> None:
    result = invoke("score", *map(str, raters), "--combine", *LIB, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    if fmt == "json":
        assert json.loads(result.stdout)["raters"]["disagreements"] == ["care.complaints-logged"]
    else:
        assert "care.complaints-logged" in result.stdout
        assert "disagree" in result.stdout.lower()


def test_without_combine_the_files_are_scored_apart(invoke: Invoke, raters: list[Path]) -> None:
    result = invoke("score", *map(str, raters), *LIB, "--format", "json")
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 3
    assert all("raters" not in d for d in data)


def test_fail_under_applies_to_the_combined_result(invoke: Invoke, raters: list[Path]) -> None:
    assert invoke("score", *map(str, raters), "--combine", *LIB, "--fail-under", "1").exit_code == 0
    result = invoke("score", *map(str, raters), "--combine", *LIB, "--fail-under", "2")
    assert result.exit_code == 1
    assert "achieved level 1 is below --fail-under 2" in result.stderr


def test_target_gap_uses_the_combined_scores(invoke: Invoke, raters: list[Path]) -> None:
    # care: points 2/3 + 2/3 = 1.3333 of 2, needs 0.75 * 2 = 1.5; one raise to the best
    # adds 1/3 >= 0.1667: complaints-logged comes first (equal gains keep rubric order).
    data = combined_json(invoke, raters, "--target", "2")
    assert data["target"]["fastest_path"] == ["care.complaints-logged"]


def test_raters_of_different_rubrics_cannot_be_combined(invoke: Invoke,
                                                        raters: list[Path]) -> None:
    cafe = DATA.parent.parent / "examples" / "riverside-cafe.yaml"
    result = invoke("score", str(raters[0]), str(cafe), "--combine", *LIB)
    assert result.exit_code == 1
    assert "cannot combine raters of different rubrics" in result.stderr
    assert result.stdout == ""


def test_a_broken_rater_file_fails_the_combination(invoke: Invoke, raters: list[Path]) -> None:
    raters[1].write_text(raters[1].read_text().replace("basics.phone: 3", "basics.phone: 9"))
    result = invoke("score", *map(str, raters), "--combine", *LIB)
    assert result.exit_code == 1
    assert f"{raters[1]}:" in result.stderr and "not an option" in result.stderr
    assert result.stdout == ""


def test_different_subjects_are_warned_in_the_report(invoke: Invoke, raters: list[Path]) -> None:
    raters[2].write_text(raters[2].read_text().replace("subject: Corner Shop",
                                                       "subject: Another Shop"))
    data = combined_json(invoke, raters)
    assert any("different subjects" in w for w in data["warnings"])


def test_same_assessor_names_are_told_apart(invoke: Invoke, raters: list[Path]) -> None:
    for path in raters[:2]:
        text = path.read_text()
        path.write_text(text.replace("assessor: Ann", "assessor: Sam")
                        .replace("assessor: Ben", "assessor: Sam"))
    names = [r["name"] for r in combined_json(invoke, raters)["raters"]["raters"]]
    assert names[0] != names[1] and names[0].startswith("Sam (") and names[2] == "Cat"


def test_rater_text_is_shown_literally(invoke: Invoke, raters: list[Path]) -> None:
    text = raters[0].read_text().replace("assessor: Ann", "assessor: \"Ann \\e[31m<b>|\"")
    raters[0].write_text(text)
    terminal = invoke("score", *map(str, raters), "--combine", *LIB).stdout
    assert "\x1b[31m" not in terminal and "\\x1b[31m" in terminal
    markdown = invoke("score", *map(str, raters), "--combine", *LIB, "-f", "markdown").stdout
    assert "Ann \\\\x1b\\[31m\\<b\\>\\|" in markdown
    html = invoke("score", *map(str, raters), "--combine", *LIB, "-f", "html").stdout
    assert "<b>" not in html and "Ann \\x1b[31m&lt;b&gt;|" in html
    assert "Rater disagreement" in html


# ---------------------------------------------------------------- the pure core


def _spread(*scores: float | None) -> QuestionSpread:
    question = Question(id="q", text="?", scale="s")
    answers = tuple(RaterAnswer(f"r{n}", "answered" if s is not None else "na", s)
                    for n, s in enumerate(scores))
    given = [s for s in scores if s is not None]
    return QuestionSpread("l.q", question, answers, sum(given) / len(given) if given else None,
                          max(given) - min(given) if given else None)


@pytest.mark.parametrize(("scores", "flagged"), [
    ((0.5, 1.0), True),  # exactly half the scale apart
    ((0.25, 0.75), True),
    ((0.0, 0.33, 0.67), True),  # 0.67 apart
    ((0.33, 0.67), False),  # 0.34 apart
    ((0.25, 0.5, 0.75), True),
    ((0.5, 0.75), False),
    ((1.0, None), False),  # one score and one n/a: nothing to disagree on
    ((None, None), False),
])
def test_disagreement_threshold_is_half_the_scale(scores: tuple[float | None, ...],
                                                  flagged: bool) -> None:
    assert DISAGREEMENT == 0.5
    assert _spread(*scores).disagreement is flagged


def test_combine_core_needs_raters() -> None:
    loaded = load_answers(SERIES / "2026-01-visit.yaml", RubricLibrary([SERIES]))
    with pytest.raises(InputError):
        combine(loaded.rubric.rubric, [])
    one = combine(loaded.rubric.rubric, [Rater("A", loaded.answers)])
    assert one.inputs["basics.phone"].score == 0.75
    assert one.spread.disagreements == []
