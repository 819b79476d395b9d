"""``summary --format json``: the portfolio as one JSON object (and nothing else)."""

from __future__ import annotations

import json
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
    return {
        "count": len(portfolio.rows),
        "sort": portfolio.sort,
        "rubric_filter": portfolio.rubric_filter,
        "assessments": [row_dict(r) for r in portfolio.rows],
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
    return json.dumps(portfolio_dict(portfolio), indent=2, ensure_ascii=False) + "\n"
