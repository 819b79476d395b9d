"""``summary --format pdf``: the portfolio page, printed by the machine's browser."""

from __future__ import annotations

from cslevels.core.portfolio import Portfolio
from cslevels.reporting.formats import RenderOptions


def render_portfolio(portfolio: Portfolio, options: RenderOptions | None = None) -> bytes:
    from cslevels.reporting.kit.pdf import print_page
    from cslevels.reporting.summary import html

    return print_page(html.render_portfolio(portfolio, options),
                      html.page_facts(portfolio, options))
