"""Where a value came from: the seam between readers and the rules that judge values.

A reader (YAML today) turns a file into plain data plus a :class:`Document` that can
say where each value stands in the file.  The checks and the schema-error mapping
work on that protocol only, so a new input medium needs no change to them: a
workbook locates a value by ``Sheet!C7`` where a YAML file gives line and column.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from cslevels.errors import Finding, Severity

Loc = tuple[Any, ...]  # keys and indexes into a document's data, e.g. ("answers", "a.b")


class Position(NamedTuple):
    """Where a value stands in its file, as precisely as the medium allows."""

    line: int | None = None
    column: int | None = None
    cell: str | None = None  # a workbook's "Sheet!C7", where there are no lines

    def describe(self) -> str:
        """``line 12`` or ``Sheet!C7`` for a message; empty when nothing is known."""
        if self.cell is not None:
            return self.cell
        return f"line {self.line}" if self.line is not None else ""


class Document(Protocol):
    """Parsed data of one file and the way back from a place in the data to the file."""

    path: str  # the file as messages name it
    data: Any

    def locate(self, loc: Loc, *, prefer_key: bool = False) -> Position:
        """Where ``loc`` (or its nearest ancestor that exists) stands; ``prefer_key``
        points at the mapping key rather than its value, where the medium has keys."""
        ...

    def raw_plain_scalar(self, loc: Loc) -> str | None:
        """The text as typed at ``loc`` when the reader read it as a non-string (a YAML
        ``no`` read as false); None where the medium keeps what was typed."""
        ...


def finding_at(
    doc: Document,
    loc: Loc,
    message: str,
    *,
    prefer_key: bool = False,
    severity: Severity = "error",
    code: str = "invalid",
    hint: str | None = None,
) -> Finding:
    """A finding about the value at ``loc`` of ``doc``, located as its medium allows."""
    line, column, cell = doc.locate(loc, prefer_key=prefer_key)
    return Finding(path=doc.path, message=message, line=line, column=column, severity=severity,
                   code=code, hint=hint, cell=cell)
