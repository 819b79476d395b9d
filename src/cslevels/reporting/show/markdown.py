"""``cslevels show --format markdown``: the rubric as a questionnaire in Markdown."""

from __future__ import annotations

from cslevels.core.models import Rubric
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.markdown import brand_lines, md
from cslevels.reporting.views import REQUIRED_NOTE


def render_rubric(rubric: Rubric, options: RenderOptions | None = None) -> str:
    branding = brand_lines(options)
    lines = [f"# {md(rubric.title)}", "", *branding, *([""] if branding else []),
             f"*{md(rubric.id)} {md(rubric.version)} · {rubric.method} · subject: "
             f"{md(rubric.subject)}*", ""]
    if rubric.description:
        lines += [md(rubric.description), ""]
    if rubric.source:
        lines += [f"Source: {md(rubric.source.title)}", ""]
    lines += ["Subject: ____________________   Assessor: ____________________   "
              "Date: ____________", ""]
    for rank, level in enumerate(rubric.levels, 1):
        lines += [f"## Level {rank}: {md(level.name)}", ""]
        if level.summary:
            lines += [f"*{md(level.summary)}*", ""]
        for number, question in enumerate(level.questions, 1):
            scale = rubric.scales[question.scale]
            lines.append(f"### {rank}.{number} {md(question.text)}")
            lines.append("")
            lines.append(f"`{md(level.id)}.{md(question.id)}`"
                         + (f" · weight {question.weight:g}" if question.weight != 1 else "")
                         + (f" · {REQUIRED_NOTE}" if question.required else ""))
            lines.append("")
            for option in scale.options:
                lines.append(f"- [ ] {md(option.value)}: {md(option.label)}")
            if question.allow_na:
                lines.append("- [ ] n/a")
            lines.append("")
            if question.guidance:
                lines += [f"**Evidence:** {md(question.guidance)}", ""]
            lines += ["Notes: ______________________________________________", ""]
    return "\n".join(lines).rstrip() + "\n"
