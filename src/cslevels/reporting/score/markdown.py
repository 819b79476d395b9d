"""Markdown for pasting into documents: the score report and the questionnaire.

Untrusted text is escaped so that it cannot become links, images, HTML or table
cells when a viewer renders the Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cslevels.core.plan import Plan, PlanStep, improvement_plan, overview
from cslevels.core.scoring import Result
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.markdown import brand_lines, facts_lines, id_lines, md
from cslevels.reporting.views import (
    MAX_RATER_COLUMNS,
    STATUS_LABELS,
    blocker_text,
    completeness_text,
    executive_points,
    index_scope_text,
    level_label,
    method_facts,
    nothing_answered_text,
    paragraphs,
    partial_mark,
    percent,
    plan_intro,
    provenance_facts,
    question_numbers,
    rater_answer_text,
    rater_summary_line,
    score_percent,
    spread_text,
    stage_status_text,
    stage_title,
    step_change_text,
)

if TYPE_CHECKING:  # the combine code is imported only for --combine
    from cslevels.core.combine import RaterSpread


def _step_lines(step: PlanStep, mark: str, number: str) -> list[str]:
    lines = [f"{mark} **{md(step.text)}**  ", f"   {number} · {md(step_change_text(step))}"]
    if step.recommendation:
        lines[-1] += "  "
        lines.append(f"   *{md(step.recommendation)}*")
    return lines


def plan_lines(result: Result, plan: Plan) -> list[str]:
    """The improvement plan: every level still to achieve, in order, with its changes."""
    numbers = question_numbers(result)
    lines = ["## Improvement plan", "", md(plan_intro(result, plan)), ""]
    for n, stage in enumerate(plan.stages):
        lines += [f"### {md(stage_title(result, plan, n))}", "",
                  md(stage_status_text(plan, n)), ""]
        for i, step in enumerate(stage.steps, 1):
            lines += _step_lines(step, f"{i}.", numbers[step.key])
        if stage.steps:
            lines.append("")
        if stage.more:
            lines += ["Also worth doing in this level:", ""]
            for step in stage.more:
                lines += _step_lines(step, "-", numbers[step.key])
            lines.append("")
    return lines


def appendix_lines(result: Result) -> list[str]:
    """Technical details: provenance, how it was computed, the ids answers files use."""
    return ["## Technical details", "", *facts_lines(provenance_facts(result)),
            *facts_lines(method_facts(result)), "", *id_lines(question_numbers(result)), ""]


def result_markdown(result: Result, options: RenderOptions | None = None) -> list[str]:
    answers = result.answers
    rubric = result.rubric
    plan = improvement_plan(result)
    numbers = question_numbers(result)
    lines = [f"# Customer service assessment: {md(answers.subject)}", ""]
    lines += brand_lines(options)
    lines.append(f"- **Rubric:** {md(rubric.title)}")
    if answers.assessor:
        lines.append(f"- **Assessor:** {md(answers.assessor)}")
    if answers.prepared_for:
        lines.append(f"- **Prepared for:** {md(answers.prepared_for)}")
    if answers.date:
        lines.append(f"- **Date:** {answers.date.isoformat()}")
    index = "—" if result.index is None else f"{result.index:.1f}"
    completeness = md(completeness_text(result)) + "."
    lines += ["", f"> **⚠ {completeness}**" if result.partial else completeness, ""]
    if answers.executive_summary:
        lines += ["## Assessor's summary", ""]
        for paragraph in paragraphs(answers.executive_summary):
            lines += [md(paragraph), ""]
    if not result.nothing_answered:
        lines += ["## Executive summary", ""]
        lines += [f"- {md(point)}" for point in executive_points(result, overview(result), plan)]
        lines.append("")
    lines += [f"**Result: {md(level_label(result) + partial_mark(result))}** · index {index} "
              f"/ 100 ({md(index_scope_text(result))})", ""]
    if result.achieved is not None and result.achieved.level.summary:
        lines += [f"> {md(result.achieved.level.summary)}", ""]
    lines += ["| # | Level | Score | Threshold | Coverage | Status |",
              "|--:|---|--:|--:|--:|---|"]
    for lv in result.levels:
        lines.append(f"| {lv.rank} | {md(lv.name)} | {score_percent(lv)} | "
                     f"{percent(lv.threshold)} | {percent(lv.coverage)} | "
                     f"{STATUS_LABELS[lv.status]} |")
    lines.append("")
    blocker = blocker_text(result)
    if blocker:
        lines += [f"> ⚠ {md(blocker)}", ""]
    for warning in result.warnings:
        lines += [f"> ⚠ {md(warning)}", ""]
    if result.nothing_answered:
        lines += ["## Next step", "", md(nothing_answered_text(result)), ""]
    else:
        lines += plan_lines(result, plan)
    missing = result.missing
    if missing and not result.nothing_answered:
        lines += ["## Missing answers", ""]
        lines += [f"- {numbers[q.key]} {md(q.question.text)}" for q in missing]
        lines.append("")
    raters = getattr(result, "raters", None)  # set by `score --combine`
    if raters is not None:
        lines += raters_markdown(raters)
    noted = [q for q in result.questions if q.note or q.evidence]
    if noted:
        lines += ["## Notes and evidence", ""]
        for q in noted:
            lines.append(f"- **{numbers[q.key]} {md(q.question.text)}**"
                         + (f": {md(q.note)}" if q.note else ""))
            lines += [f"  - {md(item)}" for item in q.evidence]
        lines.append("")
    lines += appendix_lines(result)
    return lines


def render_results(results: Sequence[Result], options: RenderOptions | None = None) -> str:
    lines: list[str] = []
    for n, result in enumerate(results):
        if n:
            lines += ["---", ""]
        lines += result_markdown(result, options)
    return "\n".join(lines).rstrip() + "\n"


def raters_markdown(spread: RaterSpread) -> list[str]:
    """The Markdown section (``md`` escapes every rater-written string)."""
    per_rater = len(spread.raters) <= MAX_RATER_COLUMNS
    heads = ["Question", *(md(n) for n in spread.names if per_rater), "Mean", "Spread", ""]
    align = ["---", *("---" for _ in spread.names if per_rater), "--:", "--:", "---"]
    lines = ["## Rater disagreement", "", md(rater_summary_line(spread)), "",
             "| " + " | ".join(heads) + " |", "|" + "|".join(align) + "|"]
    for q in spread.questions:
        if all(a.state == "missing" for a in q.answers):
            continue
        cells = [md(rater_answer_text(a)) for a in q.answers] if per_rater else []
        flag = "**⚠ disagree**" if q.disagreement else ""
        lines.append("| " + " | ".join([md(q.key), *cells, percent(q.mean), spread_text(q), flag])
                     + " |")
    lines.append("")
    return lines
