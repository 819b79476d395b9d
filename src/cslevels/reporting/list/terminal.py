"""``cslevels list``: one line per usable rubric (broken ones are diagnostics, on stderr)."""

from __future__ import annotations

from collections.abc import Sequence

from cslevels.files.library import RubricEntry
from cslevels.reporting.formats import RenderOptions
from cslevels.text import clean_line


def render_entries(entries: Sequence[RubricEntry], options: RenderOptions | None = None) -> str:
    lines = []
    for entry in entries:
        if entry.rubric is None:
            continue
        r = entry.rubric.rubric
        # clean each field, not the line: clean_line() would collapse the padding
        lines.append(f"{r.id:<16} {clean_line(r.version):<8} {len(r.levels)} levels  "
                     f"{r.method:<10} {clean_line(r.title)}  "
                     f"[{entry.origin}: {clean_line(entry.path)}]\n")
    return "".join(lines)
