"""``cslevels show`` in the terminal: the rubric as a readable questionnaire."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.text import Text

from cslevels.core.models import Rubric, question_key
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.terminal import capture, plain
from cslevels.reporting.views import REQUIRED_NOTE, percent
from cslevels.text import clean


def render_rubric(rubric: Rubric, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    out: list[RenderableType] = [Text(clean(rubric.title), style="bold")]
    meta = f"{rubric.id} {rubric.version} · {rubric.method} · subject: {rubric.subject}"
    out.append(plain(meta, "dim"))
    if rubric.description:
        out.append(plain(rubric.description))
    if rubric.source:
        out.append(plain(f"Source: {rubric.source.title}", "dim"))
    out.append(plain(f"A level is achieved at {percent(rubric.threshold)} of its points "
                     f"(unless it says otherwise) with at least {percent(rubric.min_coverage)} "
                     "of it answered."))
    for rank, level in enumerate(rubric.levels, 1):
        body: list[RenderableType] = []
        if level.summary:
            body.append(plain(level.summary, "italic"))
        for number, question in enumerate(level.questions, 1):
            scale = rubric.scales[question.scale]
            body.append(Text(f"{rank}.{number} ", style="bold") + plain(question.text, "bold")
                        + Text(f"  [{question_key(level, question)}]", style="dim"))
            options_line = "   ".join(f"☐ {o.value} {o.label}" for o in scale.options)
            if question.allow_na:
                options_line += "   ☐ n/a"
            body.append(Padding(plain(options_line), (0, 0, 0, 4)))
            if question.weight != 1:
                body.append(Padding(Text(f"weight {question.weight:g}", style="dim"), (0, 0, 0, 4)))
            if question.required:
                body.append(Padding(Text(REQUIRED_NOTE, style="dim"), (0, 0, 0, 4)))
            if question.guidance:
                body.append(Padding(Text("Evidence: ", style="dim") + plain(question.guidance),
                                    (0, 0, 0, 4)))
        threshold = f" · threshold {percent(level.threshold)}" if level.threshold else ""
        out.append(Panel(Group(*body), title=plain(f"Level {rank}: {level.name}{threshold}"),
                         title_align="left", expand=True))
    return capture(out, options)
