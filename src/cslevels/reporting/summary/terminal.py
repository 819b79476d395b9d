"""``summary`` in the terminal: the portfolio table and a histogram per rubric.

The table is plain fixed-width text (:mod:`cslevels.reporting.kit.columns`), not a
rich ``Table``, which cost about a millisecond a row; the rest is drawn by rich.

Also the progress bar for long runs, drawn on stderr only when stderr is a
terminal, so pipes and CI logs stay clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import RenderableType
from rich.text import Text

from cslevels.core.portfolio import Portfolio, Row
from cslevels.reporting.formats import MAX_COLUMNS, RenderOptions
from cslevels.reporting.kit.columns import Column, ColumnTable, cell_width, clean_cell, hang
from cslevels.reporting.kit.terminal import capture, plain
from cslevels.reporting.views import percent, portfolio_scope_text, short_level

HISTOGRAM_WIDTH = 30
MIN_BAR = 5  # a shorter bar says nothing the count does not: it goes instead
FILE_COLUMN_WIDTH = 140  # narrower terminals leave the file column out


def level_text(row: Row) -> str:
    return short_level(row.achieved_level, row.achieved_name, row.levels_achieved, row.level_count)


PORTFOLIO_COLUMNS = (
    Column("Subject"),
    Column("Rubric", flexible=False),
    Column("Date", flexible=False),
    Column("Achieved level"),
    Column("Index", align="right", flexible=False),
    Column("Weakest level"),
)
FILE_COLUMN = Column("File")


def portfolio_table(portfolio: Portfolio, width: int = 100) -> ColumnTable:
    """One row per assessment, every cell cleaned; the File column only when it has room.

    Plain strings, not rich renderables: 100,000 rows must stay cheap.
    """
    with_files = width >= FILE_COLUMN_WIDTH
    table = ColumnTable([*PORTFOLIO_COLUMNS, *([FILE_COLUMN] if with_files else [])])
    for row in portfolio.rows:
        weakest = "—" if row.weakest is None else f"{percent(row.weakest_score)} {row.weakest}"
        cells = (row.subject, row.rubric_id, "—" if row.date is None else row.date.isoformat(),
                 level_text(row), "—" if row.index is None else f"{row.index:.1f}", weakest)
        table.add_row((*cells, row.path) if with_files else cells)
    return table


def portfolio_lines(portfolio: Portfolio, width: int = 100, color: bool = False) -> list[str]:
    """The table as lines of text: its title, the header (bold in colour) and the rows."""
    width = max(40, width)  # as the console is
    lines = portfolio_table(portfolio, width).layout(width, bold_header=color)
    lines.insert(0, f"Assessments ({len(portfolio.rows):,}), by {portfolio.sort}")
    return lines


def histograms(portfolio: Portfolio, width: int = 100) -> list[RenderableType]:
    """A bar per level of each rubric.  Level names stay whole: on a narrow terminal the
    bars get shorter, then go (the counts stay), then the names wrap between words."""
    out: list[RenderableType] = []
    width = max(40, width)  # as the console is
    for info, buckets in portfolio.distribution():
        total = sum(n for _, _, n in buckets)
        digest = f", hash {info.digest[:12]}" if info.digest else ""
        out.append(Text(""))
        out.append(Text("Levels reached: ", style="bold") + plain(info.title, "bold"))
        out.append(plain(f"{info.id} {info.version}{digest}, {total:,} assessment(s)", "dim"))
        top = max(n for _, _, n in buckets) or 1
        names = [clean_cell(name) for _, name, _ in buckets]
        name_width = max(map(cell_width, names))
        count_width = max(len(f"{n:,}") for _, _, n in buckets)
        bar_width = min(HISTOGRAM_WIDTH, width - 6 - name_width - 2 - 1 - count_width)
        for (level, _name, count), name in zip(buckets, names, strict=True):
            lead = f"  {level:>2}  "
            if bar_width >= MIN_BAR or 6 + name_width + 2 + count_width <= width:
                line = Text(lead) + Text(name + " " * (name_width - cell_width(name)))
                line.append("  ")
                if bar_width >= MIN_BAR:
                    line.append("█" * round(count / top * bar_width), style="cyan")
                    line.append(" ")
                line.append(f"{count:,}")
                out.append(line)
                continue
            pieces = hang(f"{name} {count:,}", width - len(lead))
            out += [Text((lead if n == 0 else " " * len(lead)) + piece)
                    for n, piece in enumerate(pieces)]
    return out


def render_portfolio(portfolio: Portfolio, options: RenderOptions | None = None) -> str:
    """The heading, the table, a histogram per rubric and the failures, as one text.

    rich draws all but the table (see :func:`portfolio_lines`), which stays plain
    strings: the output of 100,000 rows is joined once, into the result.
    """
    options = options or RenderOptions()
    head: list[RenderableType] = []
    tail: list[RenderableType] = []
    heading = f"Portfolio: {len(portfolio.rows):,} assessment(s)"
    if portfolio.rubric_filter:
        heading += f" of rubric {portfolio.rubric_filter}"
    head.append(plain(heading, "bold"))
    head.append(plain(portfolio_scope_text(portfolio), "dim"))
    if portfolio.rows:
        tail += histograms(portfolio, options.width)
    else:
        head.append(Text("No assessments found.", style="yellow"))
    if portfolio.failures:
        tail.append(Text(""))
        tail.append(Text(f"⚠ {len(portfolio.failures)} file(s) could not be loaded "
                         "(listed on stderr):", style="bold red"))
        for failure in portfolio.failures:
            tail.append(Text("  ") + plain(failure.first.location))
    lines = portfolio_lines(portfolio, options.width, options.color) if portfolio.rows else []
    lines.insert(0, capture(head, options).removesuffix("\n"))
    lines.append(capture(tail, options))  # ends with its newline, or is empty
    return "\n".join(lines)


@contextmanager
def progress_bar(total_hint: str = "Reading assessments") -> Iterator[
        Callable[[int, int], None] | None]:
    """A transient progress bar on stderr when it is a terminal, else nothing."""
    import sys

    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=sys.stderr, markup=False, highlight=False)
    console.width = min(console.width, MAX_COLUMNS)  # rich reads COLUMNS on its own
    with Progress(TextColumn(total_hint), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task(total_hint, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
