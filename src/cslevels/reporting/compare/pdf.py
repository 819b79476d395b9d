"""``compare --format pdf``: the follow-up page, printed by the machine's browser."""

from __future__ import annotations

from cslevels.core.compare import Comparison
from cslevels.reporting.formats import RenderOptions


def render_comparison(comparison: Comparison, options: RenderOptions | None = None) -> bytes:
    from cslevels.reporting.compare import html
    from cslevels.reporting.kit.pdf import print_page

    return print_page(html.render_comparison(comparison, options),
                      html.page_facts(comparison, options))
