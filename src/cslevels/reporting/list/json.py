"""``cslevels list --format json``: every rubric file found, broken ones with their error."""

from __future__ import annotations

import json
from collections.abc import Sequence

from cslevels.files.library import RubricEntry
from cslevels.reporting.formats import RenderOptions
from cslevels.text import json_safe


def render_entries(entries: Sequence[RubricEntry], options: RenderOptions | None = None) -> str:
    rows = [
        {"id": e.id, "version": e.rubric.rubric.version if e.rubric else None,
         "title": e.rubric.rubric.title if e.rubric else None,
         "levels": len(e.rubric.rubric.levels) if e.rubric else None,
         "origin": e.origin, "path": str(e.path), "error": e.error}
        for e in entries
    ]
    return json_safe(json.dumps(rows, indent=2, ensure_ascii=False)) + "\n"
