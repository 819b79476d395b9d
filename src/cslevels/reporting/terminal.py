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
from cslevels.reporting.data import (
    REQUIRED_NOTE,
    blocker_text,
    level_label,
    percent,
    score_percent,
    status_reason,
)
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
    # rich pads table cells to the full width; trailing blanks only get in the way
    return "\n".join(line.rstrip(" ") for line in buffer.getvalue().split("\n"))


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


TABLE_FIXED = 40  # '#', score, answered, status and the gaps between them, in cells
MAX_WIDTH = 110  # prose wider than this is hard to read, however wide the terminal


def _name_width(result: Result) -> int:
    return max(len(clean(lv.name)) for lv in result.levels) + 2  # + the '▶ ' marker


def fits_table(result: Result, width: int) -> bool:
    """Whether the levels table fits without breaking level names."""
    return width >= TABLE_FIXED + min(_name_width(result), 34)


def bar_width(result: Result, width: int) -> int:
    """Room for the score bar beside the other columns; 0 leaves it out."""
    if not fits_table(result, width):
        return 0
    room = width - TABLE_FIXED - _name_width(result) - 3
    return 0 if room < 8 else min(20, room)


def levels_table(result: Result, width: int = 100) -> RenderableType:
    """Every level's score, coverage and status, whatever the method (the profile)."""
    if not fits_table(result, width):
        return levels_list(result)
    bars = bar_width(result, width)
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False, show_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Level", overflow="fold")
    table.add_column("Score", justify="right", no_wrap=True)
    if bars:
        table.add_column("", no_wrap=True)
    table.add_column("Answered", justify="right", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for level in result.levels:
        cells: list[RenderableType] = [str(level.rank), level_name(result, level),
                                       score_percent(level)]
        if bars:
            cells.append(bar(level.score, level.threshold, bars))
        cells += [percent(level.coverage), status_text(level.status)]
        table.add_row(*cells)
    return table


def level_name(result: Result, level: LevelResult) -> Text:
    marker = Text("▶ ", style="bold") if result.achieved_level == level.rank else Text("")
    return marker + plain(level.name, "bold" if level.achieved else "")


def levels_list(result: Result) -> RenderableType:
    """The levels for a narrow terminal: name on one line, numbers under it."""
    rows: list[tuple[str, RenderableType]] = []
    for level in result.levels:
        body = level_name(result, level)
        body.append("\n")
        body.append_text(status_text(level.status))
        body.append(f" · score {score_percent(level)} · answered {percent(level.coverage)}")
        rows.append((f"{level.rank}.", body))
    return numbered(rows, indent=0)


def header(result: Result) -> Table:
    answers = result.answers
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("Subject", plain(answers.subject, "bold"))
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
    """The achieved level, big and plain: the first thing a reader looks for."""
    total = len(result.levels)
    if result.achieved is not None:
        title = Text(f"Achieved level {result.achieved.rank} of {total}: ", style="bold")
        title.append_text(plain(result.achieved.name, "bold green"))
    elif result.achieved_level == 0:
        title = Text(f"No level achieved yet (level 0 of {total})", style="bold yellow")
    else:
        title = Text(clean(level_label(result)), style="bold")
    if result.achieved is not None and result.achieved.level.summary:
        title.append("\n")
        title.append(clean(result.achieved.level.summary), style="italic")
    index = "—" if result.index is None else f"{result.index:.1f}"
    title.append(f"\nIndex {index} / 100", style="bold")
    title.append("  (weighted mean of the level scores)", style="dim")
    return Panel(title, title="Result", title_align="left", border_style="green", expand=False,
                 padding=(0, 1))


def heading(text: str) -> Text:
    return plain(text, "bold underline")


def numbered(rows: Sequence[tuple[str, RenderableType]], indent: int = 2,
             mark_width: int = 1) -> RenderableType:
    """A list whose wrapped lines stay indented under their own text."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(justify="right", no_wrap=True, min_width=mark_width)
    grid.add_column(overflow="fold")
    for mark, body in rows:
        grid.add_row(mark, body)
    return Padding(grid, (0, 0, 0, indent))


def gap_section(gap: LevelGap, title: str) -> list[RenderableType]:
    level = gap.level
    out: list[RenderableType] = [
        heading(title),
        plain(f"{level.status.capitalize()}: {status_reason(level)}."),
    ]
    in_path: dict[str, int] = {}
    if gap.fastest_path is None:
        out.append(plain(f"No fastest path: {gap.reason}."))
    elif gap.fastest_path:
        count = len(gap.fastest_path)
        out.append(Text(f"Fastest path to level {level.rank}: {count} "
                        f"change{'s' if count != 1 else ''}", style="bold"))
        rows: list[tuple[str, RenderableType]] = []
        for n, step in enumerate(gap.fastest_path, 1):
            in_path[step.key] = n
            now = "unanswered" if step.from_option is None else step.from_option.label
            body = plain(step.key, "bold") + plain(f": {now} → {step.to_option.label}")
            if step.question.recommendation:
                body.append("\n")
                body.append_text(plain(step.question.recommendation, "italic"))
            rows.append((f"{n}.", body))
        out.append(numbered(rows))
    if gap.ranked:
        out.append(Text("What raising each answer to its best option would add "
                        "(weighted points):", style="bold"))
        rows = []
        for q in gap.ranked:
            now = q.option.label if q.option else "—"
            body = plain(q.key) + plain(f" (now: {now})", "dim")
            if q.key in in_path:
                body.append(f" — step {in_path[q.key]} above", style="dim")
            elif q.question.recommendation:
                body.append("\n")
                body.append_text(plain(q.question.recommendation, "italic"))
            rows.append((f"+{q.gain:.2f}", body))
        out.append(numbered(rows))
    if gap.unanswered:
        out.append(plain("Unanswered in this level: " + ", ".join(q.key for q in gap.unanswered)))
    return out


def target_summary(result: Result) -> Text:
    """One line on what the target level takes in all."""
    path = result.target_path
    if path is None:
        return Text(f"Target level {result.target} cannot be reached by raising answers alone.",
                    style="bold yellow")
    ranks = [str(g.level.rank) for g in result.target_gaps]
    where = f"level {ranks[0]}" if len(ranks) == 1 else (
        f"levels {', '.join(ranks[:-1])} and {ranks[-1]}")
    return Text(f"Target level {result.target}: {len(path)} change"
                f"{'s' if len(path) != 1 else ''} in {where}.", style="bold")


def notes_section(result: Result) -> list[RenderableType]:
    noted = [q for q in result.questions if q.note or q.evidence]
    if not noted:
        return []
    out: list[RenderableType] = [heading("Notes and evidence")]
    for q in noted:
        out.append(plain(q.key, "bold"))
        rows: list[tuple[str, RenderableType]] = []
        if q.note:
            rows.append(("", plain(q.note)))
        rows += [("•", plain(item)) for item in q.evidence]
        out.append(numbered(rows, indent=1))
    return out


def spaced(sections: Sequence[Sequence[RenderableType]]) -> list[RenderableType]:
    """Sections one after another with a blank line between them."""
    out: list[RenderableType] = []
    for section in sections:
        if not section:
            continue
        if out:
            out.append(Text(""))
        out += section
    return out


def result_renderables(result: Result, width: int = 100) -> list[RenderableType]:
    sections: list[list[RenderableType]] = [
        [header(result)], [headline(result)],
        [heading("Levels"), levels_table(result, width),
         Text(f"{'Score bar: █ points, │ threshold. ' if bar_width(result, width) else ''}"
              "Answered: weighted share of questions answered (n/a included).", style="dim")],
    ]
    notices: list[RenderableType] = []
    blocker = blocker_text(result)
    if blocker:
        notices.append(plain("⚠ " + blocker, "yellow"))
    notices += [plain("⚠ " + warning, "yellow") for warning in result.warnings]
    sections.append(notices)
    if result.target is not None:
        if not result.target_gaps:
            sections.append([Text(f"Target level {result.target} is reached.", style="green")])
        else:
            sections.append([target_summary(result)])
        for gap in result.target_gaps:
            title = (f"Gap to target level {result.target}: level {gap.level.rank} "
                     f"({gap.level.name})")
            sections.append(gap_section(gap, title))
    elif result.next_gap is not None:
        level = result.next_gap.level
        sections.append(gap_section(result.next_gap,
                                    f"Next step: level {level.rank} ({level.name})"))
    else:
        sections.append([Text("Every level is achieved.", style="green")])
    missing = result.missing
    if missing:
        sections.append([
            heading(f"Missing answers ({len(missing)})"),
            plain("Not scored and lowering coverage: " + ", ".join(q.key for q in missing)),
        ])
    raters = getattr(result, "raters", None)  # set by `score --combine`
    if raters is not None:
        from cslevels.reporting.raters import raters_renderables

        sections.append(raters_renderables(raters))
    sections.append(notes_section(result))
    return spaced(sections)


def render_results(results: Sequence[Result], options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    options = RenderOptions(color=options.color, width=min(options.width, MAX_WIDTH))
    parts: list[RenderableType] = []
    for n, result in enumerate(results):
        if n:
            parts += [Text(""), Text("═" * min(options.width, 80), style="dim"), Text("")]
        parts += result_renderables(result, options.width)
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
            if question.required:
                body.append(Padding(Text(REQUIRED_NOTE, style="dim"), (0, 0, 0, 4)))
            if question.guidance:
                body.append(Padding(Text("Evidence: ", style="dim") + plain(question.guidance),
                                    (0, 0, 0, 4)))
        threshold = f" · threshold {percent(level.threshold)}" if level.threshold else ""
        out.append(Panel(Group(*body), title=plain(f"Level {rank}: {level.name}{threshold}"),
                         title_align="left", expand=True))
    return capture(out, options)
