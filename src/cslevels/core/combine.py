"""Several raters, one assessment: combine their answers and show where they disagree.

Pure functions (no I/O).  Per question, over the raters who answered it:

* the combined score is the mean of the scores of those who gave an option;
* raters who said n/a are left out of the mean, and the question is n/a only
  when every rater who answered it said n/a;
* a question nobody answered stays unanswered (never scored as 0);
* the spread is the range (highest - lowest) of the given scores, and a spread
  of at least :data:`DISAGREEMENT` (half the scale) is flagged.

The combined inputs go to :func:`cslevels.core.scoring.score` as ``inputs=`` and the
result is a :class:`CombinedResult`, which carries the rater spread alongside so
every reporter can show it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cslevels.core.models import EPSILON, Answers, Option, Question, Rubric, question_key
from cslevels.core.scoring import QuestionInput, Result, inputs_from_answers, score
from cslevels.errors import InputError

DISAGREEMENT = 0.5

RaterState = Literal["answered", "na", "missing"]


@dataclass(frozen=True)
class Rater:
    """One person's answers file."""

    name: str
    answers: Answers
    source: str | None = None


@dataclass(frozen=True)
class RaterAnswer:
    rater: str
    state: RaterState
    score: float | None = None
    option: Option | None = None
    note: str | None = None


@dataclass(frozen=True)
class QuestionSpread:
    """What each rater said about one question, and how far apart they are."""

    key: str
    question: Question
    answers: tuple[RaterAnswer, ...]  # one per rater, in rater order
    mean: float | None
    spread: float | None  # highest - lowest given score; None when no score was given

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT - EPSILON

    @property
    def na_count(self) -> int:
        return sum(1 for a in self.answers if a.state == "na")

    @property
    def scored(self) -> list[RaterAnswer]:
        return [a for a in self.answers if a.state == "answered"]


@dataclass(frozen=True)
class RaterSpread:
    """Every rater's answers per question of the rubric."""

    raters: tuple[Rater, ...]
    questions: tuple[QuestionSpread, ...]
    threshold: float = DISAGREEMENT

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.raters]

    @property
    def disagreements(self) -> list[QuestionSpread]:
        return [q for q in self.questions if q.disagreement]


@dataclass(frozen=True)
class CombinedResult(Result):
    """A result scored from several raters, with the spread between them."""

    raters: RaterSpread | None = None


@dataclass(frozen=True)
class Combination:
    inputs: dict[str, QuestionInput]
    spread: RaterSpread


def rater_names(raters: Sequence[tuple[Answers, str | None]]) -> list[str]:
    """The assessor's name, else the file's; a repeated name gets its file added."""
    base = [(a.assessor or "").strip() or (src or f"rater {n}") for n, (a, src) in
            enumerate(raters, 1)]
    names = []
    for n, (name, (_answers, src)) in enumerate(zip(base, raters, strict=True), 1):
        if base.count(name) > 1:
            name = f"{name} ({src or n})"
        names.append(name)
    return names


def _mean_option(values: Sequence[Option], mean: float, count: int) -> Option | None:
    """The shared option when everyone agrees, else a stand-in labelled as a mean."""
    if len({(o.value, o.score) for o in values}) == 1:
        return values[0]
    return Option(value="mean", label=f"mean of {count}: {mean * 100:.0f}%", score=mean)


def combine(rubric: Rubric, raters: Sequence[Rater]) -> Combination:
    """Combine the raters' answers into the engine's inputs and their spread."""
    if not raters:
        raise InputError("no answers files to combine", code="too-few")
    per_rater = [inputs_from_answers(rubric, r.answers) for r in raters]
    inputs: dict[str, QuestionInput] = {}
    spreads: list[QuestionSpread] = []
    for level, question in rubric.questions():
        key = question_key(level, question)
        answers: list[RaterAnswer] = []
        for rater, given in zip(raters, per_rater, strict=True):
            item = given.get(key)
            if item is None:
                answers.append(RaterAnswer(rater.name, "missing"))
            elif item.score is None:
                answers.append(RaterAnswer(rater.name, "na", note=item.note))
            else:
                answers.append(RaterAnswer(rater.name, "answered", item.score, item.option,
                                           item.note))
        scores = [a.score for a in answers if a.score is not None]
        mean = sum(scores) / len(scores) if scores else None
        spread = (max(scores) - min(scores)) if scores else None
        spreads.append(QuestionSpread(key, question, tuple(answers), mean, spread))
        given_items = [(r, g[key]) for r, g in zip(raters, per_rater, strict=True)
                       if key in g]
        if not given_items:
            continue
        notes = [f"{r.name}: {item.note}" for r, item in given_items if item.note]
        evidence: list[str] = []
        for _r, item in given_items:
            evidence += [e for e in item.evidence if e not in evidence]
        note = "\n".join(notes) if notes else None
        if mean is None:
            inputs[key] = QuestionInput(None, None, note, tuple(evidence))
        else:
            options = [a.option for a in answers if a.option is not None]
            option = _mean_option(options, mean, len(scores)) if options else None
            inputs[key] = QuestionInput(mean, option, note, tuple(evidence))
    return Combination(inputs, RaterSpread(tuple(raters), tuple(spreads)))


def combined_answers(rubric: Rubric, raters: Sequence[Rater]) -> Answers:
    """The answers a combined report is headed with: the subject, every assessor, latest date."""
    first = raters[0].answers
    dates = [r.answers.date for r in raters if r.answers.date is not None]
    assessor = "; ".join(r.name for r in raters)
    if len(assessor) > 1000:
        assessor = assessor[:997] + "..."
    target = next((r.answers.target for r in raters if r.answers.target is not None), None)
    return Answers.model_validate({
        "schema": first.schema_id,
        "rubric": rubric.id,
        "rubric_version": rubric.version,
        "subject": first.subject,
        "assessor": assessor,
        "date": max(dates) if dates else None,
        "target": target,
        "answers": {},
    })


def score_combined(
    rubric: Rubric,
    raters: Sequence[Rater],
    *,
    target: int | None = None,
    rubric_digest: str | None = None,
    warnings: Sequence[str] = (),
) -> CombinedResult:
    """Score the raters together: one result, with the spread between them."""
    combination = combine(rubric, raters)
    warnings = list(warnings)
    subjects = {" ".join(r.answers.subject.casefold().split()) for r in raters}
    if len(subjects) > 1:
        warnings.append("the raters assessed different subjects: " + ", ".join(
            f"{r.answers.subject!r} ({r.source or r.name})" for r in raters))
    sources = [r.source for r in raters if r.source]
    result = score(
        rubric,
        combined_answers(rubric, raters),
        target=target,
        rubric_digest=rubric_digest,
        source="combined: " + ", ".join(sources) if sources else "combined",
        warnings=warnings,
        inputs=combination.inputs,
    )
    values = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    return CombinedResult(**values, raters=combination.spread)


