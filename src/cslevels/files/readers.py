"""Readers of answers files by suffix: a new input medium is one module plus one line here.

A reader takes a path and returns a :class:`~cslevels.core.locations.Document`: the
file's plain data shaped like a YAML answers file, and the way back from a place in
the data to the place in the file.  Everything after reading (kind, schema, checks,
scoring, every report) is the same for every medium.  Readers are named as
``"module:function"`` and imported on first use, so a medium's library (a workbook
reader's, say) costs nothing to a command that never meets such a file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from cslevels.core.locations import Document

Reader = Callable[[Path], Document]

READERS: dict[str, str] = {
    ".yaml": "cslevels.files.yamlio:load_path",
    ".yml": "cslevels.files.yamlio:load_path",
    ".xlsx": "cslevels.files.workbook:read_workbook",
    ".xlsm": "cslevels.files.workbook:read_workbook",  # refused, saying why: macros
}
DEFAULT_SUFFIX = ".yaml"  # a file named with another suffix is read as YAML, as before



def answers_suffixes() -> tuple[str, ...]:
    """What folder walks pick up: every suffix a reader exists for, and nothing else."""
    return tuple(READERS)


def reader_for(path: Path) -> Reader:
    """The reader for ``path``'s suffix (YAML for a suffix no reader claims)."""
    target = READERS.get(path.suffix.lower(), READERS[DEFAULT_SUFFIX])
    module_name, _, attr = target.partition(":")
    reader: Reader = getattr(importlib.import_module(module_name), attr)
    return reader


def is_yaml(name: str | Path) -> bool:
    """Whether the file is read by the YAML reader (the fast paths are YAML only)."""
    suffix = Path(name).suffix.lower()
    return READERS.get(suffix, READERS[DEFAULT_SUFFIX]) == READERS[DEFAULT_SUFFIX]


def read_document(path: Path) -> Document:
    """Read one file with its medium's reader; every failure is an ``InputError``."""
    return reader_for(path)(path)


def suffix_words() -> str:
    """The suffixes folder walks pick up, for a message: ``.yaml or .yml``."""
    *rest, last = answers_suffixes()
    return f"{', '.join(rest)} or {last}" if rest else last
