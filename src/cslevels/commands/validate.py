"""``cslevels validate``: check rubric, answers and brand files, every one of them.

A file's kind comes from its ``schema:`` line; a brand file's logo is checked too.
Folders are searched for every medium a reader exists for.  Rubrics given on the
command line are also used to check answers files given beside them, so a team can
validate its own rubrics and assessments in one call.  One broken file never stops the
others from being checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from cslevels.core.documents import (
    LoadedRubric,
    document_kind,
    judge_document,
)
from cslevels.core.locations import Document, finding_at
from cslevels.core.validation import FileReport, ValidationReport
from cslevels.errors import CslevelsError, Finding
from cslevels.files.library import RubricLibrary
from cslevels.files.readers import read_document, suffix_words
from cslevels.files.walk import FolderWalk


def expand(paths: Iterable[Path]) -> Iterable[tuple[Path, Finding | None]]:
    """Files to check: given files as they are, folders walked (``cslevels.files.walk``);
    each once, and a finding for a folder with nothing to check."""
    walk = FolderWalk()
    for path in paths:
        found = False
        for name in walk.names(path):
            found = True
            yield Path(name), None
        if not found and path.is_dir():
            yield path, Finding(str(path), f"no {suffix_words()} files in this folder",
                                code="empty-folder")


def validate(
    paths: Sequence[Path], library: RubricLibrary | None = None, *, strict: bool = False
) -> ValidationReport:
    """Check every file under ``paths``; rubrics first, so answers can use them."""
    library = library or RubricLibrary()
    reports: list[FileReport] = []
    parsed: list[tuple[FileReport, Document, Path]] = []
    given_rubrics: dict[str, LoadedRubric] = {}
    broken_rubrics: dict[str, str] = {}  # id -> path of a given rubric with errors
    for path, problem in expand(paths):
        report = FileReport(str(path))
        reports.append(report)
        if problem is not None:
            report.findings.append(problem)
            continue
        try:
            doc = read_document(path)
            report.kind = document_kind(doc)
        except CslevelsError as exc:
            report.findings += exc.to_findings()
            continue
        if report.kind == "answers":  # judged once every rubric given is known
            parsed.append((report, doc, path))
            continue
        if report.kind == "brand":
            from cslevels.files.brand import judge_brand

            report.findings += judge_brand(doc, path)[1]
            continue
        judged = judge_document(doc, path, library)
        report.findings += judged.findings
        if isinstance(judged.loaded, LoadedRubric):
            given_rubrics.setdefault(judged.loaded.rubric.id, judged.loaded)
        elif isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            broken_rubrics.setdefault(doc.data["id"], report.path)
    for report, doc, path in parsed:
        rubric_id = doc.data.get("rubric") if isinstance(doc.data, dict) else None
        override = given_rubrics.get(rubric_id) if isinstance(rubric_id, str) else None
        if override is None and isinstance(rubric_id, str) and rubric_id in broken_rubrics:
            report.findings.append(finding_at(
                doc, ("rubric",), f"its rubric {rubric_id!r} ({broken_rubrics[rubric_id]}) has "
                "errors; fix the rubric first", code="rubric-invalid"))
            continue
        try:
            findings = judge_document(doc, path, library, override).findings
        except CslevelsError as exc:  # the rubric it names is itself broken
            findings = [
                finding_at(doc, ("rubric",),
                           f"its rubric cannot be loaded: {f.location}: {f.message}",
                           code="rubric-invalid")
                for f in exc.to_findings()[:1]
            ]
        report.findings += findings
    return ValidationReport(reports, strict)
