"""The layout of a cslevels answers workbook, shared by its writer and its reader.

A workbook has three sheets:

* ``Instructions``: what to do, how answers are scored, what n/a means;
* ``Questions``: one table, its header in row 1.  The first rows are the details
  (subject, assessor, date, target, prepared for, executive summary), then each
  level's heading row and its
  question rows.  Column C holds the answers, F the notes, G the evidence (one item
  a line).  A hidden column H names what each row holds: a question key such as
  ``availability.channels``, or ``@subject`` for a details row; so rows may be
  sorted and the reader still knows every answer;
* ``cslevels``: hidden and protected, the metadata: the rubric's id, version and
  content hash, every question's scale, and every option's label and value, so
  the reader turns a label back into its value without the rubric.  A checksum
  over it tells an edited sheet from an intact one.

Nothing here imports openpyxl: these are names, text codecs and the checksum.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

WORKBOOK_SCHEMA = "cslevels/workbook/v1"
META_SHEET = "cslevels"
QUESTIONS_SHEET = "Questions"
INSTRUCTIONS_SHEET = "Instructions"
MARKER = "cslevels workbook"  # the metadata sheet's A1, so a renamed sheet is still found

# Column headers of the Questions sheet (row 1); the reader finds columns by them.
H_NUMBER = "#"
H_QUESTION = "Question"
H_ANSWER = "Answer"
H_OPTIONS = "Options"
H_GUIDANCE = "Look for"
H_NOTE = "Note"
H_EVIDENCE = "Evidence"
H_ID = "cslevels id"
HEADERS = (H_NUMBER, H_QUESTION, H_ANSWER, H_OPTIONS, H_GUIDANCE, H_NOTE, H_EVIDENCE, H_ID)

# Details rows: the hidden id of the row, the answers-file field, its label.
DETAILS = (
    ("@subject", "subject", "Subject"),
    ("@assessor", "assessor", "Assessor"),
    ("@date", "date", "Date"),
    ("@target", "target", "Target level (optional)"),
    ("@prepared_for", "prepared_for", "Prepared for (optional)"),
    ("@executive_summary", "executive_summary", "Executive summary (optional)"),
)

# Metadata rows: column A says what the row is.
M_SCHEMA = "schema"
M_RUBRIC = "rubric"
M_VERSION = "rubric_version"
M_DIGEST = "rubric_digest"
M_SHEET = "questions_sheet"
M_CHECKSUM = "checksum"
M_OPTION = "option"  # option | scale | label | value as JSON
M_QUESTION = "question"  # question | key | scale | "n/a" when n/a is allowed
LIST_FIRST_COLUMN = 10  # J: the dropdown lists, one column per scale (and n/a)

NA_LABEL = "n/a"
NA_FORMS = frozenset({"n/a", "na", "n.a.", "n. a.", "not applicable"})
MAX_CELL_CHARS = 32_767  # a spreadsheet cell holds at most this many characters
BULLET = "• "
CONTINUATION = "  "


def normalize(text: str) -> str:
    """A label as compared with what was typed: case, spacing and width ignored."""
    return " ".join(text.split()).casefold()


def checksum(rows: Sequence[Sequence[str]]) -> str:
    """The hash of the metadata rows (all but the checksum row), as stored in it."""
    canonical = json.dumps([list(r) for r in rows], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- text in cells

# XML 1.0 cannot hold most control characters; the Office Open XML way (ECMA-376
# ST_Xstring) writes one as _xHHHH_, and a literal "_xHHHH_" with its underscore
# escaped.  openpyxl does neither, so cslevels does both: Excel and LibreOffice
# decode the escapes, and so does the reader, whoever wrote the file.
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def encode_text(text: str) -> str:
    """``text`` as a cell must hold it to read back exactly."""
    return _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def decode_text(text: str) -> str:
    """A cell's stored text as the person typed it (the reverse of :func:`encode_text`)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def join_evidence(items: Sequence[str]) -> str:
    """Evidence items for one cell: one a line; bullets when an item needs them.

    An item that spans lines, is empty, has spaces at its ends or starts with a
    bullet would not survive "one item a line", so then every item starts with
    ``• `` and its further lines with two spaces.
    """
    plain = all(item and item == item.strip() and "\n" not in item and "\r" not in item
                and not item.startswith(BULLET.strip()) for item in items)
    if plain:
        return "\n".join(items)
    return "\n".join(BULLET + item.replace("\n", "\n" + CONTINUATION) for item in items)


def split_evidence(text: str) -> list[str]:
    """The items of an evidence cell: bullets as :func:`join_evidence` writes them,
    else one item a non-empty line (as a person types them)."""
    lines = text.split("\n")
    if not lines[0].startswith(BULLET):
        return [line.strip() for line in lines if line.strip()]
    items: list[str] = []
    for line in lines:
        if line.startswith(BULLET) or not items:
            items.append(line[len(BULLET):] if line.startswith(BULLET) else line)
        elif line.startswith(CONTINUATION):
            items[-1] += "\n" + line[len(CONTINUATION):]
        elif line.strip():
            items.append(line.strip())  # a line typed by hand among the bullets
    return items


def cell_name(sheet: str, coordinate: str) -> str:
    """``Questions!C7``; a sheet name with spaces or punctuation is quoted as Excel does."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        return f"{sheet}!{coordinate}"
    return "'" + sheet.replace("'", "''") + f"'!{coordinate}"
