"""``compare --format markdown``: the follow-up for pasting into a report.

Every untrusted string goes through ``md()`` so it cannot become a link, HTML or
a table cell.
"""

from __future__ import annotations

from cslevels.core.compare import Comparison, QuestionChange, Step, label
from cslevels.core.scoring import Result
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.markdown import brand_lines, facts_lines, id_lines, md
from cslevels.reporting.views import (
    CHANGE_TITLES,
    STATUS_LABELS,
    changed_question_ids,
    compared_answer_text,
    comparison_numbers,
    comparison_provenance,
    percent,
    result_short_level,
    signed,
    tolerance_points,
    verdict_text,
)


def _level(result: Result) -> str:
    return result_short_level(result, escape=md)


def _change(change: QuestionChange, number: str) -> list[str]:
    delta = "" if change.delta is None else f" ({signed(change.delta * 100)} points)"
    lines = [f"- **{md(number)}**: {md(compared_answer_text(change.old))} → "
             f"{md(compared_answer_text(change.new))}{delta}",
             f"  - *{md(change.question.text)}*"]
    if change.old.note and change.old.note != change.new.note:
        lines.append(f"  - before: {md(change.old.note)}")
    if change.new.note:
        lines.append(f"  - now: {md(change.new.note)}")
    return lines


def _step(step: Step, latest: bool, numbers: dict[str, str]) -> list[str]:
    lines = [f"## {md(label(step.old))} → {md(label(step.new))}", ""]
    facts = []
    if step.level_delta is not None:
        facts.append(f"level {step.old.achieved_level} → {step.new.achieved_level} "
                     f"({signed(step.level_delta)})")
    if step.index_delta is not None:
        facts.append(f"index {step.old.index:.1f} → {step.new.index:.1f} "
                     f"({signed(step.index_delta, 1)})")
    if facts:
        lines += [", ".join(facts), ""]
    if step.regressions and not latest:
        lines += [f"> ⚠ **Regression:** {md(r.message)}" for r in step.regressions] + [""]
    for title, changes in ((CHANGE_TITLES["regressed"], step.regressed),
                           (CHANGE_TITLES["improved"], step.improved),
                           (CHANGE_TITLES["changed"], step.changed)):
        if changes:
            lines += [f"### {title} ({len(changes)})", ""]
            for change in changes:
                lines += _change(change, numbers[change.key])
            lines.append("")
    if not (step.regressed or step.improved or step.changed):
        lines += ["No answer changed.", ""]
    return lines


def render_comparison(comparison: Comparison, options: RenderOptions | None = None) -> str:
    newest = comparison.newest
    rubric = newest.rubric
    lines = [f"# Follow-up: {md(newest.answers.subject)}", "", *brand_lines(options)]
    lines.append(f"- **Rubric:** {md(rubric.title)} ({md(rubric.id)} {md(rubric.version)})")
    lines.append(f"- **Regression tolerance:** {tolerance_points(comparison)} points")
    lines.append("")
    for warning in comparison.warnings:
        lines += [f"> ⚠ {md(warning)}", ""]
    if comparison.regressed:
        lines += [f"> ### ⚠ REGRESSION: {md(label(comparison.latest.new))} is worse than "
                  f"{md(label(comparison.latest.old))}", ">"]
        lines += [f"> - {md(r.message)}" for r in comparison.regressions]
        lines.append("")
    else:
        lines += [md(verdict_text(comparison)), ""]
    lines += ["## Assessments", "", "| # | Date | Assessor | Achieved level | Index |",
              "|--:|---|---|---|--:|"]
    for n, result in enumerate(comparison.results, 1):
        date = label(result) if result.answers.date else "—"
        index = "—" if result.index is None else f"{result.index:.1f}"
        lines.append(f"| {n} | {date} | {md(result.answers.assessor or '—')} | "
                     f"{_level(result)} | {index} |")
    lines += ["", "## Level scores", ""]
    heads = [label(r) for r in comparison.results]
    lines.append("| # | Level | " + " | ".join(md(h) for h in heads) + " | Change | Status now |")
    lines.append("|--:|---|" + "--:|" * len(heads) + "--:|---|")
    latest = {c.id: c for c in comparison.latest.levels}
    for level_id, name, rank, series in comparison.level_rows:
        change = latest.get(level_id)
        delta = None if change is None or change.delta is None else change.delta * 100
        flag = " ▼" if change is not None and comparison.score_dropped(change) else ""
        now = series[-1]
        cells = [percent(None if lv is None else lv.score) for lv in series]
        lines.append(f"| {rank} | {md(name)} | " + " | ".join(cells)
                     + f" | {signed(delta)}{flag} | "
                     + (STATUS_LABELS[now.status] if now is not None else "—") + " |")
    lines.append("")
    numbers = comparison_numbers(comparison)
    for n, step in enumerate(comparison.steps):
        lines += _step(step, n == len(comparison.steps) - 1, numbers)
    lines += technical_lines(comparison)
    return "\n".join(lines).rstrip() + "\n"


def technical_lines(comparison: Comparison) -> list[str]:
    """Where the follow-up comes from, and the ids of the questions it numbers."""
    lines = ["## Technical details", "", *facts_lines(comparison_provenance(comparison)), ""]
    ids = changed_question_ids(comparison)
    if ids:
        lines += [*id_lines(ids), ""]
    return lines
