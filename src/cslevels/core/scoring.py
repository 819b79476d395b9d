"""Scoring: from a rubric and its answers to levels, an index and a gap analysis.

Pure functions over the models, no I/O, so that every rule in the SPEC's
"Scoring" section can be pinned by unit and property tests:

* level score = sum(w * score) / sum(w) over answered, applicable questions;
* level coverage = weight answered (n/a included) / weight of all questions;
* status: insufficient below ``min_coverage``, with nothing applicable or with
  a required question unanswered, else achieved when the score reaches the
  threshold (a score exactly at the threshold counts, despite floating-point
  noise) and so does every required question answered with an option;
* staged rubrics achieve the highest level L with every level 1..L achieved;
* the index is the level-weighted mean of level scores, 0-100, one decimal;
* the gap analysis ranks what raising each answer would add and finds the
  fewest raises that achieve the next (or target) level.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate, product
from math import fsum, prod
from typing import Literal, NamedTuple

from cslevels.core.documents import LoadedAnswers
from cslevels.core.models import (
    EPSILON,
    NA,
    Answers,
    Level,
    Option,
    Question,
    Rubric,
    Scale,
    question_key,
)

MAX_EXACT_SETS = 4096  # up to this many sets of unanswered questions, try them all
MAX_SEARCH_QUESTIONS = 200  # beyond this many questions in a level, search in O(n log n)

# The per-question and per-level records are NamedTuples: immutable and compared by value
# like frozen dataclasses, but defined without generating code at import, ~0.4 ms each of
# every start-up (docs/performance.md).  Result stays a dataclass (CombinedResult extends
# it), as does Profile (a field named ``index`` would hide ``tuple.index``).
Status = Literal["achieved", "not achieved", "insufficient"]
AnswerState = Literal["answered", "na", "missing"]


class QuestionInput(NamedTuple):
    """What the engine needs of one answer: its score, or n/a.

    Built from an option by :func:`inputs_from_answers`; several raters are
    combined by averaging scores, which need not match any single option.
    """

    score: float | None  # None means n/a
    option: Option | None = None
    note: str | None = None
    evidence: tuple[str, ...] = ()


class QuestionResult(NamedTuple):
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


class LevelResult(NamedTuple):
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
        return fsum(q.question.weight for q in self.questions if q.state == "answered")

    def number(self, q: QuestionResult) -> str:
        """'4.2': how reports number a question for a reader (level rank, place in it)."""
        return question_number(self.rank, self.questions.index(q) + 1)

    @property
    def unmet_required(self) -> list[QuestionResult]:
        """Required questions that hold the level back: unanswered, or below its threshold."""
        return [q for q in self.questions if q.question.required and _unmet(
            q.state, q.score, self.threshold)]


class Raise(NamedTuple):
    """One step of a fastest path: answer ``key`` with the scale's best option."""

    key: str
    question: Question
    from_option: Option | None  # None: the question is unanswered today
    to_option: Option
    gain: float  # weighted points it adds: w * (best - score), or w * best when unanswered


class LevelGap(NamedTuple):
    """What stands between the subject and one level."""

    level: LevelResult
    ranked: tuple[QuestionResult, ...]  # answered below full marks, biggest gain first
    unanswered: tuple[QuestionResult, ...]
    fastest_path: tuple[Raise, ...] | None  # None when raising answers cannot do it
    reason: str | None = None  # why the fastest path is None


class Blocker(NamedTuple):
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
    def levels_achieved(self) -> int:
        return sum(1 for level in self.levels if level.achieved)

    @property
    def level_reached(self) -> int:
        """See :func:`level_reached`."""
        return level_reached(self.achieved_level, self.levels_achieved)

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
    def question_count(self) -> int:
        return sum(len(level.questions) for level in self.levels)

    @property
    def answered_count(self) -> int:
        """Questions with an answer (n/a included)."""
        return sum(1 for q in self.questions if q.state != "missing")

    @property
    def partial(self) -> bool:
        """Whether the result rests on partial answers: some question is unanswered."""
        return self.answered_count < self.question_count

    @property
    def nothing_answered(self) -> bool:
        return self.answered_count == 0

    @property
    def index_levels(self) -> tuple[LevelResult, ...]:
        """The levels the index covers: those with a score (a level without one is left out)."""
        return tuple(level for level in self.levels if level.score is not None)

    def levels_below_coverage(self, min_coverage: float) -> tuple[LevelResult, ...]:
        """The levels answered less than ``min_coverage`` (a share, 0-1): the
        ``score --min-coverage`` gate."""
        return tuple(level for level in self.levels
                     if level.coverage < min_coverage - EPSILON)

    @property
    def target_path(self) -> tuple[Raise, ...] | None:
        """Every raise needed to reach the target level, or None when it cannot be."""
        steps: list[Raise] = []
        for gap in self.target_gaps:
            if gap.fastest_path is None:
                return None
            steps.extend(gap.fastest_path)
        return tuple(steps)


def question_number(rank: int, position: int) -> str:
    """A question's number in reports: its level's rank and its place there, '4.2'."""
    return f"{rank}.{position}"


def level_reached(achieved_level: int | None, levels_achieved: int) -> int:
    """The one number that gates (``--fail-under``), portfolio rows and their sorting
    and distribution compare: a staged rubric's achieved level (0 if none); for a
    continuous rubric, where each level stands alone, how many levels are achieved."""
    return achieved_level if achieved_level is not None else levels_achieved


def score_loaded(loaded: LoadedAnswers, *, target: int | None = None) -> Result:
    """Score a loaded answers file against the rubric it was checked with."""
    return score(
        loaded.rubric.rubric,
        loaded.answers,
        target=target,
        rubric_digest=loaded.rubric.digest,
        source=str(loaded.path),
        warnings=[f.message for f in loaded.warnings],
    )


def round_index(value: float) -> float:
    """0-100 with one decimal, halves rounded up (after removing float noise)."""
    return float(Decimal(repr(round(value, 9))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def inputs_from_answers(rubric: Rubric, answers: Answers) -> dict[str, QuestionInput]:
    """The engine's inputs from a (validated) answers file."""
    inputs: dict[str, QuestionInput] = {}
    for level, question in rubric.questions():
        key = question_key(level, question)
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
    achieved_level = _achieved_level(rubric, [lv.status for lv in levels])
    index = _index(rubric, [lv.score for lv in levels])
    first_open = next((lv for lv in levels if not lv.achieved), None)
    next_gap = level_gap(rubric, first_open) if first_open is not None else None
    blocker = None
    if rubric.method == "staged" and first_open is not None:
        above = tuple(lv for lv in levels[first_open.rank:] if lv.achieved)
        if above:
            blocker = Blocker(first_open, above)
    target = target if target is not None else answers.target
    target_gaps: tuple[LevelGap, ...] = ()
    if target is not None and 1 <= target <= len(levels):
        needed = levels[:target] if rubric.method == "staged" else levels[target - 1 : target]
        target_gaps = tuple(level_gap(rubric, lv) for lv in needed if not lv.achieved)
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


LevelMeasure = tuple[float | None, float, Status]  # a level's score, coverage and status
# One question as the level rules see it: weight, state, score (None unless answered), required.
Entry = tuple[float, AnswerState, float | None, bool]


@dataclass(frozen=True)
class Profile:
    """Every level's measure, the achieved level and the index: a result without its detail."""

    levels: tuple[LevelMeasure, ...]
    achieved_level: int | None  # None for continuous rubrics
    index: float | None


def profile(rubric: Rubric, scores: Mapping[str, float | None]) -> Profile:
    """What :func:`score` says about the levels, without per-question results or gaps.

    For a portfolio of many assessments, which shows only this: the same rules
    (``_measure``, ``_achieved_level``, ``_index``) at a fraction of the cost.
    ``scores`` maps each answered question key to its score, None for n/a; a key
    that is absent is missing.
    """
    measures: list[LevelMeasure] = []
    for level in rubric.levels:
        entries: list[Entry] = []
        for question in level.questions:
            key = question_key(level, question)
            if key not in scores:
                entries.append((question.weight, "missing", None, question.required))
                continue
            given = scores[key]
            entries.append((question.weight, "na" if given is None else "answered", given,
                            question.required))
        measures.append(_measure(entries, rubric.level_threshold(level), rubric.min_coverage))
    return Profile(
        levels=tuple(measures),
        achieved_level=_achieved_level(rubric, [status for _, _, status in measures]),
        index=_index(rubric, [level_score for level_score, _, _ in measures]),
    )


def _achieved_level(rubric: Rubric, statuses: Sequence[Status]) -> int | None:
    """Staged: the highest level L with 1..L all achieved (0 if none); continuous: None."""
    if rubric.method != "staged":
        return None
    achieved_level = 0
    for rank, status in enumerate(statuses, 1):
        if status != "achieved":
            break
        achieved_level = rank
    return achieved_level


def _index(rubric: Rubric, level_scores: Sequence[float | None]) -> float | None:
    """The level-weighted mean of the scored levels, 0-100; None when none is scored."""
    scored = [(level.weight, s) for level, s in zip(rubric.levels, level_scores, strict=True)
              if s is not None]
    if not scored:
        return None
    total_weight = fsum(w for w, _ in scored)
    return round_index(100 * fsum(w * s for w, s in scored) / total_weight)


def _unmet(state: AnswerState, question_score: float | None, threshold: float) -> bool:
    """Whether a required question in this state holds its level back (n/a does not)."""
    if state == "missing":
        return True
    return state == "answered" and (question_score or 0.0) < threshold - EPSILON


def _measure(
    entries: Sequence[Entry],
    threshold: float,
    min_coverage: float,
) -> tuple[float | None, float, Status]:
    """Score, coverage and status of one level from (weight, state, score, required).

    The one place the level rules live, shared by scoring and the fastest-path
    search so both always agree.  ``math.fsum`` makes the sums exact and hence
    independent of question order.  A required question (a defining criterion)
    left unanswered makes the level insufficient; one answered below the
    threshold makes it not achieved, whatever the level's score.
    """
    total = fsum(w for w, _, _, _ in entries)
    covered = fsum(w for w, state, _, _ in entries if state != "missing")
    applicable = fsum(w for w, state, _, _ in entries if state == "answered")
    points = fsum(w * (s or 0.0) for w, state, s, _ in entries if state == "answered")
    coverage = min(1.0, covered / total) if total > 0 else 0.0
    level_score = min(1.0, max(0.0, points / applicable)) if applicable > 0 else None
    status: Status
    if (level_score is None or coverage < min_coverage - EPSILON
            or any(req and state == "missing" for _, state, _, req in entries)):
        status = "insufficient"
    elif level_score >= threshold - EPSILON and not any(
            req and _unmet(state, s, threshold) for _, state, s, req in entries):
        status = "achieved"
    else:
        status = "not achieved"
    return level_score, coverage, status


def _score_level(
    rubric: Rubric, rank: int, level: Level, inputs: Mapping[str, QuestionInput]
) -> LevelResult:
    results: list[QuestionResult] = []
    for question in level.questions:
        key = question_key(level, question)
        scale = rubric.scales[question.scale]
        given = inputs.get(key)
        if given is None:
            results.append(QuestionResult(key, level.id, question, scale, "missing", None))
            continue
        state: AnswerState = "na" if given.score is None else "answered"
        results.append(
            QuestionResult(key, level.id, question, scale, state, given.score, given.option,
                           given.note, given.evidence)
        )
    threshold = rubric.level_threshold(level)
    level_score, coverage, status = _measure(
        [(q.question.weight, q.state, q.score, q.question.required) for q in results],
        threshold, rubric.min_coverage,
    )
    return LevelResult(rank, level, threshold, level_score, coverage, status, tuple(results))


def score_if(level: LevelResult, changed: Mapping[str, float]) -> float | None:
    """The level's score (0-1) if the questions in ``changed`` were answered with those
    scores instead, by the one level rule (:func:`_measure`); None with nothing to score."""
    entries: list[Entry] = [
        (q.question.weight, "answered", changed[q.key], q.question.required)
        if q.key in changed else (q.question.weight, q.state, q.score, q.question.required)
        for q in level.questions]
    return _measure(entries, level.threshold, 0.0)[0]


def level_gap(rubric: Rubric, level: LevelResult) -> LevelGap:
    """What stands between the subject and ``level``: ranked raises and the fastest path."""
    answered = [q for q in level.questions if q.state == "answered"]
    # Stable sort: equal gains keep the rubric's order, so reports are deterministic.
    ranked = tuple(sorted((q for q in answered if q.gain > EPSILON), key=lambda q: -q.gain))
    unanswered = tuple(level.missing)
    path, reason = _fastest_path(rubric, level, ranked, unanswered)
    return LevelGap(level, ranked, unanswered, path, reason)


def _unanswered_subsets(
    unanswered: Sequence[QuestionResult], threshold: float
) -> Iterator[tuple[QuestionResult, ...]]:
    """Sets of unanswered questions to try giving their best answer, smallest first.

    Questions with the same weight and best score are interchangeable, so only
    how many of each such group to answer matters (the first ones, in rubric
    order).  Every combination of counts is tried when there are at most
    ``MAX_EXACT_SETS``, which is exact; beyond that, the prefixes of two orders:
    heaviest first (most coverage) and biggest surplus over the threshold first
    (most score).
    """
    order = {q.key: n for n, q in enumerate(unanswered)}
    groups: dict[tuple[float, float], list[QuestionResult]] = {}
    for q in unanswered:
        groups.setdefault((q.question.weight, q.best.score), []).append(q)
    members = list(groups.values())
    if prod(len(g) + 1 for g in members) <= MAX_EXACT_SETS:
        for counts in sorted(product(*(range(len(g) + 1) for g in members)), key=sum):
            chosen = [q for group, count in zip(members, counts, strict=True)
                      for q in group[:count]]
            yield tuple(sorted(chosen, key=lambda q: order[q.key]))
        return
    orders = (
        sorted(unanswered, key=lambda q: -q.question.weight),
        sorted(unanswered, key=lambda q: -q.question.weight * (q.best.score - threshold)),
    )
    seen: set[tuple[str, ...]] = set()
    for size in range(len(unanswered) + 1):
        for ordered in orders:
            chosen_keys = tuple(sorted(q.key for q in ordered[:size]))
            if chosen_keys not in seen:
                seen.add(chosen_keys)
                yield tuple(ordered[:size])


def _large_level_subsets(
    rubric: Rubric,
    level: LevelResult,
    ranked: Sequence[QuestionResult],
    unanswered: Sequence[QuestionResult],
) -> Iterator[tuple[QuestionResult, ...]]:
    """For a huge level, the one promising set of unanswered questions, found fast.

    Searching every size (as for normal levels) costs O(n^2) level evaluations,
    which a hostile rubric with thousands of questions turns into minutes.
    Here prefix sums find, for the heaviest-first order, the size of given set
    that needs the fewest raises overall in O(n log n); the caller then checks
    that candidate with the exact scoring rules.
    """
    threshold = level.threshold
    total = fsum(q.question.weight for q in level.questions)
    covered = fsum(q.question.weight for q in level.questions if q.state != "missing")
    applicable = fsum(q.question.weight for q in level.questions if q.state == "answered")
    points = fsum(q.question.weight * (q.score or 0.0) for q in level.questions
                  if q.state == "answered")
    ordered = sorted(unanswered, key=lambda q: -q.question.weight)
    gains = list(accumulate((q.gain for q in ranked), initial=0.0))
    best_size: tuple[int, int] | None = None
    given_weight = given_points = 0.0
    for size in range(len(ordered) + 1):
        if size:
            q = ordered[size - 1]
            given_weight += q.question.weight
            given_points += q.question.weight * q.best.score
        if covered + given_weight < rubric.min_coverage * total - EPSILON:
            continue
        weight = applicable + given_weight
        if weight <= 0:
            continue
        needed = threshold * weight - points - given_points - EPSILON
        raises = bisect_left(gains, needed)
        if raises >= len(gains):
            continue
        if best_size is None or size + raises < best_size[1]:
            best_size = (size, size + raises)
    if best_size is not None:
        yield tuple(ordered[: best_size[0]])


def _fastest_path(
    rubric: Rubric,
    level: LevelResult,
    ranked: Sequence[QuestionResult],
    unanswered: Sequence[QuestionResult],
) -> tuple[tuple[Raise, ...] | None, str | None]:
    """The fewest answers to raise (or give) so that ``level`` is achieved.

    A raise sets a question to its scale's best option: an answered one (which
    adds w * (best - score) points) or an unanswered one (which also adds
    coverage, and may be needed for it).  n/a answers are facts and stay.  For
    a given set of unanswered questions the answered raises are best taken
    biggest gain first, so only the count of those is searched (by bisection,
    as more raises never hurt).  Candidates are checked with the same rules as
    scoring itself, so a path found here really achieves the level.

    Required questions that hold the level back are on every path, so they are
    raised first and the rest of the path is searched for the level as it
    would then be.
    """
    threshold = level.threshold
    forced = level.unmet_required
    if forced:
        for q in forced:
            if q.best.score < threshold - EPSILON:
                return None, (f"the required question {level.number(q)} cannot reach the threshold "
                              "even with its best option")
        forced_keys = {q.key for q in forced}
        then = level._replace(questions=tuple(
            q._replace(state="answered", score=q.best.score, option=q.best)
            if q.key in forced_keys else q for q in level.questions))
        path, reason = _fastest_path(
            rubric, then, [q for q in ranked if q.key not in forced_keys],
            [q for q in unanswered if q.key not in forced_keys])
        if path is None:
            return None, reason
        first = [Raise(q.key, q.question, q.option, q.best,
                       q.gain if q.state == "answered" else q.question.weight * q.best.score)
                 for q in forced]
        return (*first, *path), None
    base: list[Entry] = [(q.question.weight, q.state, q.score, q.question.required)
                         for q in level.questions]
    position = {q.key: i for i, q in enumerate(level.questions)}

    def outcome(given: Sequence[QuestionResult], raised: Sequence[QuestionResult]) -> float | None:
        """The level score after these changes, or None when not achieved."""
        entries = list(base)
        for q in (*given, *raised):
            entries[position[q.key]] = (q.question.weight, "answered", q.best.score,
                                        q.question.required)
        level_score, _, status = _measure(entries, threshold, rubric.min_coverage)
        return level_score if status == "achieved" else None

    best: tuple[int, float, tuple[QuestionResult, ...], tuple[QuestionResult, ...]] | None = None
    subsets: Iterable[Sequence[QuestionResult]] = _unanswered_subsets(unanswered, threshold)
    if len(level.questions) > MAX_SEARCH_QUESTIONS:
        subsets = _large_level_subsets(rubric, level, ranked, unanswered)
    for given in subsets:
        if best is not None and len(given) > best[0]:
            break  # the sets come smallest first: nothing shorter (or as short) is left
        if outcome(given, ranked) is None:
            continue
        low, high = 0, len(ranked)
        while low < high:
            middle = (low + high) // 2
            if outcome(given, ranked[:middle]) is None:
                low = middle + 1
            else:
                high = middle
        raised = tuple(ranked[:low])
        final = outcome(given, raised)
        assert final is not None
        candidate = (len(given) + len(raised), -final, tuple(given), raised)
        if best is None or candidate[:2] < best[:2]:
            best = candidate
    if best is not None:
        _, _, given, raised = best
        steps = [Raise(q.key, q.question, None, q.best, q.question.weight * q.best.score)
                 for q in given]
        steps += [Raise(q.key, q.question, q.option, q.best, q.gain) for q in raised]
        return tuple(steps), None
    if not unanswered and not any(q.state == "answered" for q in level.questions):
        return None, "every question of this level is answered n/a"
    return None, "raising every answer to its best option would still fall short"
