"""``--format json``: one object per answers file, a list for several."""

from __future__ import annotations

import json
from collections.abc import Sequence

from cslevels.core.scoring import Result
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.views import result_dict


def render_results(results: Sequence[Result], options: RenderOptions | None = None) -> str:
    data = [result_dict(r) for r in results]
    payload = data[0] if len(data) == 1 else data
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
