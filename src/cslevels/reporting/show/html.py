"""``cslevels show --format html``: the rubric as a blank questionnaire to print."""

from __future__ import annotations

from cslevels.core.models import Rubric
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.html import render_page
from cslevels.reporting.views import REQUIRED_NOTE

QUESTIONNAIRE_TEMPLATE = "questionnaire.html.j2"


def render_rubric(rubric: Rubric, options: RenderOptions | None = None) -> str:
    """The rubric as a blank questionnaire to print and fill in by hand."""
    overrides = [(rank, level) for rank, level in enumerate(rubric.levels, 1)
                 if level.threshold is not None and level.threshold != rubric.threshold]
    return render_page(
        QUESTIONNAIRE_TEMPLATE,
        rubric=rubric,
        question_count=sum(len(level.questions) for level in rubric.levels),
        threshold_overrides=overrides,
        required_note=REQUIRED_NOTE,
        brand=options.brand if options else None,
    )
