"""Follow-up over time: what changed between assessments of one subject.

Pure functions over scored results (no I/O), so that every rule can be pinned by
tests: assessments are ordered by date (not by the order they were given), each
consecutive pair is a :class:`Step` with its level and question changes, and the
newest step decides whether the subject regressed:

* a staged rubric regresses when the achieved level falls;
* a continuous rubric regresses when a level that was achieved no longer is;
* any rubric regresses when a level score drops by more than ``tolerance``.

Assessments of different rubrics cannot be compared (an error), nor of different
subjects unless asked for (``allow_different_subjects``, then a warning): subjects
are the same when they read the same after Unicode normalisation, case folding and
collapsing spaces, and an invisible character is never removed to make two of them
match (the message shows it).  Different rubric versions are compared on the
questions and levels both share, with a warning; different rubric content under one
version is a warning only.

``tolerance`` is a share of a level score (0.05); reports show it in points (5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal
from unicodedata import category, normalize

from cslevels.core.models import EPSILON, Question
from cslevels.core.scoring import LevelResult, QuestionResult, Result
from cslevels.errors import InputError

DEFAULT_TOLERANCE = 0.05

ChangeKind = Literal["improved", "regressed", "changed"]
RegressionKind = Literal["level", "status", "score"]


def label(result: Result) -> str:
    """A short name for one assessment: its date, else its file."""
    if result.answers.date is not None:
        return result.answers.date.isoformat()
    return result.source or result.answers.subject


@dataclass(frozen=True)
class LevelChange:
    """One level's score and status before and after (None: not in that version)."""

    id: str
    name: str
    rank: int
    old: LevelResult | None
    new: LevelResult | None

    @property
    def delta(self) -> float | None:
        if self.old is None or self.new is None or self.old.score is None or self.new.score is None:
            return None
        return self.new.score - self.old.score


@dataclass(frozen=True)
class QuestionChange:
    """An answer that differs between two assessments."""

    key: str
    question: Question
    old: QuestionResult
    new: QuestionResult
    kind: ChangeKind

    @property
    def delta(self) -> float | None:
        if self.old.score is None or self.new.score is None:
            return None
        return self.new.score - self.old.score


@dataclass(frozen=True)
class Regression:
    """Why a step counts as a regression."""

    kind: RegressionKind
    message: str
    level_id: str | None = None


@dataclass(frozen=True)
class Step:
    """From one assessment to the next in date order."""

    old: Result
    new: Result
    levels: tuple[LevelChange, ...]
    improved: tuple[QuestionChange, ...]
    regressed: tuple[QuestionChange, ...]
    changed: tuple[QuestionChange, ...]  # answered <-> n/a <-> unanswered
    regressions: tuple[Regression, ...]
    shared_questions: int

    @property
    def level_delta(self) -> int | None:
        if self.old.achieved_level is None or self.new.achieved_level is None:
            return None
        return self.new.achieved_level - self.old.achieved_level

    @property
    def index_delta(self) -> float | None:
        if self.old.index is None or self.new.index is None:
            return None
        return round(self.new.index - self.old.index, 1)


@dataclass(frozen=True)
class Comparison:
    """A series of assessments of one subject against one rubric, oldest first."""

    results: tuple[Result, ...]
    steps: tuple[Step, ...]
    tolerance: float
    warnings: tuple[str, ...] = ()

    @property
    def newest(self) -> Result:
        return self.results[-1]

    @property
    def latest(self) -> Step:
        return self.steps[-1]

    @property
    def regressions(self) -> tuple[Regression, ...]:
        """What makes the newest assessment a regression from the previous one."""
        return self.latest.regressions

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)

    def score_dropped(self, change: LevelChange) -> bool:
        """Whether a level's score fell by more than the tolerance (a regression)."""
        return score_dropped(change, self.tolerance)

    @property
    def level_rows(self) -> list[tuple[str, str, int, list[LevelResult | None]]]:
        """Per level of the newest rubric: (id, name, rank, result in each assessment)."""
        rows = []
        for level in self.newest.levels:
            series = [next((lv for lv in r.levels if lv.id == level.id), None)
                      for r in self.results]
            rows.append((level.id, level.name, level.rank, series))
        return rows


def score_dropped(change: LevelChange, tolerance: float) -> bool:
    """The one rule for a level score counting as a regression: it fell by more than
    ``tolerance`` (a share of the score; a drop exactly at the tolerance is not one)."""
    delta = change.delta
    return delta is not None and delta < -tolerance - EPSILON


def compare(results: Sequence[Result], *, tolerance: float = DEFAULT_TOLERANCE,
            allow_different_subjects: bool = False) -> Comparison:
    """Order ``results`` by date and describe every step; raise when they cannot be compared."""
    if len(results) < 2:
        raise InputError("compare needs at least two assessments", code="too-few")
    if tolerance < 0:
        raise InputError(f"the tolerance must be 0 or more, not {tolerance}", code="bad-tolerance")
    first = results[0]
    for other in results[1:]:
        if other.rubric.id != first.rubric.id:
            raise InputError(
                f"cannot compare assessments of different rubrics: {first.source or '?'} uses "
                f"{first.rubric.id!r}, {other.source or '?'} uses {other.rubric.id!r}",
                path=other.source, code="rubric-mismatch",
                hint="compare follows one subject over time against one rubric",
            )
    ordered, warnings = order_by_date(results)
    different = different_subjects(ordered)
    if different is not None:
        if not allow_different_subjects:
            raise InputError(
                f"cannot compare assessments of different subjects: {different}",
                path=ordered[-1].source, code="subject-mismatch",
                hint="compare follows one subject over time; give "
                     "--allow-different-subjects to compare them all the same")
        warnings.append(f"the assessments are of different subjects: {different}")
    steps: list[Step] = []
    for old, new in pairwise(ordered):
        step = _step(old, new, tolerance)
        warnings += _rubric_warnings(old, new, step.shared_questions)
        steps.append(step)
    return Comparison(tuple(ordered), tuple(steps), tolerance, tuple(warnings))


def order_by_date(results: Sequence[Result]) -> tuple[list[Result], list[str]]:
    """Oldest first; ties and undated assessments keep the order given, with a warning."""
    undated = [r for r in results if r.answers.date is None]
    if undated:
        names = ", ".join(r.source or r.answers.subject for r in undated)
        return list(results), [f"no date in {names}: assessments are compared in the order given"]
    ordered = sorted(results, key=lambda r: r.answers.date)  # type: ignore[arg-type, return-value]
    warnings = []
    for a, b in pairwise(ordered):
        if a.answers.date == b.answers.date:
            warnings.append(f"{a.source} and {b.source} have the same date "
                            f"{label(a)}: kept in the order given")
    return ordered, warnings


def same_subject_key(subject: str) -> str:
    """What makes two subjects the same: NFKC, case folded, spaces collapsed.  Invisible
    characters are kept, so "Cafe" and "Cafe" + a zero-width space stay different."""
    return " ".join(normalize("NFKC", subject).casefold().split())


def _invisible(char: str) -> bool:
    return category(char) in ("Cc", "Cf", "Zl", "Zp") or (
        category(char) == "Zs" and char != " ")


def shown_subject(subject: str) -> str:
    """A subject quoted, with every invisible or unusual space shown as ``\\uXXXX``."""
    return '"' + "".join(f"\\u{ord(c):04x}" if _invisible(c) else c for c in subject) + '"'


def different_subjects(results: Sequence[Result]) -> str | None:
    """The different subjects, each with its file, or None when they are all one."""
    subjects: dict[str, str] = {}
    for r in results:
        subjects.setdefault(same_subject_key(r.answers.subject),
                            f"{shown_subject(r.answers.subject)} ({r.source})")
    if len(subjects) < 2:
        return None
    listed = ", ".join(subjects.values())
    visible = {"".join(c for c in key if not _invisible(c)) for key in subjects}
    if len(visible) == 1:
        listed += " (they differ only in invisible characters)"
    return listed


def _rubric_warnings(old: Result, new: Result, shared: int) -> list[str]:
    rubric_id = new.rubric.id
    if old.rubric.version != new.rubric.version:
        return [f"{old.source} used {rubric_id} {old.rubric.version} and {new.source} used "
                f"{rubric_id} {new.rubric.version}: only the {shared} questions both versions "
                "share are compared"]
    if old.rubric_digest and new.rubric_digest and old.rubric_digest != new.rubric_digest:
        return [f"{old.source} and {new.source} used different content of {rubric_id} "
                f"{new.rubric.version} (hash {old.rubric_digest[:12]} vs "
                f"{new.rubric_digest[:12]}): scores may not be comparable"]
    return []


def _kind(old: QuestionResult, new: QuestionResult) -> ChangeKind | None:
    if old.state == "answered" and new.state == "answered":
        assert old.score is not None and new.score is not None
        if new.score > old.score + EPSILON:
            return "improved"
        if new.score < old.score - EPSILON:
            return "regressed"
        return None
    return None if old.state == new.state else "changed"


def _step(old: Result, new: Result, tolerance: float) -> Step:
    old_levels = {lv.id: lv for lv in old.levels}
    levels: list[LevelChange] = []
    for lv in new.levels:
        levels.append(LevelChange(lv.id, lv.name, lv.rank, old_levels.get(lv.id), lv))
    new_ids = {lv.id for lv in new.levels}
    levels += [LevelChange(lv.id, lv.name, lv.rank, lv, None)
               for lv in old.levels if lv.id not in new_ids]
    old_questions = {q.key: q for q in old.questions}
    changes: dict[ChangeKind, list[QuestionChange]] = {"improved": [], "regressed": [],
                                                        "changed": []}
    shared = 0
    for q in new.questions:
        before = old_questions.get(q.key)
        if before is None:
            continue
        shared += 1
        kind = _kind(before, q)
        if kind is not None:
            changes[kind].append(QuestionChange(q.key, q.question, before, q, kind))
    changes["improved"].sort(key=lambda c: -(c.delta or 0.0) * c.question.weight)
    changes["regressed"].sort(key=lambda c: (c.delta or 0.0) * c.question.weight)
    return Step(old, new, tuple(levels), tuple(changes["improved"]),
                tuple(changes["regressed"]), tuple(changes["changed"]),
                tuple(_regressions(old, new, levels, tolerance)), shared)


def _regressions(old: Result, new: Result, levels: Sequence[LevelChange],
                 tolerance: float) -> list[Regression]:
    found: list[Regression] = []
    if old.achieved_level is not None and new.achieved_level is not None:
        if new.achieved_level < old.achieved_level:
            found.append(Regression(
                "level", f"achieved level fell from {_level_name(old)} to {_level_name(new)}"))
    else:
        for change in levels:
            if change.old is not None and change.new is not None and change.old.achieved \
                    and not change.new.achieved:
                found.append(Regression(
                    "status", f"level {change.rank} ({change.name}) is no longer achieved: "
                    f"{change.new.status}", change.id))
    for change in levels:
        delta = change.delta
        if delta is not None and score_dropped(change, tolerance):
            assert change.old is not None and change.new is not None
            found.append(Regression(
                "score", f"level {change.rank} ({change.name}) score fell from "
                f"{_pct(change.old.score)} to {_pct(change.new.score)} "
                f"({delta * 100:+.1f} points, tolerance {tolerance * 100:g})", change.id))
    return found


def _level_name(result: Result) -> str:
    if not result.achieved_level:
        return "0 (none)"
    return f"{result.achieved_level} ({result.levels[result.achieved_level - 1].name})"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
