"""What ``validate`` found, file by file: the result every validate report renders."""

from __future__ import annotations

from dataclasses import dataclass, field

from cslevels.errors import Finding


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
