"""``summary --format csv``: one row per assessment for spreadsheets.

Every cell is cleaned as all terminal text is (``cslevels.text.clean``: control and
bidi characters become visible escapes such as ``\\x1b``), since a CSV file is as
often printed with ``cat`` as opened in a spreadsheet.  A cell that a spreadsheet
could run as a formula gets a leading apostrophe, so a subject written as
``=HYPERLINK(...)`` stays text: see :func:`runs_as_formula`.  Failed files are not
rows: they go to stderr and the exit code.
"""

from __future__ import annotations

import csv
import io
import unicodedata

from cslevels.core.portfolio import Portfolio, Row
from cslevels.reporting.formats import RenderOptions
from cslevels.text import clean

# The header states the units: the index is 0-100, a level score a share from 0 to 1.
HEADER = ("path", "subject", "rubric", "rubric_version", "rubric_digest", "date",
          "achieved_level", "achieved_level_name", "levels_achieved", "levels",
          "index_0_to_100", "weakest_level", "weakest_score_0_to_1")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# U+2212 MINUS SIGN has no compatibility mapping to "-" but reads as one.
_FORMULA_LOOKALIKES = frozenset("\u2212")


def _ignorable(char: str) -> bool:
    """A character a spreadsheet may skip before a formula: blanks, zero-width ones."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet might take ``text`` for a formula: it starts with = + - @
    (or a tab or carriage return), also after blanks or zero-width characters, and
    also in a compatibility form such as the fullwidth equals sign (U+FF1D)."""
    if text.startswith(FORMULA_START):
        return True
    first = next((c for c in text if not _ignorable(c)), "")
    return bool(first) and (unicodedata.normalize("NFKC", first).startswith(FORMULA_START[:4])
                            or first in _FORMULA_LOOKALIKES)


def cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs, and that is safe to print."""
    if value is None:
        return ""
    text = clean(value)
    return "'" + text if runs_as_formula(text) else text


def row_cells(row: Row) -> list[str]:
    return [cell(v) for v in (
        row.path, row.subject, row.rubric_id, row.rubric_version, row.rubric_digest,
        None if row.date is None else row.date.isoformat(),
        row.achieved_level, row.achieved_name, row.levels_achieved, row.level_count,
        None if row.index is None else f"{row.index:.1f}", row.weakest,
        None if row.weakest_score is None else f"{row.weakest_score:.4f}",
    )]


def render_portfolio(portfolio: Portfolio, options: RenderOptions | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in portfolio.rows:
        writer.writerow(row_cells(row))
    return buffer.getvalue()
