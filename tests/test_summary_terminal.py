"""`cslevels summary` in the terminal: the portfolio table as plain fixed-width text.

The table (``reporting.columns``) replaced rich's ``Table``, which cost about a
millisecond a row.  What a reader relies on: lines fit the terminal, columns
line up whatever the script (CJK and emoji take two cells), long cells wrap
inside their column without losing a character, and untrusted text is shown
literally, never as terminal escapes.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, get_character_cell_size

from conftest import DATA, Invoke
from cslevels.core.portfolio import Portfolio, Row, RubricInfo
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.columns import (
    MAX_KEPT_WORD,
    Column,
    ColumnTable,
    cell_width,
    clean_cell,
    fit_widths,
)
from cslevels.reporting.summary.terminal import (
    FILE_COLUMN_WIDTH,
    portfolio_lines,
    render_portfolio,
)
from cslevels.text import clean, clean_line

PORTFOLIO = DATA / "portfolio"
SUBJECTS = {"Alpha Bakery", "Bravo Books", "Charlie Cycles", "Delta Deli team",
            "Echo Electronics team", "Foxtrot Florist team", "Golf Garage", "Hotel Harbour",
            "India Ink"}  # the subjects of tests/test_summary.py's EXPECTED_LEVELS
SGR = re.compile(r"\x1b\[[0-9;]*m")  # colour and bold, as rich and the table write them


def make_row(subject: str, n: int = 0, **fields: object) -> Row:
    values: dict[str, object] = dict(
        path=f"clients/c{n}.yaml", subject=subject, rubric_id="seven-levels",
        rubric_version="1.0.0", rubric_digest="ab" * 32, date=dt.date(2026, 3, 1 + n % 28),
        method="cumulative", achieved_level=1, achieved_name="Availability",
        levels_achieved=1, level_count=7, index=71.5, weakest="Attention",
        weakest_score=0.5)
    values.update(fields)
    return Row(**values)  # type: ignore[arg-type]


def make_portfolio(*subjects: str) -> Portfolio:
    info = RubricInfo("seven-levels", "1.0.0", "Seven", "ab" * 32, "cumulative",
                      tuple(f"L{k}" for k in range(1, 8)))
    return Portfolio(rows=[make_row(s, n) for n, s in enumerate(subjects)],
                     rubrics={info.id: info})


def columns_of(line: str, widths: list[int]) -> list[str]:
    """A table line cut back into its cells (padding left on), by terminal cells.

    A column holds ``width`` cells and any zero-width characters that follow
    them; then come the two spaces of the gap.  (A zero-width character at the
    start of a cell sits after the gap: a terminal draws it over a blank.)
    """
    out, at = [], 0
    for n, width in enumerate(widths):
        start = at
        used = 0
        while at < len(line) and (used < width or get_character_cell_size(line[at]) == 0):
            used += get_character_cell_size(line[at])
            at += 1
        out.append(line[start:at])
        if n < len(widths) - 1 and at < len(line):
            assert line[at:at + 2] == "  ", (line, at)
            at += 2
    assert at == len(line), (line, widths)
    return out


def spans_of(rule: str) -> list[tuple[int, int]]:
    """Each column's cells, [start, end), read off the rule under the header."""
    return [m.span() for m in re.finditer("─+", rule)]  # ASCII and '─': one cell each


def table_of(lines: list[str], *, to_blank: bool = True
             ) -> tuple[list[str], list[tuple[int, int]], list[str]]:
    """The header lines, the column spans and the data lines of a table (up to the first
    blank line, or to the end)."""
    rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    end = next((i for i in range(rule + 1, len(lines)) if not lines[i] and to_blank),
               len(lines))
    return lines[:rule], spans_of(lines[rule]), lines[rule + 1:end]


def records(data: list[str], spans: list[tuple[int, int]], key: int = 1) -> list[list[str]]:
    """Data lines grouped into rows: a row starts where column ``key`` (never empty,
    never wrapped) has text; each cell's pieces joined with a space."""
    rows: list[list[list[str]]] = []
    widths = [b - a for a, b in spans]
    for line in data:
        cells = [cell.strip(" ") for cell in columns_of(line, widths)]
        if cells[key]:
            rows.append([[c] if c else [] for c in cells])
        else:
            assert rows, f"a continuation line before any row: {line!r}"
            for pieces, c in zip(rows[-1], cells, strict=True):
                pieces += [c] if c else []
    return [[" ".join(pieces) for pieces in row] for row in rows]


# ---------------------------------------------------------------- through the command


@pytest.mark.parametrize("width", [100, 139, 140, 200])
def test_lines_fit_the_terminal_and_no_cell_is_cut(invoke: Invoke, width: int) -> None:
    result = invoke("summary", str(PORTFOLIO), env={"COLUMNS": str(width)})
    assert result.exit_code == 1  # the two broken files
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= width for line in lines), max(lines, key=cell_len)
    assert all(line == line.rstrip() for line in lines)
    start = lines.index("Assessments (9), by subject")
    header, spans, data = table_of(lines[start + 1:])
    with_files = width >= FILE_COLUMN_WIDTH
    widths = [b - a for a, b in spans]
    names = ["".join(cells).replace(" ", "")
             for cells in zip(*(columns_of(line, widths) for line in header), strict=True)]
    assert names == ["Subject", "Rubric", "Date", "Achievedlevel", "Index", "Weakestlevel",
                     *(["File"] if with_files else [])]  # headers wrap like the cells
    rows = records(data, spans)
    assert len(rows) == 9
    # Wrapped at spaces where it can, so the words come back; hard breaks join without one.
    assert {re.sub(" ", "", row[0]) for row in rows} == {s.replace(" ", "") for s in SUBJECTS}
    if width >= 100:
        assert {row[0] for row in rows} == SUBJECTS
    assert {row[1] for row in rows} == {"seven-levels", "six-levels", "five-grades"}
    if with_files:
        files = {row[-1].replace(" ", "") for row in rows}
        assert {f.rsplit("/", 1)[-1] for f in files} == {
            "alpha-bakery.yaml", "bravo-books.yaml", "charlie-cycles.yaml", "delta-deli.yaml",
            "echo-electronics.yaml", "foxtrot-florist.yaml", "golf-garage.yaml",
            "hotel-harbour.yaml", "india-ink.yaml"}
        assert all(f.startswith(str(PORTFOLIO)) for f in files)


def test_order_heading_table_histograms_failures(invoke: Invoke) -> None:
    out = invoke("summary", str(PORTFOLIO)).stdout
    marks = ["Portfolio: 9 assessment(s)", "Assessments (9), by subject", "Subject",
             "Alpha Bakery", "India Ink", "Levels reached:", "could not be loaded",
             "bad-yaml.yaml:8:34"]
    at = [out.index(mark) for mark in marks]
    assert at == sorted(at)
    assert out.endswith("off-scale.yaml:8:26\n")


def test_the_index_column_is_right_aligned(invoke: Invoke) -> None:
    lines = invoke("summary", str(PORTFOLIO)).stdout.splitlines()
    header = next(line for line in lines if line.startswith("Subject"))
    end = header.index("Index") + len("Index")
    indexes = [line[:end].rsplit(" ", 1)[-1] for line in lines if "-levels  " in line
               or "five-grades  " in line]
    assert sorted(indexes) == sorted(["100.0", "69.8", "95.0", "45.0", "93.8", "75.0",
                                      "100.0", "90.3", "62.5"])


def test_no_assessments(invoke: Invoke, tmp_path: Path) -> None:
    out = invoke("summary", str(tmp_path)).stdout
    assert out == ("Portfolio: 0 assessment(s)\nOne row per subject and rubric: its latest "
                   "assessment.\nNo assessments found.\n")


# ---------------------------------------------------------------- the portfolio table


def test_wide_characters_keep_the_columns_aligned() -> None:
    subjects = ["Alpha Bakery", "東京カフェ", "☕ Café Crème", "🍰🍰 Cakes", "Ünïcödé"]
    lines = portfolio_lines(make_portfolio(*subjects), 100)
    header = lines[1]
    assert header.startswith("Subject")
    rubric_at = header.index("Rubric")
    rows = [line for line in lines[3:] if "seven-levels" in line]
    assert len(rows) == len(subjects)
    for line in rows:
        assert cell_len(line[:line.index("seven-levels")]) == rubric_at, line
        assert cell_len(line[:line.index("2026-03-")]) == header.index("Date"), line
    assert {line.split("  ")[0].strip() for line in rows} == set(subjects)


def test_a_long_subject_wraps_in_its_column() -> None:
    long = " ".join(f"word{n:02d}" for n in range(30))  # 209 characters
    word = "x" * 150 + "東" * 50 + "y" * 100  # 300 characters, no space, 350 cells
    lines = portfolio_lines(make_portfolio("Alpha Bakery", long, word), 100)
    assert all(cell_len(line) <= 100 for line in lines)
    _header, spans, data = table_of(lines[1:])
    rows = {row[0].replace(" ", ""): row for row in records(data, spans)}
    assert " ".join(lines).count("seven-levels") == 3  # one line each with the other cells
    assert rows[long.replace(" ", "")][0] == long  # broken only at spaces
    assert word in rows  # hard-broken, nothing lost
    # continuation lines: only the subject column has text
    first = next(i for i, line in enumerate(data) if line.startswith("word00"))
    following = data[first + 1:first + 4]
    assert all(line.startswith("word") for line in following)
    widths = [b - a for a, b in spans]
    assert all("".join(columns_of(line, widths)[1:]).strip() == "" for line in following)
    subject_width = widths[0]
    pieces = [columns_of(line, widths)[0].strip() for line in data]
    assert all(cell_len(piece) <= subject_width for piece in pieces)
    assert max(cell_len(piece) for piece in pieces if set(piece) == {"東"}) >= subject_width - 1


def test_untrusted_text_is_shown_literally() -> None:
    nasty = "Evil \x1b[2J wipe \u202eesrever [bold red]markup[/] \x1b]8;;http://x\x1b\\ link"
    portfolio = make_portfolio(nasty, "Plain")
    portfolio.rows[0] = make_row(nasty, 0, path="c\x1b[31m.yaml", rubric_id="r\u202e",
                                 achieved_name="A\nB", weakest="W\x07")
    lines = portfolio_lines(portfolio, 200)
    text = "\n".join(lines)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    for shown in ("\\x1b[2J", "\\u202eesrever", "[bold red]markup[/]", "\\x1b]8;;http://x\\x1b\\",
                  "c\\x1b[31m.yaml", "r\\u202e", "1 — A B", "50% W\\x07"):
        assert shown in text, shown


def test_colour_makes_only_the_header_bold() -> None:
    portfolio = make_portfolio("Evil \x1b[2J name", "東京カフェ", "x" * 120)
    plain_lines = portfolio_lines(portfolio, 100, color=False)
    colour_lines = portfolio_lines(portfolio, 100, color=True)
    assert not any("\x1b" in line for line in plain_lines)
    header = colour_lines[1]
    assert header == f"\x1b[1m{plain_lines[1]}\x1b[0m"
    assert colour_lines[2:] == plain_lines[2:]  # the rule and the rows: plain
    assert colour_lines[0] == plain_lines[0]  # the title
    out = render_portfolio(portfolio, RenderOptions(color=True, width=100))
    assert "\\x1b[2J" in out and "\x1b[2J" not in out
    assert "\x1b" not in SGR.sub("", out)  # rich's colours and the bold header only
    assert "\x1b" not in render_portfolio(portfolio, RenderOptions(color=False, width=100))


def test_the_file_column_needs_140_cells() -> None:
    portfolio = make_portfolio("Alpha Bakery")
    for width, shown in ((139, False), (140, True), (40, False)):
        lines = portfolio_lines(portfolio, width)
        assert ("File" in lines[1]) is shown
        assert ("clients/c0.yaml" in "\n".join(lines)) is shown


def test_narrowest_terminal_still_fits() -> None:
    portfolio = make_portfolio("Echo Electronics team", "東京カフェ 🍰 Bakery")
    for width in (10, 40):  # the console is never narrower than 40
        lines = portfolio_lines(portfolio, width)
        assert all(cell_len(line) <= 40 for line in lines), lines


# ---------------------------------------------------------------- the layout itself


def test_layout_snapshot() -> None:
    table = ColumnTable([Column("Name"), Column("Id", flexible=False),
                         Column("Score", align="right", flexible=False), Column("Note")])
    table.add_row(["Ann", "a1", "7.0", "ok"])
    table.add_row(["Bartholomew Smith-Jones", "b2", "12.5", "moved\nhouse"])
    table.add_row(["東京カフェ", "c3", "3.1", "Supercalifragilistic"])
    assert table.widths(60) == [23, 2, 5, 20]  # natural widths: they fit
    assert table.lines(60) == [
        "Name                     Id  Score  Note",
        "───────────────────────  ──  ─────  ────────────────────",
        "Ann                      a1    7.0  ok",
        "Bartholomew Smith-Jones  b2   12.5  moved house",
        "東京カフェ               c3    3.1  Supercalifragilistic",
    ]
    # flexible columns give way, widest first: Name to its longest word, then Note
    assert table.widths(40) == [11, 2, 5, 16]
    assert table.lines(40, bold_header=True) == [
        "\x1b[1mName         Id  Score  Note\x1b[0m",
        "───────────  ──  ─────  ────────────────",
        "Ann          a1    7.0  ok",
        "Bartholomew  b2   12.5  moved house",
        "Smith-Jones",
        "東京カフェ   c3    3.1  Supercalifragili",
        "                        stic",
    ]


def test_fit_widths_keeps_words_whole_when_it_can() -> None:
    # the level names' longest words (25 cells) stay whole; the subject wraps instead
    assert fit_widths([21, 12, 10, 29, 5, 30], [True, False, False, True, False, True], 100,
                      [11, 0, 0, 25, 0, 25]) == [13, 12, 10, 25, 5, 25]
    # a word longer than MAX_KEPT_WORD is broken anyway: it does not hold its column wide
    assert fit_widths([60, 20], [True, True], 50, [60, 12]) == [28, 20]


def test_a_long_fixed_cell_gives_way_before_words_are_broken() -> None:
    # a 56-character rubric id at 80 columns wraps; the level names keep their words whole
    assert fit_widths([20, 56, 10, 20, 5, 20], [True, False, False, True, False, True], 80,
                      [8, 0, 0, 12, 0, 12]) == [8, 23, 10, 12, 5, 12]
    # at 60 (81 cells too many): words give 28, the id 40 (down to MAX_KEPT_FIXED), the
    # text columns 8 more (to MIN_FLEXIBLE) and the last 5 below it, widest first
    assert fit_widths([20, 56, 10, 20, 5, 20], [True, False, False, True, False, True], 60,
                      [8, 0, 0, 12, 0, 12]) == [6, 16, 10, 6, 5, 7]


def test_fit_widths() -> None:
    assert fit_widths([10, 5, 7], [True, False, True], 30) == [10, 5, 7]
    assert fit_widths([30, 10, 20], [True, False, True], 50) == [18, 10, 18]
    # flexible columns go to 8, then 4, before a fixed one gives a cell
    assert fit_widths([30, 10, 30], [True, False, True], 34) == [10, 10, 10]
    assert fit_widths([30, 10, 30], [True, False, True], 26) == [6, 10, 6]
    assert fit_widths([30, 10, 30], [True, False, True], 20) == [4, 8, 4]
    assert fit_widths([3, 3], [True, True], 4) == [2, 2]  # 2 cells: the floor


def test_clean_cell_shortcut_agrees_with_clean_line_on_every_character() -> None:
    # clean_cell returns printable text unchanged (spacing aside): that is only right if
    # every character clean() escapes, and every space but " ", is not printable.
    wrong = [c for c in map(chr, range(sys.maxunicode + 1))
             if c.isprintable() and c != " " and (clean(c) != c or c.isspace())]
    assert wrong == []


@settings(max_examples=300, deadline=None, derandomize=True)
@given(row=st.lists(st.text(st.sampled_from("ab |東\t"), max_size=6), min_size=1, max_size=4))
@example(row=["a", " b"])
@example(row=["a ", "b"])
@example(row=[" a", "b"])
@example(row=["a", "b "])
@example(row=["a", "b  c"])
def test_rows_are_kept_clean(row: list[str]) -> None:
    # add_row checks a whole row at once: a space at the end of any cell is cleaned too
    table = ColumnTable([Column(f"C{i}") for i in range(len(row))])
    table.add_row(row)
    assert table.rows == [tuple(map(clean_line, row))]


TEXT = st.lists(st.sampled_from(
    [*"abcdefghij", *"     ", "Wörd", "—", "東", "京", "カ", "🍰", "☕", "\u0301", "\n", "\t",
     "\x1b", "\u202e", "\u2028", "\xa0", "[b]", "\u3000", "supercalifragilistic"]),
    max_size=30).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(shape=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=7),
       data=st.data(), width=st.integers(40, 200))
def test_layout_fits_and_loses_nothing(shape: list[tuple[bool, bool]], data: st.DataObject,
                                       width: int) -> None:
    columns = [Column(f"C{i}", "right" if right else "left", flexible)
               for i, (right, flexible) in enumerate(shape)]
    rows = data.draw(st.lists(st.lists(TEXT, min_size=len(shape), max_size=len(shape)),
                              max_size=6))
    table = ColumnTable(columns)
    for row in rows:
        table.add_row(row)
    assert table.rows == [tuple(map(clean_line, row)) for row in rows]
    assert all(clean_cell(text) == clean_line(text) for row in rows for text in row)
    lines = table.lines(width)
    assert all(cell_len(line) <= width and line == line.rstrip(" ") for line in lines)
    widths = table.widths(width)
    header, spans, body = table_of(lines, to_blank=False)
    assert [b - a for a, b in spans] == widths
    heads = zip(*(columns_of(line, widths) for line in header), strict=True)
    assert ["".join(pieces).replace(" ", "") for pieces in heads] == [c.header for c in columns]
    cells = zip(*(columns_of(line, widths) for line in body), strict=True)
    for j, pieces in enumerate(cells):
        assert "".join(pieces).replace(" ", "") == "".join(
            clean_line(row[j]) for row in rows).replace(" ", "")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(shape=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=7),
       data=st.data(), width=st.integers(40, 200))
def test_the_layout_fits_and_breaks_no_word(shape: list[tuple[bool, bool]],
                                            data: st.DataObject, width: int) -> None:
    """Issue 18 item 7: the table, with narrower spacing, or else one record a row; each
    line fits and every word that could fit (up to MAX_KEPT_WORD cells) comes out whole."""
    columns = [Column(f"C{i}", "right" if right else "left", flexible)
               for i, (right, flexible) in enumerate(shape)]
    rows = data.draw(st.lists(st.lists(TEXT, min_size=len(shape), max_size=len(shape)),
                              max_size=6))
    table = ColumnTable(columns)
    table.add_rows(rows)
    lines = table.layout(width)
    assert all(cell_len(line) <= width and line == line.rstrip(" ") for line in lines)
    shown = " ".join(lines).split()
    for row in rows:
        for word in " ".join(map(clean_line, row)).split():
            if cell_width(word) <= min(MAX_KEPT_WORD, width - 4):
                assert any(word in piece for piece in shown), (word, lines)


# Long names as real portfolios have them (issue 18 item 7).
LONG_SUBJECT = "Northern Lights Independent Booksellers and Coffee Roasters Cooperative"
LONG_TITLE = "Customer-service maturity for independent bookshops, cafés and hardware stores"
LONG_LEVEL = "Acknowledgement, recognition and remembering of returning customers"


def long_portfolio() -> Portfolio:
    info = RubricInfo("bookshop-service-maturity", "1.0.0", LONG_TITLE, "ab" * 32, "staged",
                      (LONG_LEVEL, "Partnership/Advocacy/Community"))
    rows = [make_row(LONG_SUBJECT, 0, rubric_id=info.id, achieved_level=1,
                     achieved_name=LONG_LEVEL, levels_achieved=1, level_count=2,
                     weakest="Partnership/Advocacy/Community"),
            make_row("Alpha Bakery", 1, rubric_id=info.id, achieved_level=2,
                     achieved_name="Partnership/Advocacy/Community", levels_achieved=2,
                     level_count=2, weakest=LONG_LEVEL)]
    return Portfolio(rows=rows, rubrics={info.id: info})


@pytest.mark.parametrize("width", [40, 60, 70, 80, 100])
def test_long_names_fit_the_terminal_whole(width: int) -> None:
    out = render_portfolio(long_portfolio(), RenderOptions(width=width))
    lines = out.splitlines()
    assert all(cell_len(line) <= width for line in lines), max(lines, key=cell_len)
    words = out.split()
    for name in (LONG_SUBJECT, LONG_TITLE, LONG_LEVEL, "Partnership/Advocacy/Community",
                 "bookshop-service-maturity", "Alpha Bakery", "2026-03-01", "71.5"):
        missing = [word for word in name.split() if word not in words]
        assert not missing, (name, missing, out)
    assert "…" not in out
    histogram = out[out.index("Levels reached"):]
    assert "Partnership/Advocacy/Community" in histogram.split()  # never cut to 28


@pytest.mark.parametrize("width", ["40", "60", "70", "80"])
def test_a_narrow_summary_keeps_every_name_whole(invoke: Invoke, width: str) -> None:
    """Through the command: the table or one record a row, every word of every subject and
    level name whole, and no line wider than COLUMNS."""
    out = invoke("summary", str(PORTFOLIO), env={"COLUMNS": width}).stdout
    assert all(cell_len(line) <= int(width) for line in out.splitlines())
    words = out.split()
    for subject in SUBJECTS:
        assert all(word in words for word in subject.split()), (subject, out)
    for rubric in ("seven-levels", "six-levels", "five-grades"):
        assert rubric in words or f"{rubric}," in words or f"Rubric: {rubric}" in out


def test_large_counts_are_grouped_by_thousands() -> None:
    portfolio = make_portfolio(*(f"Client {n}" for n in range(1_200)))
    out = render_portfolio(portfolio, RenderOptions(width=100))
    assert "Portfolio: 1,200 assessment(s)" in out
    assert "Assessments (1,200), by subject" in out
    assert "1,200 assessment(s)" in out.split("Levels reached")[1]
