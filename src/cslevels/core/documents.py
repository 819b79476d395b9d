"""From parsed data to a valid rubric or answers file: the medium-free half of loading.

A reader (``cslevels.files.readers``) turns a file into a
:class:`~cslevels.core.locations.Document`; these functions tell its kind, validate it
against the models and the cross-document checks, and return the loaded record with
every finding located in the file.  An answers file names its rubric; rubrics are
looked up through a :class:`RubricResolver`, so this module never touches the disk.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, NamedTuple, Protocol, runtime_checkable

from pydantic import ValidationError

from cslevels.core.checks import (
    best_matching_rubric,
    capped,
    check_answers,
    check_rubric,
    foreign_answers,
    foreign_answers_finding,
)
from cslevels.core.locations import Document, finding_at
from cslevels.core.models import ANSWERS_SCHEMA, BRAND_SCHEMA, RUBRIC_SCHEMA, Answers, Brand, Rubric
from cslevels.core.schema_errors import describe, schema_findings
from cslevels.errors import Finding, InputError, RubricNotFoundError
from cslevels.text import shorten

Kind = Literal["rubric", "answers", "brand"]
_RUBRIC_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # as models.Identifier
RUBRIC_SUFFIXES = (".yaml", ".yml")  # rubrics are YAML files only


# The records here are NamedTuples rather than frozen dataclasses for start-up time; see
# the note in cslevels.core.scoring.
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


class Logo(NamedTuple):
    """A brand's logo, checked and ready to embed: its media type and its bytes."""

    media_type: Literal["image/png", "image/jpeg", "image/svg+xml"]
    data: bytes

    @property
    def data_uri(self) -> str:
        import base64

        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


class LoadedBrand(NamedTuple):
    """A valid brand file with its logo read and checked (``--brand``, ``CSLEVELS_BRAND``)."""

    brand: Brand
    path: Path
    logo: Logo | None = None


class RubricResolver(Protocol):
    """Finds a rubric by the reference an answers file gives (an id or a path)."""

    def resolve(self, ref: str) -> LoadedRubric:
        """The rubric, or raise :class:`~cslevels.errors.RubricNotFoundError`."""
        ...


@runtime_checkable
class RubricCatalog(Protocol):
    """A resolver that can also list its rubrics (to say which one an answers file fits)."""

    def rubrics(self) -> Iterable[Rubric]:
        ...


_SCHEMAS: dict[str, Kind] = {RUBRIC_SCHEMA: "rubric", ANSWERS_SCHEMA: "answers",
                             BRAND_SCHEMA: "brand"}
_KIND_NAMES = {"rubric": "a rubric", "answers": "an answers file", "brand": "a brand file"}
_WRONG_KIND_HINTS = {
    "answers": "score takes answers files; see `cslevels template`",
    "brand": "--brand takes a brand file, one with `schema: cslevels/brand/v1`; see "
             "docs/rubric-format.md",
}


def expect_kind(doc: Document, kind: Kind) -> None:
    """Refuse a document of another kind (an answers file where a rubric is needed)."""
    found = document_kind(doc, expected=kind)
    if found != kind:
        raise InputError(f"this is {_KIND_NAMES[found]}, not {_KIND_NAMES[kind]}",
                         path=doc.path, code="wrong-kind", hint=_WRONG_KIND_HINTS.get(kind))


def document_kind(doc: Document, *, expected: Kind | None = None) -> Kind:
    """Tell a rubric, an answers file and a brand file apart by their ``schema:`` line.

    ``expected`` only words the hint for a file that is none of them: a brand file's
    schema when a brand file was asked for.
    """
    data = doc.data
    schema = data.get("schema") if isinstance(data, dict) else None
    if isinstance(schema, str) and schema in _SCHEMAS:
        return _SCHEMAS[schema]
    line, column, cell = doc.locate(("schema",) if isinstance(data, dict) and "schema" in data
                                    else ())
    if not isinstance(data, dict):
        message = f"not a cslevels file: the document is {describe(data)}, not a mapping"
    elif "schema" not in data:
        message = "not a cslevels file: it has no `schema:` field"
    else:
        message = f"unknown schema {schema!r}"
    brandish = isinstance(schema, str) and schema.startswith(BRAND_SCHEMA.rpartition("/")[0])
    hint = (f"start the file with `schema: {BRAND_SCHEMA}`" if expected == "brand" or brandish
            else
            f"start the file with `schema: {RUBRIC_SCHEMA}` or `schema: {ANSWERS_SCHEMA}`")
    raise InputError(
        message, path=doc.path, line=line, column=column, cell=cell, code="unknown-kind",
        hint=hint,
    )


def brand_from_document(doc: Document) -> tuple[Brand | None, list[Finding]]:
    """Validate a parsed brand file against the model (its logo is the reader's to check)."""
    try:
        # Strict, as rubrics: `firm: yes` must not pass as the text "True".
        brand = Brand.model_validate(doc.data, strict=True)
    except ValidationError as exc:
        return None, capped(schema_findings(exc, doc, Brand))
    if brand.accent is None and "accent" in doc.data:  # `accent: #1f5f8b` reads as null
        return None, [finding_at(doc, ("accent",), "accent: no colour given", code="invalid",
                                 hint='quote it, as in accent: "#1f5f8b": in YAML an unquoted '
                                      "# starts a comment")]
    return brand, []


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
    return json.dumps(doc.data, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")


def is_rubric_reference(ref: str) -> bool:
    """Whether an answers file's ``rubric:`` may be looked up: an id or a .yaml file.

    Nothing else: an answers file someone sent you must not make cslevels read (and
    quote in a message) /etc/passwd, /proc/self/environ or /dev/zero.
    """
    if "\0" in ref:
        return False
    return bool(_RUBRIC_ID.fullmatch(ref)) or Path(ref).suffix.lower() in RUBRIC_SUFFIXES


def origin_findings(doc: Document, loaded: LoadedRubric) -> list[Finding]:
    """A medium that maps its own rows and labels (a workbook) records the content hash
    of the rubric it was made from: another version or copy of the rubric is refused,
    saying which."""
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
    doc: Document, path: Path, library: RubricResolver, rubric_override: LoadedRubric | None,
    *, check_origin: bool = True,
) -> tuple[LoadedAnswers | None, list[Finding]]:
    """Validate a parsed answers file against its rubric.

    ``check_origin`` refuses a workbook made from another version of its rubric
    (:func:`origin_findings`); ``template --from`` turns it off to carry such answers over.
    """
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
        origin = origin_findings(doc, loaded_rubric)
        if origin:
            return None, origin
    if foreign_answers(answers, loaded_rubric.rubric):
        others = (library.rubrics() if isinstance(library, RubricCatalog) else ())
        match = best_matching_rubric(
            answers, (r for r in others if r.id != loaded_rubric.rubric.id))
        return None, [foreign_answers_finding(answers, loaded_rubric.rubric, doc, match)]
    findings = capped(check_answers(answers, loaded_rubric.rubric, doc))
    if any(f.severity == "error" for f in findings):
        return None, findings
    return LoadedAnswers(answers, loaded_rubric, path, tuple(findings)), findings


class Judged(NamedTuple):
    """A document's kind, what it loads to (None when it has errors), and its findings."""

    kind: Kind
    loaded: LoadedRubric | LoadedAnswers | None
    findings: list[Finding]


def judge_document(doc: Document, path: Path, resolver: RubricResolver,
                   rubric_override: LoadedRubric | None = None) -> Judged:
    """The one pipeline after reading: tell the kind (raising ``InputError`` for a file
    that is neither), then validate the document as that kind."""
    kind = document_kind(doc)
    if kind == "brand":  # only validate and --brand read brand files (cslevels.files.brand)
        raise InputError(f"this is {_KIND_NAMES[kind]}, not a rubric or an answers file",
                         path=doc.path, code="wrong-kind",
                         hint="give it to --brand (score, compare, summary, show)")
    if kind == "rubric":
        return Judged(kind, *rubric_from_document(doc, path))
    return Judged(kind, *answers_from_document(doc, path, resolver, rubric_override))
