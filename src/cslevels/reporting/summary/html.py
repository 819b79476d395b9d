"""``summary --format html``: the portfolio as one self-contained page.

A table of every assessment, a bar chart of the levels reached per rubric
(``svg.bar_chart``) and the files that could not be loaded.  User text stays
plain ``str`` in the context so autoescaping covers it.
"""

from __future__ import annotations

from markupsafe import Markup

from cslevels.core.portfolio import Portfolio, Row, RubricInfo
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit import svg
from cslevels.reporting.views import portfolio_scope_text, short_level

TEMPLATE = "summary.html.j2"


def level_text(row: Row) -> str:
    return short_level(row.achieved_level, row.achieved_name, row.levels_achieved,
                       row.level_count, zero="no level achieved")


def histograms(portfolio: Portfolio) -> list[tuple[RubricInfo, int, Markup]]:
    """Per rubric: its facts, the number of assessments and the chart of levels reached."""
    out = []
    for n, (info, buckets) in enumerate(portfolio.distribution()):
        total = sum(count for _, _, count in buckets)
        labels = [f"{level}. {name}" if level else f"0. {name}" for level, name, _ in buckets]
        shares = [count / total if total else 0.0 for _, _, count in buckets]
        notes = [f"({count} of {total})" for _, _, count in buckets]
        chart = svg.bar_chart(
            labels, shares, annotations=notes, id_prefix=f"dist-{n}",
            title=f"Levels reached: {info.title}",
            description="; ".join(f"{label}: {count}" for label, (_, _, count)
                                  in zip(labels, buckets, strict=True)),
        )
        out.append((info, total, chart))
    return out


def render_portfolio(portfolio: Portfolio, options: RenderOptions | None = None) -> str:
    from cslevels.reporting.kit.html import render_page

    return render_page(TEMPLATE, portfolio=portfolio, histograms=histograms(portfolio),
                       level_text=level_text, scope=portfolio_scope_text(portfolio),
                       brand=options.brand if options else None)
