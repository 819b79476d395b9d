"""Rich terminal building blocks every terminal report shares.

Every string from a rubric or answers file goes through :func:`plain`, which
strips control characters and wraps it in ``Text`` so rich never reads it as
markup; every console is created with markup, emoji and highlighting off.  The
layout stays readable without colour: status is always a word and a symbol, bars
are drawn with block characters.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.views import STATUS_LABELS
from cslevels.text import clean

STATUS_STYLE = {"achieved": "green", "not achieved": "yellow", "insufficient": "magenta"}


def plain(value: object, style: str = "") -> Text:
    """Untrusted text, shown literally."""
    return Text(clean(value), style=style)


def heading(text: str) -> Text:
    """A section heading of a terminal report."""
    return plain(text, "bold underline")


def facts_grid(facts: Sequence[tuple[str, str | RenderableType]]) -> Table:
    """Terms and their (untrusted) texts in two columns; long texts fold, never cut."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for term, text in facts:
        grid.add_row(plain(term), plain(text) if isinstance(text, str) else text)
    return grid


def id_table(numbers: Mapping[str, str]) -> Table:
    """Question numbers and their ids, one a line: the number never parted from its id,
    an id longer than the line folded, never cut."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, justify="right")
    grid.add_column(overflow="fold")
    for key, number in numbers.items():
        grid.add_row(plain(number), plain(key))
    return grid


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
    return Text(STATUS_LABELS[status], style=STATUS_STYLE[status])
