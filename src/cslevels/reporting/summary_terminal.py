"""``summary`` in the terminal: the portfolio table and a histogram per rubric.

Also the progress bar for long runs, drawn on stderr only when stderr is a
terminal, so pipes and CI logs stay clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from cslevels.formats import RenderOptions
from cslevels.reporting.data import percent
from cslevels.reporting.terminal import capture, plain
from cslevels.summary import Portfolio, Row

HISTOGRAM_WIDTH = 30
FILE_COLUMN_WIDTH = 140  # narrower terminals leave the file column out


def level_text(row: Row) -> str:
    if row.achieved_level is None:
        return f"{row.levels_achieved} of {row.level_count} achieved"
    if row.achieved_level == 0:
        return "0 — none"
    return f"{row.achieved_level} — {row.achieved_name}"


def portfolio_table(portfolio: Portfolio, width: int = 100) -> Table:
    with_files = width >= FILE_COLUMN_WIDTH
    table = Table(box=box.SIMPLE, pad_edge=False,
                  title=f"Assessments ({len(portfolio.rows)}), by {portfolio.sort}",
                  title_justify="left")
    table.add_column("Subject")
    table.add_column("Rubric", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Achieved level")
    table.add_column("Index", justify="right")
    table.add_column("Weakest level")
    if with_files:
        table.add_column("File", overflow="fold")
    for row in portfolio.rows:
        weakest = "—" if row.weakest is None else f"{percent(row.weakest_score)} {row.weakest}"
        cells: list[RenderableType] = [
            plain(row.subject), plain(row.rubric_id),
            "—" if row.date is None else row.date.isoformat(),
            plain(level_text(row)),
            "—" if row.index is None else f"{row.index:.1f}",
            plain(weakest),
        ]
        table.add_row(*cells, *([plain(row.path)] if with_files else []))
    return table


def histograms(portfolio: Portfolio) -> list[RenderableType]:
    out: list[RenderableType] = []
    for info, buckets in portfolio.distribution():
        total = sum(n for _, _, n in buckets)
        digest = f", hash {info.digest[:12]}" if info.digest else ""
        out.append(Text(""))
        out.append(Text("Levels reached: ", style="bold") + plain(info.title, "bold"))
        out.append(plain(f"{info.id} {info.version}{digest}, {total} assessment(s)", "dim"))
        top = max(n for _, _, n in buckets) or 1
        name_width = min(28, max(len(name) for _, name, _ in buckets))
        for level, name, count in buckets:
            filled = round(count / top * HISTOGRAM_WIDTH)
            line = Text(f"  {level:>2}  ")
            line += plain(name[:name_width].ljust(name_width))
            line.append("  ")
            line.append("█" * filled, style="cyan")
            line.append(f" {count}")
            out.append(line)
    return out


def render_portfolio(portfolio: Portfolio, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    out: list[RenderableType] = []
    heading = f"Portfolio: {len(portfolio.rows)} assessment(s)"
    if portfolio.rubric_filter:
        heading += f" of rubric {portfolio.rubric_filter}"
    out.append(plain(heading, "bold"))
    if portfolio.rows:
        out.append(portfolio_table(portfolio, options.width))
        out += histograms(portfolio)
    else:
        out.append(Text("No assessments found.", style="yellow"))
    if portfolio.failures:
        out.append(Text(""))
        out.append(Text(f"⚠ {len(portfolio.failures)} file(s) could not be loaded "
                        "(listed on stderr):", style="bold red"))
        for failure in portfolio.failures:
            out.append(Text("  ") + plain(failure.first.location))
    return capture(out, options)


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
    with Progress(TextColumn(total_hint), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task(total_hint, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
