"""The improvement plan and the overview a client reads first, derived from a result.

A score report used to say only how to reach the next level.  A client wants the
whole road: every level not achieved, in the order the rubric stages them (up to
the target when one is set), with the fewest changes that achieve each, their
recommendations and what each is worth.  Worth has one unit everywhere: points
of the level's score on the 0-100 scale the reports print as percentages.

Pure functions over :class:`~cslevels.core.scoring.Result`; the wording lives in
``cslevels.reporting.views``.
"""

from __future__ import annotations

from typing import NamedTuple

from cslevels.core.models import EPSILON
from cslevels.core.scoring import (
    LevelResult,
    QuestionResult,
    Raise,
    Result,
    level_gap,
    score_if,
)

MAX_HIGHLIGHTS = 3  # strengths and weaknesses the overview names


class PlanStep(NamedTuple):
    """One change to make: answer ``question`` with its best option, and what that is worth."""

    key: str
    question: QuestionResult
    to_label: str
    # Points (0-100) this change alone adds to its level's score today; None while the
    # level has no score to add to (every answer so far is n/a).
    points: float | None

    @property
    def text(self) -> str:
        return self.question.question.text

    @property
    def recommendation(self) -> str | None:
        return self.question.question.recommendation

    @property
    def unanswered(self) -> bool:
        return self.question.state == "missing"


class PlanStage(NamedTuple):
    """What it takes to achieve one level that is not achieved yet."""

    level: LevelResult
    steps: tuple[PlanStep, ...]  # the fewest changes that achieve it (the fastest path)
    after: float | None  # the level's score (0-1) once the steps are made; None if impossible
    more: tuple[PlanStep, ...]  # other answers below full marks in the level, worth most first
    reason: str | None  # why raising answers cannot achieve the level (then no steps)

    @property
    def reachable(self) -> bool:
        return self.reason is None

    @property
    def unassessed(self) -> bool:
        """No question of the level is answered yet: there is nothing to plan from (a road
        that assumed every answer at its best would mislead), only answers to give."""
        return all(q.state == "missing" for q in self.level.questions)

    @property
    def points(self) -> float | None:
        """What the steps together add to the level's score, in points (0-100)."""
        if self.after is None or self.level.score is None:
            return None
        return 100 * (self.after - (self.level.score or 0.0))


class Plan(NamedTuple):
    """Every level still to achieve, in order, up to ``goal``."""

    stages: tuple[PlanStage, ...]
    goal: int  # the level the plan leads to: the target, else the top level
    targeted: bool  # whether ``goal`` is a target the assessment set
    target_reached: int | None = None  # a target already reached: the plan goes beyond it
    staged: bool = True  # the rubric's levels count only in order

    @property
    def change_count(self) -> int:
        return sum(len(stage.steps) for stage in self.stages)

    @property
    def reachable(self) -> bool:
        return all(stage.reachable for stage in self.stages)

    @property
    def unassessed(self) -> tuple[PlanStage, ...]:
        return tuple(stage for stage in self.stages if stage.unassessed)

    def waits_for(self, n: int) -> PlanStage | None:
        """In a staged rubric, the earlier stage that stage ``n`` cannot count without and
        that this plan cannot deliver (not reachable by raising answers, or not answered)."""
        if not self.staged:
            return None
        return next((stage for stage in self.stages[:n]
                     if not stage.reachable or stage.unassessed), None)


class Overview(NamedTuple):
    """The result in brief: what is solidly in place and what holds the subject back."""

    strengths: tuple[LevelResult, ...]  # achieved levels, strongest first
    weaknesses: tuple[LevelResult, ...]  # scored levels below their threshold, weakest first
    weakest: tuple[QuestionResult, ...]  # the answers furthest from full marks, biggest first
    full_marks: int  # questions answered with their scale's best option
    answered: int  # questions answered with an option (n/a left out)


def _worth(level: LevelResult, q: QuestionResult) -> float | None:
    """Points (0-100) raising ``q`` alone to its best option adds to its level's score;
    None while the level has no score to add to."""
    after = score_if(level, {q.key: q.best.score})
    if level.score is None or after is None:
        return None
    return max(0.0, 100 * (after - level.score))


def _step(level: LevelResult, q: QuestionResult) -> PlanStep:
    return PlanStep(q.key, q, q.best.label, _worth(level, q))


def _stage(result: Result, level: LevelResult) -> PlanStage:
    if all(q.state == "missing" for q in level.questions):
        return PlanStage(level, (), None, (), None)
    known = [g for g in (result.next_gap, *result.target_gaps)
             if g is not None and g.level.rank == level.rank]
    gap = known[0] if known else level_gap(result.rubric, level)  # score() found some already
    by_key = {q.key: q for q in level.questions}
    path: tuple[Raise, ...] = gap.fastest_path or ()
    steps = tuple(_step(level, by_key[r.key]) for r in path)
    after = None
    if gap.fastest_path is not None:
        after = score_if(level, {r.key: r.to_option.score for r in path})
    chosen = {s.key for s in steps}
    candidates = [q for q in (*gap.ranked, *gap.unanswered) if q.key not in chosen]
    more = sorted((_step(level, q) for q in candidates), key=lambda s: -(s.points or 0.0))
    return PlanStage(level, steps, after,
                     tuple(s for s in more if s.points is None or s.points > EPSILON),
                     gap.reason)


def improvement_plan(result: Result) -> Plan:
    """Every level not achieved up to the target (else the top), in rank order; once the
    target is reached, the road beyond it.  A continuous rubric's target is its own level
    alone, as scoring counts it (``Result.target_gaps``).

    Each level's questions are its own, so the stages do not interact: the road to
    level 5 is the same whether or not level 4's changes are made first.
    """
    top = len(result.levels)
    target = result.target if result.target is not None and 1 <= result.target <= top else None
    # (a level with no answer at all gets a stage without steps: see PlanStage.unassessed)
    if target is not None:
        # the levels the target needs, as scoring counts them: every level up to it in a
        # staged rubric, only the target level itself in a continuous one
        stages = _stages(result, target, only=result.method != "staged")
        if stages:
            return Plan(stages, target, True, staged=result.method == "staged")
    return Plan(_stages(result, top), top, False, target, result.method == "staged")


def _stages(result: Result, goal: int, *, only: bool = False) -> tuple[PlanStage, ...]:
    levels = result.levels[goal - 1:goal] if only else result.levels[:goal]
    return tuple(_stage(result, level) for level in levels if not level.achieved)


def overview(result: Result) -> Overview:
    """Strengths and weaknesses, as the executive summary of a report names them."""
    strengths = sorted((lv for lv in result.levels if lv.achieved and lv.score is not None),
                       key=lambda lv: -(lv.score or 0.0))
    weaknesses = sorted(
        (lv for lv in result.levels
         if lv.score is not None and lv.score < lv.threshold - EPSILON),
        key=lambda lv: lv.score or 0.0)
    answered = [q for q in result.questions if q.state == "answered" and q.score is not None]
    full = [q for q in answered if (q.score or 0.0) >= q.best.score - EPSILON]
    weakest = sorted((q for q in answered if q.gain > EPSILON),
                     key=lambda q: (q.score or 0.0) - q.best.score)
    return Overview(tuple(strengths[:MAX_HIGHLIGHTS]), tuple(weaknesses[:MAX_HIGHLIGHTS]),
                    tuple(weakest[:MAX_HIGHLIGHTS]), len(full), len(answered))
