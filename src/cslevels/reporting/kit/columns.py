"""Plain-text columns: a table laid out as strings, cheap enough for 100,000 rows.

rich's ``Table`` measures and renders every cell as a renderable, about a
millisecond a row; a portfolio of 100,000 assessments took minutes and
hundreds of megabytes.  :class:`ColumnTable` does the part a report needs with
``str`` operations only: every cell is cleaned (untrusted text, shown
literally), widths are counted in terminal cells (``rich.cells``, so CJK and
emoji line up), the columns are fitted to the terminal, and a cell wider than
its column wraps inside it, as in a table, so no text is lost.  A row whose
cells all fit, the usual case, takes a single-line path of a few
microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import le
from typing import Literal

from rich.cells import cell_len, split_graphemes

from cslevels.text import clean_line

GAP = "  "  # between columns
NARROW_GAP = " "  # between columns when two spaces would break a word: spacing goes first
RULE = "─"  # under the header, one run per column (like rich's box.SIMPLE)
MIN_FLEXIBLE = 8  # a flexible column is not narrowed below this while others can give
MIN_SQUEEZED = 4  # ... nor below this before the other columns give
MAX_KEPT_WORD = 30  # a longer word (a URL, a hash) is broken anyway: it does not hold a column
MAX_KEPT_FIXED = 16  # a fixed column wider than this (a long id) gives way before the text
MIN_CELLS = 2  # the last resort: a 2-cell character still fits
BOLD, RESET = "\x1b[1m", "\x1b[0m"

Align = Literal["left", "right"]


def clean_cell(value: object) -> str:
    """``clean_line(value)``, without its cost when that would return the text unchanged.

    Every character ``clean`` escapes and every whitespace character but the
    space is non-printable, so printable text with single inner spaces and none
    at the ends is already clean (checked over all code points in the tests).
    """
    if isinstance(value, str) and value.isprintable() and "  " not in value and (
            value[:1] != " " and value[-1:] != " "):
        return value
    return clean_line(value)


def cell_width(text: str) -> int:
    """Terminal cells of clean text: ``cell_len``, skipped for ASCII (one cell a character)."""
    return len(text) if text.isascii() else cell_len(text)


def fold(word: str, width: int) -> list[str]:
    """``word`` cut into pieces of at most ``width`` cells, between graphemes.

    A grapheme wider than ``width`` (only when ``width`` < 2) gets a piece of its own.
    """
    spans, _ = split_graphemes(word)
    pieces: list[str] = []
    start = used = 0
    for begin, _end, cells in spans:
        if used + cells > width and begin > start:
            pieces.append(word[start:begin])
            start, used = begin, 0
        used += cells
    pieces.append(word[start:])
    return pieces


def hang(text: str, width: int, indent: str = "", *, fold_words: bool = True) -> list[str]:
    """``text`` wrapped to ``width`` cells as :func:`wrap` does, its later lines after
    ``indent`` (a record's continued value); ``indent`` is given up on a tiny width.

    With ``fold_words`` False a word wider than the line gets a line of its own, whole
    (a path to copy: the terminal wraps it, and copying it still works)."""
    if cell_width(text) <= width:
        return [text]
    if width - len(indent) < MIN_FLEXIBLE:
        indent = ""
    lines: list[str] = []
    line, limit = "", width
    for word in text.split(" "):
        if line:
            candidate = f"{line} {word}"
            if cell_width(candidate) <= limit:
                line = candidate
                continue
            lines.append(line)
            limit = width - len(indent)
        if cell_width(word) <= limit or not fold_words:
            line = word
        else:
            *full, line = fold(word, limit)
            lines += full
            limit = width - len(indent)
    lines.append(line)
    return [lines[0], *(indent + rest for rest in lines[1:])]


def wrap(text: str, width: int) -> list[str]:
    """Clean ``text`` in lines of at most ``width`` cells, as a table cell wraps.

    Breaks at spaces (the space is dropped), and inside a word only when the
    word alone is wider than the column: nothing else is lost or added.
    """
    return hang(text, width)


def _shrink(widths: list[int], indices: Sequence[int], floors: Sequence[int],
            excess: int) -> int:
    """Narrow the widest of ``indices`` first, none below its floor; the excess left."""
    while excess > 0:
        candidates = [i for i in indices if widths[i] > floors[i]]
        if not candidates:
            break
        top = max(widths[i] for i in candidates)
        widest = [i for i in candidates if widths[i] == top]
        below = max([*(floors[i] for i in widest),
                     *(widths[i] for i in candidates if widths[i] < top)])
        step = min(top - below, -(-excess // len(widest)))  # level with the next, or enough
        for i in widest:
            cut = min(step, excess, widths[i] - floors[i])
            widths[i] -= cut
            excess -= cut
    return excess


def fit_widths(natural: Sequence[int], flexible: Sequence[bool], width: int,
               longest_words: Sequence[int] | None = None, gap: str = GAP) -> list[int]:
    """Column widths within ``width`` cells: natural widths when they fit.

    Otherwise the flexible columns give way, widest first: first down to their
    longest word (so text wraps between words, not inside them) unless that word
    is over ``MAX_KEPT_WORD``, and not below ``MIN_FLEXIBLE``.  Then the others
    (which would rather not wrap: dates, numbers, ids) down to ``MAX_KEPT_FIXED``;
    then the flexible ones to ``MIN_FLEXIBLE`` and ``MIN_SQUEEZED``; last of all
    every column down to ``MIN_CELLS``.  The result
    fits whenever ``width`` allows ``MIN_CELLS`` a column.
    """
    widths = list(natural)
    count = len(widths)
    excess = sum(widths) + len(gap) * (count - 1) - width
    some = [i for i, flex in enumerate(flexible) if flex]
    words = longest_words if longest_words is not None else [0] * count
    whole_words = [max(MIN_FLEXIBLE, w if w <= MAX_KEPT_WORD else 0) for w in words]
    whole_words = [min(f, n) for f, n in zip(whole_words, natural, strict=True)]
    others = [i for i, flex in enumerate(flexible) if not flex]
    for indices, floors in ((some, whole_words), (others, [MAX_KEPT_FIXED] * count),
                            (some, [MIN_FLEXIBLE] * count),
                            (some, [MIN_SQUEEZED] * count),
                            (range(count), [MIN_CELLS] * count)):
        if excess > 0:
            excess = _shrink(widths, indices, floors, excess)
    return widths


def _kept_word(texts: Iterable[str]) -> int:
    """The widest word of ``texts`` that a layout keeps whole (up to MAX_KEPT_WORD cells)."""
    return max((w for text in texts for w in map(cell_width, text.split(" "))
                if w <= MAX_KEPT_WORD), default=0)


@dataclass(frozen=True, slots=True)
class Column:
    """A column's header and alignment; ``flexible`` columns narrow (and wrap) first."""

    header: str
    align: Align = "left"
    flexible: bool = True


class ColumnTable:
    """Rows of untrusted text in fixed-width columns, as plain lines.

    Rows are kept as tuples of clean strings (no per-row objects beyond that),
    and the widest cell of each column is tracked as rows are added, as is
    (one byte a row) whether a row holds wide or zero-width characters.
    """

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self.rows: list[tuple[str, ...]] = []
        self.headers = tuple(clean_cell(column.header) for column in self.columns)
        self._natural = [cell_width(header) for header in self.headers]
        # the widest word of each flexible column (cells), so fitting can keep words whole
        self._words = [0] * len(self.columns)
        self._flexible = [i for i, column in enumerate(self.columns) if column.flexible]
        # ... and of each header, the widest word a layout must keep whole
        self._header_words = [_kept_word([header]) for header in self.headers]
        self._wide = bytearray()  # per row: 1 if a cell's width in cells is not its len()

    def add_row(self, cells: Sequence[str]) -> None:
        """Add one row of untrusted text, cleaned (as by ``clean_line``) and measured."""
        row = tuple(cells)
        if len(row) != len(self.columns):
            raise ValueError(f"{len(row)} cells for {len(self.columns)} columns")
        # The whole row checked at once, as clean_cell checks a cell: "|" is printable, so
        # a space at either end of a cell shows as " |" or "| " (or at an end of the whole).
        joined = "|".join(row)
        if not (joined.isprintable() and "  " not in joined and "| " not in joined and (
                " |" not in joined and joined[:1] != " " and joined[-1:] != " ")):
            row = tuple(map(clean_cell, row))
            joined = "".join(row)
        lengths = list(map(len, row))
        if joined.isascii():  # and clean: one cell a character
            sizes, wide = lengths, False
        else:
            sizes = list(map(cell_width, row))
            wide = sizes != lengths
        self._natural = list(map(max, self._natural, sizes))
        words = self._words
        for i in self._flexible:
            if sizes[i] > words[i]:  # a cell no wider than that cannot hold a longer word
                longest = max(map(cell_width, row[i].split(" ")))
                if longest > words[i]:
                    words[i] = longest
        self.rows.append(row)
        self._wide.append(wide)

    def add_rows(self, rows: Iterable[Sequence[str]]) -> None:
        """Add each row as :meth:`add_row` does."""
        for row in rows:
            self.add_row(row)

    def widths(self, width: int, gap: str = GAP) -> list[int]:
        """Each column's width in cells when the table is drawn ``width`` cells wide."""
        return fit_widths(self._natural, [column.flexible for column in self.columns], width,
                          self._words, gap)

    def keeps_words(self, width: int, gap: str = GAP) -> bool:
        """Whether the table drawn ``width`` cells wide breaks no word of a header or cell
        (a word over ``MAX_KEPT_WORD`` cells, a URL or a hash, is broken in any layout)."""
        widths = self.widths(width, gap)
        for i, w in enumerate(widths):
            if w < self._header_words[i]:
                return False
            if w >= self._natural[i]:
                continue  # nothing in it wraps
            if self.columns[i].flexible and self._words[i] <= MAX_KEPT_WORD:
                if w < self._words[i]:  # its longest word, known as rows came
                    return False
            elif w < _kept_word(row[i] for row in self.rows):  # rare: a look at each cell
                return False
        return True

    def layout(self, width: int, *, bold_header: bool = False) -> list[str]:
        """The table as :meth:`lines` when it fits ``width`` with every word whole, with
        one space between columns if that is what it takes; otherwise as :meth:`records`.

        Decoration gives way first, then the columns: no word is broken to keep a grid.
        """
        for gap in (GAP, NARROW_GAP):
            if self.keeps_words(width, gap):
                return self.lines(width, bold_header=bold_header, gap=gap)
        return self.records(width)

    def records(self, width: int) -> list[str]:
        """One record a row, for a terminal too narrow for the columns: the first cell
        on a line of its own, then ``Header: cell`` for each other non-empty cell,
        indented, every line wrapped between words to ``width`` cells."""
        headers = self.headers[1:]
        out: list[str] = []
        append, extend = out.append, out.extend
        for row in self.rows:
            first = row[0]
            if cell_width(first) <= width:
                append(first)
            else:
                extend(wrap(first, width))
            for header, text in zip(headers, row[1:], strict=True):
                if text:
                    extend("  " + line for line in hang(f"{header}: {text}", width - 2, "  "))
        return out

    def lines(self, width: int, *, bold_header: bool = False, gap: str = GAP) -> list[str]:
        """The header (bold with ANSI codes if asked), a rule, then every row; no trailing
        blanks.  Lines fit ``width`` cells when it allows 2 cells a column."""
        widths = self.widths(width, gap)
        right = [column.align == "right" for column in self.columns]
        header = self._wrapped(self.headers, widths, right, gap)
        if bold_header:
            header = [f"{BOLD}{line}{RESET}" for line in header]
        out = [*header, gap.join(RULE * w for w in widths)]
        # A row whose cells all fit is one line.  When each character is one cell (ASCII,
        # most Latin text) a format string pads it; otherwise each cell is padded apart.
        narrow_line = gap.join(f"{{:{'>' if flush_right else '<'}{w}}}"
                               for flush_right, w in zip(right, widths, strict=True))
        justify = [str.rjust if r else str.ljust for r in right]
        append, join = out.append, gap.join
        for row, wide in zip(self.rows, self._wide, strict=True):
            if not wide:
                if all(map(le, map(len, row), widths)):
                    append(narrow_line.format(*row).rstrip(" "))
                    continue
            else:
                sizes = list(map(cell_width, row))
                if all(map(le, sizes, widths)):
                    # str.ljust counts characters: ask for the cells missing plus len(text)
                    cells = [pad(text, w + len(text) - used)
                             for pad, text, w, used in zip(justify, row, widths, sizes,
                                                          strict=True)]
                    append(join(cells).rstrip(" "))
                    continue
            out += self._wrapped(row, widths, right, gap)
        return out

    @staticmethod
    def _wrapped(row: Sequence[str], widths: Sequence[int], right: Sequence[bool],
                 gap: str = GAP) -> list[str]:
        """A row over several lines: each cell wrapped in its column, blank below its end."""
        pieces = [wrap(text, w) for text, w in zip(row, widths, strict=True)]
        out = []
        for k in range(max(map(len, pieces), default=1)):
            parts = []
            for column, w, flush_right in zip(pieces, widths, right, strict=True):
                text = column[k] if k < len(column) else ""
                pad = " " * max(0, w - cell_width(text))
                parts.append(pad + text if flush_right else text + pad)
            out.append(gap.join(parts).rstrip(" "))
        return out
