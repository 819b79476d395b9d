"""``summary --format json``: the portfolio as one JSON object (and nothing else).

The text is exactly ``json_safe(json.dumps(portfolio_dict(...), indent=2,
ensure_ascii=False))`` (``cslevels.text.json_safe``), but written row by row with a
small encoder for the values rows hold: the standard library's pure-Python indenting
encoder needs several times the output's size in memory and is slow for 100,000 rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring  # C-accelerated where the C module is built
from typing import Any

from cslevels.core.portfolio import Failure, Portfolio, Row, RubricInfo
from cslevels.errors import Finding
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.views import portfolio_scope_text
from cslevels.text import json_safe


def row_dict(row: Row) -> dict[str, Any]:
    return {
        "path": row.path,
        "subject": row.subject,
        "rubric": {"id": row.rubric_id, "version": row.rubric_version,
                   "digest": row.rubric_digest},
        "date": None if row.date is None else row.date.isoformat(),
        "method": row.method,
        "achieved_level": row.achieved_level,
        "achieved_level_name": row.achieved_name,
        "levels_achieved": row.levels_achieved,
        "levels": row.level_count,
        "index": row.index,
        "weakest_level": row.weakest,
        "weakest_score": None if row.weakest_score is None else round(row.weakest_score, 6),
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {"location": finding.location, "line": finding.line, "column": finding.column,
            "message": finding.message, "hint": finding.hint, "code": finding.code}


def failure_dict(failure: Failure) -> dict[str, Any]:
    first = failure.first
    return {"path": failure.path, "line": first.line, "column": first.column,
            "message": str(first), "errors": [finding_dict(f) for f in failure.findings]}


def rubric_dict(info: RubricInfo) -> dict[str, Any]:
    return {"id": info.id, "version": info.version, "title": info.title, "digest": info.digest,
            "method": info.method}


def portfolio_dict(portfolio: Portfolio) -> dict[str, Any]:
    return _portfolio_fields(portfolio, [row_dict(r) for r in portfolio.rows])


def _portfolio_fields(portfolio: Portfolio, assessments: Iterable[dict[str, Any]]
                      ) -> dict[str, Any]:
    return {
        "count": len(portfolio.rows),
        "counting": "every visit" if portfolio.all_visits else "latest per subject and rubric",
        "scope": portfolio_scope_text(portfolio),
        "earlier_visits": [row.path for row in portfolio.earlier],
        "sort": portfolio.sort,
        "rubric_filter": portfolio.rubric_filter,
        "assessments": assessments,
        "distribution": [
            {"rubric": rubric_dict(info), "total": sum(n for _, _, n in buckets),
             "levels": [{"level": level, "name": name, "count": n}
                        for level, name, n in buckets]}
            for info, buckets in portfolio.distribution()
        ],
        "failed": len(portfolio.failures),
        "failures": [failure_dict(f) for f in portfolio.failures],
        "rubric_files": portfolio.rubric_files,
    }


def render_portfolio(portfolio: Portfolio, options: RenderOptions | None = None) -> str:
    rows = (row_dict(r) for r in portfolio.rows)  # one row's dict at a time
    out = _Blocks()
    _write(_portfolio_fields(portfolio, rows), 0, out)
    out.append("\n")
    return out.text()


class _Blocks:
    """Collects the report as UTF-8 blocks of about a megabyte, then decodes it once.

    Why not join strings: one character beyond Latin-1 (a level named "Grade 1 —
    Basics") makes Python store the whole text with two bytes a character, and a
    join holds the parts and the whole at once.  UTF-8 blocks, joined and decoded,
    peak at one byte a character plus the final text.
    """

    BLOCK = 1 << 20

    def __init__(self) -> None:
        self.blocks: list[bytes] = []
        self.pending: list[str] = []
        self.size = 0

    def append(self, piece: str) -> None:
        self.pending.append(piece)
        self.size += len(piece)
        if self.size >= self.BLOCK:
            self.flush()

    def flush(self) -> None:
        # surrogatepass: a file name that is not valid UTF-8 comes back exactly as it was
        self.blocks.append(json_safe("".join(self.pending)).encode("utf-8", "surrogatepass"))
        self.pending, self.size = [], 0

    def text(self) -> str:
        self.flush()
        data = b"".join(self.blocks)
        self.blocks = []
        return data.decode("utf-8", "surrogatepass")


def dumps(value: Any, level: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, at ``level`` levels of indent.

    Mappings with text keys, lists (or any iterator, read once) and the scalars
    JSON has are written here; anything else is left to ``json.dumps``.
    """
    text = _scalar(value)
    if text is not None:
        return text
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return _block("{", [f"{encode_basestring(key)}: {_scalar(item) or dumps(item, level + 1)}"
                            for key, item in value.items()], "}", level)
    if isinstance(value, (list, tuple, Iterator)):
        return _block("[", [_scalar(item) or dumps(item, level + 1) for item in value], "]",
                      level)
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)


def _scalar(value: Any) -> str | None:
    """A string, number, boolean or null as JSON; None for anything else."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    return None


def _block(opening: str, items: list[str], closing: str, level: int) -> str:
    if not items:
        return opening + closing
    inner = "\n" + "  " * (level + 1)
    return f"{opening}{inner}{(',' + inner).join(items)}\n{'  ' * level}{closing}"


def _write(value: Any, level: int, out: _Blocks) -> None:
    """:func:`dumps` into ``out``, a list's items one at a time (a row is one string)."""
    if isinstance(value, dict) and all(isinstance(key, str) for key in value) and value:
        inner = "\n" + "  " * (level + 1)
        for n, (key, item) in enumerate(value.items()):
            out.append(f"{',' if n else '{'}{inner}{encode_basestring(key)}: ")
            _write(item, level + 1, out)
        out.append(f"\n{'  ' * level}}}")
    elif isinstance(value, (list, tuple, Iterator)):
        inner = "\n" + "  " * (level + 1)
        empty = True
        for item in value:
            out.append(f"{'[' if empty else ','}{inner}{dumps(item, level + 1)}")
            empty = False
        out.append("[]" if empty else f"\n{'  ' * level}]")
    else:
        out.append(dumps(value, level))
