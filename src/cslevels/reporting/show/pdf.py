"""``show --format pdf``: the printable questionnaire, printed by the machine's browser."""

from __future__ import annotations

from cslevels.core.models import Rubric
from cslevels.reporting.formats import RenderOptions


def render_rubric(rubric: Rubric, options: RenderOptions | None = None) -> bytes:
    from cslevels.reporting.kit.pdf import print_page
    from cslevels.reporting.show import html

    return print_page(html.render_rubric(rubric, options), html.page_facts(rubric, options))
