"""The improvement plan and the executive summary (issue 14, items 1, 4 and 7).

Hand-computed examples pin the order of the stages, what each change is worth (points
of the level's 0-100 score) and the overview; properties check that following the
plan really achieves every level it lists, on random rubrics.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from cslevels.core.models import NA
from cslevels.core.plan import improvement_plan, overview
from cslevels.core.scoring import Result, score
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.score import json as json_report
from cslevels.reporting.score import markdown, terminal
from cslevels.reporting.views import executive_points, points_text
from scoring_helpers import answers, level, question, rubric
from test_scoring_properties import SETTINGS, assessments, best_value, run

EXAMPLES = Path(__file__).parent.parent / "examples"


def riverside(target: int | None = None) -> Result:
    loaded = load_answers(EXAMPLES / "riverside-cafe.yaml", RubricLibrary(()), None)
    return score(loaded.rubric.rubric, loaded.answers, target=target)


def test_riverside_plan_covers_every_level_not_achieved_in_order() -> None:
    plan = improvement_plan(riverside())
    # levels 4, 5 and 7 are not achieved; 6 (Professionalism) is, above the blocker
    assert [stage.level.rank for stage in plan.stages] == [4, 5, 7]
    assert plan.goal == 7 and not plan.targeted and plan.change_count == 6
    problem_solving = plan.stages[0]
    assert [s.key for s in problem_solving.steps] == ["problem-solving.root-cause",
                                                      "problem-solving.known-fixes"]
    # weights 2, 2, 1, 1, 1 = 7; points 2 x 0.25 + 2 x 0.75 + 0.5 + 0.33 + 0 = 2.83
    assert problem_solving.level.score == pytest.approx(2.83 / 7)
    # root-cause 0.25 -> 1 adds 2 x 0.75 / 7 = 21.43 points; known-fixes 0 -> 1: 1 / 7
    assert [s.points for s in problem_solving.steps] == pytest.approx([150 / 7, 100 / 7])
    # both together: 5.33 / 7 = 76.1%, +35.7 points
    assert problem_solving.after == pytest.approx(5.33 / 7)
    assert problem_solving.points == pytest.approx(100 * 2.5 / 7)
    # what else is worth doing: authority 0.33 -> 1 is 0.67 / 7 = 9.6 points, then the two
    # 0.25 raises of weight 2 and 1: resolution-agreed 2 x 0.25 / 7, options 1 x 0.5 / 7
    assert [(s.key, round(s.points, 1)) for s in problem_solving.more] == [
        ("problem-solving.front-line-authority", 9.6),
        ("problem-solving.resolution-agreed", 7.1),
        ("problem-solving.options-explained", 7.1),
    ]
    # Follow-up (27%) and Responsiveness (28%) get their recommendations too
    for stage in plan.stages[1:]:
        assert stage.steps and all(step.recommendation for step in stage.steps)


def test_a_target_limits_the_plan_and_a_reached_target_shows_the_road_beyond() -> None:
    plan = improvement_plan(riverside(target=5))
    assert [stage.level.rank for stage in plan.stages] == [4, 5]
    assert plan.targeted and plan.goal == 5 and plan.target_reached is None
    beyond = improvement_plan(riverside(target=2))
    assert [stage.level.rank for stage in beyond.stages] == [4, 5, 7]
    assert not beyond.targeted and beyond.target_reached == 2


def test_an_unanswered_question_is_worth_what_answering_it_best_adds() -> None:
    r = rubric([level("a", ["q1", "q2", "q3"])])
    # q1 = 5/10, q2 = 6/10, q3 unanswered: score 0.55; answering q3 with 10/10 gives
    # (0.5 + 0.6 + 1) / 3 = 0.70, +15 points; raising q1 to 10/10: (1 + 0.6) / 2, +25
    result = score(r, answers({"a.q1": 5, "a.q2": 6}))
    stage = improvement_plan(result).stages[0]
    worth = {s.key: round(s.points, 6) for s in (*stage.steps, *stage.more)}
    assert worth == {"a.q1": 25.0, "a.q2": 20.0, "a.q3": 15.0}
    assert [s.unanswered for s in (*stage.steps, *stage.more) if s.key == "a.q3"] == [True]


def test_continuous_levels_each_get_their_own_stage() -> None:
    r = rubric([level("a", ["q1"]), level("b", ["q2"]), level("c", ["q3"])], method="continuous")
    result = score(r, answers({"a.q1": 2, "b.q2": 10, "c.q3": 5}))
    plan = improvement_plan(result)
    assert [stage.level.id for stage in plan.stages] == ["a", "c"]
    out = " ".join(terminal.render_results([result]).split())
    assert "Level 1 (Level a)" in out and "Level 3 (Level c)" in out and "To reach" not in out


def test_a_level_nothing_can_achieve_says_why() -> None:
    r = rubric([level("a", [question("q1", allow_na=True)]), level("b", ["q2"])])
    plan = improvement_plan(score(r, answers({"a.q1": NA, "b.q2": 2})))
    assert not plan.reachable
    assert plan.stages[0].reason == "every question of this level is answered n/a"
    assert plan.stages[0].after is None and plan.stages[0].points is None


def test_a_level_without_any_answer_is_not_planned_from_imagined_answers() -> None:
    r = rubric([level("a", ["q1"]), level("b", ["q2", "q3"]), level("c", ["q4"])])
    result = score(r, answers({"a.q1": 3, "c.q4": 2}))
    plan = improvement_plan(result)
    assert [(s.level.id, s.unassessed, len(s.steps)) for s in plan.stages] == [
        ("a", False, 1), ("b", True, 0), ("c", False, 1)]
    out = " ".join(terminal.render_results([result]).split())
    assert "None of its 2 questions is answered yet: answer them, then score again" in out
    assert "(1 of them cannot be planned yet: it has no answers, so answer those first)" in out
    assert "+100 points" not in out
    blank_b = score(r, answers({"c.q4": 2}))
    md = markdown.render_results([blank_b])
    assert ("Next: answer the questions of level 1 (Level a), none of which is answered yet; "
            "2 of the 3 levels still to achieve have no answers yet.") in md


def test_overview_names_strengths_and_weaknesses() -> None:
    summary = overview(riverside())
    assert [lv.name for lv in summary.strengths] == ["Professionalism", "Attention",
                                                    "Availability"]
    assert [lv.name for lv in summary.weaknesses] == ["Follow-up", "Responsiveness",
                                                     "Problem solving"]
    assert summary.answered == 31  # 34 questions, 3 answered n/a
    points = executive_points(riverside(), summary, improvement_plan(riverside()))
    assert points[1] == "Strengths: Professionalism (85%), Attention (81%) and Availability (79%)."
    assert points[-1] == ("Next: level 4 (Problem solving) takes 2 changes; the whole plan to "
                          "level 7 (Follow-up) takes 6.")


@pytest.mark.parametrize(("points", "text"), [
    (21.43, "+21 points"), (1.2, "+1 point"), (0.3, "+<1 point"), (35.5, "+36 points"),
    (None, "—")])
def test_one_unit_for_gains(points: float | None, text: str) -> None:
    assert points_text(points) == text


def test_every_format_carries_the_whole_plan() -> None:
    result = riverside()
    plan = improvement_plan(result)
    recommendations = [s.recommendation for stage in plan.stages
                       for s in (*stage.steps, *stage.more) if s.recommendation]
    flat_terminal = " ".join(terminal.render_results([result], RenderOptions(width=100)).split())
    md = markdown.render_results([result])
    for text in recommendations:
        assert " ".join(text.split()) in flat_terminal
        assert text.replace('"', '"') in md
    data = json.loads(json_report.render_results([result]))
    assert [s["rank"] for s in data["plan"]["stages"]] == [4, 5, 7]
    assert data["plan"]["stages"][0]["steps"][0]["points"] == pytest.approx(21.43)
    assert [r for stage in data["plan"]["stages"] for r in
            [*(s["recommendation"] for s in stage["steps"]),
             *(s["recommendation"] for s in stage["more"])]] == recommendations


def test_the_assessors_words_come_first(tmp_path: Path) -> None:
    text = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
    text = text.replace("assessor: J. Moreno\n", "assessor: J. Moreno\nprepared_for: "
                        "'Ana <b>Ruiz</b>, owner'\nexecutive_summary: |\n  A *warm* cafe.\n\n"
                        "  Fix [follow-up](http://x) first.\n")
    path = tmp_path / "visit.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_answers(path, RubricLibrary(()), None)
    result = score(loaded.rubric.rubric, loaded.answers)
    out = terminal.render_results([result])
    assert out.index("Assessor's summary") < out.index("Executive summary") < out.index(
        "Improvement plan")
    assert "Prepared for  Ana <b>Ruiz</b>, owner" in out
    md = markdown.render_results([result])
    assert md.index("## Assessor's summary") < md.index("## Executive summary")
    assert "A \\*warm\\* cafe." in md and "[follow-up](http" not in md  # neutralised
    data = json.loads(json_report.render_results([result]))
    assert data["executive_summary"] == "A *warm* cafe.\n\nFix [follow-up](http://x) first.\n"
    assert data["prepared_for"] == "Ana <b>Ruiz</b>, owner"


def test_the_assessors_fields_are_validated(tmp_path: Path, invoke: Any) -> None:
    path = tmp_path / "visit.yaml"
    path.write_text("schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: S\n"
                    "prepared_for: 12\nexecutive_summary: ''\n", encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:4:15:" in result.stdout + result.stderr
    assert f"{path}:5:20:" in result.stdout + result.stderr


@SETTINGS
@given(assessments())
def test_following_the_plan_achieves_every_level_it_lists(case: tuple[Any, Any]) -> None:
    rubric_, values = case
    before = run(rubric_, values)
    plan = improvement_plan(before)
    expected = [lv.rank for lv in before.levels if not lv.achieved]
    assert [stage.level.rank for stage in plan.stages] == expected
    if not plan.reachable:
        return
    raised = dict(values)
    for stage in plan.stages:
        for step in stage.steps:
            raised[step.key] = best_value(step.question)
    after = run(rubric_, raised)
    for stage in plan.stages:
        if stage.unassessed:  # nothing answered: no road is claimed, so none to check
            assert not stage.steps and stage.points is None
            continue
        level_after = after.levels[stage.level.rank - 1]
        assert level_after.achieved
        assert level_after.score == pytest.approx(stage.after)
        assert all(step.points >= 0 for step in (*stage.steps, *stage.more))
