"""``score --format pdf``: the HTML report, printed by the machine's browser."""

from __future__ import annotations

from collections.abc import Sequence

from cslevels.core.scoring import Result
from cslevels.reporting.formats import RenderOptions


def render_results(results: Sequence[Result], options: RenderOptions | None = None) -> bytes:
    from cslevels.reporting.kit.pdf import print_page
    from cslevels.reporting.score import html

    return print_page(html.render_results(results, options), html.page_facts(results, options))
