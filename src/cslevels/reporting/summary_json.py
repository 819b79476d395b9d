"""``summary --format json``: the portfolio as one JSON object (and nothing else).

The text is exactly ``json.dumps(portfolio_dict(...), indent=2, ensure_ascii=False)``,
but written row by row with a small encoder for the values rows hold: the
standard library's pure-Python indenting encoder needs several times the
output's size in memory and is slow for 100,000 rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring  # C-accelerated where the C module is built
from typing import Any

from cslevels.errors import Finding
from cslevels.formats import RenderOptions
from cslevels.summary import Failure, Portfolio, Row, RubricInfo


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
    out: list[str] = []
    _write(_portfolio_fields(portfolio, rows), 0, out)
    out.append("\n")
    return "".join(out)


BATCH = 512  # list items joined into one string at a time: few big blocks, little waste


def dumps(value: Any, level: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, at ``level`` levels of indent.

    Mappings with text keys, lists (or any iterator, read once) and the scalars
    JSON has are written here; anything else is left to ``json.dumps``.  Each
    item of a list becomes one string before the next is read, and the whole is
    joined once: memory stays near twice the output's size.
    """
    out: list[str] = []
    _write(value, level, out)
    return "".join(out)


def _write(value: Any, level: int, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float) and math.isfinite(value):
        out.append(float.__repr__(value))
    elif isinstance(value, dict) and all(isinstance(key, str) for key in value):
        inner = "\n" + "  " * (level + 1)
        for n, (key, item) in enumerate(value.items()):
            out.append(f"{',' if n else '{'}{inner}{encode_basestring(key)}: ")
            _write(item, level + 1, out)
        out.append(f"\n{'  ' * level}}}" if value else "{}")
    elif isinstance(value, (list, tuple, Iterator)):
        inner = "\n" + "  " * (level + 1)
        empty = True
        batch: list[str] = []
        for item in value:
            batch.append(f"{'[' if empty else ','}{inner}{dumps(item, level + 1)}")
            empty = False
            if len(batch) == BATCH:
                out.append("".join(batch))
                batch.clear()
        out.append("".join(batch))
        out.append("[]" if empty else f"\n{'  ' * level}]")
    else:
        out.append(json.dumps(value, indent=2, ensure_ascii=False)
                   .replace("\n", "\n" + "  " * level))
