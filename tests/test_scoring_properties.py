"""Property tests for the SPEC's scoring invariants, on random small rubrics.

Rubrics have 1-4 levels of 1-4 questions, random weights, thresholds, minimum
coverage and answer scales; answers are random options, n/a where allowed, or
missing.  Small enough that the fastest path can be checked by brute force.
"""

from __future__ import annotations

import random
from itertools import combinations
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cslevels.core.models import NA, Answers, Rubric
from cslevels.core.scoring import LevelGap, QuestionResult, Result, score

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Scores a person would write, plus arbitrary ones, so ties and exact thresholds happen.
SCORES = st.one_of(st.sampled_from([0.0, 0.1, 0.25, 0.33, 0.5, 0.6, 0.67, 0.7, 0.75, 1.0]),
                   st.floats(0, 1, allow_nan=False))
WEIGHTS = st.one_of(st.sampled_from([0.5, 1.0, 2.0, 3.0]), st.floats(0.1, 10))
SHARES = st.one_of(st.sampled_from([0.25, 0.5, 0.7, 0.75, 0.8, 1.0]), st.floats(0.05, 1))
COVERAGES = st.one_of(st.just(0.0), st.floats(0.01, 1))  # 0 is "no minimum"


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    scales: dict[str, Any] = {}
    for n in range(draw(st.integers(1, 3))):
        scores = draw(st.lists(SCORES, min_size=2, max_size=5))
        scales[f"s{n}"] = {"label": f"scale {n}", "options": [
            {"value": v, "label": f"option {v}", "score": s} for v, s in enumerate(scores)]}
    levels = []
    for n in range(draw(st.integers(1, 4))):
        questions = [
            {"id": f"q{m}", "text": "?", "scale": draw(st.sampled_from(sorted(scales))),
             "weight": draw(WEIGHTS), "allow_na": draw(st.booleans()),
             "required": draw(st.booleans())}
            for m in range(draw(st.integers(1, 4)))
        ]
        levels.append({"id": f"l{n}", "name": f"Level {n}", "questions": questions,
                       "threshold": draw(st.none() | SHARES), "weight": draw(WEIGHTS)})
    return Rubric.model_validate({
        "schema": "cslevels/rubric/v1", "id": "random", "version": "1", "title": "Random",
        "method": draw(st.sampled_from(["staged", "continuous"])),
        "threshold": draw(SHARES), "min_coverage": draw(COVERAGES),
        "scales": scales, "levels": levels,
    })


@st.composite
def assessments(draw: st.DrawFn) -> tuple[Rubric, dict[str, Any]]:
    rubric = draw(rubrics())
    values: dict[str, Any] = {}
    for level, question in rubric.questions():
        choices: list[Any] = [None, *(o.value for o in rubric.scales[question.scale].options)]
        if question.allow_na:
            choices.append(NA)
        value = draw(st.sampled_from(choices))
        if value is not None:
            values[f"{level.id}.{question.id}"] = value
    return rubric, values


def make_answers(values: dict[str, Any]) -> Answers:
    return Answers.model_validate({"schema": "cslevels/answers/v1", "rubric": "random",
                                   "subject": "S", "answers": values})


def run(rubric: Rubric, values: dict[str, Any], target: int | None = None) -> Result:
    return score(rubric, make_answers(values), target=target)


def best_value(q: QuestionResult) -> Any:
    return q.scale.best.value


# ---------------------------------------------------------------- bounds


@SETTINGS
@given(assessments())
def test_scores_coverage_and_index_stay_in_bounds(case: tuple[Rubric, dict[str, Any]]) -> None:
    rubric, values = case
    result = run(rubric, values)
    for lv in result.levels:
        assert lv.score is None or 0.0 <= lv.score <= 1.0
        assert 0.0 <= lv.coverage <= 1.0
        assert lv.status in {"achieved", "not achieved", "insufficient"}
        if lv.score is None:
            assert lv.status == "insufficient"
    assert result.index is None or 0.0 <= result.index <= 100.0
    if result.index is not None:
        assert round(result.index, 1) == result.index
    if rubric.method == "continuous":
        assert result.achieved_level is None
    else:
        assert result.achieved_level is not None
        assert 0 <= result.achieved_level <= len(rubric.levels)
        assert all(lv.achieved for lv in result.levels[: result.achieved_level])


# ---------------------------------------------------------------- monotonic in every answer


@st.composite
def raises(draw: st.DrawFn) -> tuple[Rubric, dict[str, Any], str, Any]:
    """An assessment, and one answer raised to an option that scores higher."""
    rubric, values = draw(assessments())
    options = []
    for key, value in values.items():
        found = rubric.find(key)
        assert found is not None
        scale = rubric.scales[found[1].scale]
        current = scale.option(value)
        if current is None:  # n/a
            continue
        options += [(key, o.value) for o in scale.options if o.score > current.score]
    if not options:
        rubric_first = rubric.questions()[0]
        return rubric, values, f"{rubric_first[0].id}.{rubric_first[1].id}", None
    key, higher = draw(st.sampled_from(options))
    return rubric, values, key, higher


@SETTINGS
@given(raises())
def test_raising_an_answer_never_lowers_anything(
    case: tuple[Rubric, dict[str, Any], str, Any],
) -> None:
    rubric, values, key, higher = case
    if higher is None:
        return  # nothing in this assessment can be raised
    before = run(rubric, values)
    after = run(rubric, {**values, key: higher})
    for old, new in zip(before.levels, after.levels, strict=True):
        assert (old.score is None) == (new.score is None)
        if old.score is not None and new.score is not None:
            assert new.score >= old.score - 1e-12
        assert new.coverage == old.coverage
        if old.achieved:
            assert new.achieved
    if before.achieved_level is not None:
        assert after.achieved_level is not None
        assert after.achieved_level >= before.achieved_level
    if before.index is not None:
        assert after.index is not None and after.index >= before.index


# ---------------------------------------------------------------- order does not matter


@SETTINGS
@given(assessments(), st.randoms(use_true_random=False))
def test_the_order_of_answers_changes_nothing(case: tuple[Rubric, dict[str, Any]],
                                              rnd: random.Random) -> None:
    rubric, values = case
    items = list(values.items())
    rnd.shuffle(items)
    a = run(rubric, values, target=len(rubric.levels))
    b = run(rubric, dict(items), target=len(rubric.levels))
    assert a.levels == b.levels
    assert (a.achieved_level, a.index) == (b.achieved_level, b.index)
    assert a.next_gap == b.next_gap
    assert a.target_gaps == b.target_gaps


# ---------------------------------------------------------------- the fastest path


def candidates(gap: LevelGap) -> list[QuestionResult]:
    """Everything a raise can change: answers below the best, and missing answers."""
    return [q for q in gap.level.questions
            if q.state == "missing" or (q.state == "answered" and q.score is not None
                                        and q.score < q.scale.best.score)]


def achieves(rubric: Rubric, values: dict[str, Any], raised: list[QuestionResult],
             rank: int) -> bool:
    changed = {**values, **{q.key: best_value(q) for q in raised}}
    return run(rubric, changed).levels[rank - 1].achieved


def check_gap(rubric: Rubric, values: dict[str, Any], gap: LevelGap) -> None:
    rank = gap.level.rank
    pool = candidates(gap)
    if gap.fastest_path is None:
        assert gap.reason
        # not even raising everything there is to raise achieves the level
        assert not any(achieves(rubric, values, list(subset), rank)
                       for size in range(len(pool) + 1) for subset in combinations(pool, size))
        return
    by_key = {q.key: q for q in gap.level.questions}
    path = [by_key[step.key] for step in gap.fastest_path]
    assert len({q.key for q in path}) == len(path)
    assert all(q in pool for q in path)
    assert achieves(rubric, values, path, rank)
    for size in range(len(path)):
        for subset in combinations(pool, size):
            assert not achieves(rubric, values, list(subset), rank), (
                f"{[q.key for q in subset]} is shorter than {[q.key for q in path]}")


@SETTINGS
@given(assessments())
def test_fastest_path_achieves_the_level_and_nothing_shorter_does(
    case: tuple[Rubric, dict[str, Any]],
) -> None:
    rubric, values = case
    result = run(rubric, values, target=len(rubric.levels))
    gaps = [g for g in (result.next_gap, *result.target_gaps) if g is not None]
    for gap in gaps:
        assert not gap.level.achieved
        check_gap(rubric, values, gap)
    first_open = next((lv for lv in result.levels if not lv.achieved), None)
    assert (result.next_gap is None) == (first_open is None)
    if result.next_gap is not None:
        assert result.next_gap.level is first_open
