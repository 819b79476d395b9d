"""A toy answers medium for tests/test_readers.py: ``name = value`` lines.

It exists to show that a new input medium is one module (this one) plus one line in
``cslevels.files.readers.READERS``: nothing else in cslevels knows about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cslevels.core.locations import Loc, Position
from cslevels.errors import InputError


@dataclass
class ToyDocument:
    path: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def locate(self, loc: Loc, *, prefer_key: bool = False) -> Position:
        while loc and loc not in self.lines:
            loc = loc[:-1]
        return Position(self.lines.get(loc), 1 if loc in self.lines else None)

    def raw_plain_scalar(self, loc: Loc) -> str | None:
        return None


def read(path: Path) -> ToyDocument:
    doc = ToyDocument(str(path), {"answers": {}})
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        name, sep, value = (part.strip() for part in line.partition("="))
        if not sep:
            raise InputError("expected name = value", path=str(path), line=number, column=1)
        typed: Any = int(value) if value.isdigit() else value
        if name.startswith("answers."):
            key = name.removeprefix("answers.")
            doc.data["answers"][key] = typed
            doc.lines[("answers", key)] = number
        else:
            doc.data[name] = typed
            doc.lines[(name,)] = number
    return doc
