"""The three built-in rubrics, pinned by what they decide (issue 17's review).

Probe answers are scored with the real engine; every expected score is worked
out by hand in the comments.  "Typical" answers for a good business are the
second-best band of the share scale (80-94%, score 0.75) and "in place and
applied consistently" on the practice scale.  The last tests check that the
rubrics' text shares no run of eight words with the source texts they are
built on (the public posts in ../shared/seeds/, when that folder is present).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, RUBRICS, Invoke
from cslevels.core.models import NA, Answers, Rubric
from cslevels.core.scoring import Result, score
from cslevels.reporting.views import status_reason

BUILT_IN = ("seven-levels", "six-levels", "five-grades")


def load(rubric_id: str) -> Rubric:
    return Rubric.model_validate(yaml.safe_load((RUBRICS / f"{rubric_id}.yaml").read_text()))


def run(rubric: Rubric, values: Mapping[str, Any]) -> Result:
    return score(rubric, Answers.model_validate({
        "schema": "cslevels/answers/v1", "rubric": rubric.id, "subject": "Probe",
        "answers": dict(values)}))


def typical(rubric: Rubric, level_ids: tuple[str, ...] | None = None) -> dict[str, Any]:
    """80-94% on share questions, the top option on every other scale."""
    values: dict[str, Any] = {}
    for level, question in rubric.questions():
        if level_ids is not None and level.id not in level_ids:
            continue
        scale = rubric.scales[question.scale]
        values[f"{level.id}.{question.id}"] = 3 if question.scale == "share" else scale.best.value
    return values


def worst(rubric: Rubric, key: str) -> Any:
    found = rubric.find(key)
    assert found is not None, key
    return min(rubric.scales[found[1].scale].options, key=lambda o: o.score).value


def best(rubric: Rubric, key: str) -> Any:
    found = rubric.find(key)
    assert found is not None, key
    return rubric.scales[found[1].scale].best.value


# ---------------------------------------------------------------- five-grades

FIVE = load("five-grades")
GRADE_4_DEFINING = ("consistently-excellent", "trainer-available", "improvement-plan-done",
                    "community-reputation", "management-attention")
BELOW_4 = ("grade-1-basic", "grade-2-developing", "grade-3-established")


def grade_4_business() -> dict[str, Any]:
    """Grades 1-3 typical, grade 4's defining criteria at their best, the rest typical."""
    values = typical(FIVE, (*BELOW_4, "grade-4-excellent"))
    for qid in GRADE_4_DEFINING:
        values[f"grade-4-excellent.{qid}"] = best(FIVE, f"grade-4-excellent.{qid}")
    return values


def test_the_grade_4_defining_criteria_are_required() -> None:
    level = FIVE.levels[3]
    assert level.id == "grade-4-excellent"
    assert {q.id for q in level.questions if q.required} == set(GRADE_4_DEFINING)


def test_grade_4_passes_with_its_defining_criteria_at_best_and_the_rest_typical() -> None:
    result = run(FIVE, grade_4_business())
    # grade 4: five required at 1.0 (weights 2, 2, 2, 1, 2) and no-corners-cut at 0.75:
    # (9 * 1.0 + 0.75) / 10 = 0.975
    assert result.levels[3].score == pytest.approx(0.975)
    assert result.achieved_level == 4


def test_grade_4_passes_with_every_defining_criterion_just_at_its_bar() -> None:
    values = typical(FIVE, (*BELOW_4, "grade-4-excellent"))
    # share questions at 80-94% (0.75, the threshold itself); the trainer on the practice
    # scale needs "consistently" (1.0: "unevenly" is 0.67 < 0.75):
    # (2 * 0.75 + 2 * 1.0 + 2 * 0.75 + 0.75 + 2 * 0.75 + 0.75) / 10 = 8.0 / 10 = 0.8
    result = run(FIVE, values)
    assert result.levels[3].score == pytest.approx(0.8)
    assert result.levels[3].status == "achieved"
    values["grade-4-excellent.trainer-available"] = 2  # unevenly: 0.67 < 0.75
    # score (1.5 + 1.34 + 1.5 + 0.75 + 1.5 + 0.75) / 10 = 0.734 -- and the trainer is short
    assert run(FIVE, values).levels[3].status == "not achieved"


@pytest.mark.parametrize("qid", GRADE_4_DEFINING)
def test_grade_4_fails_when_any_defining_criterion_is_at_its_worst(qid: str) -> None:
    values = grade_4_business()
    key = f"grade-4-excellent.{qid}"
    values[key] = worst(FIVE, key)
    # everything else at its best would still give the level at least (10 - 2) / 10 = 0.8
    for other in FIVE.levels[3].questions:
        if other.id != qid:
            values[f"grade-4-excellent.{other.id}"] = FIVE.scales[other.scale].best.value
    result = run(FIVE, values)
    grade_4 = result.levels[3]
    assert grade_4.score is not None and grade_4.score >= 0.75
    assert grade_4.status == "not achieved"
    assert result.achieved_level == 3
    number = [q.key for q in grade_4.questions].index(key) + 1
    assert f"required question 4.{number} " in status_reason(grade_4)  # numbered as reports do
    assert result.next_gap is not None and result.next_gap.fastest_path is not None
    assert [s.key for s in result.next_gap.fastest_path] == [key]


@pytest.mark.parametrize("qid", GRADE_4_DEFINING)
def test_grade_4_is_not_judged_with_a_defining_criterion_unanswered(qid: str) -> None:
    values = grade_4_business()
    del values[f"grade-4-excellent.{qid}"]
    # coverage is at least 8 / 10, but a defining criterion is unknown
    result = run(FIVE, values)
    assert result.levels[3].status == "insufficient"
    assert result.achieved_level == 3


def test_grade_4_is_not_judged_from_two_answers() -> None:
    values = typical(FIVE, BELOW_4)
    values["grade-4-excellent.consistently-excellent"] = 4
    values["grade-4-excellent.trainer-available"] = 3
    # both at their best, coverage 4 / 10 < 0.5 -- and three required criteria unanswered
    assert run(FIVE, values).levels[3].status == "insufficient"


def test_a_business_without_staff_can_reach_grade_4() -> None:
    values = grade_4_business()
    values["grade-4-excellent.trainer-available"] = NA
    values["grade-4-excellent.management-attention"] = NA
    # n/a leaves (2 + 2 + 1) / 5 at 1.0 and no-corners-cut at 0.75: (5 + 0.75) / 6 = 0.958
    result = run(FIVE, values)
    assert result.levels[3].score == pytest.approx(5.75 / 6)
    assert result.achieved_level == 4  # grade 5 is not answered


def test_a_lapse_in_management_attention_costs_grade_4_only() -> None:
    values = grade_4_business()
    values["grade-4-excellent.management-attention"] = 0  # under 20% of staff coached
    # the source: a business slides from grade 4 to grade 3 when management slumps
    assert run(FIVE, values).achieved_level == 3


def test_grade_5_is_a_short_step_from_grade_4() -> None:
    level = FIVE.levels[4]
    assert len(level.questions) <= 3
    assert FIVE.level_threshold(level) == FIVE.threshold == 0.75
    values = {**grade_4_business(), **typical(FIVE, ("grade-5-outstanding",))}
    # continuous-improvement at "consistently" (2 * 1.0), the two share questions at 0.75:
    # (2 + 0.75 + 0.75) / 4 = 0.875
    result = run(FIVE, values)
    assert result.levels[4].score == pytest.approx(0.875)
    assert result.achieved_level == 5
    values["grade-5-outstanding.continuous-improvement"] = 2  # unevenly, required: 0.67
    assert run(FIVE, values).achieved_level == 4


def test_grade_1_is_a_floor_a_usually_polite_business_reaches() -> None:
    values = {
        "grade-1-basic.basic-courtesy": 3,           # 80-94% polite: 0.75, weight 2
        "grade-1-basic.contact-details-correct": 2,  # right in some places only: 0.67
        "grade-1-basic.complaints-heard": 1,         # informal: 0.33
    }
    # (1.5 + 0.67 + 0.33) / 4 = 0.625 >= grade 1's threshold 0.5
    result = run(FIVE, values)
    assert result.levels[0].score == pytest.approx(0.625)
    assert result.achieved_level == 1


def test_level_0_means_most_customers_are_not_served_politely() -> None:
    values = {
        "grade-1-basic.basic-courtesy": 1,           # 20-49%: 0.25, below the bar 0.5
        "grade-1-basic.contact-details-correct": 3,
        "grade-1-basic.complaints-heard": 3,
    }
    # score (0.5 + 1 + 1) / 4 = 0.625 >= 0.5, but the required courtesy is below 0.5
    result = run(FIVE, values)
    assert result.levels[0].score == pytest.approx(0.625)
    assert result.achieved_level == 0


def test_five_grades_description_carries_the_calibration_and_the_regression_gate(
        invoke: Invoke) -> None:
    description = FIVE.description or ""
    assert "more than half" in description and "grades 1 to 3" in description
    assert "compare --fail-on-regression" in description
    assert "--fail-on-regression" in invoke("compare", "--help").stdout
    note = FIVE.source.note if FIVE.source else ""
    assert "very little compromising" in (note or "") and "interpret" in (note or "").lower()


def test_community_reputation_has_a_minimum_sample_and_fixed_bands() -> None:
    found = FIVE.find("grade-4-excellent.community-reputation")
    assert found is not None
    question = found[1]
    assert question.scale == "share"
    assert "20 most recent" in question.text and "four or five stars" in question.text
    assert "fewer than ten reviews" in (question.guidance or "")


# ---------------------------------------------------------------- the scales


def band(label: str) -> str | None:
    """The numeric band in a label: '80-94%', 'Under 20%', '95% or more'."""
    match = re.search(r"(under \d+%|\d+-\d+%|\d+% or more)", label, re.IGNORECASE)
    return match.group(1).lower() if match else None


@pytest.mark.parametrize("rubric_id", BUILT_IN)
def test_every_frequency_label_is_anchored_to_the_share_bands(rubric_id: str) -> None:
    rubric = load(rubric_id)
    frequency = rubric.scales.get("frequency")
    if frequency is None:
        return  # counted samples use the share scale directly
    share = rubric.scales["share"]
    # same evidence, same score: option n of both scales covers the same band and scores alike
    assert [(band(o.label), o.score) for o in frequency.options] == [
        (band(o.label), o.score) for o in share.options]
    assert all(band(o.label) for o in frequency.options)


def test_the_same_evidence_scores_the_same_on_frequency_and_share() -> None:
    seven = load("seven-levels")
    # 17 of 20 contacts (85%): "Usually (80-94%)" on frequency, "80-94%" on share
    usually = next(o for o in seven.scales["frequency"].options if "80-94%" in o.label)
    counted = next(o for o in seven.scales["share"].options if o.label == "80-94%")
    assert usually.score == counted.score == 0.75


def test_six_levels_counts_are_per_staff_member_with_a_rule_for_teams() -> None:
    six = load("six-levels")
    assert "per staff member" in six.scales["occurrence"].label
    assert "divide" in six.scales["occurrence"].label
    assert "per staff member" in six.scales["regulars"].label
    assert "divided by the number of staff assessed" in (six.description or "")
    found = six.find("relationship.go-to-person")
    assert found is not None and found[1].scale == "regulars"


def test_six_levels_team_of_five_with_one_star_is_not_a_relationship_team() -> None:
    six = load("six-levels")
    values = {**typical(six, ("alertness-movement", "acknowledgement-knowledge",
                              "conversation", "connection"))}
    # twelve name requests in three months, all for one of five staff: 2.4 per person,
    # "under 3 times per person" (0.33); the same for the other relationship questions
    for qid in ("asked-for-by-name", "word-of-mouth", "reviews-name-staff", "networking",
                "go-to-person"):
        values[f"relationship.{qid}"] = 1
    result = run(six, values)
    assert result.levels[4].score == pytest.approx(0.33)
    assert result.achieved_level == 4


# ---------------------------------------------------------------- content the review asked for


def test_six_levels_asks_about_supervisors_autonomy_and_the_partnership_peak() -> None:
    six = load("six-levels")
    keys = set(six.question_keys())
    assert {"alertness-movement.expectations-set", "acknowledgement-knowledge.coaching-feedback",
            "conversation.own-style", "conversation.common-ground",
            "acknowledgement-knowledge.open-to-talk", "partnership.staff-are-the-reason",
            "partnership.belonging"} <= keys
    assert "partnership.shared-relationships" not in keys  # scored the source's peak as a risk
    # customers who would think again if their staff member left raise the level
    low = run(six, {"partnership.staff-are-the-reason": 0, "partnership.relied-upon": 3})
    high = run(six, {"partnership.staff-are-the-reason": 4, "partnership.relied-upon": 3})
    assert low.levels[5].score == pytest.approx(0.75 / 3)  # (2 * 0 + 0.75) / 3
    assert high.levels[5].score == pytest.approx(2.75 / 3)  # (2 * 1 + 0.75) / 3


def test_seven_levels_splits_written_replies_and_renames_resolution() -> None:
    seven = load("seven-levels")
    keys = set(seven.question_keys())
    assert {"availability.email-reply", "availability.chat-reply",
            "problem-solving.resolution-agreed"} <= keys
    assert not {"availability.written-reply", "problem-solving.resolved-first-time"} & keys


def test_no_question_uses_na_for_dont_know() -> None:
    seven = load("seven-levels")
    found = seven.find("professionalism.composure")
    assert found is not None and not found[1].allow_na
    assert "staged" in found[1].text
    for rubric_id in BUILT_IN:
        for level, question in load(rubric_id).questions():
            guidance = (question.guidance or "").lower()
            assert "no difficult contact" not in guidance, f"{level.id}.{question.id}"
            if question.allow_na:
                assert "n/a only" in guidance, f"{level.id}.{question.id} says when n/a applies"


SAMPLE = re.compile(r"\b(?:the last 20|of 20|the 20)\b", re.IGNORECASE)


@pytest.mark.parametrize("rubric_id", BUILT_IN)
def test_sampled_questions_have_a_small_business_rule(rubric_id: str) -> None:
    for level, question in load(rubric_id).questions():
        if SAMPLE.search(question.text):
            text = f"{question.text} {question.guidance or ''}"
            assert "fewer" in text, f"{level.id}.{question.id}: what if there are fewer cases?"


@pytest.mark.parametrize("rubric_id", BUILT_IN)
def test_descriptions_speak_to_the_reader_and_sources_cite(rubric_id: str) -> None:
    rubric = load(rubric_id)
    assert (rubric.description or "").startswith("This questionnaire")
    assert "written for cslevels" not in (rubric.description or "").lower()
    assert rubric.source is not None and (rubric.source.note or "").startswith("Cited as: ")
    assert rubric.version == "2.0.0"


# ---------------------------------------------------------------- our own words

SEEDS = Path(os.environ.get("CSLEVELS_SEEDS", ROOT.parent / "shared" / "seeds"))
RUN = 8  # words


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("\u2019", "'"))


def runs(text: str) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i:i + RUN]) for i in range(len(found) - RUN + 1)}


def texts(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value)


def test_shared_runs_are_found() -> None:
    """The check itself: it finds a copied run whatever the case and punctuation."""
    source = "Being available to the customer is the basic foundation of any interaction."
    assert runs("BEING available, to the customer is the basic foundation!") & runs(source)
    assert not runs("Being available to customers is the foundation of it all.") & runs(source)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source texts are not beside the repository")
@pytest.mark.parametrize("rubric_id", BUILT_IN)
def test_no_run_of_eight_words_is_shared_with_a_source(rubric_id: str) -> None:
    data = yaml.safe_load((RUBRICS / f"{rubric_id}.yaml").read_text())
    title = data["source"]["title"]  # the citation is the one text taken as it is
    seeds = {path.name: runs(path.read_text(encoding="utf-8"))
             for path in sorted(SEEDS.glob("*.txt"))}
    assert seeds
    shared = sorted({" ".join(run) for text in texts(data)
                     for seed in seeds.values() for run in runs(text.replace(title, " ")) & seed})
    assert not shared, shared


# ---------------------------------------------------------------- required criteria in the outputs


def test_questionnaires_and_templates_mark_the_required_questions(invoke: Invoke) -> None:
    for fmt in ("terminal", "markdown", "html"):
        out = invoke("show", "five-grades", "--format", fmt).stdout
        # grade 1's courtesy, grade 4's five criteria and grade 5's improvement cycle
        assert out.count("the level needs this answer at or above its threshold") == 7, fmt
    template = invoke("template", "five-grades").stdout
    assert template.count("# Required: the level needs this answer") == 7


def test_the_json_report_lists_the_required_questions_that_hold_a_level_back(
        invoke: Invoke) -> None:
    import json

    data = json.loads(invoke("score", str(ROOT / "examples" / "northwind-dental.yaml"),
                             "--format", "json").stdout)
    grade_4 = data["levels"][3]
    assert grade_4["unmet_required"] == ["grade-4-excellent.consistently-excellent",
                                         "grade-4-excellent.trainer-available",
                                         "grade-4-excellent.improvement-plan-done"]
    assert data["levels"][2]["unmet_required"] == []
    flags = {q["id"]: q["required"] for q in grade_4["questions"]}
    assert flags["grade-4-excellent.trainer-available"] is True
    assert flags["grade-4-excellent.no-corners-cut"] is False
