"""``cslevels template RUBRIC -o survey.xlsx``: the questionnaire as an Excel workbook.

The workbook only collects answers: it holds no formulas, and cslevels does all the
scoring.  Each answer cell offers its scale's option labels (and n/a where allowed)
in a dropdown; the hidden, protected ``cslevels`` sheet keeps what the reader needs
to turn a filled workbook back into an answers file exactly (see
:mod:`cslevels.files.workbook_layout`).  Only the answer, note and evidence cells
(and the details) are unlocked.

Text from the rubric and the answers is untrusted: every such cell is written as a
string (never a formula, whatever it starts with), with characters XML cannot hold
escaped the way Office does.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cslevels import __version__
from cslevels.core.documents import LoadedRubric
from cslevels.core.models import (
    ANSWERS_SCHEMA,
    NA,
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    AnswerEntry,
    Answers,
    Rubric,
)
from cslevels.errors import OutputError
from cslevels.files import workbook_layout as L
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.views import REQUIRED_NOTE

# column letter, header, width in characters
COLUMNS = (
    ("A", L.H_NUMBER, 6),
    ("B", L.H_QUESTION, 56),
    ("C", L.H_ANSWER, 28),
    ("D", L.H_OPTIONS, 24),
    ("E", L.H_GUIDANCE, 42),
    ("F", L.H_NOTE, 36),
    ("G", L.H_EVIDENCE, 32),
    ("H", L.H_ID, 28),
)
EXCEL_FIRST_DATE = dt.date(1900, 3, 1)  # before it Excel's serial dates are off or absent
INSTRUCTIONS_WIDTH = 68
WIDTH = {letter: width for letter, _h, width in COLUMNS}
_FORMULA_START = ("=", "+", "-", "@")
_TOP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)
_HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
_LEVEL_FILL = PatternFill("solid", fgColor="DCE6F1")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E0")
_THIN = Side(style="thin", color="B7B7B7")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _put(cell: Cell | MergedCell, text: str | None, *, what: str = "a cell") -> Cell:
    """Write untrusted ``text`` as a plain string: never a formula, XML-safe."""
    assert isinstance(cell, Cell)  # nothing here is merged
    if text is None:
        return cell
    stored = L.encode_text(text)
    if len(stored) > L.MAX_CELL_CHARS:
        raise OutputError(f"{what} is {len(stored):,} characters, over the "
                          f"{L.MAX_CELL_CHARS:,} a spreadsheet cell holds", code="too-long",
                          hint="keep this assessment in YAML")
    cell.value = stored
    cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
    if stored.startswith(_FORMULA_START):
        cell.quotePrefix = True  # and Excel shows it as text when the cell is edited
    return cell


def display_labels(rubric: Rubric) -> dict[str, list[tuple[str, int | str]]]:
    """Each scale's options as the dropdown offers them: (label, value).

    Two labels that read the same when case and spacing are ignored, or a label
    that reads as n/a, get their value added, so every label names one option.
    """
    out: dict[str, list[tuple[str, int | str]]] = {}
    for name, scale in rubric.scales.items():
        counts: dict[str, int] = {}
        for option in scale.options:
            key = L.normalize(option.label)
            counts[key] = counts.get(key, 0) + 1
        used: set[str] = set(L.NA_FORMS)
        labels: list[tuple[str, int | str]] = []
        for option in scale.options:
            label = " ".join(option.label.split()) or str(option.value)
            if counts[L.normalize(option.label)] > 1 or L.normalize(label) in used:
                label = f"{label} ({option.value})"
            base, n = label, 2
            while L.normalize(label) in used:
                label, n = f"{base} #{n}", n + 1
            used.add(L.normalize(label))
            labels.append((label, option.value))
        out[name] = labels
    return out


def _height(texts: Sequence[tuple[str, str | None]], *, points: float = 15.0,
            chars: float = 1.0) -> float | None:
    """A row height that shows the row's wrapped text (Excel does not fit it on open);
    ``points`` a line, ``chars`` the share of a column's width a line of this font fills."""
    lines = 1
    for letter, text in texts:
        if not text:
            continue
        per_line = max(int((WIDTH[letter] - 2) * chars), 4)
        count = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
        lines = max(lines, count)
    return None if lines == 1 else min(409.0, points * lines)


def render_template(loaded: LoadedRubric, answers: Answers | None = None,
                    options: RenderOptions | None = None) -> bytes:
    """``template --format xlsx`` (or ``-o x.xlsx``): the workbook, pre-filled by ``--from``."""
    return render_workbook(loaded.rubric, loaded.digest, answers)


def render_workbook(rubric: Rubric, digest: str, answers: Answers | None = None) -> bytes:
    """The questionnaire workbook of ``rubric``; ``answers`` pre-fill it."""
    wb = Workbook()
    instructions = wb.active
    assert instructions is not None
    instructions.title = L.INSTRUCTIONS_SHEET
    questions = wb.create_sheet(L.QUESTIONS_SHEET)
    meta = wb.create_sheet(L.META_SHEET)
    labels = display_labels(rubric)
    lists = _write_meta(meta, rubric, digest, labels)
    _write_instructions(instructions, rubric, labels, answers)
    _write_questions(questions, rubric, labels, lists, answers)
    wb.properties.creator = f"cslevels {__version__}"
    wb.properties.title = L.encode_text(rubric.title)[:255]
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_meta(ws: Worksheet, rubric: Rubric, digest: str,
                labels: dict[str, list[tuple[str, int | str]]]) -> dict[tuple[str, bool], str]:
    """The hidden metadata; returns the range of each dropdown list."""
    rows: list[list[str]] = [
        [L.MARKER, L.WORKBOOK_SCHEMA, "", ""],
        [L.M_SCHEMA, ANSWERS_SCHEMA, "", ""],
        [L.M_RUBRIC, rubric.id, "", ""],
        [L.M_VERSION, rubric.version, "", ""],
        [L.M_DIGEST, digest, "", ""],
        [L.M_SHEET, L.QUESTIONS_SHEET, "", ""],
    ]
    for scale, options in labels.items():
        for label, value in options:
            rows.append([L.M_OPTION, scale, label, json.dumps(value, ensure_ascii=False)])
    for level, question in rubric.questions():
        rows.append([L.M_QUESTION, f"{level.id}.{question.id}", question.scale,
                     L.NA_LABEL if question.allow_na else ""])
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            if text:
                _put(ws.cell(r, c), text, what="a metadata cell")
    _put(ws.cell(len(rows) + 1, 1), L.M_CHECKSUM)
    _put(ws.cell(len(rows) + 1, 2), L.checksum(rows))
    lists: dict[tuple[str, bool], str] = {}
    column = L.LIST_FIRST_COLUMN
    used = {(q.scale, q.allow_na) for _level, q in rubric.questions()}
    for scale, options in labels.items():
        for allow_na in (False, True):
            if (scale, allow_na) not in used:
                continue
            entries = [label for label, _v in options] + ([L.NA_LABEL] if allow_na else [])
            letter = get_column_letter(column)
            for r, text in enumerate(entries, start=1):
                _put(ws.cell(r, column), text)
            lists[(scale, allow_na)] = f"{L.META_SHEET}!${letter}$1:${letter}${len(entries)}"
            column += 1
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    return lists


def _write_instructions(ws: Worksheet, rubric: Rubric,
                        labels: dict[str, list[tuple[str, int | str]]],
                        answers: Answers | None) -> None:
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH  # one A4 page wide, at 100%
    ws.sheet_view.showGridLines = False
    count = len(rubric.questions())
    lines: list[tuple[str, str]] = [  # (style, text)
        ("title", f"{rubric.title}: questionnaire"),
        ("small", f"Rubric {rubric.id}, version {rubric.version}: {len(rubric.levels)} levels, "
                  f"{count} questions. Made with cslevels {__version__}."),
        ("", ""),
        ("heading", "What to do"),
        ("", f"1. On the {L.QUESTIONS_SHEET} sheet, fill in the details at the top: the "
             f"subject (the {rubric.subject} assessed), your name, the date and, if you like, "
             "the level aimed for, who the report is for and a summary in your own words."),
        ("", f"2. For each question, choose an answer in column C ({L.H_ANSWER}) from its "
             f"list. {L.H_OPTIONS} lists the choices; {L.H_GUIDANCE} says what counts as "
             "evidence."),
        ("", f"3. Choose {L.NA_LABEL} only where it is offered, when the question does not "
             f"apply to this {rubric.subject}: it is then left out of the score. If you do "
             "not know, leave the answer empty: it counts as not assessed, never as zero."),
        ("", f"4. Write what you saw in {L.H_NOTE}, and the evidence (a record, a sample, an "
             f"observation) in {L.H_EVIDENCE}, one item a line (Alt+Enter starts a line)."),
        ("", "5. Save the file as an Excel workbook (.xlsx) and send it back to the person who "
             "sent it to you"
             + (f" ({answers.assessor})" if answers is not None and answers.assessor else "")
             + ". Keep the questions in this file: it carries hidden ids that cslevels needs."),
        ("", ""),
        ("heading", "How the answers are scored"),
        ("", "Each option is worth a share of a question's points, from 0 to 1. A level's score "
             "is the weighted mean of its answered questions; n/a and empty answers are left "
             "out."),
        ("", f"A level is judged only when at least {rubric.min_coverage:.0%} of it is answered; "
             f"it is achieved when its score reaches its threshold ({rubric.threshold:.0%} "
             "unless the level says otherwise)."),
        ("", "The levels build on each other: a level counts as reached only when every level "
             "below it is achieved too." if rubric.method == "staged" else
             "Each level is judged on its own."),
        ("", "This workbook holds no formulas and does no scoring: cslevels scores it "
             "(cslevels score FILE.xlsx)."),
        ("", ""),
        ("heading", "Levels"),
    ]
    for rank, level in enumerate(rubric.levels, start=1):
        threshold = rubric.level_threshold(level)
        lines.append(("", f"{rank}. {level.name} ({len(level.questions)} questions, "
                          f"threshold {threshold:.0%})"
                          + (f": {level.summary}" if level.summary else "")))
    lines += [("", ""), ("heading", "Answer scales")]
    for name, scale in rubric.scales.items():
        options = {o.value: o for o in scale.options}
        shown = "; ".join(f"{label} = {options[value].score:g}" for label, value in labels[name])
        lines.append(("", f"{scale.label} {shown}"))
    if rubric.description:
        lines += [("", ""), ("heading", "About this model"), ("", rubric.description)]
    if rubric.source:
        lines.append(("small", f"Source: {rubric.source.title}"
                               + (f" ({rubric.source.note})" if rubric.source.note else "")))
    for r, (style, text) in enumerate(lines, start=1):
        cell = _put(ws.cell(r, 1), text or None, what="an instruction")
        cell.alignment = _TOP
        if style == "title":
            cell.font = Font(bold=True, size=16)
        elif style == "heading":
            cell.font = Font(bold=True, size=12)
        elif style == "small":
            cell.font = Font(italic=True, color="555555")
        if text and len(text) > INSTRUCTIONS_WIDTH - 6:
            wrapped = math.ceil(len(text) / (INSTRUCTIONS_WIDTH - 6))
            ws.row_dimensions[r].height = min(409.0, 15.0 * wrapped)
    ws.protection.sheet = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    _fit_to_page(ws)


def _entry(answers: Answers | None, key: str) -> tuple[int | str | None, str | None, list[str]]:
    if answers is None:
        return None, None, []
    raw = answers.answers.get(key)
    if isinstance(raw, AnswerEntry):
        return raw.value, raw.note, list(raw.evidence)
    return raw, None, []


def _write_questions(ws: Worksheet, rubric: Rubric,
                     labels: dict[str, list[tuple[str, int | str]]],
                     lists: dict[tuple[str, bool], str], answers: Answers | None) -> None:
    for letter, header, width in COLUMNS:
        cell = _put(ws[f"{letter}1"], header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = _TOP
        ws.column_dimensions[letter].width = width
    ws.column_dimensions["H"].hidden = True
    row = 2

    def section(title: str, number: str = "") -> None:
        nonlocal row
        for letter, _h, _w in COLUMNS[:-1]:
            ws[f"{letter}{row}"].fill = _LEVEL_FILL
        number_cell = _put(ws[f"A{row}"], number or None)
        number_cell.font = Font(bold=True, size=12)
        number_cell.alignment = _TOP
        cell = _put(ws[f"B{row}"], title, what="a level heading")
        cell.font = Font(bold=True, size=12)
        cell.alignment = _TOP
        height = _height([("B", title)], points=18.0, chars=0.8)  # bold 12 pt: larger
        if height:
            ws.row_dimensions[row].height = height
        row += 1

    def inputs(r: int, *letters: str) -> None:
        for letter in letters:
            cell = ws[f"{letter}{r}"]
            cell.protection = _UNLOCKED
            cell.fill = _INPUT_FILL
            cell.border = _BOX
            cell.alignment = _TOP

    section("Details")
    details_help = {
        "subject": (f"Who or what is assessed: the {rubric.subject}.", "text (required)"),
        "assessor": ("Who made the assessment.", "text"),
        "date": ("The day of the assessment.", "a date: YYYY-MM-DD"),
        "target": ("The level aimed for, if any: the report shows the gap to it.",
                   f"a level from 1 to {len(rubric.levels)}"),
        "prepared_for": ("Who the report is for, e.g. the owner or a client contact.",
                         f"text, at most {NAME_MAX_CHARS:,} characters"),
        "executive_summary": ("Your own words on the assessment, shown first in the report.",
                              f"text, at most {NOTE_MAX_CHARS:,} characters"),
    }
    for key, field, label in L.DETAILS:
        explain, kind = details_help[field]
        _put(ws[f"B{row}"], f"{label}: {explain}").alignment = _TOP
        _put(ws[f"D{row}"], kind).alignment = _TOP
        given = getattr(answers, field) if answers is not None else None
        height = _height([("B", f"{label}: {explain}"), ("D", kind),
                          ("C", given if isinstance(given, str) else None)])
        if height:
            ws.row_dimensions[row].height = height
        _put(ws[f"H{row}"], key)
        inputs(row, "C")
        cell = ws[f"C{row}"]
        if answers is not None:
            value = getattr(answers, field)
            if field == "date" and value is not None:
                if value < EXCEL_FIRST_DATE:  # Excel has no such dates: ISO text, read back
                    _put(cell, value.isoformat())
                else:
                    cell.value = value
            elif field == "target" and value is not None:
                cell.value = int(value)
            elif value is not None:
                _put(cell, str(value), what=f"the {field}")
        if field == "date":
            cell.number_format = "yyyy-mm-dd"
        if field == "target":
            rule = DataValidation(type="whole", operator="between", formula1="1",
                                  formula2=str(len(rubric.levels)), allow_blank=True,
                                  showErrorMessage=True, errorTitle="Target level",
                                  error=f"A level number from 1 to {len(rubric.levels)}.")
            ws.add_data_validation(rule)
            rule.add(cell)
        row += 1

    rules: dict[tuple[str, bool], DataValidation] = {}
    for (scale, allow_na), ref in lists.items():
        rule = DataValidation(
            type="list", formula1=ref, allow_blank=True, showErrorMessage=True,
            showInputMessage=True, errorStyle="warning", errorTitle="Not an option",
            error="Choose one of the options in the list (or leave the cell empty).",
            promptTitle="Answer", prompt="Choose from the list; leave empty if not assessed.")
        ws.add_data_validation(rule)
        rules[(scale, allow_na)] = rule

    for rank, level in enumerate(rubric.levels, start=1):
        section(f"Level {rank}: {level.name}" + (f"\n{level.summary}" if level.summary else ""),
                str(rank))
        for number, question in enumerate(level.questions, start=1):
            key = f"{level.id}.{question.id}"
            options = labels[question.scale]
            shown = [label for label, _v in options] + ([L.NA_LABEL] if question.allow_na else [])
            _put(ws[f"A{row}"], f"{rank}.{number}")
            text = question.text
            if question.required:
                text += f"\n({REQUIRED_NOTE[0].upper()}{REQUIRED_NOTE[1:]}.)"
            _put(ws[f"B{row}"], text, what=f"the text of {key}")
            _put(ws[f"D{row}"], "\n".join(shown), what=f"the options of {key}")
            _put(ws[f"E{row}"], question.guidance, what=f"the guidance of {key}")
            _put(ws[f"H{row}"], key)
            for letter in "ABDE":
                ws[f"{letter}{row}"].alignment = _TOP
            inputs(row, "C", "F", "G")
            rules[(question.scale, question.allow_na)].add(ws[f"C{row}"])
            value, note, evidence = _entry(answers, key)
            if value is not None:
                label = NA if value == NA else next(
                    (lab for lab, v in options if v == value and type(v) is type(value)),
                    str(value))
                _put(ws[f"C{row}"], label)
            _put(ws[f"F{row}"], note, what=f"the note of {key}")
            if evidence:
                _put(ws[f"G{row}"], L.join_evidence(evidence), what=f"the evidence of {key}")
            height = _height([("B", text), ("D", "\n".join(shown)),
                              ("E", question.guidance), ("F", note),
                              ("G", L.join_evidence(evidence) if evidence else None)])
            if height:
                ws.row_dimensions[row].height = height
            row += 1

    last = row - 1
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:G{last}"
    ws.protection.sheet = True
    for allowed in ("formatColumns", "formatRows", "autoFilter", "sort"):
        setattr(ws.protection, allowed, False)  # False: the protected sheet still allows it
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:G{last}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    _fit_to_page(ws)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    title = L.encode_text(" ".join(rubric.title.split()))[:80].replace("&", "&&")
    if ws.oddHeader is not None and ws.oddFooter is not None:
        ws.oddHeader.left.text = title
        ws.oddFooter.center.text = "Page &P of &N"


def _fit_to_page(ws: Worksheet) -> None:
    from openpyxl.worksheet.properties import PageSetupProperties

    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True

