"""Scoring: from a rubric and its answers to levels, an index and a gap analysis.

Pure functions over the models, no I/O, so that every rule in the SPEC's
"Scoring" section can be pinned by unit and property tests:

* level score = sum(w * score) / sum(w) over answered, applicable questions;
* level coverage = weight answered (n/a included) / weight of all questions;
* status: insufficient below ``min_coverage`` or with nothing applicable, else
  achieved when the score reaches the threshold (a score exactly at the
  threshold counts, despite floating-point noise);
* staged rubrics achieve the highest level L with every level 1..L achieved;
* the index is the level-weighted mean of level scores, 0-100, one decimal;
* the gap analysis ranks what raising each answer would add and finds the
  fewest raises that achieve the next (or target) level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from cslevels.models import NA, Answers, Level, Option, Question, Rubric, Scale

EPSILON = 1e-9

Status = Literal["achieved", "not achieved", "insufficient"]
AnswerState = Literal["answered", "na", "missing"]


@dataclass(frozen=True)
class QuestionInput:
    """What the engine needs of one answer: its score, or n/a.

    Built from an option by :func:`inputs_from_answers`; several raters are
    combined by averaging scores, which need not match any single option.
    """

    score: float | None  # None means n/a
    option: Option | None = None
    note: str | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionResult:
    key: str
    level_id: str
    question: Question
    scale: Scale
    state: AnswerState
    score: float | None
    option: Option | None = None
    note: str | None = None
    evidence: tuple[str, ...] = ()

    @property
    def best(self) -> Option:
        return self.scale.best

    @property
    def gain(self) -> float:
        """Weighted points raising this answer to the scale's best would add."""
        if self.state != "answered" or self.score is None:
            return 0.0
        return max(0.0, self.question.weight * (self.best.score - self.score))


@dataclass(frozen=True)
class LevelResult:
    rank: int
    level: Level
    threshold: float
    score: float | None
    coverage: float
    status: Status
    questions: tuple[QuestionResult, ...]

    @property
    def id(self) -> str:
        return self.level.id

    @property
    def name(self) -> str:
        return self.level.name

    @property
    def achieved(self) -> bool:
        return self.status == "achieved"

    @property
    def missing(self) -> list[QuestionResult]:
        return [q for q in self.questions if q.state == "missing"]

    @property
    def applicable_weight(self) -> float:
        return sum(q.question.weight for q in self.questions if q.state == "answered")


@dataclass(frozen=True)
class Raise:
    """One step of a fastest path: answer ``key`` with the scale's best option."""

    key: str
    question: Question
    from_option: Option | None  # None: the question is unanswered today
    to_option: Option
    gain: float


@dataclass(frozen=True)
class LevelGap:
    """What stands between the subject and one level."""

    level: LevelResult
    ranked: tuple[QuestionResult, ...]  # answered below full marks, biggest gain first
    unanswered: tuple[QuestionResult, ...]
    fastest_path: tuple[Raise, ...] | None  # None when raising answers cannot do it
    reason: str | None = None  # why the fastest path is None


@dataclass(frozen=True)
class Blocker:
    """A staged level that is not achieved while higher levels meet their thresholds."""

    level: LevelResult
    blocked: tuple[LevelResult, ...]


@dataclass(frozen=True)
class Result:
    rubric: Rubric
    answers: Answers
    levels: tuple[LevelResult, ...]
    achieved_level: int | None  # None for continuous rubrics
    index: float | None  # None when nothing is scored
    next_gap: LevelGap | None
    target: int | None = None
    target_gaps: tuple[LevelGap, ...] = ()
    blocker: Blocker | None = None
    rubric_digest: str | None = None
    source: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def method(self) -> str:
        return self.rubric.method

    @property
    def achieved(self) -> LevelResult | None:
        if not self.achieved_level:
            return None
        return self.levels[self.achieved_level - 1]

    @property
    def missing(self) -> list[QuestionResult]:
        return [q for level in self.levels for q in level.missing]

    @property
    def questions(self) -> list[QuestionResult]:
        return [q for level in self.levels for q in level.questions]

    @property
    def target_path(self) -> tuple[Raise, ...] | None:
        """Every raise needed to reach the target level, or None when it cannot be."""
        steps: list[Raise] = []
        for gap in self.target_gaps:
            if gap.fastest_path is None:
                return None
            steps.extend(gap.fastest_path)
        return tuple(steps)


def round_index(value: float) -> float:
    """0-100 with one decimal, halves rounded up (after removing float noise)."""
    return float(Decimal(repr(round(value, 9))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def inputs_from_answers(rubric: Rubric, answers: Answers) -> dict[str, QuestionInput]:
    """The engine's inputs from a (validated) answers file."""
    inputs: dict[str, QuestionInput] = {}
    for level, question in rubric.questions():
        key = f"{level.id}.{question.id}"
        entry = answers.entry(key)
        if entry is None:
            continue
        evidence = tuple(entry.evidence)
        if entry.value == NA and question.allow_na:
            inputs[key] = QuestionInput(None, None, entry.note, evidence)
            continue
        option = rubric.scales[question.scale].option(entry.value)
        if option is None:
            continue  # validation reports it; an unknown value is never scored as 0
        inputs[key] = QuestionInput(option.score, option, entry.note, evidence)
    return inputs


def score(
    rubric: Rubric,
    answers: Answers,
    *,
    target: int | None = None,
    rubric_digest: str | None = None,
    source: str | None = None,
    warnings: Sequence[str] = (),
    inputs: Mapping[str, QuestionInput] | None = None,
) -> Result:
    """Score ``answers`` against ``rubric`` (``inputs`` overrides the answers' values)."""
    if inputs is None:
        inputs = inputs_from_answers(rubric, answers)
    levels = tuple(
        _score_level(rubric, rank, level, inputs) for rank, level in enumerate(rubric.levels, 1)
    )
    achieved_level: int | None = None
    if rubric.method == "staged":
        achieved_level = 0
        for level_result in levels:
            if not level_result.achieved:
                break
            achieved_level = level_result.rank
    scored = [(lv.level.weight, lv.score) for lv in levels if lv.score is not None]
    index = None
    if scored:
        total_weight = sum(w for w, _ in scored)
        index = round_index(100 * sum(w * s for w, s in scored) / total_weight)
    first_open = next((lv for lv in levels if not lv.achieved), None)
    next_gap = _gap(rubric, first_open) if first_open is not None else None
    blocker = None
    if rubric.method == "staged" and first_open is not None:
        above = tuple(lv for lv in levels[first_open.rank:] if lv.achieved)
        if above:
            blocker = Blocker(first_open, above)
    target = target if target is not None else answers.target
    target_gaps: tuple[LevelGap, ...] = ()
    if target is not None and 1 <= target <= len(levels):
        needed = levels[:target] if rubric.method == "staged" else levels[target - 1 : target]
        target_gaps = tuple(_gap(rubric, lv) for lv in needed if not lv.achieved)
    return Result(
        rubric=rubric,
        answers=answers,
        levels=levels,
        achieved_level=achieved_level,
        index=index,
        next_gap=next_gap,
        target=target,
        target_gaps=target_gaps,
        blocker=blocker,
        rubric_digest=rubric_digest,
        source=source,
        warnings=tuple(warnings),
    )


def _score_level(
    rubric: Rubric, rank: int, level: Level, inputs: Mapping[str, QuestionInput]
) -> LevelResult:
    results: list[QuestionResult] = []
    total_weight = answered_weight = applicable_weight = points = 0.0
    for question in level.questions:
        key = f"{level.id}.{question.id}"
        scale = rubric.scales[question.scale]
        given = inputs.get(key)
        total_weight += question.weight
        if given is None:
            results.append(QuestionResult(key, level.id, question, scale, "missing", None))
            continue
        answered_weight += question.weight
        if given.score is None:
            state: AnswerState = "na"
        else:
            state = "answered"
            applicable_weight += question.weight
            points += question.weight * given.score
        results.append(
            QuestionResult(key, level.id, question, scale, state, given.score, given.option,
                           given.note, given.evidence)
        )
    threshold = rubric.level_threshold(level)
    coverage = answered_weight / total_weight if total_weight else 0.0
    level_score = points / applicable_weight if applicable_weight else None
    status: Status
    if level_score is None or coverage < rubric.min_coverage - EPSILON:
        status = "insufficient"
    elif level_score >= threshold - EPSILON:
        status = "achieved"
    else:
        status = "not achieved"
    return LevelResult(rank, level, threshold, level_score, coverage, status, tuple(results))


def _gap(rubric: Rubric, level: LevelResult) -> LevelGap:
    answered = [q for q in level.questions if q.state == "answered"]
    ranked = tuple(sorted((q for q in answered if q.gain > EPSILON), key=lambda q: -q.gain))
    unanswered = tuple(level.missing)
    path, reason = _fastest_path(rubric, level, ranked, unanswered)
    return LevelGap(level, ranked, unanswered, path, reason)


def _fastest_path(
    rubric: Rubric,
    level: LevelResult,
    ranked: Sequence[QuestionResult],
    unanswered: Sequence[QuestionResult],
) -> tuple[tuple[Raise, ...] | None, str | None]:
    """The fewest answers to raise (or give) so that ``level`` is achieved.

    Raising answered question q to the best option adds w(b - s) points; giving
    an unanswered one the best option adds w(b - t) against the threshold t and
    w of coverage.  Unanswered questions are taken heaviest first, which is
    exact when their scales share a best score; for each count of them, the
    answered raises are taken biggest gain first, which is exact for a sum.
    """
    t = level.threshold
    total = sum(q.question.weight for q in level.questions)
    covered = sum(q.question.weight for q in level.questions if q.state != "missing")
    points = sum(q.question.weight * (q.score or 0.0) for q in level.questions
                 if q.state == "answered")
    applicable = level.applicable_weight
    by_weight = sorted(unanswered, key=lambda q: (-q.question.weight, -q.best.score))
    best: tuple[Raise, ...] | None = None
    for m in range(len(by_weight) + 1):
        chosen = by_weight[:m]
        added_weight = sum(q.question.weight for q in chosen)
        if covered + added_weight < rubric.min_coverage * total - EPSILON:
            continue
        if applicable + added_weight <= 0:
            continue
        deficit = t * (applicable + added_weight) - points - sum(
            q.question.weight * q.best.score for q in chosen
        )
        steps = [Raise(q.key, q.question, None, q.best,
                       q.question.weight * (q.best.score - t)) for q in chosen]
        for q in ranked:
            if deficit <= EPSILON:
                break
            steps.append(Raise(q.key, q.question, q.option, q.best, q.gain))
            deficit -= q.gain
        if deficit > EPSILON:
            continue
        if best is None or len(steps) < len(best):
            best = tuple(steps)
    if best is not None:
        return best, None
    if not unanswered and applicable <= 0:
        return None, "every question of this level is answered n/a"
    return None, "raising every answer to its best option would still fall short"
