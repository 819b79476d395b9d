"""``summary --format csv``: one row per assessment for spreadsheets.

Cells that a spreadsheet would run as a formula (starting with = + - @, or a
tab or carriage return) get a leading apostrophe, so a subject written as
``=HYPERLINK(...)`` stays text.  Failed files are not rows: they go to stderr
and the exit code.
"""

from __future__ import annotations

import csv
import io

from cslevels.core.portfolio import Portfolio, Row
from cslevels.reporting.formats import RenderOptions

# The header states the units: the index is 0-100, a level score a share from 0 to 1.
HEADER = ("path", "subject", "rubric", "rubric_version", "rubric_digest", "date",
          "achieved_level", "achieved_level_name", "levels_achieved", "levels",
          "index_0_to_100", "weakest_level", "weakest_score_0_to_1")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


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
