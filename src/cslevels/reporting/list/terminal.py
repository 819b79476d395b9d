"""``cslevels list``: one line per usable rubric (broken ones are diagnostics, on stderr).

When those lines do not fit the terminal, every entry takes a few: the rubric's file
on a line of its own, then (narrower still) the title too, indented and wrapped between
words.  One layout for the whole list, so it reads as a list; no name is cut, and no
path (a path longer than the line is left whole, for the terminal to wrap).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from cslevels.core.models import Rubric
from cslevels.files.library import RubricEntry
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.columns import cell_width, hang, wrap
from cslevels.text import clean_line

INDENT = "    "  # an entry's later lines
MIN_WIDTH = 20


class _Fields(NamedTuple):
    """One rubric's parts of a line, cleaned."""

    rubric: Rubric
    head: str  # id, version, levels, method, padded into columns
    title: str
    source: str  # [origin: path]


def _fields(entry: RubricEntry) -> _Fields:
    assert entry.rubric is not None
    r = entry.rubric.rubric
    # clean each field, not the line: clean_line() would collapse the padding
    head = f"{r.id:<16} {clean_line(r.version):<8} {len(r.levels)} levels  {r.method:<10} "
    return _Fields(r, head, clean_line(r.title), f"[{entry.origin}: {clean_line(entry.path)}]")


def _record(fields: _Fields, width: int) -> list[str]:
    """The narrowest layout: the short fields, the title, the file, each wrapped."""
    r = fields.rubric
    short = f"{r.id}  {clean_line(r.version)}  {len(r.levels)} levels  {r.method}"
    return [*hang(short, width, INDENT),
            *(INDENT + line for line in wrap(fields.title, width - len(INDENT))),
            *_source_lines(fields.source, width)]


def _source_lines(source: str, width: int) -> list[str]:
    """``[origin: path]`` indented, broken between words only: a path longer than the
    line stays whole, to be copied (the terminal wraps it)."""
    return [INDENT + line for line in hang(source, width - len(INDENT), fold_words=False)]


def render_entries(entries: Sequence[RubricEntry], options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    width = max(MIN_WIDTH, options.width)
    rows = [_fields(entry) for entry in entries if entry.rubric is not None]
    lines: list[str] = []
    if all(cell_width(f"{f.head}{f.title}  {f.source}") <= width for f in rows):
        lines = [f"{f.head}{f.title}  {f.source}" for f in rows]
    elif all(cell_width(f.head + f.title) <= width for f in rows):
        for f in rows:  # the file below its line
            lines += [f.head + f.title, *_source_lines(f.source, width)]
    else:
        for f in rows:
            lines += _record(f, width)
    return "".join(f"{line}\n" for line in lines)
