"""The consultant's fields of an answers file, ``prepared_for`` and ``executive_summary``,
survive every medium a user can move the file through: ``template --from`` to YAML and to
a workbook (and back), and ``assess`` continuing the file.  (The browser form is driven in
tests/test_form.py, LibreOffice in tests/test_workbook_office.py.)

The texts are hostile: quotes, colons, ``#``, line breaks, ``---``, emoji, right-to-left
script, a bidi override, spaces at the ends; each must come back character for character.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Invoke
from cslevels.commands.assess.session import AssessOptions, run_assess
from cslevels.core.models import NAME_MAX_CHARS, NOTE_MAX_CHARS, Answers
from cslevels.files import workbook_layout as L
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers
from workbook_helpers import edit_cells

PREPARED_FOR = [
    "M. O'Brien: owner, \"Riverside\" # 2",
    "Zoë ☕ 👩🏽‍💼 — שלום עולם مرحبا",
    "--- !!python/object:os.system",
    " spaces at both ends ",
    "two\nlines",
]
SUMMARY = [
    "Strong start: greeting is excellent.\n---\n# not a comment\n\n  - indented item\n...\n",
    "key: value\n? complex\n: mapping\n&anchor *alias |\n> folded\n%YAML 1.2\n",
    "RTL: مرحبا بالعالم and עברית, an override \u202eevil\u202c, emoji 😀👍🏽, end",
    "   leading spaces, trailing newlines\n\n\n",
    "tab\there \\n not a newline, \"quotes\" and 'apostrophes' # hash",
]
CASES = list(zip(PREPARED_FOR, SUMMARY, strict=True))


def write_answers(path: Path, prepared_for: str, summary: str, **extra: Any) -> Path:
    data: dict[str, Any] = {"schema": "cslevels/answers/v1", "rubric": "seven-levels",
                            "subject": "Riverside Cafe", "assessor": "J. Moreno",
                            "prepared_for": prepared_for, "executive_summary": summary,
                            "answers": {"availability.channels": 2,
                                        "attention.greeting": {"value": 1, "note": "n"}},
                            **extra}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def fields_of(path: Path) -> tuple[str | None, str | None]:
    answers: Answers = load_answers(path, RubricLibrary()).answers
    return answers.prepared_for, answers.executive_summary


@pytest.mark.parametrize(("prepared_for", "summary"), CASES)
def test_template_from_yaml_to_yaml_and_through_a_workbook(
        invoke: Invoke, tmp_path: Path, prepared_for: str, summary: str) -> None:
    source = write_answers(tmp_path / "given.yaml", prepared_for, summary)
    for args, out in ((["--from", str(source)], "copy.yaml"),
                      (["--from", str(source)], "survey.xlsx"),
                      (["--from", str(tmp_path / "survey.xlsx")], "back.yaml")):
        result = invoke("template", "seven-levels", *args, "-o", str(tmp_path / out))
        assert result.exit_code == 0, result.stderr
        assert fields_of(tmp_path / out) == (prepared_for, summary), out
    assert invoke("validate", "--strict", str(tmp_path / "back.yaml")).exit_code == 0


def test_the_workbook_has_a_details_row_for_each(invoke: Invoke, tmp_path: Path) -> None:
    import openpyxl

    source = write_answers(tmp_path / "given.yaml", PREPARED_FOR[0], SUMMARY[0])
    out = tmp_path / "survey.xlsx"
    assert invoke("template", "seven-levels", "--from", str(source), "-o", str(out)
                  ).exit_code == 0
    ws = openpyxl.load_workbook(out)[L.QUESTIONS_SHEET]
    assert (ws["H7"].value, ws["C7"].value) == ("@prepared_for", PREPARED_FOR[0])
    assert (ws["H8"].value, ws["C8"].value) == ("@executive_summary", SUMMARY[0])
    assert ws["B7"].value.startswith("Prepared for (optional):")
    assert ws["C8"].protection.locked is False  # a cell to type in
    blank = tmp_path / "blank.xlsx"
    assert invoke("template", "seven-levels", "-o", str(blank)).exit_code == 0
    ws = openpyxl.load_workbook(blank)[L.QUESTIONS_SHEET]
    assert ws["C7"].value is None and ws["C8"].value is None


def test_typed_in_a_workbook_they_are_read_and_over_long_text_is_located(
        invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "survey.xlsx"
    assert invoke("template", "seven-levels", "-o", str(out)).exit_code == 0
    edit_cells(out, {"C3": "Riverside Cafe", "C7": "The owner: Ana",
                     "C8": "Line one\nline two: # kept"})
    assert fields_of(out) == ("The owner: Ana", "Line one\nline two: # kept")
    edit_cells(out, {"C7": "p" * (NAME_MAX_CHARS + 1), "C8": "s" * (NOTE_MAX_CHARS + 1)})
    result = invoke("validate", str(out))
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() + result.stderr.splitlines()
             if ": error:" in line]
    assert any(line.startswith(f"{out}:Questions!C7: error:") and "prepared_for" in line
               for line in lines), lines
    assert any(line.startswith(f"{out}:Questions!C8: error:") and "executive_summary" in line
               for line in lines), lines
    edit_cells(out, {"C7": "=HYPERLINK(\"http://x\")", "C8": None})
    result = invoke("validate", str(out))
    assert f"{out}:Questions!C7: error: prepared_for: the cell holds a formula" in (
        result.stdout + result.stderr)


def test_rows_sorted_in_the_workbook_still_find_them(invoke: Invoke, tmp_path: Path) -> None:
    """The hidden id names the row: moved elsewhere, the summary is still read."""
    import openpyxl

    source = write_answers(tmp_path / "given.yaml", PREPARED_FOR[1], SUMMARY[2])
    out = tmp_path / "survey.xlsx"
    assert invoke("template", "seven-levels", "--from", str(source), "-o", str(out)
                  ).exit_code == 0
    wb = openpyxl.load_workbook(out)
    ws = wb[L.QUESTIONS_SHEET]
    bottom = ws.max_row + 2
    for column in "CH":  # the summary's answer and its id, moved below every question
        ws[f"{column}{bottom}"] = ws[f"{column}8"].value
        ws[f"{column}8"] = None
    wb.save(out)
    assert fields_of(out) == (PREPARED_FOR[1], SUMMARY[2])


@pytest.mark.parametrize(("prepared_for", "summary"), CASES)
def test_assess_continuing_a_file_keeps_them(tmp_path: Path, prepared_for: str,
                                             summary: str) -> None:
    out = write_answers(tmp_path / "visit.yaml", prepared_for, summary, date="2026-11-20")
    stdout = io.StringIO()
    # answer the next question (the first unanswered one), no note, then quit
    code = run_assess(AssessOptions("seven-levels", out, no_tty=True),
                      stdin=io.StringIO("1\n\nq\n"), stdout=stdout, stderr=io.StringIO())
    assert code == 0, stdout.getvalue()
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert len(data["answers"]) == 3  # the answer typed was saved ...
    assert (data["prepared_for"], data["executive_summary"]) == (prepared_for, summary)
    assert fields_of(out) == (prepared_for, summary)  # ... and the rest kept exactly


def test_the_blank_yaml_template_shows_how_to_write_them(invoke: Invoke, tmp_path: Path) -> None:
    """Uncommented as they stand (the "# " taken off), the template's lines are valid."""
    text = invoke("template", "five-grades").stdout
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("# prepared_for:"))
    for n in range(start, start + 3):  # prepared_for, executive_summary and its line
        lines[n] = lines[n].removeprefix("# ")
    lines = [("subject: Corner Cafe" if line.startswith("subject:") else line)
             for line in lines]
    path = tmp_path / "filled.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert invoke("validate", "--strict", str(path)).exit_code == 0
    assert fields_of(path) == ("the owner", "Two or more lines, indented like this one.\n")
