"""Reading an answers workbook (``.xlsx``) into the data an answers YAML file holds.

:func:`read_workbook` returns a :class:`WorkbookDocument`: ``data`` is exactly the
mapping the same answers would parse to from YAML, so the usual validation and
scoring apply unchanged, and ``locate`` answers with cells (``Questions!C7``), so
every finding about a value points at the cell it came from.

The workbook is untrusted input.  Before openpyxl parses anything, the file is
checked as a zip archive: its size, the number of members, each member's and the
total uncompressed size (a small file that expands to gigabytes is refused
unopened), and that it is a macro-free workbook without links to other
workbooks.  Rows are counted as they are read.  Formulas are never evaluated: a
formula or an error value where an answer is expected is an error at its cell.

The layout (sheets, columns, metadata) is described in
:mod:`cslevels.files.workbook_layout`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cslevels.core.locations import Loc, Position
from cslevels.core.models import NA
from cslevels.errors import Finding, InputError, InvalidDocumentError
from cslevels.files import workbook_layout as L
from cslevels.files.yamlio import max_file_bytes, read_bytes
from cslevels.text import shorten

WORKBOOK_SUFFIXES = (".xlsx",)
REFUSED_SUFFIXES = {
    ".xlsm": "a macro-enabled workbook (.xlsm); cslevels reads only macro-free .xlsx files",
    ".xltm": "a macro-enabled template (.xltm); cslevels reads only macro-free .xlsx files",
    ".xlsb": "a binary Excel workbook (.xlsb); cslevels reads .xlsx files",
    ".xls": "an Excel 97-2003 workbook (.xls); cslevels reads .xlsx files",
    ".ods": "an OpenDocument spreadsheet (.ods); cslevels reads .xlsx files",
}
SAVE_AS_HINT = "save it as an Excel workbook (.xlsx)"
FRESH_HINT = ("make a fresh one with `cslevels template RUBRIC -o FILE.xlsx` and copy the "
              "answers into it")
MAX_MEMBERS = 1_000
MAX_ROWS = 10_000  # rows of the Questions sheet (or twice what a huge rubric needs)
MAX_META_ROWS = 50_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_CELL = re.compile(r"([A-Z]+)([0-9]+)")


def max_unpacked_bytes() -> int:
    """The bound on a workbook's uncompressed content: 32 times the file size limit."""
    return 32 * max_file_bytes()


@dataclass
class WorkbookDocument:
    """A workbook's answers as plain data, and the cell every value came from."""

    path: str
    data: dict[str, Any]
    cells: dict[Loc, str] = field(default_factory=dict)
    rubric_digest: str | None = None  # the content hash of the rubric it was made from

    def locate(self, loc: Loc, *, prefer_key: bool = False) -> Position:
        loc = tuple(loc)
        while True:
            if loc in self.cells:
                return Position(cell=self.cells[loc])
            if not loc:
                return Position()
            loc = loc[:-1]

    def raw_plain_scalar(self, loc: Loc) -> str | None:
        return None  # a cell keeps what was typed; there is no YAML to misread it


def is_workbook_path(path: Path) -> bool:
    """Whether ``path`` is read by this module (a workbook, or one it refuses by name)."""
    suffix = path.suffix.lower()
    return suffix in WORKBOOK_SUFFIXES or suffix in REFUSED_SUFFIXES


# ---------------------------------------------------------------- the archive


def _check_archive(raw: bytes, name: str) -> zipfile.ZipFile:
    """The zip archive of a workbook, refused before any XML is parsed when it is not
    a plain, bounded, macro-free .xlsx."""
    if not raw:
        raise InputError("file is empty, not an Excel workbook", path=name, code="empty")
    if raw.startswith(_OLE_MAGIC):
        raise InputError("an Excel 97-2003 (.xls) or password-protected workbook, not an "
                         ".xlsx file", path=name, code="not-xlsx",
                         hint=f"remove the password and {SAVE_AS_HINT}")
    if not raw.startswith(b"PK"):
        raise InputError("not an Excel workbook: the file is not a zip archive (an .xlsx "
                         "file is one)", path=name, code="not-xlsx", hint=SAVE_AS_HINT)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise InputError(f"not an Excel workbook: a damaged zip archive ({exc})", path=name,
                         code="not-xlsx", hint=SAVE_AS_HINT) from None
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"not an Excel workbook: the zip archive holds {len(infos):,} files, "
                         f"over the {MAX_MEMBERS:,} a workbook may", path=name, code="too-large")
    limit = max_unpacked_bytes()
    total = sum(info.file_size for info in infos)  # as declared; zipfile never reads more
    if total > limit:
        largest = max(infos, key=lambda info: info.file_size)
        raise InputError(
            f"the workbook would expand to {total:,} bytes (its largest part, "
            f"{largest.filename}, to {largest.file_size:,}), over the {limit:,}-byte limit; "
            "it was not unpacked (a decompression bomb?)", path=name, code="too-large",
            hint="the limit is 32 times CSLEVELS_MAX_FILE_BYTES")
    if any(info.flag_bits & 0x1 for info in infos):
        raise InputError("the workbook is encrypted", path=name, code="not-xlsx",
                         hint=f"remove the password and {SAVE_AS_HINT}")
    names = {info.filename for info in infos}
    if "mimetype" in names and "content.xml" in names:
        raise InputError("an OpenDocument file (.ods), not an Excel workbook", path=name,
                         code="not-xlsx", hint=SAVE_AS_HINT)
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        what = "a Word document" if "word/document.xml" in names else (
            "a PowerPoint file" if "ppt/presentation.xml" in names else "a zip archive")
        raise InputError(f"not an Excel workbook: {what} without xl/workbook.xml", path=name,
                         code="not-xlsx", hint=SAVE_AS_HINT)
    macros = sorted(n for n in names if n.lower().endswith("vbaproject.bin"))
    content_types = _member(archive, "[Content_Types].xml", name)
    if macros or b"macroEnabled" in content_types:
        raise InputError(f"the workbook contains macros ({macros[0] if macros else 'a '}"
                         f"{'' if macros else 'macro-enabled part'}); cslevels reads only "
                         "macro-free workbooks and runs nothing", path=name, code="macros",
                         hint=f"{SAVE_AS_HINT}, without macros")
    links = sorted(n for n in names if n.startswith("xl/externalLinks/") and
                   n.endswith(".xml"))
    if links:
        raise InputError(f"the workbook links to other workbooks ({links[0]}); cslevels "
                         "fetches nothing and reads only self-contained workbooks",
                         path=name, code="external-links",
                         hint="break the links (Data > Edit Links > Break Link) and save again")
    if "xl/connections.xml" in names:
        raise InputError("the workbook has data connections (xl/connections.xml); cslevels "
                         "fetches nothing and reads only self-contained workbooks", path=name,
                         code="external-links", hint="remove the connections and save again")
    for member in names:
        if member.endswith((".xml", ".rels")) and b"<!DOCTYPE" in _member(archive, member, name,
                                                                          head=4096):
            raise InputError(f"{member} declares a DOCTYPE, which no workbook needs; it was "
                             "not parsed", path=name, code="not-xlsx", hint=SAVE_AS_HINT)
    return archive


def _member(archive: zipfile.ZipFile, member: str, name: str, head: int = -1) -> bytes:
    try:
        with archive.open(member) as handle:
            return handle.read(head)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise InputError(f"not an Excel workbook: cannot unpack {member} ({exc})", path=name,
                         code="not-xlsx", hint=SAVE_AS_HINT) from None


# ---------------------------------------------------------------- cells


@dataclass(frozen=True)
class _Cell:
    ref: str  # "Questions!C7"
    value: Any
    data_type: str  # openpyxl's: s n b d f e


_EMPTY = _Cell("", None, "n")


class _Problems:
    """Findings about cells, reported together once the sheet has been read."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []

    def add(self, cell: str | None, message: str, *, code: str = "workbook",
            hint: str | None = None) -> None:
        self.findings.append(Finding(self.path, message, cell=cell, code=code, hint=hint))


def _format_number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _text(cell: _Cell, what: str, problems: _Problems) -> str | None:
    """The text a person typed in ``cell`` for ``what`` (a note, the subject ...)."""
    value = cell.value
    if _refused(cell, what, problems):
        return None
    if value is None:
        return None
    if isinstance(value, str):
        text = L.decode_text(value)
        return text or None  # spaces typed are kept: only an empty cell is no text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        shown = value.date().isoformat() if isinstance(value, dt.datetime) and \
            value.time() == dt.time() else value.isoformat()
        problems.add(cell.ref, f"{what}: expected text, got the date {shown}", code="schema",
                     hint="the spreadsheet read what was typed as a date; format the cell "
                     "as Text, or type an apostrophe (') before it")
        return None
    if isinstance(value, (int, float)):
        return _format_number(value)
    problems.add(cell.ref, f"{what}: cannot read the cell's value", code="schema")
    return None


def _refused(cell: _Cell, what: str, problems: _Problems) -> bool:
    """A formula or an error value, where only a typed value may stand."""
    if cell.data_type == "f":
        formula = str(getattr(cell.value, "text", None) or cell.value)
        problems.add(cell.ref, f"{what}: the cell holds a formula ({shorten(formula, 40)}); "
                     "cslevels never evaluates formulas", code="formula",
                     hint="replace it with the value itself")
        return True
    if cell.data_type == "e":
        problems.add(cell.ref, f"{what}: the cell holds the error value {cell.value}",
                     code="formula", hint="replace it with the value itself")
        return True
    return False


# ---------------------------------------------------------------- metadata


@dataclass
class _Meta:
    schema: str
    rubric: str
    version: str
    digest: str
    questions_sheet: str
    labels: dict[str, dict[str, int | str]]  # scale -> normalized label -> value
    shown: dict[str, list[str]]  # scale -> labels as offered, in order
    questions: dict[str, tuple[str, bool]]  # key -> (scale, allow n/a)
    cells: dict[str, str]  # metadata field -> its cell


class _Row:
    """One row of a read-only sheet; cells are wrapped only when looked at."""

    __slots__ = ("items", "number", "sheet")

    def __init__(self, sheet: str, number: int, items: tuple[Any, ...]) -> None:
        self.sheet, self.number, self.items = sheet, number, items

    def at(self, column: int) -> _Cell:
        if not 0 < column <= len(self.items):
            return _EMPTY
        item = self.items[column - 1]
        value = getattr(item, "value", None)
        data_type = getattr(item, "data_type", "n") or "n"
        if value is None and data_type not in {"f", "e"}:
            return _EMPTY
        return _Cell(L.cell_name(self.sheet, f"{_letters(column)}{self.number}"), value,
                     data_type)

    def text(self, column: int) -> str:
        """The cell's text; "" for an empty cell or one that holds no text."""
        if not 0 < column <= len(self.items):
            return ""
        value = getattr(self.items[column - 1], "value", None)
        return L.decode_text(value) if isinstance(value, str) else ""

    def texts(self) -> list[str]:
        return [self.text(c) for c in range(1, len(self.items) + 1)]


def _rows(ws: Any, sheet: str, limit: int, name: str) -> Iterator[_Row]:
    """Each row of a read-only sheet; past ``limit`` rows, an error."""
    ws.reset_dimensions()  # a stated size may be wrong; rows are counted as they come
    for number, items in enumerate(ws.iter_rows(), start=1):
        if number > limit:
            raise InputError(f"sheet {sheet!r} has more than {limit:,} rows; a cslevels "
                             "workbook needs far fewer", path=name, code="too-large",
                             cell=L.cell_name(sheet, f"A{number}"),
                             hint="delete the rows below the questions, or " + FRESH_HINT)
        yield _Row(sheet, number, items)


def _letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _find_meta_sheet(wb: Any, name: str) -> Any:
    if L.META_SHEET in wb.sheetnames:
        return wb[L.META_SHEET]
    for title in wb.sheetnames:  # renamed: found by its first cell
        ws = wb[title]
        if getattr(ws, "title", None) is None or not hasattr(ws, "iter_rows"):
            continue
        for row in ws.iter_rows(min_row=1, max_row=1, max_col=1, values_only=True):
            if row and row[0] == L.MARKER:
                return ws
    raise InputError(
        f"not a cslevels workbook: its hidden {L.META_SHEET!r} sheet (each question's id "
        "and options) is missing", path=name, code="workbook-metadata",
        hint="was it copied into a new workbook? " + FRESH_HINT)


def _read_meta(wb: Any, name: str) -> _Meta:
    ws = _find_meta_sheet(wb, name)
    sheet = ws.title
    fields: dict[str, str] = {}
    cells: dict[str, str] = {}
    hashed: list[list[str]] = []
    stored_sum = None
    labels: dict[str, dict[str, int | str]] = {}
    shown: dict[str, list[str]] = {}
    questions: dict[str, tuple[str, bool]] = {}

    def broken(detail: str, ref: str | None) -> InputError:
        return InputError(f"the workbook's hidden {sheet!r} sheet was changed: {detail}",
                          path=name, cell=ref, code="workbook-metadata", hint=FRESH_HINT)

    for row in _rows(ws, sheet, MAX_META_ROWS, name):
        number = row.number
        a, b, c, d = (row.text(i) for i in range(1, 5))
        ref = L.cell_name(sheet, f"A{number}")
        if number == 1:
            if a != L.MARKER or b != L.WORKBOOK_SCHEMA:
                if a == L.MARKER:
                    raise InputError(f"a {b!r} workbook; this cslevels reads "
                                     f"{L.WORKBOOK_SCHEMA}", path=name, cell=ref,
                                     code="workbook-metadata",
                                     hint="a newer cslevels wrote it; upgrade cslevels")
                raise broken("its first row does not identify a cslevels workbook", ref)
            hashed.append([a, b, c, d])
            continue
        if not (a or b or c or d):
            continue
        if a == L.M_CHECKSUM:
            stored_sum = b
            continue
        hashed.append([a, b, c, d])
        if a == L.M_OPTION:
            try:
                value = json.loads(d)
            except ValueError:
                value = None
            if not isinstance(value, (int, str)) or isinstance(value, bool) or not c:
                raise broken(f"row {number} is not a valid option", ref)
            labels.setdefault(b, {})[L.normalize(c)] = value
            shown.setdefault(b, []).append(c)
        elif a == L.M_QUESTION:
            questions[b] = (c, d == L.NA_LABEL)
        elif a in {L.M_SCHEMA, L.M_RUBRIC, L.M_VERSION, L.M_DIGEST, L.M_SHEET}:
            fields[a] = b
            cells[a] = L.cell_name(sheet, f"B{number}")
    if stored_sum is None:
        raise broken("its checksum is missing", None)
    if L.checksum(hashed) != stored_sum:
        raise broken("its checksum does not match its content", None)
    missing = [k for k in (L.M_SCHEMA, L.M_RUBRIC, L.M_VERSION, L.M_DIGEST, L.M_SHEET)
               if not fields.get(k)]
    if missing or not questions:
        raise broken(f"{(missing or ['questions'])[0]} is missing", None)
    for key, (scale, _na) in questions.items():
        if scale not in labels:
            raise broken(f"question {key!r} names scale {scale!r}, which it does not list",
                         None)
    return _Meta(fields[L.M_SCHEMA], fields[L.M_RUBRIC], fields[L.M_VERSION], fields[L.M_DIGEST],
                 fields[L.M_SHEET], labels, shown, questions, cells)


# ---------------------------------------------------------------- the questions sheet


def _find_questions_sheet(wb: Any, meta: _Meta, meta_title: str, name: str) -> Any:
    if meta.questions_sheet in wb.sheetnames:
        return wb[meta.questions_sheet]
    for title in wb.sheetnames:  # renamed: the sheet whose header has the id column
        if title == meta_title:
            continue
        ws = wb[title]
        if not hasattr(ws, "iter_rows"):
            continue
        for row in ws.iter_rows(min_row=1, max_row=1, values_only=True):
            if L.H_ID in row:
                return ws
    raise InputError(f"the workbook has no {meta.questions_sheet!r} sheet (nor another with "
                     f"the {L.H_ID!r} column of question ids)", path=name,
                     code="workbook-structure", hint=FRESH_HINT)


def _merged_ranges(archive: zipfile.ZipFile, ws: Any, name: str) -> list[str]:
    member = getattr(ws, "_worksheet_path", None)
    if not isinstance(member, str):  # pragma: no cover - openpyxl's read-only sheets have it
        return []
    return [m.decode("ascii") for m in _MERGE.findall(_member(archive, member, name))]


def _spans(ref: str) -> tuple[int, int, int, int]:
    """(first column, first row, last column, last row) of ``C7`` or ``C7:D9``."""
    corners = []
    for part in ref.split(":"):
        match = _CELL.fullmatch(part)
        assert match is not None  # the regex above only finds such references
        column = 0
        for char in match.group(1):
            column = column * 26 + ord(char) - 64
        corners.append((column, int(match.group(2))))
    (c1, r1), (c2, r2) = corners[0], corners[-1]
    return c1, r1, c2, r2


def _answer_value(cell: _Cell, key: str, meta: _Meta, problems: _Problems) -> int | str | None:
    """An answer cell's option value: its label (any case or spacing), or the value."""
    if _refused(cell, f"answer to {key}", problems):
        return None
    value = cell.value
    if value is None:
        return None
    scale, allow_na = meta.questions[key]
    labels = meta.labels[scale]
    values = list(labels.values())
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        problems.add(cell.ref, f"answer to {key}: expected one of its options, got a date",
                     code="value-off-scale", hint="choose an option from the cell's list")
        return None
    if isinstance(value, bool):
        typed = "TRUE" if value else "FALSE"
    elif isinstance(value, (int, float)):
        typed = _format_number(value)
        number = int(value) if float(value).is_integer() else None
        if L.normalize(typed) not in labels and number is not None and number in values:
            return number  # the option's value, typed instead of its label
    else:
        typed = L.decode_text(str(value))
    wanted = L.normalize(typed)
    if not wanted:
        return None
    if wanted in labels:
        return labels[wanted]
    if wanted in L.NA_FORMS:
        return NA  # the checks say so when the question does not allow n/a
    for option in values:
        if isinstance(option, str) and L.normalize(option) == wanted:
            return option
        if isinstance(option, int) and wanted == str(option):
            return option
    offered = [*meta.shown[scale], *([L.NA_LABEL] if allow_na else [])]
    by_norm = {L.normalize(o): o for o in offered}
    close = difflib.get_close_matches(wanted, list(by_norm), n=1, cutoff=0.6)
    hint = (f"did you mean {by_norm[close[0]]!r}?" if close
            else f"choose one of: {', '.join(offered)}")
    problems.add(cell.ref, f"{shorten(typed)!r} is not an option of {key}",
                 code="value-off-scale", hint=hint)
    return None


def _detail(field_name: str, cell: _Cell, problems: _Problems, levels: int) -> Any:
    label = dict((f, lab) for _k, f, lab in L.DETAILS)[field_name].lower()
    if field_name == "date":
        if _refused(cell, label, problems) or cell.value is None:
            return None
        value = cell.value
        if isinstance(value, dt.datetime):
            if value.time() == dt.time():
                return value.date()
        elif isinstance(value, dt.date):
            return value
        elif isinstance(value, str):
            text = L.decode_text(value).strip()
            if not text:
                return None
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        problems.add(cell.ref, f"date: expected a date (YYYY-MM-DD), got {_shown(value)}",
                     code="schema", hint="type the date as 2026-11-20")
        return None
    if field_name == "target":
        if _refused(cell, label, problems) or cell.value is None:
            return None
        value = cell.value
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            text = L.decode_text(value).strip()
            if not text:
                return None
            number = int(text) if text.isdigit() else None
        if number is None or not 1 <= number <= levels:
            problems.add(cell.ref, f"target: expected a level number from 1 to {levels}, "
                         f"got {_shown(value)}", code="bad-target")
            return None
        return number
    return _text(cell, field_name, problems)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {shorten(L.decode_text(value))!r}"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return f"the date {value.isoformat()}"
    return f"the value {value!r}"


def _read_questions(archive: zipfile.ZipFile, ws: Any, meta: _Meta, name: str,
                    doc: WorkbookDocument, problems: _Problems) -> None:
    sheet = ws.title
    columns: dict[str, int] = {}
    header_row = 0
    seen: dict[str, str] = {}
    entries: dict[str, dict[str, Any]] = {}
    details: dict[str, Any] = {}
    levels = len({key.partition(".")[0] for key in meta.questions})
    limit = max(MAX_ROWS, 2 * (len(meta.questions) + levels + len(L.DETAILS) + 2))
    for row in _rows(ws, sheet, limit, name):
        number = row.number
        if not header_row:
            texts = row.texts()
            if L.H_ID in texts:
                header_row = number
                for wanted in (L.H_ANSWER, L.H_NOTE, L.H_EVIDENCE, L.H_ID):
                    if wanted not in texts:
                        raise InputError(f"the header row of sheet {sheet!r} has no "
                                         f"{wanted!r} column", path=name, code="workbook-"
                                         "structure", cell=L.cell_name(sheet, f"A{number}"),
                                         hint=FRESH_HINT)
                    columns[wanted] = texts.index(wanted) + 1
                doc.cells[("answers",)] = L.cell_name(
                    sheet, f"{_letters(columns[L.H_ANSWER])}{number}")
            continue
        answer = row.at(columns[L.H_ANSWER])
        note = row.at(columns[L.H_NOTE])
        evidence = row.at(columns[L.H_EVIDENCE])
        key = row.text(columns[L.H_ID]).strip()
        ref_of = {c: L.cell_name(sheet, f"{_letters(columns[c])}{number}")
                  for c in (L.H_ANSWER, L.H_NOTE, L.H_EVIDENCE, L.H_ID)}
        if not key:
            for what, cell in (("an answer", answer), ("a note", note),
                               ("evidence", evidence)):
                if cell.value is not None or cell.data_type in {"f", "e"}:
                    problems.add(cell.ref, f"{what} in row {number}, which holds no question "
                                 f"(its hidden id cell {ref_of[L.H_ID].split('!')[-1]} is "
                                 "empty)", code="workbook-structure",
                                 hint="move it to its question's row")
            continue
        if key in seen:
            problems.add(ref_of[L.H_ID], f"{key} appears twice, in {seen[key]} and in row "
                         f"{number}", code="workbook-structure", hint=FRESH_HINT)
            continue
        seen[key] = f"row {number}"
        detail = next((f for k, f, _label in L.DETAILS if k == key), None)
        if detail is not None:
            doc.cells[(detail,)] = ref_of[L.H_ANSWER]
            value = _detail(detail, answer, problems, levels)
            if value is not None:
                details[detail] = value
            continue
        if key not in meta.questions:
            problems.add(ref_of[L.H_ID], f"the hidden id cell names {shorten(key)!r}, which "
                         "is no question of this workbook", code="workbook-structure",
                         hint=FRESH_HINT)
            continue
        doc.cells[("answers", key)] = doc.cells[("answers", key, "value")] = ref_of[L.H_ANSWER]
        doc.cells[("answers", key, "note")] = ref_of[L.H_NOTE]
        doc.cells[("answers", key, "evidence")] = ref_of[L.H_EVIDENCE]
        value = _answer_value(answer, key, meta, problems)
        note_text = _text(note, f"note of {key}", problems)
        evidence_text = _text(evidence, f"evidence of {key}", problems)
        items = L.split_evidence(evidence_text) if evidence_text is not None else []
        for i in range(len(items)):
            doc.cells[("answers", key, "evidence", i)] = ref_of[L.H_EVIDENCE]
        if note_text is None and not items:
            if value is not None:
                entries[key] = {"value": value}
            continue
        entry: dict[str, Any] = {}
        if value is not None:
            entry["value"] = value
        if note_text is not None:
            entry["note"] = note_text
        if items:
            entry["evidence"] = items
        entries[key] = entry
    if not header_row:
        raise InputError(f"sheet {sheet!r} has no header row with the {L.H_ID!r} column",
                         path=name, code="workbook-structure", cell=L.cell_name(sheet, "A1"),
                         hint=FRESH_HINT)
    watched = {columns[L.H_ANSWER]: "answer", columns[L.H_NOTE]: "note",
               columns[L.H_EVIDENCE]: "evidence"}
    for ref in _merged_ranges(archive, ws, name):
        c1, _r1, c2, r2 = _spans(ref)
        over = sorted({what for col, what in watched.items() if c1 <= col <= c2})
        if over and r2 > header_row:
            problems.add(L.cell_name(sheet, ref.split(":")[0]),
                         f"merged cells {ref} over {' and '.join(over)} cells; each question "
                         "needs its own", code="workbook-structure",
                         hint="unmerge them (Home > Merge & Center > Unmerge Cells)")
    data = doc.data
    for _k, field_name, _label in L.DETAILS:
        if field_name in details:
            data[field_name] = details[field_name]
    answers: dict[str, Any] = {}
    for key in meta.questions:  # the rubric's order, whatever the order of the rows
        if key in entries:
            found = entries[key]
            answers[key] = found["value"] if list(found) == ["value"] else found
    data["answers"] = answers


# ---------------------------------------------------------------- reading


def read_workbook(path: Path) -> WorkbookDocument:
    """Read an answers workbook; every failure is an ``InputError``, and problems in
    cells (a formula, an unknown label ...) are an ``InvalidDocumentError`` with a
    finding at each such cell."""
    name = str(path)
    refused = REFUSED_SUFFIXES.get(path.suffix.lower())
    if refused is not None:
        raise InputError(refused, path=name, code="not-xlsx",
                         hint=SAVE_AS_HINT + (", without macros" if "macro" in refused else ""))
    raw = read_bytes(path)
    archive = _check_archive(raw, name)
    import openpyxl

    doc = WorkbookDocument(name, {})
    problems = _Problems(name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of parts it does not keep
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False,
                                        keep_links=False, keep_vba=False)
            try:
                meta = _read_meta(wb, name)
                meta_title = _find_meta_sheet(wb, name).title
                ws = _find_questions_sheet(wb, meta, meta_title, name)
                # the answers format as the hidden sheet names it: a later one is
                # refused by the usual check of `schema`
                doc.data.update({"schema": meta.schema, "rubric": meta.rubric,
                                 "rubric_version": meta.version})
                for loc_name, meta_field in (("schema", L.M_SCHEMA), ("rubric", L.M_RUBRIC),
                                             ("rubric_version", L.M_VERSION)):
                    doc.cells[(loc_name,)] = meta.cells[meta_field]
                _read_questions(archive, ws, meta, name, doc, problems)
            finally:
                wb.close()
    except (InputError, InvalidDocumentError):
        raise
    except Exception as exc:  # openpyxl raises many kinds on a malformed workbook
        raise InputError(f"cannot read the workbook: {type(exc).__name__}: "
                         f"{shorten(str(exc), 120)}", path=name, code="not-xlsx",
                         hint=SAVE_AS_HINT) from None
    if problems.findings:
        raise InvalidDocumentError(problems.findings)
    doc.rubric_digest = meta.digest
    return doc
