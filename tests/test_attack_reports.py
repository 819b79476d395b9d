"""README's promises under attack (issue 13), in the reports: CSV, Markdown, the terminal.

Untrusted text (subjects, names, file names) must never be interpreted: no raw
control character reaches a CSV file, no CSV cell is a formula to a spreadsheet, no
Markdown text becomes a link or math, and a huge ``COLUMNS`` cannot make a report
take minutes.  Every test here failed on the code before the fix it names.
"""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, Invoke, find_tool, unavailable
from cslevels.reporting.kit.markdown import md
from cslevels.text import clean_line

# ---------------------------------------------------------------- 5: CSV

# What a terminal must never receive raw: C0 and C1 controls but tab and newline, DEL,
# bidi controls, line and paragraph separators (as cslevels.text.clean escapes them).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                         "\u202a-\u202e\u2066-\u2069]")
# Hostile subjects and the cell each must become, written out by hand.
HOSTILE_SUBJECTS = {
    "\x1b]0;owned\x07title": "\\x1b]0;owned\\x07title",       # OSC: window title, BEL
    "\x1b]52;c;Y2xpcA==\x07clip": "\\x1b]52;c;Y2xpcA==\\x07clip",  # OSC 52: clipboard
    "\x1b[31mred": "\\x1b[31mred",                           # CSI colour
    "\x9b31mcsi": "\\x9b31mcsi",                             # C1 CSI
    "over\rwrite": "over\\x0dwrite",                         # carriage return
    "\u202egnp.exe": "\\u202egnp.exe",                       # bidi override
    "=1+1": "'=1+1",
    "+1+1": "'+1+1",
    "-1+1": "'-1+1",
    "@SUM(A1)": "'@SUM(A1)",
    "\t=1+1": "'\t=1+1",
    " =1+1": "' =1+1",
    "\n=1+1": "'\n=1+1",
    "\u00a0=1+1": "'\u00a0=1+1",                             # no-break space
    "\u3000=1+1": "'\u3000=1+1",                             # ideographic space
    "\uff1d1+1": "'\uff1d1+1",                               # fullwidth equals sign
    "\uff0b1+1": "'\uff0b1+1",                               # fullwidth plus sign
    "\uff0d1+1": "'\uff0d1+1",                               # fullwidth hyphen-minus
    "\uff20SUM(A1)": "'\uff20SUM(A1)",                       # fullwidth commercial at
    "\u200b=1+1": "'\u200b=1+1",                             # zero-width space
    "\u200d+1": "'\u200d+1",                                 # zero-width joiner
    "\u2060@A1": "'\u2060@A1",                               # word joiner
    "\u2212" + "1+1": "'\u22121+1",                          # minus sign
    "Plain, with a comma": "Plain, with a comma",
    "Caf\u00e9 = good": "Caf\u00e9 = good",                  # = inside is not a formula
}
HOSTILE_NAME = "\x1b]8;;http://e\x1b\\Lvl\x1b]8;;\x1b\\ \u2066=cmd"
HOSTILE_NAME_CELL = "\\x1b]8;;http://e\\x1b\\Lvl\\x1b]8;;\\x1b\\ \\u2066=cmd"


def _is_formula_start(cell: str) -> bool:
    """Independently of cslevels: = + - @ after any blanks or zero-width characters,
    in any compatibility form (fullwidth, small), or a minus sign."""
    for char in cell:
        if char.isspace() or unicodedata.category(char) == "Cf":
            continue
        return unicodedata.normalize("NFKC", char)[:1] in "=+-@\u2212"
    return False


def _hostile_portfolio(tmp_path: Path) -> tuple[Path, Path]:
    """A one-level rubric with a hostile name and version, and one answers file for each
    hostile subject (plus one with a hostile file name)."""
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    rubric = {
        "schema": "cslevels/rubric/v1", "id": "hostile", "version": "-1\x1b[2J",
        "title": "T", "threshold": 0.5,
        "scales": {"s": {"label": "S", "options": [{"value": 0, "label": "no", "score": 0},
                                                    {"value": 1, "label": "yes", "score": 1}]}},
        "levels": [{"id": "l", "name": HOSTILE_NAME, "questions": [
            {"id": "q", "text": "Q?", "scale": "s"}]}],
    }
    (rubrics / "hostile.yaml").write_text(yaml.safe_dump(rubric, allow_unicode=False))
    folder = tmp_path / "clients"
    folder.mkdir()
    for n, subject in enumerate(HOSTILE_SUBJECTS):
        answers = {"schema": "cslevels/answers/v1", "rubric": "hostile", "subject": subject,
                   "answers": {"l.q": 1}}
        # JSON is YAML: every control character travels as a \u escape
        (folder / f"a{n:02d}.yaml").write_text(json.dumps(answers))
    evil = {"schema": "cslevels/answers/v1", "rubric": "hostile", "subject": "named badly",
            "answers": {"l.q": 1}}
    (folder / "=evil\x1b[31m\u202e.yaml").write_text(json.dumps(evil))
    return folder, rubrics


def test_csv_cells_are_escaped_and_never_formulas(invoke: Invoke, tmp_path: Path) -> None:
    folder, rubrics = _hostile_portfolio(tmp_path)
    result = invoke("summary", str(folder), "--rubrics-dir", str(rubrics), "--all-visits",
                    "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert not RAW_CONTROL.search(result.stdout), "a raw control character in the CSV"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(HOSTILE_SUBJECTS) + 1
    subjects = {row["subject"] for row in rows}
    assert subjects == {*HOSTILE_SUBJECTS.values(), "named badly"}
    for row in rows:
        assert row["achieved_level_name"] == HOSTILE_NAME_CELL
        assert row["weakest_level"] == HOSTILE_NAME_CELL
        assert row["rubric_version"] == "'-1\\x1b[2J"
        for name, value in row.items():
            assert not _is_formula_start(value), (name, value)
    evil_row = next(row for row in rows if row["subject"] == "named badly")
    assert evil_row["path"] == str(folder / "=evil\\x1b[31m\\u202e.yaml")


def find_soffice() -> str | None:
    return find_tool("CSLEVELS_SOFFICE", shutil.which("soffice"), shutil.which("libreoffice"),
                     "/usr/bin/soffice")


@pytest.mark.slow
def test_libreoffice_reads_no_csv_cell_as_a_formula(invoke: Invoke, tmp_path: Path) -> None:
    program = find_soffice()
    if program is None:
        unavailable("LibreOffice (soffice) is not installed", "LibreOffice")
    from openpyxl import load_workbook

    folder, rubrics = _hostile_portfolio(tmp_path)
    report = tmp_path / "portfolio.csv"
    result = invoke("summary", str(folder), "--rubrics-dir", str(rubrics), "--all-visits",
                    "-o", str(report))
    assert result.exit_code == 0, result.stderr
    control = tmp_path / "control.csv"  # proves the import does run formulas
    control.write_text("a\n=1+1\n", encoding="utf-8")
    out = tmp_path / "out"
    # UTF-8, formulas evaluated: the way a user opening the file would import it
    done = subprocess.run(
        [program, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--norestore", "--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true",
         "--convert-to", "xlsx", "--outdir", str(out), str(report), str(control)],
        capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert load_workbook(out / "control.xlsx").active["A2"].data_type == "f"
    sheet = load_workbook(out / "portfolio.xlsx").active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert len(cells) >= 12 * (len(HOSTILE_SUBJECTS) + 1)  # every row but its empty date
    assert [c.value for c in cells if c.data_type == "f"] == []
    subjects = {c.value for c in cells if c.column == 2}
    assert "'=1+1" in subjects and "'\uff1d1+1" in subjects


# ---------------------------------------------------------------- 6: Markdown

# Every kind of text GFM would turn into a link or math, each in a form it links.
LINKS = ("see http://evil.example/a_b?c=1, HTTPS://UP.EXAMPLE, ftp://f.example/x "
         "www.evil.example (www.paren.example) *www.star.example* mail bob@evil.example "
         "mailto:a@b.example xmpp:c@d.example/r $x^2$ and $$y$$ \\$z\\$ www\\.esc.example")


def _link_rubric() -> dict[str, object]:
    text = f"%t% {LINKS}"
    return {
        "schema": "cslevels/rubric/v1", "id": "links", "version": text, "title": text,
        "description": text, "source": {"title": text, "note": text, "url": text},
        "subject": text, "threshold": 0.6,
        "scales": {"s": {"label": text, "options": [
            {"value": 0, "label": text, "score": 0.0}, {"value": 1, "label": text, "score": 1.0}]}},
        "levels": [{"id": f"l{i}", "name": text, "summary": text, "questions": [
            {"id": f"q{j}", "text": text, "scale": "s", "guidance": text,
             "recommendation": text} for j in range(2)]} for i in range(2)],
    }


def _link_answers(values: dict[str, int]) -> dict[str, object]:
    text = f"%t% {LINKS}"
    return {"schema": "cslevels/answers/v1", "rubric": "links", "rubric_version": text,
            "subject": text, "assessor": text,
            "answers": {key: {"value": v, "note": text, "evidence": [text]}
                        for key, v in values.items()}}


def gfm_html(markdown: str) -> str:
    """The HTML GitHub's renderer makes of ``markdown``: cmark-gfm with its extensions
    (autolink, tables, strikethrough, task lists)."""
    import cmarkgfm

    return cmarkgfm.github_flavored_markdown_to_html(markdown)


UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")
WORD_JOINER = "\u2060"  # invisible; what md() puts before an @


@pytest.mark.parametrize("name", ["show", "score", "combine", "compare"])
def test_markdown_text_never_becomes_a_link_or_math(invoke: Invoke, tmp_path: Path,
                                                    name: str) -> None:
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    (rubrics / "links.yaml").write_text(yaml.safe_dump(_link_rubric()))
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"  # no date: compare labels by file
    old.write_text(yaml.safe_dump(_link_answers({"l0.q0": 1, "l0.q1": 1, "l1.q0": 1})))
    new.write_text(yaml.safe_dump(_link_answers({"l0.q0": 0, "l0.q1": 1, "l1.q0": 1,
                                                 "l1.q1": 0})))
    dirs = ["--rubrics-dir", str(rubrics)]
    args = {"show": ["show", str(rubrics / "links.yaml")], "score": ["score", str(old), *dirs],
            "combine": ["score", "--combine", str(old), str(new), *dirs],
            "compare": ["compare", str(old), str(new), *dirs]}[name]
    result = invoke(*args, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.count("%t%") >= 5  # the fields really are in the report
    html = gfm_html(text)
    assert "<a " not in html and "href" not in html
    assert not UNESCAPED_DOLLAR.search(text), "a $ GitHub could read as math"
    # and the text still reads as typed once rendered
    assert "see http://evil.example/a_b?c=1, HTTPS://UP.EXAMPLE" in html
    assert "$x^2$ and $$y$$ \\$z\\$ www\\.esc.example" in html


def test_compare_markdown_escapes_the_file_names_it_labels_by(
        invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # undated files are labelled by their path as given
    text = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
    undated = "\n".join(line for line in text.splitlines() if not line.startswith("date:"))
    names = ("[x](http:evil).yaml", "*b* www.e.example.yaml")
    for name in names:
        Path(name).write_text(undated + "\n", encoding="utf-8")
    result = invoke("compare", *names, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    html = gfm_html(result.stdout)
    assert "<a " not in html and "<em>" not in html
    assert "<h2>[x](http:evil).yaml → *b* www.e.example.yaml</h2>" in html


# Characters that make Markdown, autolinks and math, and any other character now and then.
MARKDOWNISH = st.text(st.sampled_from(list("abw.:/@$-+=1 \\_*~()<>[]`|#!&;\n\t'\"")) |
                      st.characters(blacklist_categories=("Cs",),
                                    blacklist_characters=WORD_JOINER), max_size=60)


@given(MARKDOWNISH)
@settings(max_examples=500)
def test_md_text_renders_as_typed_and_never_as_markup(text: str) -> None:
    shown = md(text)
    html = gfm_html(shown)
    inner = re.sub(r"^<p>|</p>$", "", html.strip())
    assert "<" not in inner, html  # no element at all: no link, emphasis, code, list
    assert not UNESCAPED_DOLLAR.search(shown)
    # what a reader sees is the text as typed (one line, control characters as escapes)
    assert htmllib.unescape(inner).replace(WORD_JOINER + "@", "@") == clean_line(text).strip()


# ---------------------------------------------------------------- 12: COLUMNS is bounded

WIDE = {
    "show": ["show", "seven-levels"],
    "score": ["score", str(EXAMPLES / "riverside-cafe.yaml")],
    "compare": ["compare", str(EXAMPLES / "riverside-cafe.yaml"),
                str(EXAMPLES / "riverside-cafe-2027-05.yaml")],
    "summary": ["summary", str(EXAMPLES)],
    "list": ["list"],
}


@pytest.mark.parametrize("columns", [100_000, 10_000_000])
@pytest.mark.parametrize("name", list(WIDE))
def test_a_huge_columns_is_laid_out_at_the_maximum_width(invoke: Invoke, name: str,
                                                         columns: int) -> None:
    huge = invoke(*WIDE[name], env={"COLUMNS": str(columns)})
    widest = invoke(*WIDE[name], env={"COLUMNS": "1000"})  # MAX_COLUMNS, as README says
    assert huge.exit_code == widest.exit_code == 0, huge.stderr
    assert max(map(len, huge.stdout.splitlines())) <= 1000
    assert huge.stdout == widest.stdout  # the same work as the widest allowed
