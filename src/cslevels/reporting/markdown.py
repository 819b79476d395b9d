"""Markdown for pasting into documents: the score report and the questionnaire.

Untrusted text is escaped so that it cannot become links, images, HTML or table
cells when a viewer renders the Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cslevels.formats import RenderOptions
from cslevels.models import Rubric
from cslevels.reporting.data import (
    REQUIRED_NOTE,
    blocker_text,
    level_label,
    percent,
    score_percent,
    status_reason,
)
from cslevels.scoring import LevelGap, Result
from cslevels.text import clean_line

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")
_ENTITY = re.compile(r"&")
STATUS_WORD = {"achieved": "✔ achieved", "not achieved": "✘ not achieved",
               "insufficient": "? insufficient"}


def md(value: object) -> str:
    """Untrusted text as inert Markdown on one line."""
    return _SPECIAL.sub(r"\\\1", _ENTITY.sub("&amp;", clean_line(value)))


def _gap_lines(gap: LevelGap, title: str) -> list[str]:
    lines = [f"## {md(title)}", "",
             f"{gap.level.status.capitalize()}: {md(status_reason(gap.level))}.", ""]
    if gap.fastest_path is None:
        lines += [f"No fastest path: {md(gap.reason)}.", ""]
    elif gap.fastest_path:
        lines += [f"**Fastest path to level {gap.level.rank}:**", ""]
        for n, step in enumerate(gap.fastest_path, 1):
            now = "unanswered" if step.from_option is None else md(step.from_option.label)
            lines.append(f"{n}. `{md(step.key)}`: {now} → {md(step.to_option.label)}")
            if step.question.recommendation:
                lines.append(f"   *{md(step.question.recommendation)}*")
        lines.append("")
    if gap.ranked:
        lines += ["| Question | Now | Gain | Recommendation |", "|---|---|--:|---|"]
        for q in gap.ranked:
            lines.append(f"| {md(q.key)} | {md(q.option.label if q.option else '—')} | "
                         f"{q.gain:.2f} | {md(q.question.recommendation or '')} |")
        lines.append("")
    if gap.unanswered:
        lines += ["Unanswered: " + ", ".join(md(q.key) for q in gap.unanswered), ""]
    return lines


def result_markdown(result: Result) -> list[str]:
    answers = result.answers
    rubric = result.rubric
    lines = [f"# Customer service assessment: {md(answers.subject)}", ""]
    lines.append(f"- **Rubric:** {md(rubric.title)} ({md(rubric.id)} {md(rubric.version)}, "
                 f"{rubric.method})")
    if answers.assessor:
        lines.append(f"- **Assessor:** {md(answers.assessor)}")
    if answers.date:
        lines.append(f"- **Date:** {answers.date.isoformat()}")
    if result.rubric_digest:
        lines.append(f"- **Rubric content hash:** `{result.rubric_digest[:12]}`")
    index = "—" if result.index is None else f"{result.index:.1f}"
    lines += ["", f"**Result: {md(level_label(result))}** · index {index} / 100", ""]
    if result.achieved is not None and result.achieved.level.summary:
        lines += [f"> {md(result.achieved.level.summary)}", ""]
    lines += ["| # | Level | Score | Threshold | Coverage | Status |",
              "|--:|---|--:|--:|--:|---|"]
    for lv in result.levels:
        lines.append(f"| {lv.rank} | {md(lv.name)} | {score_percent(lv)} | "
                     f"{percent(lv.threshold)} | {percent(lv.coverage)} | "
                     f"{STATUS_WORD[lv.status]} |")
    lines.append("")
    blocker = blocker_text(result)
    if blocker:
        lines += [f"> ⚠ {md(blocker)}", ""]
    for warning in result.warnings:
        lines += [f"> ⚠ {md(warning)}", ""]
    if result.target is not None:
        if not result.target_gaps:
            lines += [f"Target level {result.target} is reached.", ""]
        for gap in result.target_gaps:
            lines += _gap_lines(gap, f"Gap to target level {result.target}: level "
                                     f"{gap.level.rank} ({gap.level.name})")
    elif result.next_gap is not None:
        level = result.next_gap.level
        lines += _gap_lines(result.next_gap, f"Next step: level {level.rank} ({level.name})")
    missing = result.missing
    if missing:
        lines += ["## Missing answers", "", ", ".join(f"`{md(q.key)}`" for q in missing), ""]
    raters = getattr(result, "raters", None)  # set by `score --combine`
    if raters is not None:
        from cslevels.reporting.raters import raters_markdown

        lines += raters_markdown(raters)
    noted = [q for q in result.questions if q.note or q.evidence]
    if noted:
        lines += ["## Notes and evidence", ""]
        for q in noted:
            lines.append(f"- **{md(q.key)}**" + (f": {md(q.note)}" if q.note else ""))
            lines += [f"  - {md(item)}" for item in q.evidence]
        lines.append("")
    return lines


def render_results(results: Sequence[Result], options: RenderOptions | None = None) -> str:
    lines: list[str] = []
    for n, result in enumerate(results):
        if n:
            lines += ["---", ""]
        lines += result_markdown(result)
    return "\n".join(lines).rstrip() + "\n"


def render_rubric(rubric: Rubric, options: RenderOptions | None = None) -> str:
    lines = [f"# {md(rubric.title)}", "",
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
