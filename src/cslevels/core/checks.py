"""Rules a rubric or answers file must follow beyond its schema.

The schema (``cslevels.core.models``) checks each value on its own; these checks look
across the document: ids that repeat, scales that do not exist, levels that can
never be achieved, answers that name unknown questions or values off the scale.
Each returns findings located in the YAML source, so a user sees all problems at
once rather than one per run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator

from cslevels.core.locations import Document, Loc, finding_at
from cslevels.core.models import EPSILON, NA, AnswerEntry, Answers, Rubric, question_key
from cslevels.errors import Finding, Severity
from cslevels.text import shorten

MAX_HINTS = 20  # "did you mean" (difflib) for the first typos only: a file may hold thousands
MAX_FINDINGS = 200  # per file; more would bury the first problems, which are the ones to fix
_ADVICE_FIELDS = (
    ("guidance", "guidance (what counts as evidence)"),
    ("recommendation", "recommendation (what to do when it scores low)"),
)


_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                 "nine", "ten", "eleven", "twelve")


def _spelled(word: str) -> str:
    """Numbers written as words ("7-levels" -> "seven-levels"), as rubric ids spell them."""
    return re.sub(r"\d+", lambda m: _NUMBER_WORDS[int(m.group())]
                  if int(m.group()) < len(_NUMBER_WORDS) else m.group(), word)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A "did you mean" hint when one candidate is close to ``word`` (a number in it also
    tried spelled out, so ``7-levels`` finds ``seven-levels``, not ``six-levels``)."""
    pool = list(candidates)
    spelled = _spelled(word)
    if spelled != word and spelled in pool:
        return f"did you mean {spelled!r}?"
    close = difflib.get_close_matches(spelled, pool, n=1, cutoff=0.6) if spelled != word \
        else []
    close = close or difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def capped(findings: list[Finding]) -> list[Finding]:
    """The first ``MAX_FINDINGS`` findings, then one that counts the rest."""
    if len(findings) <= MAX_FINDINGS:
        return findings
    rest = findings[MAX_FINDINGS:]
    errors = sum(f.severity == "error" for f in rest)
    severity: Severity = "error" if errors else "warning"
    what = (f"{errors:,} more error(s)" + (f" and {len(rest) - errors:,} more warning(s)"
                                            if len(rest) > errors else "")
            if errors else f"{len(rest):,} more warning(s)")
    return [*findings[:MAX_FINDINGS], Finding(
        path=findings[0].path, message=f"{what} not listed", severity=severity,
        code="more-findings", hint="fix the ones above and check again")]


class _Reporter:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.findings: list[Finding] = []

    def add(
        self,
        loc: Loc,
        message: str,
        *,
        code: str,
        severity: str = "error",
        hint: str | None = None,
        at_key: bool = False,
    ) -> None:
        self.findings.append(finding_at(
            self.doc, loc, message, prefer_key=at_key, code=code, hint=hint,
            severity="warning" if severity == "warning" else "error"))


def check_rubric(rubric: Rubric, doc: Document) -> list[Finding]:
    """Cross-document rules for a rubric that passed its schema."""
    out = _Reporter(doc)
    _unique(out, ((("levels", i, "id"), lv.id) for i, lv in enumerate(rubric.levels)),
            "duplicate level id {!r}")
    used_scales: set[str] = set()
    for i, level in enumerate(rubric.levels):
        level_loc: Loc = ("levels", i)
        if not level.questions:
            out.add((*level_loc, "questions"), f"level {level.id!r} has no questions",
                    code="empty-level")
            continue
        _unique(
            out,
            (((*level_loc, "questions", j, "id"), q.id) for j, q in enumerate(level.questions)),
            f"duplicate question id {{!r}} in level {level.id!r}",
        )
        best_total = 0.0
        weight_total = 0.0
        reachable = True
        for j, question in enumerate(level.questions):
            q_loc: Loc = (*level_loc, "questions", j)
            scale = rubric.scales.get(question.scale)
            if scale is None:
                out.add(
                    (*q_loc, "scale"),
                    f"question {question.id!r} uses scale {question.scale!r}, which is not defined",
                    code="unknown-scale",
                    hint=did_you_mean(question.scale, rubric.scales)
                    or f"defined scales: {', '.join(rubric.scales) or 'none'}",
                )
                reachable = False
                continue
            used_scales.add(question.scale)
            if question.required and scale.best.score < rubric.level_threshold(level) - EPSILON:
                out.add(
                    (*q_loc, "required"),
                    f"level {level.id!r} can never be achieved: its required question "
                    f"{question.id!r} scores at most {scale.best.score:.2f}, below the "
                    f"threshold {rubric.level_threshold(level):.2f}",
                    code="unreachable-level",
                    hint="a required question must be able to reach the level's threshold",
                )
            best_total += question.weight * scale.best.score
            weight_total += question.weight
            for field, what in _ADVICE_FIELDS:
                if getattr(question, field) is None:
                    out.add(q_loc, f"question {question_key(level, question)} has no {what}",
                            code=f"missing-{field}", severity="warning")
        threshold = rubric.level_threshold(level)
        if reachable and weight_total and best_total / weight_total < threshold - EPSILON:
            out.add(
                (*level_loc, "threshold") if level.threshold is not None else (*level_loc, "id"),
                f"level {level.id!r} can never be achieved: its best possible score "
                f"{best_total / weight_total:.2f} is below its threshold {threshold:.2f}",
                code="unreachable-level",
                hint="raise the best option's score or lower the threshold",
            )
    for name, scale in rubric.scales.items():
        _unique(
            out,
            ((("scales", name, "options", k, "value"), o.value)
             for k, o in enumerate(scale.options)),
            f"duplicate option value {{!r}} in scale {name!r}",
        )
        for k, option in enumerate(scale.options):
            if option.value == NA:  # an answer n/a means "not applicable", never this option
                out.add(("scales", name, "options", k, "value"),
                        f"option value {NA!r} in scale {name!r} is reserved: an answer {NA} "
                        "means not applicable", code="reserved-value",
                        hint=f"give the option another value, and allow_na: true to the "
                             f"questions where {NA} applies")
        if name not in used_scales:
            out.add(("scales", name), f"scale {name!r} is not used by any question",
                    code="unused-scale", severity="warning", at_key=True)
    return out.findings


def _unique(out: _Reporter, items: Iterator[tuple[Loc, object]], message: str) -> None:
    """Report each repeat of a value; ``message`` has one ``{}`` for the value."""
    seen: dict[object, Loc] = {}
    for loc, value in items:
        if value in seen:
            first = out.doc.locate(seen[value]).describe()
            out.add(loc, f"{message.format(value)} (first at {first})",
                    code="duplicate-id")
        else:
            seen[value] = loc


def foreign_answers(answers: Answers, rubric: Rubric) -> bool:
    """Whether an answers file answers questions but none of them is ``rubric``'s: it
    was made for another rubric (one diagnosis, not one error per answer)."""
    keys = [key for key in answers.answers if answers.entry(key) is not None]
    if not keys or any(rubric.find(key) is not None for key in keys):
        return False
    # typos of this rubric's questions ('availability.chanels') are typos, listed one by one
    known = rubric.question_keys()
    return not any(did_you_mean(key, known) for key in keys[:MAX_HINTS])


def best_matching_rubric(answers: Answers, rubrics: Iterable[Rubric]) -> Rubric | None:
    """The rubric that holds the most of the answers' questions (at least half of them)."""
    keys = [key for key in answers.answers if answers.entry(key) is not None]
    best: tuple[int, Rubric] | None = None
    for candidate in rubrics:
        held = sum(1 for key in keys if candidate.find(key) is not None)
        if 2 * held >= len(keys) and held and (best is None or held > best[0]):
            best = (held, candidate)
    return None if best is None else best[1]


def foreign_answers_finding(answers: Answers, rubric: Rubric, doc: Document,
                            match: Rubric | None) -> Finding:
    """The one finding for an answers file made for another rubric."""
    count = sum(1 for key in answers.answers if answers.entry(key) is not None)
    message = (f"none of the {count} answered questions belong to {rubric.id}"
               + (f"; they match {match.id}" if match is not None else ""))
    hint = (f"write `rubric: {match.id}` and `rubric_version: \"{match.version}\"`"
            if match is not None
            else f"is `rubric:` right? `cslevels template {rubric.id}` lists its questions")
    return finding_at(doc, ("rubric",), message, code="wrong-rubric", hint=hint)


def check_answers(answers: Answers, rubric: Rubric, doc: Document) -> list[Finding]:
    """Rules that tie an answers file to its rubric: keys, values, n/a, version."""
    out = _Reporter(doc)
    if answers.rubric_version is not None and answers.rubric_version != rubric.version:
        out.add(
            ("rubric_version",),
            f"answers were made for {rubric.id} version {shorten(answers.rubric_version)}, "
            f"but the rubric is version {rubric.version}; scoring against {rubric.version}",
            code="version-mismatch",
            severity="warning",
        )
    raw_target = doc.data.get("target") if isinstance(doc.data, dict) else None
    if isinstance(raw_target, bool):  # pydantic's lax int turns `target: yes` into 1
        raw = doc.raw_plain_scalar(("target",)) or str(raw_target).lower()
        out.add(("target",), f"target: expected a level number, got the boolean "
                f"{str(raw_target).lower()}", code="schema",
                hint=f"YAML reads an unquoted {raw} as a boolean")
    elif answers.target is not None and answers.target > len(rubric.levels):
        out.add(("target",), f"target level {answers.target} does not exist: "
                f"{rubric.id} has {len(rubric.levels)} levels", code="bad-target")
    keys = rubric.question_keys()
    unknown = 0
    for key in answers.answers:
        loc: Loc = ("answers", key)
        found = rubric.find(key)
        if found is None:
            unknown += 1
            hint = did_you_mean(key, keys) if unknown <= MAX_HINTS else None
            out.add(loc, f"unknown question {shorten(key)!r} for rubric {rubric.id}",
                    code="unknown-question", hint=hint, at_key=True)
            continue
        _level, question = found
        entry = answers.entry(key)
        if entry is None:
            continue
        value_loc = (*loc, "value") if isinstance(answers.answers[key], AnswerEntry) else loc
        if entry.value == NA:
            if not question.allow_na:
                out.add(value_loc, f"{key} does not allow n/a", code="na-not-allowed",
                        hint="answer with one of the scale's options, or leave it empty")
            continue
        scale = rubric.scales[question.scale]
        if scale.option(entry.value) is None:
            allowed = ", ".join(f"{o.value} ({o.label})" for o in scale.options)
            if question.allow_na:
                allowed += ", n/a"
            out.add(value_loc, f"{key}: {entry.value!r} is not an option of scale "
                    f"{question.scale!r}", code="value-off-scale", hint=f"choose one of: {allowed}")
    return out.findings
