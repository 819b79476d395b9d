"""Issue 18, item 1: a partial assessment looks partial in every format.

tests/data/partial/first-hour.yaml answers 8 of seven-levels' 34 questions: all six of
Availability (weights 2,1,1,1,1,1; chat-reply n/a, the rest at their best option) and
Attention's greeting (weight 2) and name-use (weight 1) of its weights 2,1,1,1, at
their best.  By hand: Availability score 1.0, coverage 7/7 = 100%; Attention score 1.0,
coverage 3/5 = 60% (>= min_coverage 50%), so both are achieved and level 2 is reached;
levels 3-7 have nothing answered, no score, and the index (100.0) covers levels 1 and 2
only.  blank-seven-levels.yaml is `cslevels template seven-levels` as written.
"""

from __future__ import annotations

import html
import json

import pytest

from conftest import DATA, EXAMPLES, Invoke
from cslevels.core.scoring import score_loaded
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers

PARTIAL = str(DATA / "partial" / "first-hour.yaml")
BLANK = str(DATA / "partial" / "blank-seven-levels.yaml")
CAFE = str(EXAMPLES / "riverside-cafe.yaml")
DRAFT = "8 of 34 questions answered — draft: this result rests on partial answers"


def test_the_result_knows_how_complete_it_is() -> None:
    result = score_loaded(load_answers(DATA / "partial" / "first-hour.yaml", RubricLibrary(())))
    assert (result.answered_count, result.question_count) == (8, 34)
    assert result.partial and not result.nothing_answered
    assert result.achieved_level == 2 and result.index == 100.0
    assert [lv.rank for lv in result.index_levels] == [1, 2]
    assert result.levels[1].coverage == pytest.approx(0.6)
    assert [lv.rank for lv in result.levels_below_coverage(0.6)] == [3, 4, 5, 6, 7]
    assert [lv.rank for lv in result.levels_below_coverage(0.61)] == [2, 3, 4, 5, 6, 7]
    assert result.levels_below_coverage(0.0) == ()


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_every_report_says_draft_up_front_and_what_the_index_covers(invoke: Invoke,
                                                                    fmt: str) -> None:
    out = invoke("score", PARTIAL, "--format", fmt)
    assert out.exit_code == 0, out.stderr
    text = " ".join(html.unescape(out.stdout).replace("│", " ").split())
    assert DRAFT in text
    assert text.index(DRAFT) < text.index("Attention")  # before the result
    assert "(draft: partial answers)" in text
    assert "weighted mean of levels 1 and 2 only; 5 of 7 levels have no score yet" in text


def test_json_states_completeness_and_the_levels_in_the_index(invoke: Invoke) -> None:
    data = json.loads(invoke("score", PARTIAL, "--format", "json").stdout)
    assert data["completeness"]["answered"] == 8
    assert data["completeness"]["questions"] == 34
    assert data["completeness"]["partial"] is True
    assert data["completeness"]["message"].startswith(DRAFT)
    assert data["index_levels"] == ["availability", "attention"]


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "json"])
def test_a_complete_assessment_is_not_called_a_draft(invoke: Invoke, fmt: str) -> None:
    out = invoke("score", CAFE, "--format", fmt).stdout
    assert "draft" not in out.lower()
    assert "All 34 questions answered" in out


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_a_blank_template_says_nothing_answered_and_how_to_fill_it(invoke: Invoke,
                                                                   fmt: str) -> None:
    out = invoke("score", BLANK, "--format", fmt)
    assert out.exit_code == 0
    text = " ".join(html.unescape(out.stdout).replace("│", " ").split())
    assert "nothing answered yet" in text
    assert "remove the `#` and give the option's value" in text.replace("\\", "")
    assert "Fastest path" not in text and "fastest path" not in text
    assert "unanswered →" not in text


def test_a_blank_template_in_json_has_no_fastest_path(invoke: Invoke) -> None:
    data = json.loads(invoke("score", BLANK, "--format", "json").stdout)
    assert data["completeness"]["answered"] == 0
    assert data["next_level"] is None
    assert "cslevels assess seven-levels" in data["completeness"]["hint"]


def test_min_coverage_fails_and_names_the_levels_that_fall_short(invoke: Invoke) -> None:
    out = invoke("score", PARTIAL, "--min-coverage", "60")
    assert out.exit_code == 1
    assert ("5 levels fall short of --min-coverage 60%: 3 Listening and empathy "
            "(0% answered); 4 Problem solving") in out.stderr
    assert "2 Attention" not in out.stderr  # 60% is enough
    assert invoke("score", PARTIAL, "--min-coverage", "61").stderr.count("2 Attention (60%") == 1
    assert invoke("score", CAFE, "--min-coverage", "100").exit_code == 0
    assert invoke("score", PARTIAL, "--min-coverage", "0").exit_code == 0


def test_min_coverage_outside_0_to_100_is_a_usage_error(invoke: Invoke) -> None:
    assert invoke("score", PARTIAL, "--min-coverage", "101").exit_code == 2


def test_fail_under_on_partial_answers_warns_that_it_passed_on_a_draft(invoke: Invoke) -> None:
    out = invoke("score", PARTIAL, "--fail-under", "1")
    assert out.exit_code == 0
    assert "passes --fail-under 1 on partial answers (8 of 34 questions)" in out.stderr
    assert "passes" not in invoke("score", CAFE, "--fail-under", "1").stderr
