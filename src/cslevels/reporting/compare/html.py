"""``compare --format html``: the follow-up as one self-contained page.

The page extends the shared base template (via ``html.render_page``) and draws
the trend with ``svg.line_chart``.  User text stays plain ``str`` in the
context, so autoescaping covers all of it.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from cslevels.core.compare import Comparison, label
from cslevels.core.scoring import Result
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit import svg
from cslevels.reporting.kit.html import PageFacts, author_of
from cslevels.reporting.views import (
    CHANGE_TITLES,
    changed_question_ids,
    compared_answer_text,
    comparison_numbers,
    comparison_provenance,
    result_short_level,
    signed,
    tolerance_points,
    verdict_text,
)

TEMPLATE = "compare.html.j2"


def level_text(result: Result) -> str:
    return result_short_level(result, zero="no level achieved")



def trend_charts(comparison: Comparison) -> list[tuple[Markup, str]]:
    """The index and the achieved level over time, each with its caption."""
    results = comparison.results
    labels = [label(r) for r in results]
    index_chart = svg.line_chart(
        labels, [("Index", [None if r.index is None else r.index / 100 for r in results])],
        title="Index over time", id_prefix="trend-index", height=260,
        description="The index (0 to 100) of each assessment, oldest first: "
        + ", ".join(f"{lab}: {'—' if r.index is None else f'{r.index:.1f}'}"
                    for lab, r in zip(labels, results, strict=True)),
        value_format=lambda v: f"{v * 100:.0f}",
    )
    levels = len(comparison.newest.levels)
    staged = all(r.achieved_level is not None for r in results)
    counts = [float(r.achieved_level if staged and r.achieved_level is not None
                    else sum(1 for lv in r.levels if lv.achieved)) for r in results]
    name = "Achieved level" if staged else "Levels achieved"
    level_chart = svg.line_chart(
        labels, [(name, counts)], title=f"{name} over time", id_prefix="trend-level",
        height=260, y_max=float(levels),
        description=f"{name} of each assessment, oldest first: "
        + ", ".join(f"{lab}: {c:.0f}" for lab, c in zip(labels, counts, strict=True)),
        value_format=lambda v: f"{v:.0f}" if float(v).is_integer() else "",
    )
    return [(index_chart, "Index over time (0-100)"), (level_chart, f"{name} over time")]


def page_facts(comparison: Comparison, options: RenderOptions | None = None) -> PageFacts:
    """The follow-up's subject, author and footer label (meta tags, PDF, printed pages)."""
    newest = comparison.newest
    first = comparison.results[0]
    return PageFacts(
        running=f"{newest.answers.subject} — follow-up",
        subject=(f"Customer service follow-up of {newest.answers.subject} against "
                 f"{newest.rubric.title}: {len(comparison.results)} assessments, "
                 f"{label(first)} to {label(newest)}"),
        author=author_of(options.brand if options else None,
                         [r.answers.assessor for r in reversed(comparison.results)]),
        keywords=f"customer service; maturity assessment; follow-up; {newest.rubric.id}")


def render_comparison(comparison: Comparison, options: RenderOptions | None = None) -> str:
    from cslevels.reporting.kit.html import render_page

    latest = {c.id: c for c in comparison.latest.levels}
    context: dict[str, Any] = {
        "comparison": comparison,
        "newest": comparison.newest,
        "charts": trend_charts(comparison),
        "latest_changes": latest,
        "label": label,
        "answer_text": compared_answer_text,
        "level_text": level_text,
        "signed": signed,
        "tolerance_points": tolerance_points(comparison),
        "verdict": verdict_text(comparison),
        "change_titles": CHANGE_TITLES,
        "numbers": comparison_numbers(comparison),
        "provenance": comparison_provenance(comparison),
        "question_ids": changed_question_ids(comparison),
        "brand": options.brand if options else None,
    }
    return render_page(TEMPLATE, options, page=page_facts(comparison, options), **context)
