"""Wording of the score reports, rendered straight from results built in Python."""

from __future__ import annotations

import json

import pytest

from cslevels.core.models import NA
from cslevels.core.scoring import Result, score
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.score import json as json_report
from cslevels.reporting.score import markdown, terminal
from cslevels.reporting.views import level_label, score_percent, status_reason
from scoring_helpers import answers, level, question, rubric

FINE = {"fine": {"label": "fine", "options": [
    {"value": 0, "label": "none", "score": 0.0},
    {"value": 1, "label": "almost", "score": 0.7496},
    {"value": 2, "label": "just", "score": 0.75},
    {"value": 3, "label": "all", "score": 1.0}]}}


def one_level(value: int) -> Result:
    r = rubric([level("a", [question("q1", scale="fine")])], scales=FINE)
    return score(r, answers({"a.q1": value}))


def test_a_score_just_under_the_threshold_never_reads_as_the_threshold() -> None:
    lv = one_level(1).levels[0]
    # 0.7496 rounds to 75%, the threshold, yet is not achieved: show enough decimals
    assert lv.status == "not achieved"
    assert score_percent(lv) == "74.96%"
    assert status_reason(lv) == "score 74.96% is below the threshold 75.00%"
    table = markdown.render_results([one_level(1)])
    assert "| 74.96% | 75% |" in table


def test_a_score_at_the_threshold_reads_plainly() -> None:
    lv = one_level(2).levels[0]
    assert lv.status == "achieved"
    assert score_percent(lv) == "75%"
    assert status_reason(lv) == "score 75% reaches the threshold 75%"


def test_level_label_does_not_repeat_a_rank_the_name_already_gives() -> None:
    r = rubric([{**level("g1", ["q1"]), "name": "Grade 1 — Basic"},
                {**level("g2", ["q2"]), "name": "Grade 2 — Good"}])
    assert level_label(score(r, answers({"g1.q1": 10}))) == "Grade 1 — Basic"
    plain_names = rubric([level("a", ["q1"])])
    assert level_label(score(plain_names, answers({"a.q1": 10}))) == "Level 1 — Level a"
    assert level_label(score(plain_names, answers({"a.q1": 1}))) == (
        "Level 0 — no level achieved yet")


def test_all_na_level_says_why_it_has_no_score() -> None:
    r = rubric([level("a", [question("q1", allow_na=True)])])
    lv = score(r, answers({"a.q1": NA})).levels[0]
    assert status_reason(lv) == "every question is answered n/a, so there is nothing to score"


@pytest.mark.parametrize("width", [40, 59, 60, 75, 100, 300])
def test_terminal_report_fits_the_width(width: int) -> None:
    r = rubric([level("a", ["q1", "q2"]),
                {**level("b", ["q3"]), "name": "A rather long level name for testing"}])
    result = score(r, answers({"a.q1": 10, "a.q2": 3, "b.q3": 10}, target=2))
    out = terminal.render_results([result], RenderOptions(color=False, width=width))
    assert max(len(line) for line in out.splitlines()) <= min(width, terminal.MAX_WIDTH)
    assert "A rather long level name for testing" in out  # never cut
    assert "To reach level 1 (Level a)" in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_terminal_report_without_any_gap() -> None:
    r = rubric([level("a", ["q1"])])
    out = terminal.render_results([score(r, answers({"a.q1": 10}))])
    assert "Achieved level 1 of 1: Level a" in out
    assert "Every level is achieved: nothing is left to raise." in out


def test_fastest_path_none_is_explained_in_every_format() -> None:
    r = rubric([level("a", [question("q1", allow_na=True)])])
    result = score(r, answers({"a.q1": NA}))
    reason = "every question of this level is answered n/a"
    said = f"Raising answers alone cannot achieve it: {reason}."
    assert said in " ".join(terminal.render_results([result]).split())
    assert said in markdown.render_results([result])
    data = json.loads(json_report.render_results([result]))
    assert data["next_level"]["fastest_path"] is None
    assert data["next_level"]["reason"] == reason
    assert data["plan"]["reachable"] is False
    assert data["plan"]["stages"][0]["reason"] == reason


def test_target_summary() -> None:
    r = rubric([level("a", [question("q1", allow_na=True)]), level("b", ["q2", "q3"])])
    # level b: (0.2 + 1.0) / 2 = 0.6 -> raising q2 makes it 1.0: one change in level 2
    reachable = score(r, answers({"a.q1": 10, "b.q2": 2, "b.q3": 10}, target=2))
    out = " ".join(terminal.render_results([reachable]).split())
    assert ("The road to the target, level 2 (Level b): 1 change over 1 level not yet achieved"
            in out)
    # 1 change: b.q2 from 20% to full marks adds (1 - 0.2) / 2 = 40 points
    assert "1 change takes its score from 60% to 100% (+40 points)." in out
    # level a all n/a: nothing to raise can achieve it, so neither can level 2 be reached
    blocked = score(r, answers({"a.q1": NA, "b.q2": 2}, target=2))
    out = " ".join(terminal.render_results([blocked]).split())
    assert ("level 1 (Level a) cannot be achieved by raising answers alone" in out)
