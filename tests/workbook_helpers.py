"""Building and editing answers workbooks in tests: written by cslevels, then changed
the way a person (or a broken tool) would change them."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from cslevels.core.documents import LoadedRubric
from cslevels.core.models import AnswerEntry, Answers
from cslevels.files import workbook_layout as L
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers
from cslevels.reporting.template.xlsx import render_workbook


def rubric(rubric_id: str = "seven-levels") -> LoadedRubric:
    return RubricLibrary().resolve(rubric_id)


def write_workbook(path: Path, answers: Answers | None = None,
                   rubric_id: str = "seven-levels") -> Path:
    loaded = rubric(rubric_id)
    path.write_bytes(render_workbook(loaded.rubric, loaded.digest, answers))
    return path


def answers_of(yaml_path: Path) -> Answers:
    return load_answers(yaml_path, RubricLibrary()).answers


def row_of(path: Path, key: str) -> int:
    """The row of the Questions sheet whose hidden id is ``key``."""
    wb = openpyxl.load_workbook(path)
    ws = wb[L.QUESTIONS_SHEET]
    for (cell,) in ws.iter_rows(min_col=8, max_col=8):
        if cell.value == key:
            return int(cell.row)
    raise AssertionError(f"no row for {key}")


def edit_cells(path: Path, changes: dict[str, Any], sheet: str = L.QUESTIONS_SHEET,
               then: Callable[[Any], None] | None = None) -> Path:
    """Set cells (``{"C8": "Always"}``) with openpyxl, as an edit in a spreadsheet."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for ref, value in changes.items():
        ws[ref] = value
    if then is not None:
        then(wb)
    wb.save(path)
    return path


def rewrite_meta(path: Path, changes: dict[str, str], *, fix_checksum: bool = True) -> Path:
    """Change metadata fields (``{"rubric_version": "0.9"}``), keeping the checksum
    right unless told otherwise: a workbook made by another cslevels or rubric."""
    wb = openpyxl.load_workbook(path)
    ws = wb[L.META_SHEET]
    rows: list[list[str]] = []
    checksum_row = None
    for row in ws.iter_rows(min_col=1, max_col=4):
        a = row[0].value
        if a in changes:
            row[1].value = changes[a]
        if a == L.M_CHECKSUM:
            checksum_row = row
            continue
        if any(c.value for c in row):
            rows.append([c.value or "" for c in row])
    if fix_checksum and checksum_row is not None:
        checksum_row[1].value = L.checksum(rows)
    wb.save(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(path: Path, content: dict[str, bytes]) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in content.items():
            archive.writestr(name, data)
    path.write_bytes(out.getvalue())
    return path


def sheet_member(path: Path, title: str) -> str:
    """The zip member holding the sheet called ``title``."""
    parts = members(path)
    workbook = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    found = re.search(rf'<(?:\w+:)?sheet [^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"',
                      workbook)
    assert found, workbook
    target = re.search(rf'Id="{found.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{found.group(1)}"', rels)
    assert target, rels
    name = target.group(1).lstrip("/")
    return name if name.startswith("xl/") else f"xl/{name}"


def entries(answers: Answers) -> dict[str, tuple[Any, str | None, list[str]]]:
    """What an answers file says, however it is spelled: shorthand or long form."""
    out: dict[str, tuple[Any, str | None, list[str]]] = {}
    for key, raw in answers.answers.items():
        if isinstance(raw, AnswerEntry):
            value, note, evidence = raw.value, raw.note or None, list(raw.evidence)
        else:
            value, note, evidence = raw, None, []
        if value is None and note is None and not evidence:
            continue
        out[key] = (value, note, evidence)
    return out


def same_assessment(a: Answers, b: Answers) -> bool:
    """The same assessment; an empty assessor or note counts as none (a cell cannot tell
    an empty text from no text)."""
    fields = ("rubric", "subject", "date", "target", "prepared_for", "executive_summary")
    return (all(getattr(a, f) == getattr(b, f) for f in fields)
            and (a.assessor or None) == (b.assessor or None) and entries(a) == entries(b))
