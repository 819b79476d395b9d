"""Loading rubrics and answers files, and finding rubrics by id.

Loading is YAML (``cslevels.yamlio``) then schema (``cslevels.models``) then the
cross-document rules (``cslevels.checks``).  Schema errors from pydantic are
mapped back to the YAML node they came from so every message reads
``file:line:column: ...``.  Rubrics are cached by path and modification time so
that a batch of answers files loads each rubric once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from cslevels.checks import check_answers, check_rubric, did_you_mean
from cslevels.errors import Finding, InputError, InvalidDocumentError, RubricNotFoundError
from cslevels.models import ANSWERS_SCHEMA, RUBRIC_SCHEMA, Answers, Rubric
from cslevels.yamlio import Loc, YamlDocument, load_path, read_text

Kind = Literal["rubric", "answers"]
RUBRICS_PATH_ENV = "CSLEVELS_RUBRICS_PATH"


@dataclass(frozen=True)
class LoadedRubric:
    """A valid rubric with where it came from and a hash of its exact content."""

    rubric: Rubric
    path: Path
    digest: str
    warnings: tuple[Finding, ...] = ()

    @property
    def short_digest(self) -> str:
        return self.digest[:12]


@dataclass(frozen=True)
class LoadedAnswers:
    """A valid answers file together with the rubric it was checked against."""

    answers: Answers
    rubric: LoadedRubric
    path: Path
    warnings: tuple[Finding, ...] = field(default=())


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


def _data_loc(data: Any, pydantic_loc: Sequence[int | str]) -> Loc:
    """Keep the parts of pydantic's location that index the data (drop union tags)."""
    loc: list[Any] = []
    current = data
    for part in pydantic_loc:
        if isinstance(current, dict) and part in current:
            loc.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            loc.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and not _is_union_tag(part):
            loc.append(part)  # a missing or unknown key
            current = None
    return tuple(loc)


def _is_union_tag(part: str) -> bool:
    return part in {"int", "str", "float", "bool", "none", "dict", "list"} or any(
        c in part for c in "[]()"
    ) or part[:1].isupper()


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return f"{type(value).__name__} {value!r}"


def schema_findings(
    exc: ValidationError, doc: YamlDocument, model: type[BaseModel]
) -> list[Finding]:
    """Turn pydantic's errors into one finding per offending place in the YAML."""
    by_loc: dict[Loc, list[dict[str, Any]]] = {}
    for error in exc.errors(include_url=False):
        by_loc.setdefault(_data_loc(doc.data, error["loc"]), []).append(dict(error))
    findings: list[Finding] = []
    for loc, errors in by_loc.items():
        message, hint, at_key = _message(loc, errors, doc, model)
        line, column = doc.locate(loc, prefer_key=at_key)
        findings.append(
            Finding(path=doc.path, message=message, line=line, column=column, hint=hint,
                    code="schema")
        )
    return findings


def _message(
    loc: Loc, errors: list[dict[str, Any]], doc: YamlDocument, model: type[BaseModel]
) -> tuple[str, str | None, bool]:
    where = ".".join(str(p) for p in loc) or "document"
    error = errors[0]
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        return f"unknown field {name!r}", did_you_mean(name, _field_names(model)), True
    if kind == "missing":
        return f"missing required field {str(loc[-1])!r}", None, False
    if kind == "model_type" and len(loc) == 0:
        return f"the document must be a mapping of fields, not {_describe(doc.data)}", None, False
    value = error.get("input")
    hint = None
    raw = doc.raw_plain_scalar(loc)
    if raw is not None and not isinstance(value, str):
        hint = f"YAML read {raw} as {_describe(value)}; put it in quotes: \"{raw}\""
    if len(errors) > 1 and all(e["type"] != "missing" for e in errors):
        if loc and loc[0] == "answers":
            return (f"{where}: expected an option value, n/a, or a mapping with value/note/"
                    f"evidence, got {_describe(value)}", hint, False)
        msgs = sorted({e["msg"] for e in errors})
        return f"{where}: {'; or '.join(msgs)} (got {_describe(value)})", hint, False
    if kind == "literal_error" and loc and loc[-1] == "schema":
        expected = error.get("ctx", {}).get("expected", "")
        return f"schema must be {expected}, got {_describe(value)}", None, False
    if kind == "string_pattern_mismatch":
        if loc and loc[0] == "answers":
            return (f"answer key {loc[-1]!r} must be <level-id>.<question-id>", None, True)
        return (f"{where}: {value!r} is not a valid id: use lowercase letters, digits and "
                "dashes, e.g. 'follow-up'", None, False)
    return f"{where}: {error['msg']} (got {_describe(value)})", hint, False


# ---------------------------------------------------------------- documents


def document_kind(doc: YamlDocument) -> Kind:
    """Tell a rubric from an answers file by its ``schema:`` line."""
    data = doc.data
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema == RUBRIC_SCHEMA:
        return "rubric"
    if schema == ANSWERS_SCHEMA:
        return "answers"
    line, column = doc.locate(("schema",)) if isinstance(data, dict) and "schema" in data else (
        doc.locate(())
    )
    if not isinstance(data, dict):
        message = f"not a cslevels file: the document is {_describe(data)}, not a mapping"
    elif "schema" not in data:
        message = "not a cslevels file: it has no `schema:` field"
    else:
        message = f"unknown schema {schema!r}"
    raise InputError(
        message, path=doc.path, line=line, column=column, code="unknown-kind",
        hint=f"start the file with `schema: {RUBRIC_SCHEMA}` or `schema: {ANSWERS_SCHEMA}`",
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(read_text(path).encode("utf-8")).hexdigest()


def rubric_from_document(doc: YamlDocument, path: Path) -> tuple[LoadedRubric | None, list[Finding]]:
    """Validate a parsed rubric; the result is None when any error was found."""
    try:
        rubric = Rubric.model_validate(doc.data)
    except ValidationError as exc:
        return None, schema_findings(exc, doc, Rubric)
    findings = check_rubric(rubric, doc)
    if any(f.severity == "error" for f in findings):
        return None, findings
    digest = hashlib.sha256(_canonical_text(doc)).hexdigest()
    return LoadedRubric(rubric, path, digest, tuple(findings)), findings


def _canonical_text(doc: YamlDocument) -> bytes:
    # The digest is of the parsed content, so reformatting or comments do not change it.
    import json

    return json.dumps(doc.data, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")


_RUBRIC_CACHE: dict[tuple[str, int, int], LoadedRubric] = {}


def load_rubric(path: Path) -> LoadedRubric:
    """Load, validate and cache a rubric file; raise with every error found."""
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    if key is not None and key in _RUBRIC_CACHE:
        return _RUBRIC_CACHE[key]
    doc = load_path(path)
    if document_kind(doc) != "rubric":
        raise InputError("this is an answers file, not a rubric", path=str(path),
                         code="wrong-kind")
    loaded, findings = rubric_from_document(doc, path)
    if loaded is None:
        raise InvalidDocumentError(findings)
    if key is not None:
        _RUBRIC_CACHE[key] = loaded
    return loaded


def answers_from_document(
    doc: YamlDocument, path: Path, library: RubricLibrary, rubric_override: LoadedRubric | None
) -> tuple[LoadedAnswers | None, list[Finding]]:
    """Validate a parsed answers file against its rubric."""
    try:
        answers = Answers.model_validate(doc.data)
    except ValidationError as exc:
        return None, schema_findings(exc, doc, Answers)
    if rubric_override is not None:
        loaded_rubric = rubric_override
        if rubric_override.rubric.id != answers.rubric:
            line, column = doc.locate(("rubric",))
            return None, [Finding(
                path=doc.path, line=line, column=column, code="rubric-mismatch",
                message=f"answers are for rubric {answers.rubric!r}, but --rubric gave "
                f"{rubric_override.rubric.id!r}")]
    else:
        try:
            loaded_rubric = library.resolve(answers.rubric)
        except RubricNotFoundError as exc:
            line, column = doc.locate(("rubric",))
            return None, [Finding(path=doc.path, line=line, column=column, message=exc.message,
                                  hint=exc.hint, code="rubric-not-found")]
    findings = check_answers(answers, loaded_rubric.rubric, doc)
    if any(f.severity == "error" for f in findings):
        return None, findings
    return LoadedAnswers(answers, loaded_rubric, path, tuple(findings)), findings


def load_answers(
    path: Path, library: RubricLibrary | None = None, rubric: LoadedRubric | None = None
) -> LoadedAnswers:
    """Load an answers file and check it against its rubric; raise on any error."""
    doc = load_path(path)
    if document_kind(doc) != "answers":
        raise InputError("this is a rubric, not an answers file", path=str(path),
                         code="wrong-kind", hint="score takes answers files; see `cslevels template`")
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


@dataclass(frozen=True)
class RubricEntry:
    id: str
    path: Path
    origin: str
    rubric: LoadedRubric | None
    error: str | None = None


class RubricLibrary:
    """Where rubric ids are looked up: --rubrics-dir, CSLEVELS_RUBRICS_PATH, built-ins."""

    def __init__(self, extra_dirs: Sequence[Path] = ()) -> None:
        dirs: list[tuple[Path, str]] = [(Path(d), "--rubrics-dir") for d in extra_dirs]
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
        if as_path.suffix in {".yaml", ".yml"} or os.sep in ref or as_path.is_file():
            return load_rubric(as_path)
        for folder, _origin in self.dirs:  # fast path: files named after their id
            for suffix in (".yaml", ".yml"):
                candidate = folder / f"{ref}{suffix}"
                if candidate.is_file():
                    loaded = load_rubric(candidate)
                    if loaded.rubric.id == ref:
                        return loaded
        for entry in self.entries():
            if entry.id == ref and entry.rubric is not None:
                return entry.rubric
        ids = sorted({e.id for e in self.entries() if e.rubric is not None})
        hint = did_you_mean(ref, ids)
        available = f"available: {', '.join(ids)}" if ids else "no rubrics found"
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
                found.append(RubricEntry(path.stem, path, origin, None, str(exc).splitlines()[0]))
                continue
            if loaded.rubric.id in seen:
                continue  # an earlier folder shadows it
            seen.add(loaded.rubric.id)
            found.append(RubricEntry(loaded.rubric.id, path, origin, loaded))
        return found
