"""Pydantic's schema errors turned into one located finding per offending place.

Pydantic reports where in the data a value broke the model, in its own words and
with union member names in the path; this maps each error back through the
document's :class:`~cslevels.core.locations.Document` to ``file:line:column`` (or a
workbook cell) with a message a person can act on and, for YAML 1.1 surprises
(``no`` read as false), a hint to quote the value.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from cslevels.core.checks import did_you_mean
from cslevels.core.locations import Document, Loc, finding_at
from cslevels.core.models import HEX_COLOUR_PATTERN
from cslevels.errors import Finding
from cslevels.text import shorten


def _all_field_names(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        for sub in _nested_models(info.annotation):
            names |= _all_field_names(sub, seen)
    return names


def _nested_models(annotation: Any) -> Iterable[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _nested_models(arg)
    metadata_origin = getattr(annotation, "__origin__", None)
    if metadata_origin is not None and metadata_origin is not annotation:
        yield from _nested_models(metadata_origin)


@cache
def _field_names(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(sorted(_all_field_names(model)))


class _Located(NamedTuple):
    """One pydantic error with its place in the data."""

    loc: Loc  # keys and indexes into the YAML data
    union_at: Loc | None  # where pydantic tried the members of a union, if it did
    at_key: bool  # the error is about a mapping key, not its value
    error: dict[str, Any]


def _locate_error(data: Any, error: dict[str, Any]) -> _Located:
    """Split pydantic's location into the data path and the tags pydantic adds.

    Pydantic puts union member names (``int``, ``constrained-str``, ``AnswerEntry``)
    and ``[key]`` into its locations; they index nothing in the YAML.  A part is data
    when the current value holds it, or when it names a missing field.
    """
    pydantic_loc = tuple(error["loc"])
    loc: list[Any] = []
    current = data
    union_at: Loc | None = None
    at_key = False
    for i, part in enumerate(pydantic_loc):
        last = i == len(pydantic_loc) - 1
        if last and error["type"] == "invalid_key" and isinstance(current, dict) \
                and error.get("input") in current:
            # pydantic names a key that is not text by its str() ('None' for null)
            loc.append(error["input"])
            at_key = True
            break
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            loc.append(part)
            current = current[part]
        elif isinstance(current, dict) and last and error["type"] == "missing":
            loc.append(part)
            current = None
        elif part == "[key]":
            at_key = True
        elif union_at is None:
            union_at = tuple(loc)
    return _Located(tuple(loc), union_at, at_key, error)


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "date_type": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "none_required": "nothing",
}


_LIMITS = {
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "may have at most {max_length} item(s)",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
}


_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


def plain_message(error: dict[str, Any]) -> str:
    """Pydantic's own message without its wording ("Value error, ...", "Input should be
    ..."), lower-cased to follow ``field:``."""
    kind = error.get("type")
    ctx = error.get("ctx") or {}
    if kind in ("literal_error", "enum") and "expected" in ctx:
        return f"must be {ctx['expected']}"
    msg = str(error.get("msg", ""))
    for prefix in _PYDANTIC_PREFIXES:
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if msg.startswith("Input should be "):
        msg = "must be " + msg[len("Input should be "):]
    return msg[:1].lower() + msg[1:]


def _share_hint(value: Any, ctx: dict[str, Any]) -> str | None:
    """A percentage where a share from 0 to 1 is meant: 85 for 0.85."""
    if ctx.get("le") == 1 and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and 2 <= value <= 100:  # 1.5 is more likely a slip than 1.5%
        return (f"this is a share from 0 to 1, not a percentage: for {value:g}% write "
                f"{value / 100:g}")
    return None


def _where(loc: Loc) -> str:
    """A path such as ``levels[0].questions[2].weight`` (indexes count from 0)."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return f"the text {shorten(value)!r}"
    return type(value).__name__  # pragma: no cover - YAML yields no other types


def schema_findings(
    exc: ValidationError, doc: Document, model: type[BaseModel]
) -> list[Finding]:
    """Turn pydantic's errors into one finding per offending place in the YAML."""
    located = [_locate_error(doc.data, dict(e)) for e in exc.errors(include_url=False)]
    # When one member of a union got further into the value (the value is a mapping
    # and the model member found a bad field), its errors are the useful ones.
    deeper = {e.union_at for e in located
              if e.union_at is not None and len(e.loc) > len(e.union_at)}
    located = [e for e in located if not (e.union_at in deeper and e.loc == e.union_at)]
    by_loc: dict[tuple[Loc, bool], list[_Located]] = {}
    for item in located:
        by_loc.setdefault((item.loc, item.at_key), []).append(item)
    findings: list[Finding] = []
    for (loc, at_key), items in by_loc.items():
        message, hint, prefer_key = _message(loc, at_key, [i.error for i in items], doc, model)
        findings.append(finding_at(doc, loc, message, prefer_key=prefer_key, hint=hint,
                                   code="schema"))
    return findings


def _yaml_hint(loc: Loc, value: Any, errors: list[dict[str, Any]], doc: Document) -> str | None:
    """Explain a YAML 1.1 surprise: an unquoted ``no``, ``1.10`` or date read as non-text."""
    raw = doc.raw_plain_scalar(loc)
    if raw is None or value is None or isinstance(value, str):
        return None
    wants_text = any(e["type"] == "string_type" for e in errors)
    if wants_text:
        return f"YAML read {raw} as {describe(value)}; put it in quotes: \"{raw}\""
    if isinstance(value, bool) and raw.lower() not in {"true", "false"}:
        return f"YAML reads an unquoted {raw} as the boolean {str(value).lower()}"
    return None


def _answer_hint(raw: str | None, value: Any) -> str | None:
    """For an answer YAML read as a boolean: give an option's value, never just quote it
    (on a numeric scale "yes" is no option either)."""
    if not isinstance(value, bool):
        return None
    shown = raw or str(value).lower()
    return (f"YAML reads an unquoted {shown} as the boolean {str(value).lower()}; answer with "
            "the value of one of the question's options (listed in `cslevels template "
            "RUBRIC`), in quotes only if that value is itself a word such as \"yes\"")


def _message(
    loc: Loc,
    at_key: bool,
    errors: list[dict[str, Any]],
    doc: Document,
    model: type[BaseModel],
) -> tuple[str, str | None, bool]:
    """Message, hint, and whether to point at the key rather than the value."""
    where = _where(loc)
    error = errors[0]
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        return f"unknown field {name!r}", did_you_mean(name, _field_names(model)), True
    if kind == "missing":
        parent = _where(loc[:-1]) if loc[:-1] else ""
        inside = f" in {parent}" if parent else ""
        return f"missing required field {str(loc[-1])!r}{inside}", None, False
    if kind == "invalid_key":
        inside = f" in {_where(loc[:-1])}" if loc[:-1] else ""
        return (f"a key must be text, got {describe(error.get('input'))}{inside}",
                "put the key in quotes to make it text", True)
    if at_key:
        if loc and loc[0] == "answers":
            return (f"answer key {loc[-1]!r} must be <level-id>.<question-id>", None, True)
        return f"{where}: invalid key ({plain_message(error)})", None, True
    value = error.get("input")
    hint = _yaml_hint(loc, value, errors, doc)
    got = describe(value)
    if len(errors) > 1:  # the members of a union, each refusing the value
        if loc and loc[0] == "answers" and len(loc) == 2:
            return (f"answer to {loc[1]}: expected an option value, n/a, or a mapping with "
                    f"value/note/evidence, got {got}",
                    _answer_hint(doc.raw_plain_scalar(loc), value) or hint, False)
        expected = sorted({_EXPECTED.get(e["type"], plain_message(e)) for e in errors})
        return f"{where}: expected {' or '.join(expected)}, got {got}", hint, False
    if kind == "literal_error" and loc and loc[-1] == "schema":
        expected = error.get("ctx", {}).get("expected", "")
        return f"schema must be {expected}, got {got}", None, False
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == \
            HEX_COLOUR_PATTERN:
        return (f"{where}: {value!r} is not a colour: write it as #rrggbb, e.g. '#1f5f8b'",
                None, False)
    if kind == "string_pattern_mismatch":
        return (f"{where}: {value!r} is not a valid id: use lowercase letters, digits and "
                "single dashes, e.g. 'follow-up'", None, False)
    if kind in _EXPECTED:
        return f"{where}: expected {_EXPECTED[kind]}, got {got}", hint, False
    if isinstance(value, float) and not math.isfinite(value):
        # "must be at most 1" is true but puzzling for .nan, which compares false to all
        return f"{where}: expected a finite number, got {got}", None, False
    ctx = error.get("ctx") or {}
    if kind in _LIMITS:
        if kind in {"too_short", "too_long"}:
            got = f"{ctx.get('actual_length', '?')}"
        return (f"{where}: {_LIMITS[kind].format(**ctx)}, got {got}",
                hint or _share_hint(value, ctx), False)
    if kind in ("literal_error", "enum") and isinstance(value, str):
        options = [o.strip(" '") for o in str(ctx.get("expected", "")).replace(" or ", ",")
                   .split(",") if o.strip(" '")]
        hint = hint or did_you_mean(value, options)
    return f"{where}: {plain_message(error)}, got {got}", hint, False


