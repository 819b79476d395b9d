"""``--format json``: an object for one answers file named, a list when several are named.

The shape follows the command line, never what succeeded: ``score a.yaml b.yaml`` gives
a list even when one of the two fails (a list of one), and ``--combine`` gives one object.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from cslevels.core.scoring import Result
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.views import result_dict
from cslevels.text import json_safe


def render_results(results: Sequence[Result], options: RenderOptions | None = None) -> str:
    data = [result_dict(r) for r in results]
    several = options.several if options is not None and options.several is not None \
        else len(data) != 1
    payload = data if several else data[0]
    return json_safe(json.dumps(payload, indent=2, ensure_ascii=False)) + "\n"
