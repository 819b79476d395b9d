"""The "Rater disagreement" section of a combined (``score --combine``) report.

One place builds it for every format, so the JSON, terminal, Markdown and HTML
reports each need only a line or two to include it.  A result carries raters
only when it is a :class:`cslevels.core.combine.CombinedResult`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cslevels.reporting.views import percent

if TYPE_CHECKING:
    from rich.console import RenderableType

    from cslevels.core.combine import QuestionSpread, RaterSpread
    from cslevels.core.scoring import Result

MAX_RATER_COLUMNS = 5  # beyond this, tables show the mean and spread only


def raters_of(result: Result) -> RaterSpread | None:
    return getattr(result, "raters", None)


def _answer_label(answer: Any) -> str:
    if answer.state == "na":
        return "n/a"
    if answer.state == "missing":
        return "—"
    return f"{answer.option.label} ({answer.option.value})"


def spread_text(q: QuestionSpread) -> str:
    return percent(q.spread)


def raters_dict(spread: RaterSpread) -> dict[str, Any]:
    """The JSON view: every rater, and every question with each rater's answer."""
    return {
        "raters": [
            {"name": r.name, "source": r.source, "assessor": r.answers.assessor,
             "date": None if r.answers.date is None else r.answers.date.isoformat()}
            for r in spread.raters
        ],
        "disagreement_threshold": spread.threshold,
        "disagreements": [q.key for q in spread.disagreements],
        "questions": [
            {
                "id": q.key,
                "mean": None if q.mean is None else round(q.mean, 6),
                "spread": None if q.spread is None else round(q.spread, 6),
                "disagreement": q.disagreement,
                "answers": [
                    {"rater": a.rater, "state": a.state,
                     "value": None if a.option is None else a.option.value,
                     "answer": None if a.option is None else a.option.label,
                     "score": a.score, "note": a.note}
                    for a in q.answers
                ],
            }
            for q in spread.questions
        ],
    }


def _summary_line(spread: RaterSpread) -> str:
    flagged = len(spread.disagreements)
    return (f"{len(spread.raters)} raters: {', '.join(spread.names)}. Combined score = mean of "
            f"the raters who gave an option (n/a answers left out). {flagged} question(s) "
            f"where the raters are {percent(spread.threshold)} of the scale or more apart.")


def raters_renderables(spread: RaterSpread) -> list[RenderableType]:
    """The terminal section; every rater-written string is shown literally."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from cslevels.reporting.score.terminal import plain

    out: list[RenderableType] = [Text("Rater disagreement", style="bold underline"),
                                 plain(_summary_line(spread))]
    per_rater = len(spread.raters) <= MAX_RATER_COLUMNS
    table = Table(box=box.SIMPLE, pad_edge=False)
    table.add_column("Question")
    if per_rater:
        for name in spread.names:
            table.add_column(plain(name))
    table.add_column("Mean", justify="right")
    table.add_column("Spread", justify="right")
    table.add_column("")
    for q in spread.questions:
        if not q.answers or all(a.state == "missing" for a in q.answers):
            continue
        cells = [plain(_answer_label(a)) for a in q.answers] if per_rater else []
        flag = Text("⚠ disagree", style="bold red") if q.disagreement else Text("")
        table.add_row(plain(q.key, "bold" if q.disagreement else ""), *cells,
                      percent(q.mean), spread_text(q), flag)
    out.append(table)
    return out


def raters_markdown(spread: RaterSpread) -> list[str]:
    """The Markdown section (``md`` escapes every rater-written string)."""
    from cslevels.reporting.score.markdown import md

    per_rater = len(spread.raters) <= MAX_RATER_COLUMNS
    heads = ["Question", *(md(n) for n in spread.names if per_rater), "Mean", "Spread", ""]
    align = ["---", *("---" for _ in spread.names if per_rater), "--:", "--:", "---"]
    lines = ["## Rater disagreement", "", md(_summary_line(spread)), "",
             "| " + " | ".join(heads) + " |", "|" + "|".join(align) + "|"]
    for q in spread.questions:
        if all(a.state == "missing" for a in q.answers):
            continue
        cells = [md(_answer_label(a)) for a in q.answers] if per_rater else []
        flag = "**⚠ disagree**" if q.disagreement else ""
        lines.append("| " + " | ".join([md(q.key), *cells, percent(q.mean), spread_text(q), flag])
                     + " |")
    lines.append("")
    return lines
