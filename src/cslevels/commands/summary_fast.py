"""``summary``'s fast row: a clean answers file scored without positions or gap analysis.

:func:`fast_row` parses with the fast loader (``cslevels.files.fastyaml``),
validates and computes only the level profile (``scoring.profile``).  It returns
a row only when the full path would return the same row (the invariant
tests/test_summary_batch.py states); anything else, or anything it is unsure of,
goes to the full path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cslevels.core.documents import LoadedRubric, RubricResolver, is_rubric_reference
from cslevels.core.models import (
    ANSWERS_SCHEMA,
    EVIDENCE_MAX_CHARS,
    NA,
    NOTE_MAX_CHARS,
    AnswerEntry,
    Answers,
    question_key,
)
from cslevels.core.portfolio import Row
from cslevels.core.scoring import profile
from cslevels.errors import CslevelsError, RubricNotFoundError
from cslevels.files.fastyaml import FAST_MAX_NESTING, fast_loader, nesting_bound
from cslevels.files.readers import is_yaml
from cslevels.files.yamlio import decode, max_nodes, read_bytes


@dataclass(frozen=True, slots=True)
class _Table:
    """A rubric compiled for the fast path: question key -> (allow n/a, option scores)."""

    loaded: LoadedRubric
    questions: dict[str, tuple[bool, dict[tuple[type, object], float]]]  # by (type, value)


_TABLES: dict[int, _Table] = {}


def _table(loaded: LoadedRubric) -> _Table:
    table = _TABLES.get(id(loaded))
    if table is None or table.loaded is not loaded:
        rubric = loaded.rubric
        questions: dict[str, tuple[bool, dict[tuple[type, object], float]]] = {}
        for level, q in rubric.questions():
            options: dict[tuple[type, object], float] = {
                (type(o.value), o.value): o.score for o in rubric.scales[q.scale].options}
            questions[question_key(level, q)] = (q.allow_na, options)
        table = _TABLES[id(loaded)] = _Table(loaded, questions)
    return table


class _Unresolved:
    """The fast path's answer for a valid answers file whose rubric is not known (yet)."""


UNRESOLVED = _Unresolved()


def fast_row(path: str, library: RubricResolver) -> Row | None:
    """The row of a valid answers file, computed cheaply; None means "take the full path".

    Returns a row only when the full path would return the same row: the
    checks here are a stricter subset of the full path's (see
    tests/test_summary_batch.py).  Files that might expand aliases (``&``),
    exceed the value or size limits, or nest deeply are left to the full path.
    """
    row = fast_result(path, library)
    return row if isinstance(row, Row) else None


def fast_result(path: str, library: RubricResolver) -> Row | _Unresolved | None:
    """:func:`fast_row`, also telling when the full path would only say "unknown rubric"."""
    loader = fast_loader()
    if loader is None or not is_yaml(path):  # pragma: no cover - depends on how PyYAML was built
        return None
    try:  # the one reader: bounded, never blocking on a FIFO, counted as an input
        text = decode(read_bytes(Path(path)), path)
    except CslevelsError:
        return None
    # Without anchors every value takes at least one character, so a text shorter
    # than the value limit cannot exceed it.
    if "&" in text or len(text) >= max_nodes() or nesting_bound(text) > FAST_MAX_NESTING:
        return None
    import yaml
    from pydantic import ValidationError

    try:
        data = yaml.load(text, Loader=loader)  # a narrowed safe loader, see above
    except Exception:  # whatever went wrong, the full path reports it
        return None
    if not isinstance(data, dict) or data.get("schema") != ANSWERS_SCHEMA:
        return None
    try:
        # Every field but the answers, which pydantic is slow to check one by one.
        answers = Answers.model_validate({**data, "answers": None})  # None reads as {}
    except ValidationError:
        return None
    if not is_rubric_reference(answers.rubric):
        return None  # /dev/stdin, /etc/shadow, a rubric not named .yaml: the full path refuses
    try:
        loaded = library.resolve(answers.rubric)
    except RubricNotFoundError:
        try:
            Answers.model_validate(data)
        except ValidationError:
            return None
        return UNRESOLVED  # as answers_from_document: its schema is valid, its rubric unknown
    except CslevelsError:
        return None
    questions = _table(loaded).questions
    values = _plain_answers(data.get("answers"), questions)
    if values is None:  # not plainly valid: pydantic decides
        try:
            full = Answers.model_validate(data)
        except ValidationError:
            return None
        values = {key: given.value if isinstance(given, AnswerEntry) else given
                  for key, given in full.answers.items()}
    return _row_of(path, answers, values, data, loaded)


_ENTRY_LIMITS = {"value": 64, "note": NOTE_MAX_CHARS}  # AnswerValue and AnswerEntry.note


def _plain_answers(raw: object, questions: dict[str, Any]) -> dict[str, object] | None:
    """Each answer's value (None when blank) when ``raw`` plainly passes the schema of
    ``Answers.answers``; None when pydantic has to look (and maybe explain).

    Plainly: known question keys, and values that are whole numbers, short texts,
    blank, or mappings of ``value`` / ``note`` / ``evidence`` of the right types
    and lengths, which are exactly what the models accept for them.
    """
    if raw is None:
        return {}
    if type(raw) is not dict:
        return None
    values: dict[str, object] = {}
    for key, given in raw.items():
        if type(key) is not str or key not in questions:
            return None
        kind = type(given)
        if given is None or kind is int or (kind is str and len(given) <= 64):
            values[key] = given
        elif kind is dict and _plain_entry(given):
            values[key] = given.get("value")
        else:
            return None
    return values


def _plain_entry(entry: dict[Any, Any]) -> bool:
    for name, item in entry.items():
        if name in _ENTRY_LIMITS:
            kind = type(item)
            if not (item is None or (kind is int and name == "value")
                    or (kind is str and len(item) <= _ENTRY_LIMITS[name])):
                return False
        elif name == "evidence":
            if type(item) is not list or not all(
                    type(text) is str and len(text) <= EVIDENCE_MAX_CHARS for text in item):
                return False
        else:
            return False
    return True


def _row_of(path: str, answers: Answers, values: dict[str, object], data: dict[Any, Any],
            loaded: LoadedRubric) -> Row | None:
    """Score a schema-valid answers file, or None where ``check_answers`` finds an error."""
    rubric = loaded.rubric
    levels = rubric.levels
    if isinstance(data.get("target"), bool) or (
            answers.target is not None and answers.target > len(levels)):
        return None
    questions = _table(loaded).questions
    scores: dict[str, float | None] = {}
    for key, value in values.items():
        spec = questions.get(key)
        if spec is None:
            return None  # unknown question
        if value is None:
            continue  # left blank: missing
        allow_na, options = spec
        if value == NA:
            if not allow_na:
                return None
            scores[key] = None
            continue
        option_score = options.get((type(value), value))
        if option_score is None:
            return None  # off the scale
        scores[key] = option_score
    outcome = profile(rubric, scores)
    weakest: int | None = None  # the first level with the lowest score, as min() picks
    weakest_score = 0.0
    for n, (level_score, _, _) in enumerate(outcome.levels):
        if level_score is not None and (weakest is None or level_score < weakest_score):
            weakest, weakest_score = n, level_score
    achieved = outcome.achieved_level
    return Row(
        path=path,
        subject=answers.subject,
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        rubric_digest=loaded.digest,
        date=answers.date,
        method=rubric.method,
        achieved_level=achieved,
        achieved_name=levels[achieved - 1].name if achieved else None,
        levels_achieved=sum(1 for _, _, status in outcome.levels if status == "achieved"),
        level_count=len(levels),
        index=outcome.index,
        weakest=None if weakest is None else levels[weakest].name,
        weakest_score=None if weakest is None else weakest_score,
    )


