"""Loading rubrics and answers files, and finding rubrics by id.

Loading is YAML (``cslevels.yamlio``) then schema (``cslevels.models``) then the
cross-document rules (``cslevels.checks``).  Schema errors from pydantic are
mapped back to the YAML node they came from so every message reads
``file:line:column: ...``.  Rubrics are cached in memory by path and modification
time, so that a batch of answers files loads each rubric once, and on disk by
content (``cslevels.rubric_cache``), so that the next command does not redo it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ValidationError

from cslevels import rubric_cache
from cslevels.checks import capped, check_answers, check_rubric, did_you_mean
from cslevels.core.locations import Document, Loc, finding_at
from cslevels.errors import Finding, InputError, InvalidDocumentError, RubricNotFoundError
from cslevels.models import ANSWERS_SCHEMA, RUBRIC_SCHEMA, Answers, Rubric
from cslevels.yamlio import decode, load_path, parse, read_bytes, shorten

Kind = Literal["rubric", "answers"]
# Answers workbooks, and the spreadsheet kinds their reader refuses by name; the
# reader (and openpyxl) is imported only when one of these is read.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltm", ".xlsb", ".xls", ".ods")
RUBRICS_PATH_ENV = "CSLEVELS_RUBRICS_PATH"
_RUBRIC_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # as models.Identifier


# The records here are NamedTuples rather than frozen dataclasses for start-up time; see
# the note in cslevels.scoring.
class LoadedRubric(NamedTuple):
    """A valid rubric with where it came from and a hash of its exact content."""

    rubric: Rubric
    path: Path
    digest: str
    warnings: tuple[Finding, ...] = ()

    @property
    def short_digest(self) -> str:
        return self.digest[:12]


class LoadedAnswers(NamedTuple):
    """A valid answers file together with the rubric it was checked against."""

    answers: Answers
    rubric: LoadedRubric
    path: Path
    warnings: tuple[Finding, ...] = ()


# ---------------------------------------------------------------- schema errors


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


def _where(loc: Loc) -> str:
    """A path such as ``levels[0].questions[2].weight`` (indexes count from 0)."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def _describe(value: Any) -> str:
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
        return f"YAML read {raw} as {_describe(value)}; put it in quotes: \"{raw}\""
    if isinstance(value, bool) and raw.lower() not in {"true", "false"}:
        return f"YAML reads an unquoted {raw} as the boolean {str(value).lower()}"
    return None


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
    if at_key:
        if loc and loc[0] == "answers":
            return (f"answer key {loc[-1]!r} must be <level-id>.<question-id>", None, True)
        return f"{where}: invalid key ({error['msg']})", None, True
    value = error.get("input")
    hint = _yaml_hint(loc, value, errors, doc)
    got = _describe(value)
    if len(errors) > 1:  # the members of a union, each refusing the value
        if loc and loc[0] == "answers" and len(loc) == 2:
            return (f"answer to {loc[1]}: expected an option value, n/a, or a mapping with "
                    f"value/note/evidence, got {got}", hint, False)
        expected = sorted({_EXPECTED.get(e["type"], e["msg"]) for e in errors})
        return f"{where}: expected {' or '.join(expected)}, got {got}", hint, False
    if kind == "literal_error" and loc and loc[-1] == "schema":
        expected = error.get("ctx", {}).get("expected", "")
        return f"schema must be {expected}, got {got}", None, False
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
        return f"{where}: {_LIMITS[kind].format(**ctx)}, got {got}", hint, False
    return f"{where}: {error['msg'][:1].lower()}{error['msg'][1:]} (got {got})", hint, False


# ---------------------------------------------------------------- documents


def document_kind(doc: Document) -> Kind:
    """Tell a rubric from an answers file by its ``schema:`` line."""
    data = doc.data
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema == RUBRIC_SCHEMA:
        return "rubric"
    if schema == ANSWERS_SCHEMA:
        return "answers"
    line, column, cell = doc.locate(("schema",) if isinstance(data, dict) and "schema" in data
                                    else ())
    if not isinstance(data, dict):
        message = f"not a cslevels file: the document is {_describe(data)}, not a mapping"
    elif "schema" not in data:
        message = "not a cslevels file: it has no `schema:` field"
    else:
        message = f"unknown schema {schema!r}"
    raise InputError(
        message, path=doc.path, line=line, column=column, cell=cell, code="unknown-kind",
        hint=f"start the file with `schema: {RUBRIC_SCHEMA}` or `schema: {ANSWERS_SCHEMA}`",
    )


def rubric_from_document(
    doc: Document, path: Path
) -> tuple[LoadedRubric | None, list[Finding]]:
    """Validate a parsed rubric; the result is None when any error was found."""
    try:
        # Strict: a YAML 1.1 boolean (`threshold: yes`) must not pass as the number 1.
        rubric = Rubric.model_validate(doc.data, strict=True)
    except ValidationError as exc:
        return None, capped(schema_findings(exc, doc, Rubric))
    findings = capped(check_rubric(rubric, doc))
    if any(f.severity == "error" for f in findings):
        return None, findings
    digest = hashlib.sha256(_canonical_text(doc)).hexdigest()
    return LoadedRubric(rubric, path, digest, tuple(findings)), findings


def _canonical_text(doc: Document) -> bytes:
    # The digest is of the parsed content, so reformatting or comments do not change it.
    import json

    return json.dumps(doc.data, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")


_RUBRIC_CACHE: dict[tuple[str, int, int], LoadedRubric] = {}


def load_rubric(path: Path) -> LoadedRubric:
    """Load, validate and cache a rubric file; raise with every error found."""
    if "\0" in str(path):
        raise InputError("a file name cannot contain a NUL character", path=repr(str(path)),
                         code="not-found")
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    if key is not None and key in _RUBRIC_CACHE:
        return _RUBRIC_CACHE[key]
    raw = read_bytes(path)
    entry = rubric_cache.entry_path(path, raw)
    loaded = rubric_cache.load(entry, path) if entry is not None else None
    if loaded is None:
        doc = parse(decode(raw, str(path)), str(path))
        if document_kind(doc) != "rubric":
            raise InputError("this is an answers file, not a rubric", path=str(path),
                             code="wrong-kind")
        loaded, findings = rubric_from_document(doc, path)
        if loaded is None:
            raise InvalidDocumentError(findings)
        if entry is not None:
            rubric_cache.store(entry, loaded)
    if key is not None:
        _RUBRIC_CACHE[key] = loaded
    return loaded


def is_rubric_reference(ref: str) -> bool:
    """Whether an answers file's ``rubric:`` may be looked up: an id or a .yaml file.

    Nothing else: an answers file someone sent you must not make cslevels read (and
    quote in a message) /etc/passwd, /proc/self/environ or /dev/zero.
    """
    if "\0" in ref:
        return False
    return bool(_RUBRIC_ID.fullmatch(ref)) or Path(ref).suffix.lower() in {".yaml", ".yml"}


def load_document(path: Path) -> Document:
    """Read one answers or rubric file in its medium: a workbook by its suffix, else YAML."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from cslevels.files.workbook import read_workbook

        return read_workbook(path)
    return load_path(path)


def _origin_findings(doc: Document, loaded: LoadedRubric) -> list[Finding]:
    """A workbook maps its rows and labels with the rubric it was made from: another
    version or another copy of the rubric is refused, saying which."""
    made_from = getattr(doc, "rubric_digest", None)
    if made_from is None or made_from == loaded.digest:
        return []
    rubric = loaded.rubric
    data = doc.data if isinstance(doc.data, dict) else {}
    version = data.get("rubric_version")
    hint = (f"carry the answers over to a new workbook: cslevels template {rubric.id} "
            f"--from {doc.path} -o NEW.xlsx")
    if version != rubric.version:
        message = (f"this workbook was made for {rubric.id} version {shorten(str(version))}, "
                   f"but the rubric is version {rubric.version} ({loaded.path})")
    else:
        message = (f"this workbook was made from another copy of {rubric.id} version "
                   f"{rubric.version} (content hash {str(made_from)[:12]}; the rubric here, "
                   f"{loaded.path}, is {loaded.short_digest})")
    return [finding_at(doc, ("rubric_version",), message, code="workbook-rubric-changed",
                       hint=hint)]


def answers_from_document(
    doc: Document, path: Path, library: RubricLibrary, rubric_override: LoadedRubric | None,
    *, check_origin: bool = True,
) -> tuple[LoadedAnswers | None, list[Finding]]:
    """Validate a parsed answers file against its rubric.

    ``check_origin`` refuses a workbook made from another version of the rubric;
    ``template --from`` turns it off, to carry such answers over."""
    try:
        answers = Answers.model_validate(doc.data)
    except ValidationError as exc:
        return None, capped(schema_findings(exc, doc, Answers))
    if rubric_override is not None:
        loaded_rubric = rubric_override
        if rubric_override.rubric.id != answers.rubric:
            return None, [finding_at(
                doc, ("rubric",), code="rubric-mismatch",
                message=f"answers are for rubric {answers.rubric!r}, but --rubric gave "
                f"{rubric_override.rubric.id!r}")]
    elif not is_rubric_reference(answers.rubric):
        return None, [finding_at(
            doc, ("rubric",), code="rubric-not-an-id",
            message=f"rubric: {shorten(answers.rubric)!r} is neither a rubric id nor a "
            ".yaml file",
            hint="name a rubric by its id, e.g. seven-levels, or give --rubric FILE")]
    else:
        try:
            loaded_rubric = library.resolve(answers.rubric)
        except RubricNotFoundError as exc:
            return None, [finding_at(doc, ("rubric",), f"unknown rubric {answers.rubric!r}",
                                     hint=exc.hint, code="rubric-not-found")]
    if check_origin:
        origin = _origin_findings(doc, loaded_rubric)
        if origin:
            return None, origin
    findings = capped(check_answers(answers, loaded_rubric.rubric, doc))
    if any(f.severity == "error" for f in findings):
        return None, findings
    return LoadedAnswers(answers, loaded_rubric, path, tuple(findings)), findings


def load_answers(
    path: Path, library: RubricLibrary | None = None, rubric: LoadedRubric | None = None
) -> LoadedAnswers:
    """Load an answers file (YAML or a workbook) and check it against its rubric; raise
    on any error."""
    doc = load_document(path)
    if document_kind(doc) != "answers":
        raise InputError(
            "this is a rubric, not an answers file", path=str(path), code="wrong-kind",
            hint="score takes answers files; see `cslevels template`",
        )
    loaded, findings = answers_from_document(doc, path, library or RubricLibrary(), rubric)
    if loaded is None:
        raise InvalidDocumentError(findings)
    return loaded


# ---------------------------------------------------------------- the rubric library


def builtin_rubrics_dir() -> Path:
    """The rubrics shipped with cslevels (inside the wheel, or the source tree)."""
    packaged = Path(__file__).parent / "rubrics"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rubrics"


class RubricEntry(NamedTuple):
    id: str
    path: Path
    origin: str
    rubric: LoadedRubric | None
    error: str | None = None


class RubricLibrary:
    """Where rubric ids are looked up: --rubrics-dir, CSLEVELS_RUBRICS_PATH, built-ins."""

    def __init__(self, extra_dirs: Sequence[Path] = ()) -> None:
        dirs: list[tuple[Path, str]] = [(Path(d), "--rubrics-dir") for d in extra_dirs]
        for folder, _origin in dirs:
            # A mistyped --rubrics-dir would otherwise be ignored in silence and its rubrics
            # reported as unknown; folders in CSLEVELS_RUBRICS_PATH may come and go.
            if not folder.is_dir():
                raise InputError("--rubrics-dir: no such folder", path=str(folder),
                                 code="not-found")
        env = os.environ.get(RUBRICS_PATH_ENV, "")
        dirs += [(Path(p), RUBRICS_PATH_ENV) for p in env.split(os.pathsep) if p]
        dirs.append((builtin_rubrics_dir(), "built-in"))
        self.dirs = dirs

    def _files(self) -> Iterable[tuple[Path, str]]:
        for folder, origin in self.dirs:
            if folder.is_dir():
                for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
                    yield path, origin

    def resolve(self, ref: str) -> LoadedRubric:
        """A rubric by path (when ``ref`` names a file) or by id."""
        as_path = Path(ref)
        if as_path.suffix in {".yaml", ".yml"} or "/" in ref or os.sep in ref or as_path.is_file():
            return load_rubric(as_path)
        for folder, _origin in self.dirs:  # folder by folder: an earlier one shadows later ones
            if not folder.is_dir():
                continue
            named = [folder / f"{ref}{suffix}" for suffix in (".yaml", ".yml")]
            others = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
            for path in [*named, *others]:  # a file named after the id is tried first
                if not path.is_file():
                    continue
                try:
                    loaded = load_rubric(path)
                except (InputError, InvalidDocumentError) as exc:
                    if path in named and exc.code != "wrong-kind":
                        raise  # the file that should hold this rubric is broken: say why
                    continue  # another broken file: `cslevels list` reports it
                if loaded.rubric.id == ref:
                    return loaded
        ids = sorted({e.id for e in self.entries() if e.rubric is not None})
        hint = did_you_mean(ref, ids)
        available = f"available: {', '.join(ids)}" if ids else "no rubrics found"
        # No path: the id came from the command line (an answers file that names it adds
        # its own file:line:column), and a made-up path would only mislead.
        raise RubricNotFoundError(
            f"unknown rubric {ref!r}", code="rubric-not-found",
            hint=f"{hint} {available}" if hint else available,
        )

    def entries(self) -> list[RubricEntry]:
        """Every rubric file in the library; broken ones carry their error."""
        found: list[RubricEntry] = []
        seen: set[str] = set()
        for path, origin in self._files():
            try:
                loaded = load_rubric(path)
            except (InputError, InvalidDocumentError) as exc:
                if exc.code == "wrong-kind":
                    continue  # an answers file kept beside the rubrics is not a broken rubric
                first = next((f for f in exc.to_findings() if f.severity == "error"),
                             exc.to_findings()[0])
                found.append(RubricEntry(path.stem, path, origin, None, str(first)))
                continue
            if loaded.rubric.id in seen:
                continue  # an earlier folder shadows it
            seen.add(loaded.rubric.id)
            found.append(RubricEntry(loaded.rubric.id, path, origin, loaded))
        return found
