"""``cslevels validate``: check rubric and answers files, every one of them.

A file's kind comes from its ``schema:`` line.  Folders are searched for YAML
files.  Rubrics given on the command line are also used to check answers files
given beside them, so a team can validate its own rubrics and assessments in
one call.  One broken file never stops the others from being checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cslevels.core.locations import Document, finding_at
from cslevels.errors import CslevelsError, Finding
from cslevels.loading import (
    LoadedRubric,
    RubricLibrary,
    answers_from_document,
    document_kind,
    load_document,
    rubric_from_document,
)

YAML_SUFFIXES = {".yaml", ".yml"}
FOUND_SUFFIXES = {*YAML_SUFFIXES, ".xlsx"}  # what a folder is searched for


@dataclass
class FileReport:
    path: str
    kind: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


@dataclass
class ValidationReport:
    files: list[FileReport]
    strict: bool = False

    @property
    def findings(self) -> list[Finding]:
        return [f for report in self.files for f in report.findings]

    @property
    def failed(self) -> bool:
        """Errors fail; with ``--strict`` warnings fail too."""
        return any(f.severity == "error" or self.strict for f in self.findings)


def expand(paths: Iterable[Path]) -> Iterable[tuple[Path, Finding | None]]:
    """Files to check: given files as they are, folders searched for YAML; each once."""
    seen: set[Path] = set()
    for path, problem in _expand(paths):
        key = path.resolve() if problem is None else path
        if key in seen:
            continue
        seen.add(key)
        yield path, problem


def _expand(paths: Iterable[Path]) -> Iterable[tuple[Path, Finding | None]]:
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.suffix in FOUND_SUFFIXES and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and not p.name.startswith("~$")  # Excel's lock file of an open workbook
            )
            if not found:
                yield path, Finding(str(path), "no .yaml, .yml or .xlsx files in this folder",
                                    code="empty-folder")
            for file in found:
                yield file, None
        else:
            yield path, None


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
            doc = load_document(path)
            report.kind = document_kind(doc)
        except CslevelsError as exc:
            report.findings += exc.to_findings()
            continue
        if report.kind == "rubric":
            loaded, findings = rubric_from_document(doc, path)
            report.findings += findings
            if loaded is not None:
                given_rubrics.setdefault(loaded.rubric.id, loaded)
            elif isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
                broken_rubrics.setdefault(doc.data["id"], report.path)
        else:
            parsed.append((report, doc, path))
    for report, doc, path in parsed:
        rubric_id = doc.data.get("rubric") if isinstance(doc.data, dict) else None
        override = given_rubrics.get(rubric_id) if isinstance(rubric_id, str) else None
        if override is None and isinstance(rubric_id, str) and rubric_id in broken_rubrics:
            report.findings.append(finding_at(
                doc, ("rubric",), f"its rubric {rubric_id!r} ({broken_rubrics[rubric_id]}) has "
                "errors; fix the rubric first", code="rubric-invalid"))
            continue
        try:
            _loaded, findings = answers_from_document(doc, path, library, override)
        except CslevelsError as exc:  # the rubric it names is itself broken
            findings = [
                finding_at(doc, ("rubric",),
                           f"its rubric cannot be loaded: {f.location}: {f.message}",
                           code="rubric-invalid")
                for f in exc.to_findings()[:1]
            ]
        report.findings += findings
    return ValidationReport(reports, strict)
