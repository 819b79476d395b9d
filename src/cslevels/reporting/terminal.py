"""Rich terminal output: the score report and the readable questionnaire.

Every string from a rubric or answers file goes through :func:`plain`, which
strips control characters and wraps it in ``Text`` so rich never reads it as
markup.  The layout stays readable without colour: status is always a word and
a symbol, bars are drawn with block characters.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cslevels.formats import RenderOptions
from cslevels.models import Rubric
from cslevels.reporting.data import blocker_text, level_label, percent, status_reason
from cslevels.scoring import LevelGap, LevelResult, Result
from cslevels.text import clean

STATUS_STYLE = {"achieved": "green", "not achieved": "yellow", "insufficient": "magenta"}
STATUS_MARK = {"achieved": "✔ achieved", "not achieved": "✘ not achieved",
               "insufficient": "? insufficient"}


def plain(value: object, style: str = "") -> Text:
    """Untrusted text, shown literally."""
    return Text(clean(value), style=style)


def make_console(options: RenderOptions, file: io.StringIO) -> Console:
    return Console(
        file=file,
        width=max(40, options.width),
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
    )


def capture(renderables: Sequence[RenderableType], options: RenderOptions) -> str:
    buffer = io.StringIO()
    console = make_console(options, buffer)
    for item in renderables:
        console.print(item)
    return buffer.getvalue()


def bar(value: float | None, threshold: float | None = None, width: int = 20) -> Text:
    """A score bar; a '│' marks the threshold so it reads without colour."""
    if value is None:
        return Text("·" * width, style="dim")
    filled = round(max(0.0, min(1.0, value)) * width)
    cells = ["█"] * filled + ["░"] * (width - filled)
    if threshold is not None:
        mark = min(width - 1, round(threshold * width))
        cells[mark] = "│" if cells[mark] == "░" else "┃"
    return Text("".join(cells), style="cyan")


def status_text(status: str) -> Text:
    return Text(STATUS_MARK[status], style=STATUS_STYLE[status])


def levels_table(result: Result) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("Level")
    table.add_column("Score", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("Coverage", justify="right")
    table.add_column("Status", no_wrap=True)
    for level in result.levels:
        marker = "▶ " if result.achieved_level == level.rank else "  "
        table.add_row(
            str(level.rank),
            Text(marker) + plain(level.name, "bold" if level.achieved else ""),
            percent(level.score),
            bar(level.score, level.threshold),
            percent(level.coverage),
            status_text(level.status),
        )
    return table


def header(result: Result) -> Table:
    answers = result.answers
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("Subject", plain(answers.subject))
    grid.add_row("Rubric", plain(f"{result.rubric.title} ({result.rubric.id} "
                                 f"{result.rubric.version}, {result.rubric.method})"))
    if answers.assessor:
        grid.add_row("Assessor", plain(answers.assessor))
    if answers.date:
        grid.add_row("Date", answers.date.isoformat())
    if result.source:
        grid.add_row("File", plain(result.source))
    return grid


def headline(result: Result) -> Panel:
    text = Text(clean(level_label(result)), style="bold")
    if result.achieved is not None and result.achieved.level.summary:
        text.append("\n")
        text.append(clean(result.achieved.level.summary), style="")
    index = "—" if result.index is None else f"{result.index:.1f}"
    text.append(f"\nIndex {index} / 100", style="dim")
    return Panel(text, title="Result", title_align="left", border_style="green", expand=False)


def gap_section(gap: LevelGap, title: str) -> list[RenderableType]:
    out: list[RenderableType] = [Text(title, style="bold underline")]
    out.append(plain(f"Level {gap.level.rank} ({gap.level.name}): {status_reason(gap.level)}."))
    if gap.fastest_path is None:
        out.append(plain(f"No fastest path: {gap.reason}."))
    elif gap.fastest_path:
        out.append(Text(f"Fastest path to level {gap.level.rank} "
                        f"({len(gap.fastest_path)} change{'s' if len(gap.fastest_path) != 1 else ''}):"))
        for n, step in enumerate(gap.fastest_path, 1):
            now = "unanswered" if step.from_option is None else step.from_option.label
            line = Text(f"  {n}. ") + plain(step.key, "bold") + plain(
                f": {now} → {step.to_option.label}")
            out.append(line)
            if step.question.recommendation:
                out.append(Padding(plain(step.question.recommendation, "italic"), (0, 0, 0, 6)))
    if gap.ranked:
        table = Table(box=box.SIMPLE, title="What raising each answer would add",
                      title_justify="left", pad_edge=False)
        table.add_column("Question")
        table.add_column("Now")
        table.add_column("Gain", justify="right")
        for q in gap.ranked:
            table.add_row(plain(q.key), plain(q.option.label if q.option else "—"),
                          f"{q.gain:.2f}")
        out.append(table)
    if gap.unanswered:
        out.append(plain("Unanswered: " + ", ".join(q.key for q in gap.unanswered)))
    return out


def notes_section(result: Result) -> list[RenderableType]:
    noted = [q for q in result.questions if q.note or q.evidence]
    if not noted:
        return []
    out: list[RenderableType] = [Text("Notes and evidence", style="bold underline")]
    for q in noted:
        out.append(plain(q.key, "bold"))
        if q.note:
            out.append(Padding(plain(q.note), (0, 0, 0, 2)))
        for item in q.evidence:
            out.append(Padding(Text("• ") + plain(item), (0, 0, 0, 2)))
    return out


def result_renderables(result: Result) -> list[RenderableType]:
    out: list[RenderableType] = [header(result), headline(result), levels_table(result)]
    blocker = blocker_text(result)
    if blocker:
        out.append(plain("⚠ " + blocker, "yellow"))
    for warning in result.warnings:
        out.append(plain("⚠ " + warning, "yellow"))
    if result.target is not None:
        if not result.target_gaps:
            out.append(Text(f"Target level {result.target} is reached.", style="green"))
        for gap in result.target_gaps:
            out += gap_section(gap, f"Gap to target level {result.target}")
    elif result.next_gap is not None:
        out += gap_section(result.next_gap, "Next step")
    else:
        out.append(Text("Every level is achieved.", style="green"))
    missing = result.missing
    if missing:
        out.append(plain(f"Missing answers ({len(missing)}): "
                         + ", ".join(q.key for q in missing), "magenta"))
    out += notes_section(result)
    return out


def render_results(results: Sequence[Result], options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    parts: list[RenderableType] = []
    for n, result in enumerate(results):
        if n:
            parts.append(Text("─" * min(options.width, 80), style="dim"))
        parts += result_renderables(result)
    return capture(parts, options)


def level_status_line(level: LevelResult) -> str:
    return f"{level.rank}. {level.name}: {STATUS_MARK[level.status]}"


# ---------------------------------------------------------------- the questionnaire


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
                        + Text(f"  [{level.id}.{question.id}]", style="dim"))
            options_line = "   ".join(f"☐ {o.value} {o.label}" for o in scale.options)
            if question.allow_na:
                options_line += "   ☐ n/a"
            body.append(Padding(plain(options_line), (0, 0, 0, 4)))
            if question.weight != 1:
                body.append(Padding(Text(f"weight {question.weight:g}", style="dim"), (0, 0, 0, 4)))
            if question.guidance:
                body.append(Padding(Text("Evidence: ", style="dim") + plain(question.guidance),
                                    (0, 0, 0, 4)))
        threshold = f" · threshold {percent(level.threshold)}" if level.threshold else ""
        out.append(Panel(Group(*body), title=plain(f"Level {rank}: {level.name}{threshold}"),
                         title_align="left", expand=True))
    return capture(out, options)
