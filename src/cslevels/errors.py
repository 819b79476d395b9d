"""The errors a user can cause, and the findings that validation reports.

Every exception here carries the file it is about and, where there is one, the
line and column, so the command line can print one ``file:line:column: message``
and exit 1 without a traceback.  Anything not derived from ``CslevelsError`` is a
bug in cslevels, not a user error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem found in a file, located as precisely as the file allows."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    severity: Severity = "error"
    code: str = "invalid"
    hint: str | None = None
    cell: str | None = None  # where a file has cells, not lines: a workbook's "Sheet!C7"

    @property
    def location(self) -> str:
        parts = [self.path]
        if self.cell is not None:
            parts.append(self.cell)
        elif self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        # An error about a command-line value has no file: no fake path is printed.
        where = f"{self.location}: " if self.path else ""
        text = f"{where}{self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class CslevelsError(Exception):
    """Base of every error a user can cause; the CLI turns it into exit code 1."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        code: str = "invalid",
        cell: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint
        self.code = code
        self.cell = cell

    def to_findings(self) -> list[Finding]:
        return [
            Finding(
                path=self.path or "",
                message=self.message,
                line=self.line,
                column=self.column,
                hint=self.hint,
                code=self.code,
                cell=self.cell,
            )
        ]

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self.to_findings())


class InputError(CslevelsError):
    """A file cannot be read or parsed: missing, unreadable, too large, bad YAML."""


class OutputError(CslevelsError):
    """A report or answers file cannot be written where the user asked."""


class RubricNotFoundError(CslevelsError):
    """An answers file or command names a rubric that no rubric folder holds."""


class InvalidDocumentError(CslevelsError):
    """A rubric or answers file parsed but broke the schema or a semantic rule."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings = [f for f in findings]
        first = next((f for f in self.findings if f.severity == "error"), self.findings[0])
        super().__init__(
            first.message, path=first.path, line=first.line, column=first.column, hint=first.hint,
            cell=first.cell,
        )

    def to_findings(self) -> list[Finding]:
        return list(self.findings)
