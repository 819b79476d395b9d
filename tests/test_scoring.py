"""Every rule of the SPEC's "Scoring" section, pinned with hand-computed numbers.

The ``tenth`` scale scores value / 10 and ``five`` scores value / 4 (see
scoring_helpers), so an answer ``7`` on ``tenth`` is worth 0.7.
"""

from __future__ import annotations

import pytest

from cslevels.core.models import NA, Rubric
from cslevels.core.scoring import LevelResult, QuestionInput, Result, round_index, score
from cslevels.reporting.views import blocker_text
from scoring_helpers import answers, level, question, rubric


def level_of(result: Result, rank: int = 1) -> LevelResult:
    return result.levels[rank - 1]


# ---------------------------------------------------------------- level score and weights


def test_level_score_is_the_weighted_mean_of_answered_questions() -> None:
    r = rubric([level("a", [question("q1", weight=2), question("q2"), question("q3")])])
    result = score(r, answers({"a.q1": 7, "a.q2": 0, "a.q3": 10}))
    # (2*0.7 + 1*0.0 + 1*1.0) / (2 + 1 + 1) = 2.4 / 4 = 0.6
    lv = level_of(result)
    assert lv.score == pytest.approx(0.6)
    assert lv.coverage == 1.0
    assert lv.status == "not achieved"  # 0.6 < default threshold 0.75


def test_weight_changes_the_outcome() -> None:
    # Same answers, the heavy question is now the one at 1.0:
    # (1*0.7 + 1*0.0 + 2*1.0) / 4 = 2.7 / 4 = 0.675; unweighted it would be 1.7 / 3 = 0.5667.
    r = rubric([level("a", [question("q1"), question("q2"), question("q3", weight=2)])])
    lv = level_of(score(r, answers({"a.q1": 7, "a.q2": 0, "a.q3": 10})))
    assert lv.score == pytest.approx(0.675)


def test_na_is_removed_from_both_sums() -> None:
    r = rubric([level("a", [question("q1"), question("q2", weight=3, allow_na=True)])],
               threshold=0.5)
    result = score(r, answers({"a.q1": 5, "a.q2": NA}))
    lv = level_of(result)
    # score: (1*0.5) / 1 = 0.5 -- not 0.5 / 4 = 0.125 as if n/a were a zero
    assert lv.score == pytest.approx(0.5)
    # coverage: n/a counts as answered: (1 + 3) / 4 = 1.0
    assert lv.coverage == 1.0
    assert lv.status == "achieved"  # 0.5 >= 0.5
    assert [q.state for q in lv.questions] == ["answered", "na"]
    assert result.missing == []


def test_missing_answers_are_not_scored_as_zero_but_lower_coverage() -> None:
    r = rubric([level("a", [question("q1"), question("q2"), question("q3", weight=2)])],
               threshold=0.6)
    result = score(r, answers({"a.q1": 10, "a.q3": 5}))
    lv = level_of(result)
    # score: (1*1.0 + 2*0.5) / (1 + 2) = 2 / 3 = 0.667; as a zero it would be 2 / 4 = 0.5
    assert lv.score == pytest.approx(2 / 3)
    # coverage: (1 + 2) / (1 + 1 + 2) = 0.75
    assert lv.coverage == pytest.approx(0.75)
    assert lv.status == "achieved"  # 0.667 >= 0.6, coverage 0.75 >= 0.5
    assert [q.key for q in result.missing] == ["a.q2"]
    assert [q.state for q in lv.questions] == ["answered", "missing", "answered"]


def test_blank_answer_entry_counts_as_missing() -> None:
    r = rubric([level("a", ["q1", "q2"])])
    lv = level_of(score(r, answers({"a.q1": 10, "a.q2": {"note": "not checked yet"}})))
    assert lv.coverage == 0.5  # 1 / 2
    assert [q.state for q in lv.questions] == ["answered", "missing"]


# ---------------------------------------------------------------- status


def test_coverage_below_min_coverage_is_insufficient_even_with_full_marks() -> None:
    r = rubric([level("a", ["q1", question("q2", weight=2)])], min_coverage=0.5)
    lv = level_of(score(r, answers({"a.q1": 10})))
    # coverage 1 / 3 = 0.333 < 0.5, although the score is 1.0 / 1 = 1.0
    assert lv.score == 1.0
    assert lv.coverage == pytest.approx(1 / 3)
    assert lv.status == "insufficient"


def test_coverage_exactly_at_min_coverage_is_enough() -> None:
    r = rubric([level("a", [question("q1", weight=0.1), question("q2", weight=0.2),
                            question("q3", weight=0.2)])], min_coverage=0.6)
    lv = level_of(score(r, answers({"a.q1": 10, "a.q2": 10})))
    # coverage (0.1 + 0.2) / 0.5 = 0.6 (0.1 + 0.2 is 0.30000000000000004 in floats)
    assert lv.coverage == pytest.approx(0.6)
    assert lv.status == "achieved"


def test_min_coverage_is_weighted() -> None:
    r = rubric([level("a", [question("q1", weight=3), "q2", "q3"])], min_coverage=0.5)
    # one question in three answered, but it carries 3 of 5 weight: coverage 0.6
    lv = level_of(score(r, answers({"a.q1": 10})))
    assert lv.coverage == pytest.approx(0.6)
    assert lv.status == "achieved"
    # the two light ones answered: coverage 2 / 5 = 0.4 < 0.5
    lv = level_of(score(r, answers({"a.q2": 10, "a.q3": 10})))
    assert lv.coverage == pytest.approx(0.4)
    assert lv.status == "insufficient"


def test_no_applicable_question_is_insufficient() -> None:
    r = rubric([level("a", [question("q1", allow_na=True), question("q2", allow_na=True)]),
                level("b", ["q3"])], min_coverage=0.0)
    result = score(r, answers({"a.q1": NA, "a.q2": NA, "b.q3": 10}))
    lv = level_of(result)
    assert lv.score is None
    assert lv.coverage == 1.0  # everything answered (n/a)
    assert lv.status == "insufficient"
    # and nothing answered at all, even with min_coverage 0, is insufficient too
    assert level_of(score(r, answers({})), 2).status == "insufficient"


def test_per_level_threshold_overrides_the_rubric_default() -> None:
    r = rubric([level("a", ["q1"], threshold=0.5), level("b", ["q2"])], threshold=0.75,
               method="continuous")
    result = score(r, answers({"a.q1": 5, "b.q2": 5}))
    a, b = result.levels
    assert (a.threshold, b.threshold) == (0.5, 0.75)
    assert a.status == "achieved"  # 0.5 >= 0.5
    assert b.status == "not achieved"  # 0.5 < 0.75


def test_score_exactly_at_threshold_is_achieved_despite_float_noise() -> None:
    r = rubric([level("a", ["q1", question("q2", weight=2)], threshold=0.7)])
    # (1*0.7 + 2*0.7) / 3 is 0.7 on paper; naive floats give 0.6999999999999998
    assert (0.7 + 2 * 0.7) / 3 < 0.7
    lv = level_of(score(r, answers({"a.q1": 7, "a.q2": 7})))
    assert lv.score == pytest.approx(0.7)
    assert lv.status == "achieved"


def test_score_exactly_at_threshold_three_way_noise() -> None:
    r = rubric([level("a", ["q1", "q2", "q3"], threshold=0.4)])
    # (0.1 + 0.4 + 0.7) / 3 = 1.2 / 3 = 0.4 on paper; naive floats give 0.39999999999999997
    assert (0.1 + 0.4 + 0.7) / 3 < 0.4
    assert level_of(score(r, answers({"a.q1": 1, "a.q2": 4, "a.q3": 7}))).status == "achieved"


def test_score_just_below_threshold_is_not_achieved() -> None:
    scales = {"fine": {"label": "fine", "options": [
        {"value": 0, "label": "0", "score": 0.0}, {"value": 1, "label": "0.699", "score": 0.699},
        {"value": 2, "label": "1", "score": 1.0}]}}
    r = rubric([level("a", [question("q1", scale="fine")], threshold=0.7)], scales=scales)
    assert level_of(score(r, answers({"a.q1": 1}))).status == "not achieved"  # 0.699 < 0.7


# ---------------------------------------------------------------- staged and continuous


def three_levels(method: str = "staged") -> Rubric:
    return rubric([level("a", ["q1"]), level("b", ["q2"]), level("c", ["q3"])], method=method)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"a.q1": 10, "b.q2": 10, "c.q3": 10}, 3),  # all achieved
        ({"a.q1": 10, "b.q2": 10, "c.q3": 2}, 2),
        ({"a.q1": 10, "b.q2": 2, "c.q3": 10}, 1),  # c achieved on its own, b in the way
        ({"a.q1": 2, "b.q2": 10, "c.q3": 10}, 0),  # level 1 not achieved: level 0
        ({"b.q2": 10, "c.q3": 10}, 0),  # level 1 insufficient (nothing answered)
    ],
)
def test_staged_achieved_level_needs_every_lower_level(values: dict[str, int],
                                                       expected: int) -> None:
    result = score(three_levels(), answers(values))
    assert result.achieved_level == expected
    assert result.method == "staged"


def test_continuous_has_no_single_level_but_a_full_profile() -> None:
    result = score(three_levels("continuous"), answers({"a.q1": 2, "b.q2": 10, "c.q3": 10}))
    assert result.achieved_level is None
    assert result.achieved is None
    assert [lv.status for lv in result.levels] == ["not achieved", "achieved", "achieved"]
    assert result.blocker is None  # levels stand alone: nothing blocks anything
    assert result.next_gap is not None and result.next_gap.level.id == "a"


def test_every_level_achieved_has_no_next_gap() -> None:
    result = score(three_levels(), answers({"a.q1": 10, "b.q2": 8, "c.q3": 9}))
    assert result.achieved_level == 3
    assert result.next_gap is None
    assert result.blocker is None


# ---------------------------------------------------------------- the index


def test_index_is_the_level_weighted_mean_of_level_scores() -> None:
    r = rubric([level("a", ["q1"], weight=1), level("b", ["q2"], weight=3)])
    result = score(r, answers({"a.q1": 5, "b.q2": 10}))
    # 100 * (1*0.5 + 3*1.0) / (1 + 3) = 100 * 3.5 / 4 = 87.5 (unweighted it would be 75.0)
    assert result.index == 87.5


def test_index_has_one_decimal() -> None:
    r = rubric([level("a", ["q1", "q2", "q3"])])
    result = score(r, answers({"a.q1": 10, "a.q2": 0, "a.q3": 0}))
    # 100 * 1.0 / 3 = 33.333... -> 33.3
    assert result.index == 33.3


def test_index_rounds_halves_up() -> None:
    scales = {"s": {"label": "s", "options": [
        {"value": 0, "label": "0", "score": 0.0}, {"value": 1, "label": "a", "score": 0.245},
        {"value": 2, "label": "b", "score": 0.0005}, {"value": 3, "label": "1", "score": 1.0}]}}
    r = rubric([level("a", [question("q1", scale="s")]), level("b", [question("q2", scale="s")])],
               scales=scales, method="continuous")
    # 100 * (0.245 + 0.0) / 2 = 12.25 -> 12.3 (half-up; Python's round() gives 12.2)
    assert round(12.25, 1) == 12.2
    assert score(r, answers({"a.q1": 1, "b.q2": 0})).index == 12.3
    # 100 * (0.0005 + 0) / 2 = 0.025 -> 0.0 (below a half of the last decimal)
    assert score(r, answers({"a.q1": 2, "b.q2": 0})).index == 0.0


def test_round_index_removes_float_noise_before_rounding() -> None:
    assert round_index(12.25) == 12.3
    assert round_index(12.249999999999998) == 12.3  # 12.25 with float noise
    assert round_index(12.2499) == 12.2
    assert round_index(0.05) == 0.1
    assert round_index(100.0) == 100.0


def test_index_skips_levels_without_a_score_and_is_none_when_nothing_is_scored() -> None:
    r = rubric([level("a", ["q1"]), level("b", [question("q2", allow_na=True)])])
    # level b is all n/a, so only level a counts: 100 * 0.4 / 1 = 40.0 (not 20.0)
    assert score(r, answers({"a.q1": 4, "b.q2": NA})).index == 40.0
    assert score(r, answers({})).index is None


# ---------------------------------------------------------------- gap analysis: ranked gains


def test_gaps_are_ranked_by_weighted_gain_with_recommendations() -> None:
    r = rubric([level("a", [
        question("q1", weight=2), question("q2"), question("q3", weight=3), question("q4"),
        question("q5"), question("q6", allow_na=True, recommendation="Do q6."),
    ])], method="staged")
    result = score(r, answers({"a.q1": 5, "a.q2": 0, "a.q3": 8, "a.q4": 10, "a.q6": NA}))
    gap = result.next_gap
    assert gap is not None and gap.level.id == "a"
    # gains w * (1 - score): q1 2*0.5 = 1.0, q2 1*1.0 = 1.0, q3 3*0.2 = 0.6, q4 1*0 = 0 (left
    # out); q5 is missing and q6 n/a, so neither is ranked. Ties keep the rubric's order.
    assert [q.key for q in gap.ranked] == ["a.q1", "a.q2", "a.q3"]
    assert [q.gain for q in gap.ranked] == pytest.approx([1.0, 1.0, 0.6])
    assert [q.key for q in gap.unanswered] == ["a.q5"]
    assert gap.ranked[0].question.recommendation == "Improve q1."


def test_gain_is_measured_against_the_best_option_of_the_scale() -> None:
    scales = {"capped": {"label": "c", "options": [
        {"value": 0, "label": "no", "score": 0.0}, {"value": 1, "label": "some", "score": 0.2},
        {"value": 2, "label": "best", "score": 0.8}]}, "tenth": {"label": "t", "options": [
        {"value": v, "label": str(v), "score": v / 10} for v in range(11)]}}
    r = rubric([level("a", [question("q1", scale="capped", weight=2), "q2"], threshold=0.5)],
               scales=scales)
    gap = score(r, answers({"a.q1": 1, "a.q2": 0})).next_gap
    assert gap is not None
    # q2: 1 * (1.0 - 0.0) = 1.0; q1: 2 * (0.8 - 0.2) = 1.2 (its best option scores 0.8)
    assert [(q.key, round(q.gain, 9)) for q in gap.ranked] == [("a.q1", 1.2), ("a.q2", 1.0)]


# ---------------------------------------------------------------- gap analysis: fastest path


def test_fastest_path_takes_the_fewest_raises() -> None:
    r = rubric([level("a", ["q1", "q2", question("q3", weight=2), "q4"], threshold=0.75)])
    gap = score(r, answers({"a.q1": 0, "a.q2": 5, "a.q3": 5, "a.q4": 10})).next_gap
    assert gap is not None
    # points 0 + 0.5 + 2*0.5 + 1.0 = 2.5 of 5 = 0.5; 0.75 needs 3.75, 1.25 more.
    # gains: q1 1.0, q3 2*0.5 = 1.0, q2 0.5: no single raise is enough, two are:
    # q1 and q3 -> (1 + 0.5 + 2 + 1) / 5 = 0.9, the best pair (q1+q2 or q3+q2 give 0.8).
    assert gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q1", "a.q3"]
    first = gap.fastest_path[0]
    assert first.from_option is not None and first.from_option.value == 0
    assert first.to_option.value == 10
    assert first.question.recommendation == "Improve q1."
    assert gap.reason is None


def test_fastest_path_can_be_one_small_raise() -> None:
    r = rubric([level("a", ["q1", "q2"], threshold=0.75)])
    gap = score(r, answers({"a.q1": 10, "a.q2": 4})).next_gap
    # (1.0 + 0.4) / 2 = 0.7 < 0.75; raising q2 to 1.0 -> 1.0
    assert gap is not None and gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q2"]


def test_fastest_path_answers_a_missing_question_for_coverage() -> None:
    r = rubric([level("a", ["q1", "q2", question("q3", weight=3)])], min_coverage=0.5)
    result = score(r, answers({"a.q1": 10}))
    lv = level_of(result)
    # coverage 1 / 5 = 0.2 < 0.5: insufficient despite the score 1.0
    assert lv.status == "insufficient"
    gap = result.next_gap
    assert gap is not None and gap.fastest_path is not None
    # answering q2 gives coverage 2 / 5 = 0.4 (not enough); q3 gives 4 / 5 = 0.8 and
    # score (1.0 + 3*1.0) / 4 = 1.0: one answer, the heavy one.
    assert [s.key for s in gap.fastest_path] == ["a.q3"]
    assert gap.fastest_path[0].from_option is None  # it is unanswered today
    assert gap.fastest_path[0].to_option.value == 10
    assert [q.key for q in gap.unanswered] == ["a.q2", "a.q3"]


def test_fastest_path_mixes_coverage_and_score() -> None:
    r = rubric([level("a", ["q1", "q2", question("q3", weight=2)])], min_coverage=0.75,
               threshold=0.75)
    gap = score(r, answers({"a.q1": 0})).next_gap
    assert gap is not None and gap.fastest_path is not None
    # coverage 1 / 4; 0.75 needs 3 of 4 weight: q3 (2) must be answered, q2 alone cannot.
    # With q3 at best: (0 + 2) / 3 = 0.667 < 0.75, so one more change is needed:
    #   q1 raised: (1 + 2) / 3 = 1.0;  or q2 answered: (0 + 1 + 2) / 4 = 0.75.
    # Both are two changes; the path keeps the higher score (1.0).
    assert sorted(s.key for s in gap.fastest_path) == ["a.q1", "a.q3"]
    assert [s.from_option is None for s in gap.fastest_path] == [True, False]  # q3 first


def test_fastest_path_is_none_when_raising_cannot_reach_the_threshold() -> None:
    scales = {"capped": {"label": "c", "options": [
        {"value": 0, "label": "no", "score": 0.0}, {"value": 1, "label": "best", "score": 0.5}]}}
    r = rubric([level("a", [question("q1", scale="capped")], threshold=0.75)], scales=scales)
    gap = score(r, answers({"a.q1": 0})).next_gap
    # the best possible score is 0.5 < 0.75
    assert gap is not None
    assert gap.fastest_path is None
    assert gap.reason == "raising every answer to its best option would still fall short"


def test_fastest_path_is_none_when_every_question_is_na() -> None:
    r = rubric([level("a", [question("q1", allow_na=True), question("q2", allow_na=True)])])
    gap = score(r, answers({"a.q1": NA, "a.q2": NA})).next_gap
    assert gap is not None and gap.level.status == "insufficient"
    assert gap.fastest_path is None
    assert gap.reason == "every question of this level is answered n/a"


def test_na_answers_are_kept_by_the_fastest_path() -> None:
    r = rubric([level("a", ["q1", question("q2", allow_na=True)])])
    gap = score(r, answers({"a.q1": 2, "a.q2": NA})).next_gap
    # only q1 counts: 0.2 -> raising it to 1.0 gives 1.0; n/a stays n/a
    assert gap is not None and gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q1"]


def test_fastest_path_for_a_fresh_template_answers_enough_questions() -> None:
    r = rubric([level("a", ["q1", "q2", "q3", "q4"])], min_coverage=0.5)
    gap = score(r, answers({})).next_gap
    # nothing answered: two of four at best give coverage 0.5 and score 1.0
    assert gap is not None and gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q1", "a.q2"]


# ---------------------------------------------------------------- blocker and target


def four_levels() -> Rubric:
    return rubric([level("a", ["q1"]), level("b", ["q2"]), level("c", ["q3"]),
                   level("d", ["q4"])])


def test_blocker_names_the_lower_level_that_holds_back_achieved_higher_ones() -> None:
    result = score(four_levels(), answers({"a.q1": 10, "b.q2": 5, "c.q3": 9, "d.q4": 8}))
    assert result.achieved_level == 1
    assert result.blocker is not None
    assert result.blocker.level.id == "b"
    assert [lv.id for lv in result.blocker.blocked] == ["c", "d"]
    text = blocker_text(result)
    assert text is not None
    assert "Levels 3 (Level c), 4 (Level d)" in text
    assert "level 2 (Level b)" in text
    assert "50% is below the threshold 75%" in text  # why: 0.5 < 0.75


def test_blocker_reason_can_be_insufficient_coverage() -> None:
    result = score(four_levels(), answers({"a.q1": 10, "c.q3": 9}))
    assert result.blocker is not None and result.blocker.level.id == "b"
    assert "no applicable answer yet" in (blocker_text(result) or "")


def test_no_blocker_when_nothing_above_is_achieved() -> None:
    result = score(four_levels(), answers({"a.q1": 10, "b.q2": 5, "c.q3": 5, "d.q4": 5}))
    assert result.blocker is None
    assert result.next_gap is not None and result.next_gap.level.id == "b"


def test_target_on_a_staged_rubric_needs_every_level_up_to_it() -> None:
    result = score(four_levels(), answers({"a.q1": 10, "b.q2": 5, "c.q3": 9, "d.q4": 2}),
                   target=4)
    # b (0.5) and d (0.2) are below 0.75; c is achieved already
    assert [g.level.id for g in result.target_gaps] == ["b", "d"]
    assert result.target_path is not None
    assert [s.key for s in result.target_path] == ["b.q2", "d.q4"]
    reached = score(four_levels(), answers({"a.q1": 10, "b.q2": 8, "c.q3": 2}), target=2)
    assert reached.target_gaps == ()
    assert reached.target_path == ()


def test_target_on_a_continuous_rubric_is_that_level_only() -> None:
    r = rubric([level("a", ["q1"]), level("b", ["q2"])], method="continuous")
    result = score(r, answers({"a.q1": 0, "b.q2": 5}), target=2)
    assert [g.level.id for g in result.target_gaps] == ["b"]


def test_target_path_is_none_when_a_needed_level_cannot_be_reached() -> None:
    r = rubric([level("a", [question("q1", allow_na=True)]), level("b", ["q2"])])
    result = score(r, answers({"a.q1": NA, "b.q2": 0}), target=2)
    assert result.target_path is None


def test_target_from_the_answers_file_is_used() -> None:
    result = score(four_levels(), answers({"a.q1": 10, "b.q2": 5}, target=2))
    assert result.target == 2
    assert [g.level.id for g in result.target_gaps] == ["b"]


# ---------------------------------------------------------------- inputs


def test_inputs_override_answers_with_scores_between_options() -> None:
    # combined raters: an average score that no single option has
    r = rubric([level("a", ["q1", "q2"])])
    inputs = {"a.q1": QuestionInput(0.65), "a.q2": QuestionInput(None)}
    lv = level_of(score(r, answers({}), inputs=inputs))
    assert lv.score == pytest.approx(0.65)  # q2 is n/a
    assert lv.coverage == 1.0


def test_values_off_the_scale_are_never_scored_as_zero() -> None:
    # validation reports them; the engine leaves them out instead of guessing
    r = rubric([level("a", ["q1", "q2"])])
    lv = level_of(score(r, answers({"a.q1": 10, "a.q2": 42, "z.q9": 1})))
    assert lv.score == 1.0
    assert lv.coverage == 0.5


def test_answer_order_changes_nothing() -> None:
    r = rubric([level("a", ["q1", question("q2", weight=2), "q3"]), level("b", ["q4", "q5"])])
    values = {"a.q1": 3, "a.q2": 7, "a.q3": 9, "b.q4": 10, "b.q5": 1}
    forward = score(r, answers(values))
    backward = score(r, answers(dict(reversed(list(values.items())))))
    assert forward.levels == backward.levels
    assert forward.index == backward.index
    assert forward.next_gap == backward.next_gap


def test_fastest_path_answers_the_heaviest_unanswered_questions() -> None:
    # 12 unanswered questions, weights 1..12, total 78: coverage 0.5 needs 39.
    # Three answers give at most 12 + 11 + 10 = 33; four: 12 + 11 + 10 + 9 = 42 is enough.
    r = rubric([level("a", [question(f"q{w}", weight=w) for w in range(1, 13)])])
    gap = score(r, answers({})).next_gap
    assert gap is not None and gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q9", "a.q10", "a.q11", "a.q12"]


def test_fastest_path_with_too_many_unanswered_sets_to_try_them_all() -> None:
    # 13 distinct weights make 2^13 sets, past the exhaustive search: the heaviest-first
    # order still finds the answer. Total 91, coverage 0.5 needs 45.5; 13 + 12 + 11 = 36
    # is short, 13 + 12 + 11 + 10 = 46 is enough.
    r = rubric([level("a", [question(f"q{w}", weight=w) for w in range(1, 14)])])
    gap = score(r, answers({})).next_gap
    assert gap is not None and gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q13", "a.q12", "a.q11", "a.q10"]


def test_fastest_path_treats_alike_questions_as_one_group() -> None:
    # 30 unanswered questions of weight 1: one group, so only 31 sets to try.
    # Coverage 0.5 needs 15 of 30: the first 15, in rubric order.
    r = rubric([level("a", [f"q{n:02d}" for n in range(30)])])
    gap = score(r, answers({})).next_gap
    assert gap is not None and gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == [f"a.q{n:02d}" for n in range(15)]


def test_fastest_path_skips_unanswered_questions_that_would_pull_the_score_down() -> None:
    scales = {"low": {"label": "l", "options": [
        {"value": 0, "label": "0", "score": 0.0}, {"value": 1, "label": "best", "score": 0.5}]},
        "tenth": {"label": "t", "options": [
            {"value": v, "label": str(v), "score": v / 10} for v in range(11)]}}
    r = rubric([level("a", [question("q1"), question("q2"), question("q3", scale="low")])],
               min_coverage=0.5, scales=scales)
    gap = score(r, answers({"a.q1": 10})).next_gap
    # coverage 1 / 3 < 0.5: one more answer is needed. q3's best is 0.5: (1 + 0.5) / 2 = 0.75
    # would also pass, but q2 at best gives (1 + 1) / 2 = 1.0, the path with the higher score.
    assert gap is not None and gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q2"]
    gap = score(r, answers({"a.q1": 6})).next_gap
    # now q3 cannot help: (0.6 + 0.5) / 2 = 0.55; q2 at best: (0.6 + 1) / 2 = 0.8 -> one step
    assert gap is not None and gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q2"]


def test_the_worked_example_in_the_rubric_format_docs() -> None:
    # docs/rubric-format.md: A (w 1, 1.0), B (w 2, 0.5), C (w 1, missing), threshold 0.75:
    # score (1 * 1.0 + 2 * 0.5) / 3 = 0.667, coverage 3 / 4 = 0.75, not achieved
    r = rubric([level("a", ["qa", question("qb", weight=2), "qc"], threshold=0.75)])
    lv = level_of(score(r, answers({"a.qa": 10, "a.qb": 5})))
    assert (round(lv.score or 0, 3), lv.coverage, lv.status) == (0.667, 0.75, "not achieved")


def test_fastest_path_on_a_huge_level_achieves_it() -> None:
    """A level of 1,000 questions takes the O(n log n) search; its path must still work."""
    from cslevels.core.models import Answers, Rubric
    from cslevels.core.scoring import score

    questions = [{"id": f"q{i}", "text": "t", "scale": "s", "weight": 1 + i % 3}
                 for i in range(1000)]
    rubric = Rubric.model_validate({
        "schema": "cslevels/rubric/v1", "id": "big", "version": "1", "title": "Big",
        "scales": {"s": {"label": "s", "options": [
            {"value": 0, "label": "no", "score": 0.0},
            {"value": 1, "label": "half", "score": 0.5},
            {"value": 2, "label": "yes", "score": 1.0}]}},
        "levels": [{"id": "a", "name": "A", "questions": questions}],
    })
    # Every third question unanswered (coverage 2/3), the rest at "half": score 0.5.
    given = {f"a.q{i}": 1 for i in range(1000) if i % 3}
    answers = Answers.model_validate(
        {"schema": "cslevels/answers/v1", "rubric": "big", "subject": "s", "answers": given})
    result = score(rubric, answers)
    gap = result.next_gap
    assert gap is not None and gap.fastest_path is not None
    raised = dict(given)
    raised.update({step.key: 2 for step in gap.fastest_path})
    after = score(rubric, answers.model_copy(update={"answers": raised}))
    assert after.levels[0].status == "achieved"
    # Dropping the last step must not be enough (the path is not padded).
    fewer = dict(given)
    fewer.update({step.key: 2 for step in gap.fastest_path[:-1]})
    assert score(rubric, answers.model_copy(update={"answers": fewer})).levels[0].status != (
        "achieved")


# ---------------------------------------------------------------- required questions


def required_level(*, allow_na: bool = False) -> Rubric:
    """Level a (threshold 0.75): q1 required, q2 and q3 not; all weight 1 on ``tenth``."""
    return rubric([level("a", [question("q1", required=True, allow_na=allow_na), "q2", "q3"],
                         threshold=0.75)])


def test_a_required_question_below_the_threshold_fails_the_level_whatever_its_score() -> None:
    values = {"a.q1": 5, "a.q2": 10, "a.q3": 10}
    # (0.5 + 1.0 + 1.0) / 3 = 0.833 >= 0.75, but the required q1 is at 0.5 < 0.75
    lv = level_of(score(required_level(), answers(values)))
    assert lv.score == pytest.approx(2.5 / 3)
    assert lv.status == "not achieved"
    assert [q.key for q in lv.unmet_required] == ["a.q1"]
    # the same answers without the flag achieve the level
    plain = rubric([level("a", ["q1", "q2", "q3"], threshold=0.75)])
    assert level_of(score(plain, answers(values))).status == "achieved"


def test_a_required_question_exactly_at_the_threshold_meets_it() -> None:
    r = rubric([level("a", [question("q1", scale="five", required=True), "q2"],
                      threshold=0.75)])
    # q1 = 3 on five = 0.75, the threshold itself: (0.75 + 1.0) / 2 = 0.875
    assert level_of(score(r, answers({"a.q1": 3, "a.q2": 10}))).status == "achieved"
    # q1 = 2 on five = 0.5: the level score is still exactly 0.75, but q1 misses its bar
    assert level_of(score(r, answers({"a.q1": 2, "a.q2": 10}))).status == "not achieved"


def test_a_level_with_a_required_question_unanswered_is_insufficient() -> None:
    result = score(required_level(), answers({"a.q2": 10, "a.q3": 10}))
    lv = level_of(result)
    # coverage 2 / 3 >= 0.5 and score 1.0, but the defining criterion is unknown
    assert lv.coverage == pytest.approx(2 / 3)
    assert lv.score == 1.0
    assert lv.status == "insufficient"


def test_a_required_question_answered_na_does_not_hold_the_level_back() -> None:
    lv = level_of(score(required_level(allow_na=True),
                        answers({"a.q1": NA, "a.q2": 10, "a.q3": 7})))
    # n/a leaves (1.0 + 0.7) / 2 = 0.85
    assert lv.score == pytest.approx(0.85)
    assert lv.status == "achieved"
    assert lv.unmet_required == []


def test_fastest_path_raises_a_required_question_even_when_another_gains_more() -> None:
    gap = score(required_level(), answers({"a.q1": 7, "a.q2": 0, "a.q3": 10})).next_gap
    # (0.7 + 0 + 1.0) / 3 = 0.567. Without the flag one raise would do: q2 (gain 1.0)
    # gives 2.7 / 3 = 0.9. q1 is required at 0.7 < 0.75, so it must be raised; then
    # (1 + 0 + 1) / 3 = 0.667 still falls short and q2 is raised too.
    assert gap is not None and gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q1", "a.q2"]
    assert gap.fastest_path[0].gain == pytest.approx(0.3)


def test_fastest_path_answers_an_unanswered_required_question_first() -> None:
    gap = score(required_level(), answers({"a.q2": 10, "a.q3": 0})).next_gap
    # insufficient (q1 unanswered); q1 at its best: (1 + 1 + 0) / 3 = 0.667 < 0.75,
    # so q3 is raised as well: 3 / 3 = 1.0
    assert gap is not None and gap.level.status == "insufficient"
    assert gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q1", "a.q3"]
    assert gap.fastest_path[0].from_option is None  # unanswered today
    raised_from = gap.fastest_path[1].from_option
    assert raised_from is not None and raised_from.value == 0


def test_fastest_path_is_only_the_required_question_when_that_is_enough() -> None:
    gap = score(required_level(), answers({"a.q1": 5, "a.q2": 10, "a.q3": 10})).next_gap
    assert gap is not None and gap.fastest_path is not None
    assert [s.key for s in gap.fastest_path] == ["a.q1"]


def test_reports_name_the_required_question_that_blocks_a_level() -> None:
    from cslevels.reporting.views import status_reason

    r = rubric([level("a", [question("q1", required=True), "q2"]), level("b", ["q3"])])
    result = score(r, answers({"a.q1": 5, "a.q2": 10, "b.q3": 10}))
    # a: (0.5 + 1.0) / 2 = 0.75 meets the threshold, but its required q1 is at 50%
    assert result.achieved_level == 0
    assert status_reason(level_of(result)) == (
        "required question 1.1 scores 50%, below the threshold 75%")
    assert blocker_text(result) == (
        "Level 2 (Level b) meets its own threshold, but level 1 (Level a) blocks it: "
        "required question 1.1 scores 50%, below the threshold 75%.")
    low = score(r, answers({"a.q1": 5, "a.q2": 5, "b.q3": 10}))
    assert status_reason(level_of(low)) == (
        "score 50% is below the threshold 75%, and so is required question 1.1 (50%)")
    two = rubric([level("a", [question("q1", required=True), question("q2", required=True),
                              "q3"])])
    # (0.6 + 0.7 + 1.0) / 3 = 0.767 >= 0.75, but both required questions are below it
    assert status_reason(level_of(score(two, answers({"a.q1": 6, "a.q2": 7, "a.q3": 10})))) == (
        "required questions 1.1 (60%) and 1.2 (70%) score below the threshold 75%")
    unanswered = score(r, answers({"a.q2": 10}))
    assert status_reason(level_of(unanswered)) == (
        "the required question 1.1 is not answered yet")


def test_the_portfolio_profile_applies_the_required_rule_too() -> None:
    from cslevels.core.scoring import profile

    r = required_level()
    assert profile(r, {"a.q1": 0.5, "a.q2": 1.0, "a.q3": 1.0}).levels[0][2] == "not achieved"
    assert profile(r, {"a.q2": 1.0, "a.q3": 1.0}).levels[0][2] == "insufficient"
    assert profile(r, {"a.q1": 0.8, "a.q2": 1.0, "a.q3": 0.5}).levels[0][2] == "achieved"
