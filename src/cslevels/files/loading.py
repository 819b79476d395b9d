"""Loading rubric and answers files: read, tell the kind, validate, check.

Reading goes through the reader registry (``cslevels.files.readers``); everything
after that is the medium-free half in ``cslevels.core.documents``.  Rubrics are
cached in memory by path and modification time, so that a batch of answers files
loads each rubric once, and on disk by content (``cslevels.files.rubric_cache``), so
that the next command does not redo it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cslevels.core.documents import (
    LoadedAnswers,
    LoadedRubric,
    RubricResolver,
    expect_kind,
    judge_document,
    rubric_from_document,
)
from cslevels.errors import CslevelsError, Finding, InputError, InvalidDocumentError
from cslevels.files import rubric_cache
from cslevels.files.readers import read_document
from cslevels.files.yamlio import decode, parse, read_bytes

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
        expect_kind(doc, "rubric")
        loaded, findings = rubric_from_document(doc, path)
        if loaded is None:
            raise InvalidDocumentError(findings)
        if entry is not None:
            rubric_cache.store(entry, loaded)
    if key is not None:
        _RUBRIC_CACHE[key] = loaded
    return loaded


def load_answers(
    path: Path, library: RubricResolver, rubric: LoadedRubric | None = None
) -> LoadedAnswers:
    """Load an answers file (any medium) and check it against its rubric; raise on any error.

    Its rubric is looked up in ``library``; ``rubric`` overrides it (``--rubric``).
    """
    doc = read_document(path)
    expect_kind(doc, "answers")
    judged = judge_document(doc, path, library, rubric)
    if not isinstance(judged.loaded, LoadedAnswers):
        raise InvalidDocumentError(judged.findings)
    return judged.loaded


def load_all_answers(
    paths: Sequence[Path], library: RubricResolver, rubric: LoadedRubric | None = None
) -> tuple[list[LoadedAnswers], list[Finding], list[Finding]]:
    """Every file loaded, with every error and warning found along the way."""
    loaded: list[LoadedAnswers] = []
    errors: list[Finding] = []
    warnings: list[Finding] = []
    for path in paths:
        try:
            item = load_answers(path, library, rubric)
        except CslevelsError as exc:
            errors += exc.to_findings()
            continue
        warnings += item.warnings
        loaded.append(item)
    return loaded, errors, warnings
