"""``cslevels show --format html``: the rubric as a blank questionnaire to print."""

from __future__ import annotations

from cslevels.core.models import Rubric
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.html import PageFacts, author_of, render_page
from cslevels.reporting.views import REQUIRED_NOTE

QUESTIONNAIRE_TEMPLATE = "questionnaire.html.j2"


def page_facts(rubric: Rubric, options: RenderOptions | None = None) -> PageFacts:
    """The questionnaire's subject, author and footer label (meta tags, PDF, printed pages)."""
    return PageFacts(
        running=f"{rubric.title} — questionnaire",
        subject=f"Questionnaire of {rubric.title} ({rubric.id} {rubric.version}), to fill in "
                "by hand",
        author=author_of(options.brand if options else None),
        keywords=f"customer service; maturity assessment; questionnaire; {rubric.id}")


def render_rubric(rubric: Rubric, options: RenderOptions | None = None) -> str:
    """The rubric as a blank questionnaire to print and fill in by hand."""
    overrides = [(rank, level) for rank, level in enumerate(rubric.levels, 1)
                 if level.threshold is not None and level.threshold != rubric.threshold]
    return render_page(
        QUESTIONNAIRE_TEMPLATE,
        options,
        page=page_facts(rubric, options),
        rubric=rubric,
        question_count=sum(len(level.questions) for level in rubric.levels),
        threshold_overrides=overrides,
        required_note=REQUIRED_NOTE,
        brand=options.brand if options else None,
    )
