"""Markdown for pasting into documents: the score report and the questionnaire.

Untrusted text is escaped so that it cannot become links, images, HTML or table
cells when a viewer renders the Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cslevels.core.scoring import LevelGap, Result
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.markdown import branded, md
from cslevels.reporting.views import (
    MAX_RATER_COLUMNS,
    STATUS_LABELS,
    blocker_text,
    completeness_text,
    index_scope_text,
    level_label,
    nothing_answered_text,
    partial_mark,
    percent,
    rater_answer_text,
    rater_summary_line,
    score_percent,
    spread_text,
    status_reason,
)

if TYPE_CHECKING:  # the combine code is imported only for --combine
    from cslevels.core.combine import RaterSpread


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
    completeness = md(completeness_text(result)) + "."
    lines += ["", f"> **⚠ {completeness}**" if result.partial else completeness, ""]
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
    elif result.target is not None:
        if not result.target_gaps:
            lines += [f"Target level {result.target} is reached.", ""]
        for gap in result.target_gaps:
            lines += _gap_lines(gap, f"Gap to target level {result.target}: level "
                                     f"{gap.level.rank} ({gap.level.name})")
    elif result.next_gap is not None:
        level = result.next_gap.level
        lines += _gap_lines(result.next_gap, f"Next step: level {level.rank} ({level.name})")
    missing = result.missing
    if missing and not result.nothing_answered:
        lines += ["## Missing answers", "", ", ".join(f"`{md(q.key)}`" for q in missing), ""]
    raters = getattr(result, "raters", None)  # set by `score --combine`
    if raters is not None:

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
    return branded("\n".join(lines).rstrip() + "\n", options)


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
