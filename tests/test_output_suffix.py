"""Issue 18, item 3: an output suffix no format produces is refused, never written.

``-o report.pdf`` used to write the terminal text into a .pdf (exit 0; now it is a real
PDF where the command has one, refused elsewhere) and ``-o x.html --format json`` wrote
JSON into a .html without a word.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, Invoke

CAFE = str(EXAMPLES / "riverside-cafe.yaml")
CAFE_LATER = str(EXAMPLES / "riverside-cafe-2027-05.yaml")

COMMANDS = {
    "score": ["score", CAFE],
    "compare": ["compare", CAFE, CAFE_LATER],
    "summary": ["summary", str(EXAMPLES)],
    "show": ["show", "seven-levels"],
    "template": ["template", "seven-levels"],
    "schema": ["schema", "rubric"],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", ["report.docx", "report.odt"])
def test_a_suffix_no_format_writes_is_refused(invoke: Invoke, tmp_path: Path, command: str,
                                              name: str) -> None:
    target = tmp_path / name
    out = invoke(*COMMANDS[command], "-o", str(target))
    assert out.exit_code == 1
    assert not target.exists()
    line, = out.stderr.splitlines()
    assert line.startswith(f"{target}: error: ")
    assert Path(name).suffix in line and "Traceback" not in out.stderr


@pytest.mark.parametrize("command", ["template", "schema"])
def test_pdf_is_refused_by_the_commands_that_write_none(invoke: Invoke, tmp_path: Path,
                                                         command: str) -> None:
    """score, compare, summary and show write PDFs (test_pdf.py); the others refuse .pdf."""
    target = tmp_path / "report.pdf"
    out = invoke(*COMMANDS[command], "-o", str(target))
    assert out.exit_code == 1
    assert not target.exists()
    assert f"{target}: error: " in out.stderr and ".pdf" in out.stderr


@pytest.mark.parametrize(("command", "fmt", "name"), [
    ("score", "html", "x.pdf"), ("show", "pdf", "x.html"),
    ("score", "json", "x.html"), ("score", "markdown", "x.json"), ("compare", "html", "x.md"),
    ("summary", "csv", "x.json"), ("show", "markdown", "x.html"),
])
def test_a_format_that_contradicts_the_suffix_is_refused(invoke: Invoke, tmp_path: Path,
                                                         command: str, fmt: str,
                                                         name: str) -> None:
    target = tmp_path / name
    out = invoke(*COMMANDS[command], "--format", fmt, "-o", str(target))
    assert out.exit_code == 1
    assert not target.exists()
    assert f"--format {fmt} does not match the file name" in out.stderr


def test_matching_suffixes_text_files_and_bare_names_are_written(invoke: Invoke,
                                                                  tmp_path: Path) -> None:
    assert invoke("score", CAFE, "--format", "html", "-o", str(tmp_path / "a.HTM")).exit_code == 0
    assert invoke("score", CAFE, "-o", str(tmp_path / "a.txt")).exit_code == 0
    assert (tmp_path / "a.txt").read_text(encoding="utf-8").startswith("Subject")
    assert invoke("score", CAFE, "--format", "json", "-o", str(tmp_path / "report")).exit_code == 0
    assert (tmp_path / "report").read_text(encoding="utf-8").startswith("{")
    assert invoke("schema", "answers", "-o", str(tmp_path / "a.json")).exit_code == 0
