"""Answers in an Excel workbook: what cslevels writes, reads back, and refuses."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import struct
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from conftest import EXAMPLES, Invoke
from cslevels.core.documents import answers_from_document
from cslevels.core.models import Answers
from cslevels.errors import InputError, InvalidDocumentError
from cslevels.files import workbook_layout as L
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers
from cslevels.files.workbook import read_workbook
from workbook_helpers import (
    answers_of,
    edit_cells,
    members,
    rewrite_meta,
    rezip,
    row_of,
    same_assessment,
    sheet_member,
    write_workbook,
)

CAFE = EXAMPLES / "riverside-cafe.yaml"
VERSION = RubricLibrary().resolve("seven-levels").rubric.version
# the labels of the frequency scale, as the dropdowns offer them
NEVER, SOMETIMES, _OFTEN, _USUALLY, ALWAYS = (
    o.label for o in RubricLibrary().resolve("seven-levels").rubric.scales["frequency"].options)


def errors_of(path: Path) -> list[str]:
    """Every message reading ``path`` as answers gives, as the CLI prints it."""
    try:
        load_answers(path, RubricLibrary())
    except (InputError, InvalidDocumentError) as exc:
        return [str(f) for f in exc.to_findings()]
    return []


# ---------------------------------------------------------------- written and read back


def test_example_round_trips_exactly(tmp_path: Path) -> None:
    original = answers_of(CAFE)
    path = write_workbook(tmp_path / "cafe.xlsx", original)
    doc = read_workbook(path)
    loaded, findings = answers_from_document(doc, path, RubricLibrary(), None)
    assert findings == [] and loaded is not None
    assert loaded.answers == original  # the same model, shorthand and long forms alike


def test_data_is_what_the_yaml_file_parses_to(tmp_path: Path) -> None:
    import yaml

    path = write_workbook(tmp_path / "cafe.xlsx", answers_of(CAFE))
    data = read_workbook(path).data
    expected = yaml.safe_load(CAFE.read_text(encoding="utf-8"))
    assert data == expected
    assert isinstance(data["date"], dt.date)


def test_blank_workbook_has_no_answers_and_needs_a_subject(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    doc = read_workbook(path)
    assert doc.data == {"schema": "cslevels/answers/v1", "rubric": "seven-levels",
                        "rubric_version": VERSION, "answers": {}}
    assert errors_of(path) == [
        f"{path}:Questions!C3: error: missing required field 'subject'"]


def test_cells_are_located(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "cafe.xlsx", answers_of(CAFE))
    doc = read_workbook(path)
    row = row_of(path, "availability.channels")
    assert doc.locate(("answers", "availability.channels")).cell == f"Questions!C{row}"
    assert doc.locate(("answers", "availability.channels", "value")).cell == f"Questions!C{row}"
    assert doc.locate(("answers", "availability.channels", "note")).cell == f"Questions!F{row}"
    assert doc.locate(("answers", "availability.channels", "evidence", 1)).cell == \
        f"Questions!G{row}"
    assert doc.locate(("subject",)).cell == "Questions!C3"
    assert doc.locate(("assessor",)).cell == "Questions!C4"
    assert doc.locate(("date",)).cell == "Questions!C5"
    assert doc.locate(("target",)).cell == "Questions!C6"
    assert doc.locate(()).cell is None
    assert doc.raw_plain_scalar(("subject",)) is None


def test_hand_typed_labels_values_and_na_are_accepted(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "s.xlsx")
    rows = {key: row_of(path, key) for key in (
        "availability.channels", "availability.reachable-in-hours", "attention.greeting")}
    library = RubricLibrary()
    rubric = library.resolve("seven-levels").rubric
    frequency = next(f"{lv.id}.{q.id}" for lv, q in rubric.questions() if q.scale == "frequency")
    na_key = next(f"{lv.id}.{q.id}" for lv, q in rubric.questions() if q.allow_na)
    rows[frequency] = row_of(path, frequency)
    rows[na_key] = row_of(path, na_key)
    edit_cells(path, {
        "C3": "Harbor Hardware", "C5": dt.datetime(2026, 11, 20), "C6": 2,
        f"C{rows['availability.channels']}": "  in place AND applied   consistently ",
        f"C{rows['availability.reachable-in-hours']}": 3,  # the value, typed as a number
        f"C{rows[frequency]}": f" {ALWAYS.upper()}",
        f"C{rows[na_key]}": "N/A",
    })
    data = read_workbook(path).data
    assert data["subject"] == "Harbor Hardware"
    assert data["date"] == dt.date(2026, 11, 20)
    assert data["target"] == 2
    assert data["answers"] == {"availability.channels": 3,
                               "availability.reachable-in-hours": 3,
                               frequency: 4, na_key: "n/a"}
    assert errors_of(path) == []


def test_value_typed_as_text_and_iso_date_text(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "s.xlsx")
    row = row_of(path, "availability.channels")
    edit_cells(path, {"C3": "X", "C5": "2026-11-20", f"C{row}": "2"})
    data = read_workbook(path).data
    assert data["answers"]["availability.channels"] == 2
    assert data["date"] == dt.date(2026, 11, 20)


def test_sorted_rows_and_renamed_sheets_still_read(tmp_path: Path) -> None:
    original = answers_of(CAFE)
    path = write_workbook(tmp_path / "cafe.xlsx", original)

    def shuffle(wb: openpyxl.Workbook) -> None:
        ws = wb[L.QUESTIONS_SHEET]
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        rows.reverse()  # as a sort by any column would move whole rows
        for r, values in enumerate(rows, start=2):
            for c, value in enumerate(values, start=1):
                ws.cell(r, c).value = value
        ws.title = "Fragen 2026"
        wb[L.META_SHEET].title = "renamed"

    edit_cells(path, {}, then=shuffle)
    assert answers_from_document(read_workbook(path), path, RubricLibrary(),
                                 None)[0].answers == original  # type: ignore[union-attr]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    note = '=HYPERLINK("http://evil.example","click")'
    answers = Answers.model_validate({
        "schema": "cslevels/answers/v1", "rubric": "seven-levels", "subject": "+cmd|' /C calc'!A0",
        "assessor": "@SUM(1+1)", "answers": {"availability.channels": {
            "value": 1, "note": note, "evidence": ["-2+3", "=1+1"]}}})
    path = write_workbook(tmp_path / "f.xlsx", answers)
    for name, content in members(path).items():
        if name.startswith("xl/worksheets/"):
            assert b"<f>" not in content and b"<f " not in content, name
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
    ws = wb[L.QUESTIONS_SHEET]
    assert ws["C3"].value == "+cmd|' /C calc'!A0" and ws["C3"].quotePrefix
    data = read_workbook(path).data
    assert data["answers"]["availability.channels"]["note"] == note
    assert data["answers"]["availability.channels"]["evidence"] == ["-2+3", "=1+1"]


def test_control_characters_and_odd_evidence_round_trip(tmp_path: Path) -> None:
    entry = {"value": 2, "note": "bell\x07 escape\x1b[31m cr\r tab\t _x0041_ end ",
             "evidence": ["two\nlines", "", "  spaced ", "• bullet", "a\n• b"]}
    answers = Answers.model_validate({"schema": "cslevels/answers/v1", "rubric": "seven-levels",
                                      "subject": "S", "answers": {"attention.greeting": entry}})
    path = write_workbook(tmp_path / "c.xlsx", answers)
    assert read_workbook(path).data["answers"]["attention.greeting"] == entry


def test_evidence_typed_one_item_a_line(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "s.xlsx")
    row = row_of(path, "availability.channels")
    edit_cells(path, {"C3": "S", f"G{row}": "rota, week 12\n\n  till receipts \n"})
    entry = read_workbook(path).data["answers"]["availability.channels"]
    assert entry == {"evidence": ["rota, week 12", "till receipts"]}


def test_workbook_layout(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "s.xlsx", answers_of(CAFE))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [L.INSTRUCTIONS_SHEET, L.QUESTIONS_SHEET, L.META_SHEET]
    meta, ws = wb[L.META_SHEET], wb[L.QUESTIONS_SHEET]
    assert meta.sheet_state == "veryHidden" and meta.protection.sheet
    assert ws.protection.sheet and wb[L.INSTRUCTIONS_SHEET].protection.sheet
    assert [c.value for c in ws[1]] == list(L.HEADERS)
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["H"].hidden
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    row = row_of(path, "availability.channels")
    for letter in "CFG":
        assert ws[f"{letter}{row}"].protection.locked is False
    for letter in "ABDEH":
        assert ws[f"{letter}{row}"].protection.locked is not False
    assert ws[f"B{row}"].alignment.wrap_text
    validated = {str(ref) for dv in ws.data_validations.dataValidation for ref in
                 dv.sqref.ranges if dv.type == "list"}
    cells = {c for r in validated for c in _cells(r)}
    assert {f"C{row_of(path, k)}" for k in answers_of(CAFE).answers} <= cells
    # the dropdown of a question offers its scale's labels, n/a where allowed
    rubric = RubricLibrary().resolve("seven-levels").rubric
    key = next(f"{lv.id}.{q.id}" for lv, q in rubric.questions() if q.allow_na)
    rule = next(dv for dv in ws.data_validations.dataValidation
                if f"C{row_of(path, key)}" in {c for r in dv.sqref.ranges for c in _cells(str(r))})
    column = re.match(r"cslevels!\$([A-Z]+)\$1:\$[A-Z]+\$(\d+)", rule.formula1)
    assert column is not None
    listed = [meta[f"{column.group(1)}{i}"].value for i in range(1, int(column.group(2)) + 1)]
    scale = rubric.scales[rubric.find(key)[1].scale]  # type: ignore[index]
    assert listed == [o.label for o in scale.options] + ["n/a"]


def _cells(ref: str) -> list[str]:
    from openpyxl.utils.cell import range_boundaries

    c1, r1, c2, r2 = range_boundaries(ref)
    from openpyxl.utils import get_column_letter

    return [f"{get_column_letter(c)}{r}" for c in range(c1, c2 + 1)  # type: ignore[operator]
            for r in range(r1, r2 + 1)]  # type: ignore[operator]


def test_duplicate_labels_get_their_value(tmp_path: Path) -> None:
    from cslevels.reporting.template.xlsx import display_labels

    rubric = RubricLibrary().resolve("seven-levels").rubric
    scales = {"s": {"label": "S", "options": [
        {"value": 0, "label": "No", "score": 0}, {"value": 1, "label": " no ", "score": 1},
        {"value": 2, "label": "N/A", "score": 1}]}}
    odd = rubric.model_copy(update={"scales": {
        k: type(rubric.scales["frequency"]).model_validate(v) for k, v in scales.items()}})
    assert display_labels(odd)["s"] == [("No (0)", 0), ("no (1)", 1), ("N/A (2)", 2)]


# ---------------------------------------------------------------- errors by place


def test_unknown_label_is_located_with_did_you_mean(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    rubric = RubricLibrary().resolve("seven-levels").rubric
    key = next(f"{lv.id}.{q.id}" for lv, q in rubric.questions() if q.scale == "frequency")
    row = row_of(path, key)
    edit_cells(path, {"C3": "S", f"C{row}": "Somtimes"})
    assert errors_of(path) == [
        f"{path}:Questions!C{row}: error: 'Somtimes' is not an option of {key} "
        f"(did you mean {SOMETIMES!r}?)"]
    edit_cells(path, {f"C{row}": "perhaps"})
    assert errors_of(path) == [
        f"{path}:Questions!C{row}: error: 'perhaps' is not an option of {key} "
        f"(choose one of: {', '.join(o.label for o in rubric.scales['frequency'].options)})"]


def test_na_where_not_allowed_is_located(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    row = row_of(path, "availability.channels")
    edit_cells(path, {"C3": "S", f"C{row}": "n/a"})
    assert errors_of(path) == [
        f"{path}:Questions!C{row}: error: availability.channels does not allow n/a "
        "(answer with one of the scale's options, or leave it empty)"]


def test_every_cell_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    r1, r2 = row_of(path, "availability.channels"), row_of(path, "attention.greeting")
    edit_cells(path, {"C3": "S", f"C{r1}": "=1+1", f"C{r2}": "#N/A",
                      f"F{r1}": dt.datetime(2026, 1, 2), "C5": "next Tuesday", "C6": 99})
    assert errors_of(path) == [
        f"{path}:Questions!C5: error: date: expected a date (YYYY-MM-DD), got the text "
        "'next Tuesday' (type the date as 2026-11-20)",
        f"{path}:Questions!C6: error: target: expected a level number from 1 to 7, got the "
        "value 99",
        f"{path}:Questions!C{r1}: error: answer to availability.channels: the cell holds a "
        "formula (=1+1); cslevels never evaluates formulas (replace it with the value itself)",
        f"{path}:Questions!F{r1}: error: note of availability.channels: expected text, got "
        "the date 2026-01-02 (the spreadsheet read what was typed as a date; format the cell "
        "as Text, or type an apostrophe (') before it)",
        f"{path}:Questions!C{r2}: error: answer to attention.greeting: the cell holds the "
        "error value #N/A (replace it with the value itself)",
    ]


def test_merged_cells_over_answers(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    row = row_of(path, "availability.channels")
    edit_cells(path, {"C3": "S"}, then=lambda wb: wb[L.QUESTIONS_SHEET].merge_cells(
        f"C{row}:D{row + 1}"))
    assert errors_of(path) == [
        f"{path}:Questions!C{row}: error: merged cells C{row}:D{row + 1} over answer cells; "
        "each question needs its own (unmerge them (Home > Merge & Center > Unmerge Cells))"]


def test_answer_in_a_row_without_a_question(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    row = row_of(path, "availability.channels")
    edit_cells(path, {"C3": "S", f"C{row - 1}": "Always", f"H{row + 1}": "availability.nope"})
    assert errors_of(path) == [
        f"{path}:Questions!C{row - 1}: error: an answer in row {row - 1}, which holds no "
        f"question (its hidden id cell H{row - 1} is empty) (move it to its question's row)",
        f"{path}:Questions!H{row + 1}: error: the hidden id cell names 'availability.nope', "
        "which is no question of this workbook (make a fresh one with `cslevels template "
        "RUBRIC -o FILE.xlsx` and copy the answers into it)"]


# ---------------------------------------------------------------- bad workbooks


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "survey.xlsx"
    path.write_text("subject: x\n", encoding="utf-8")
    assert errors_of(path) == [
        f"{path}: error: not an Excel workbook: the file is not a zip archive (an .xlsx file "
        "is one) (save it as an Excel workbook (.xlsx))"]
    path.write_bytes(b"")
    assert errors_of(path) == [f"{path}: error: file is empty, not an Excel workbook"]
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert errors_of(path) == [
        f"{path}: error: an Excel 97-2003 (.xls) or password-protected workbook, not an .xlsx "
        "file (remove the password and save it as an Excel workbook (.xlsx))"]


def test_zip_but_not_a_workbook(tmp_path: Path) -> None:
    path = rezip(tmp_path / "survey.xlsx", {"readme.txt": b"hello"})
    assert errors_of(path) == [
        f"{path}: error: not an Excel workbook: a zip archive without xl/workbook.xml "
        "(save it as an Excel workbook (.xlsx))"]
    rezip(path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert "a Word document without" in errors_of(path)[0]
    rezip(path, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                 "content.xml": b"<x/>"})
    assert errors_of(path) == [f"{path}: error: an OpenDocument file (.ods), not an Excel "
                               "workbook (save it as an Excel workbook (.xlsx))"]
    path.write_bytes(b"PK\x03\x04garbage")
    assert errors_of(path)[0].startswith(f"{path}: error: not an Excel workbook: a damaged zip")


def test_workbook_of_another_rubric_or_version(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx", answers_of(CAFE))
    rewrite_meta(path, {"rubric_version": "0.9", "rubric_digest": "9" * 64})
    found = errors_of(path)
    assert len(found) == 1
    assert re.fullmatch(
        rf"{re.escape(str(path))}:cslevels!B4: error: this workbook was made for seven-levels "
        rf"version 0\.9, but the rubric is version {re.escape(VERSION)} "
        r"\(.*seven-levels\.yaml\) \(carry the answers over to a new workbook: cslevels "
        rf"template seven-levels --from {re.escape(str(path))} -o NEW\.xlsx\)", found[0]), found[0]
    rewrite_meta(path, {"rubric_version": VERSION, "rubric_digest": "0" * 64})
    assert (f"made from another copy of seven-levels version {VERSION} (content hash "
            "000000000000;") \
        in errors_of(path)[0]
    rewrite_meta(path, {"rubric": "front-dsk"})
    assert errors_of(path)[0].startswith(f"{path}:cslevels!B3: error: unknown rubric 'front-dsk'")


def test_template_from_carries_a_workbook_of_another_version_over(
        tmp_path: Path, invoke: Invoke) -> None:
    old = rewrite_meta(write_workbook(tmp_path / "old.xlsx", answers_of(CAFE)),
                       {"rubric_version": "0.9", "rubric_digest": "9" * 64})
    assert errors_of(old)[0].endswith(f"--from {old} -o NEW.xlsx)")
    done = invoke("template", "seven-levels", "--from", str(old), "-o", str(tmp_path / "n.xlsx"))
    assert done.exit_code == 0, done.stderr
    assert "answers were made for seven-levels version 0.9" in done.stderr
    carried = load_answers(tmp_path / "n.xlsx", RubricLibrary()).answers
    assert same_assessment(carried, answers_of(CAFE))


def test_metadata_removed_or_edited(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx", answers_of(CAFE))
    rewrite_meta(path, {"question": "x"}, fix_checksum=False)
    assert errors_of(path) == [
        f"{path}: error: the workbook's hidden 'cslevels' sheet was changed: its checksum does "
        "not match its content (make a fresh one with `cslevels template RUBRIC -o FILE.xlsx` "
        "and copy the answers into it)"]
    edit_cells(path, {}, then=lambda wb: wb.remove(wb[L.META_SHEET]))
    assert errors_of(path) == [
        f"{path}: error: not a cslevels workbook: its hidden 'cslevels' sheet (each question's "
        "id and options) is missing (was it copied into a new workbook? make a fresh one with "
        "`cslevels template RUBRIC -o FILE.xlsx` and copy the answers into it)"]


def test_error_value_written_as_a_real_excel_edit(tmp_path: Path) -> None:
    """#N/A as Excel stores it: t="e", written into the sheet's XML."""
    path = write_workbook(tmp_path / "survey.xlsx")
    row = row_of(path, "availability.channels")
    content = members(path)
    name = sheet_member(path, L.QUESTIONS_SHEET)
    xml = content[name].decode()
    xml, count = re.subn(rf'<c r="C{row}"( s="\d+")?( t="\w+")?\s*/>',
                         rf'<c r="C{row}"\1 t="e"><v>#N/A</v></c>', xml)
    assert count == 1, xml[:2000]
    content[name] = xml.encode()
    rezip(path, content)
    assert errors_of(path)[-1] == (
        f"{path}:Questions!C{row}: error: answer to availability.channels: the cell holds the "
        "error value #N/A (replace it with the value itself)")


def test_a_million_rows(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    content = members(path)
    name = sheet_member(path, L.QUESTIONS_SHEET)
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                   for r in range(200, 1_000_001))
    content[name] = content[name].replace(b"</sheetData>", rows.encode() + b"</sheetData>")
    rezip(path, content)
    start = time.perf_counter()
    found = errors_of(path)
    assert time.perf_counter() - start < 10
    assert len(found) == 1
    assert "over the 2,097,152-byte limit" in found[0] or "rows" in found[0]
    # with a larger size limit the rows themselves are counted, and refused
    import os

    os.environ["CSLEVELS_MAX_FILE_BYTES"] = str(64 * 1024 * 1024)
    try:
        start = time.perf_counter()
        found = errors_of(path)
        assert time.perf_counter() - start < 10
    finally:
        del os.environ["CSLEVELS_MAX_FILE_BYTES"]
    assert found == [f"{path}:Questions!A10001: error: sheet 'Questions' has more than 10,000 "
                     "rows; a cslevels workbook needs far fewer (delete the rows below the "
                     "questions, or make a fresh one with `cslevels template RUBRIC -o "
                     "FILE.xlsx` and copy the answers into it)"]


def test_a_cell_far_below_is_counted_not_expanded(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    content = members(path)
    name = sheet_member(path, L.QUESTIONS_SHEET)
    content[name] = content[name].replace(
        b"</sheetData>", b'<row r="1048576"><c r="C1048576" t="inlineStr"><is><t>x</t></is>'
        b"</c></row></sheetData>")
    rezip(path, content)
    start = time.perf_counter()
    assert "has more than 10,000 rows" in errors_of(path)[0]
    assert time.perf_counter() - start < 5


def _overlapping_bomb(path: Path, kernel_bytes: int, copies: int) -> None:
    """A zip whose entries all point at one deflated run of zeros: a small file that
    declares ``copies * kernel_bytes`` of content (the non-recursive zip bomb)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    deflated = b"".join(compressor.compress(chunk) for _ in range(kernel_bytes >> 20))
    deflated += compressor.flush()
    crc = 0
    for _ in range(kernel_bytes >> 20):
        crc = zlib.crc32(chunk, crc)
    out = io.BytesIO()
    name0 = b"xl/worksheets/sheet1.xml"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated),
                        kernel_bytes, len(name0), 0) + name0
    out.write(local + deflated)
    central = b""
    for i in range(copies):
        name = name0 if i == 0 else f"xl/worksheets/sheet{i + 1}.xml".encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                               len(deflated), kernel_bytes, len(name), 0, 0, 0, 0, 0, 0) + name
    offset = out.tell()
    out.write(central)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, copies, copies, len(central), offset,
                          0))
    path.write_bytes(out.getvalue())


def test_decompression_bomb_is_refused_unopened(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    _overlapping_bomb(path, 64 << 20, 64)  # 64 entries of 64 MiB: 4 GiB from ~65 KB
    assert path.stat().st_size < 100_000
    start = time.perf_counter()
    found = errors_of(path)
    assert time.perf_counter() - start < 1
    assert found == [
        f"{path}: error: the workbook would expand to 4,294,967,296 bytes (its largest part, "
        "xl/worksheets/sheet1.xml, to 67,108,864), over the 67,108,864-byte limit; it was not "
        "unpacked (a decompression bomb?) (the limit is 32 times CSLEVELS_MAX_FILE_BYTES)"]


def test_a_missing_questions_sheet_and_numbers_typed_as_notes(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    row = row_of(path, "availability.channels")
    edit_cells(path, {"C3": 2026, f"F{row}": 42, f"G{row}": 1.5})
    data = read_workbook(path).data
    assert data["subject"] == "2026"
    assert data["answers"]["availability.channels"] == {"note": "42", "evidence": ["1.5"]}
    edit_cells(path, {}, then=lambda wb: wb.remove(wb[L.QUESTIONS_SHEET]))
    assert errors_of(path) == [
        f"{path}: error: the workbook has no 'Questions' sheet (nor another with the "
        "'cslevels id' column of question ids) (make a fresh one with `cslevels template "
        "RUBRIC -o FILE.xlsx` and copy the answers into it)"]


def test_external_links_connections_and_macros(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    base = members(path)
    rezip(path, {**base, "xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    assert errors_of(path) == [
        f"{path}: error: the workbook links to other workbooks "
        "(xl/externalLinks/externalLink1.xml); cslevels fetches nothing and reads only "
        "self-contained workbooks (break the links (Data > Edit Links > Break Link) and save "
        "again)"]
    rezip(path, {**base, "xl/connections.xml": b"<connections/>"})
    assert "has data connections" in errors_of(path)[0]
    rezip(path, {**base, "xl/vbaProject.bin": b"\0" * 10})
    assert errors_of(path) == [
        f"{path}: error: the workbook contains macros (xl/vbaProject.bin); cslevels reads only "
        "macro-free workbooks and runs nothing (save it as an Excel workbook (.xlsx), without "
        "macros)"]
    rezip(path, {**base, "xl/styles.xml": b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'})
    assert "declares a DOCTYPE" in errors_of(path)[0]
    xlsm = write_workbook(tmp_path / "survey.xlsm")
    assert errors_of(xlsm) == [
        f"{xlsm}: error: a macro-enabled workbook (.xlsm); cslevels reads only macro-free .xlsx "
        "files (save it as an Excel workbook (.xlsx), without macros)"]


def test_file_size_limit_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    monkeypatch.setenv("CSLEVELS_MAX_FILE_BYTES", "1000")
    assert "over the 1,000-byte limit" in errors_of(path)[0]


def test_garbage_inside_a_valid_zip_is_one_message(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    content = members(path)
    content["xl/workbook.xml"] = b"<not really"
    rezip(path, content)
    found = errors_of(path)
    assert len(found) == 1 and found[0].startswith(f"{path}: error: cannot read the workbook: ")


def test_bad_workbooks_exit_1_without_traceback(tmp_path: Path, invoke: Invoke) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "text.xlsx").write_text("hello", encoding="utf-8")
    rezip(bad / "zip.xlsx", {"a.txt": b"x"})
    _overlapping_bomb(bad / "bomb.xlsx", 8 << 20, 20)
    write_workbook(bad / "macro.xlsm")
    for path in sorted(bad.iterdir()):
        for command in (["score", str(path)], ["validate", str(path)],
                        ["summary", str(path)], ["template", "seven-levels", "--from", str(path),
                                                 "-o", str(tmp_path / "o.yaml")]):
            done = invoke(*command)
            assert done.exit_code == 1, (command, done.stdout, done.stderr)
            assert "Traceback" not in done.stderr
            assert str(path) in (done.stderr + done.stdout)


# ---------------------------------------------------------------- the command line


def test_template_writes_a_workbook_and_refuses_to_overwrite(tmp_path: Path,
                                                             invoke: Invoke) -> None:
    out = tmp_path / "survey.xlsx"
    done = invoke("template", "seven-levels", "-o", str(out))
    assert done.exit_code == 0, done.stderr
    assert zipfile.is_zipfile(out)
    before = out.read_bytes()
    again = invoke("template", "seven-levels", "-o", str(out))
    assert again.exit_code == 1
    assert again.stderr == (f"{out}: error: already exists; not overwriting it (use --force to "
                            "replace it, or choose another file)\n")
    assert out.read_bytes() == before
    assert invoke("template", "seven-levels", "-o", str(out), "--force").exit_code == 0
    named = tmp_path / "named"
    assert invoke("template", "six-levels", "--format", "xlsx", "-o", str(named)).exit_code == 0
    assert read_workbook_any(named)["rubric"] == "six-levels"


def read_workbook_any(path: Path) -> dict[str, object]:
    copy = path.with_suffix(".xlsx")
    copy.write_bytes(path.read_bytes())
    return read_workbook(copy).data


def test_template_format_and_suffix_must_agree(tmp_path: Path, invoke: Invoke) -> None:
    # The one rule of every command with -o (reporting.formats.FormatRegistry.choose).
    done = invoke("template", "seven-levels", "--format", "xlsx", "-o", str(tmp_path / "a.yaml"))
    assert done.exit_code == 1
    assert "--format xlsx does not match the file name: .yaml is for --format yaml" in done.stderr
    done = invoke("template", "seven-levels", "-o", str(tmp_path / "a.txt"))
    assert done.exit_code == 1
    assert "cslevels template writes no .txt file: name the output with one of" in done.stderr
    assert not (tmp_path / "a.yaml").exists() and not (tmp_path / "a.txt").exists()


def test_template_xlsx_is_not_written_to_stdout(invoke: Invoke) -> None:
    done = invoke("template", "five-grades", "--format", "xlsx")
    assert done.exit_code == 1
    assert done.stderr == "error: this format is a binary file: give -o FILE to write it\n"


def test_yaml_to_xlsx_to_yaml_keeps_everything(tmp_path: Path, invoke: Invoke) -> None:
    xlsx, back = tmp_path / "cafe.xlsx", tmp_path / "cafe.yaml"
    assert invoke("template", "seven-levels", "--from", str(CAFE), "-o", str(xlsx)).exit_code == 0
    done = invoke("template", "seven-levels", "--from", str(xlsx), "-o", str(back))
    assert done.exit_code == 0, done.stderr
    assert answers_of(back) == answers_of(CAFE)
    assert back.read_text(encoding="utf-8").startswith(
        f"# Answers for The 7 Levels of Customer Service (seven-levels {VERSION}), written by "
        "`cslevels template --from`.\n")
    same = invoke("template", "seven-levels", "--from", str(xlsx), "-o", str(xlsx), "--force")
    assert same.exit_code == 1 and "is one of the input files" in same.stderr


def test_template_from_answers_of_another_rubric(tmp_path: Path, invoke: Invoke) -> None:
    done = invoke("template", "six-levels", "--from", str(CAFE), "-o", str(tmp_path / "x.xlsx"))
    assert done.exit_code == 1
    assert "these are answers for rubric 'seven-levels', not 'six-levels'" in done.stderr


@pytest.mark.parametrize("fmt", ["terminal", "json", "markdown", "html"])
def test_score_reads_a_workbook_like_yaml(tmp_path: Path, invoke: Invoke, fmt: str) -> None:
    xlsx = write_workbook(tmp_path / "cafe.xlsx", answers_of(CAFE))
    from_xlsx = invoke("score", str(xlsx), "--format", fmt, "--target", "5")
    from_yaml = invoke("score", str(CAFE), "--format", fmt, "--target", "5")
    assert from_xlsx.exit_code == from_yaml.exit_code == 0, from_xlsx.stderr
    normalized = from_xlsx.stdout.replace(str(xlsx), str(CAFE))
    if fmt == "markdown":  # the appendix names the file, escaped as all Markdown text is
        from cslevels.reporting.kit.markdown import md

        normalized = from_xlsx.stdout.replace(md(str(xlsx)), md(str(CAFE)))
    if fmt == "terminal":  # the file name's length can change the wrapping
        assert from_xlsx.stdout.count("\n") > 10
    else:
        assert normalized == from_yaml.stdout


def test_score_combine_compare_and_summary_read_workbooks(tmp_path: Path,
                                                         invoke: Invoke) -> None:
    newer = EXAMPLES / "riverside-cafe-2027-05.yaml"
    a = write_workbook(tmp_path / "a.xlsx", answers_of(CAFE))
    b = write_workbook(tmp_path / "b.xlsx", answers_of(newer))
    combined = invoke("score", str(a), str(b), "--combine", "--format", "json")
    assert combined.exit_code == 0, combined.stderr
    compared = invoke("compare", str(a), str(b), "--format", "json")
    assert compared.exit_code == 0, compared.stderr
    assert compared.stdout.replace(str(a), str(CAFE)).replace(str(b), str(newer)) == \
        invoke("compare", str(CAFE), str(newer), "--format", "json").stdout
    folder = tmp_path / "portfolio"
    folder.mkdir()
    for i in range(6):
        write_workbook(folder / f"{i}.xlsx", answers_of(CAFE if i % 2 else newer))
    (folder / "~$0.xlsx").write_bytes(b"lock")  # Excel's lock file: not an assessment
    for workers in ("1", "2"):
        # six visits of one business: --all-visits keeps a row per file
        done = invoke("summary", str(folder), "--all-visits", "--format", "json",
                      env={"CSLEVELS_WORKERS": workers, "CSLEVELS_PARALLEL_MIN_FILES": "1"})
        assert done.exit_code == 0, done.stderr
        assert json.loads(done.stdout)["count"] == 6


def test_validate_locates_cells_in_every_format(tmp_path: Path, invoke: Invoke) -> None:
    path = write_workbook(tmp_path / "survey.xlsx")
    rubric = RubricLibrary().resolve("seven-levels").rubric
    key = next(f"{lv.id}.{q.id}" for lv, q in rubric.questions() if q.scale == "frequency")
    row = row_of(path, key)
    edit_cells(path, {"C3": "S", f"C{row}": "Somtimes"})
    text = invoke("validate", str(path))
    assert text.exit_code == 1
    assert text.stderr.splitlines()[0] == (
        f"{path}:Questions!C{row}: error: 'Somtimes' is not an option of {key} (did you mean "
        f"{SOMETIMES!r}?)")
    found = json.loads(invoke("validate", str(path), "--format", "json").stdout)
    finding = found["files"][0]["findings"][0]
    assert finding["cell"] == f"Questions!C{row}" and finding["line"] is None
    github = invoke("validate", str(path), "--format", "github").stdout.splitlines()[0]
    assert github == (f"::error file={path},title=Questions!C{row}::Questions!C{row}: "
                      f"'Somtimes' is not an option of {key} (did you mean "
                      f"{SOMETIMES.replace('%', '%25')!r}?) "
                      "[cslevels value-off-scale]")
    sarif = json.loads(invoke("validate", str(path), "--format", "sarif").stdout)
    result = sarif["runs"][0]["results"][0]
    assert result["message"]["text"].startswith(f"Questions!C{row}: 'Somtimes'")
    assert result["locations"][0]["logicalLocations"] == [
        {"name": f"C{row}", "fullyQualifiedName": f"Questions!C{row}", "kind": "element"}]
    folder = invoke("validate", str(tmp_path))
    assert f"Questions!C{row}" in folder.stderr


def test_assess_refuses_a_workbook(tmp_path: Path, invoke: Invoke) -> None:
    out = tmp_path / "x.xlsx"
    done = invoke("assess", "seven-levels", "-o", str(out), "--no-tty")
    assert done.exit_code == 1
    assert "assess saves YAML answers files, not workbooks" in done.stderr
    assert not out.exists()
