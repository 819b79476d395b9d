"""``cslevels validate --format json``: every file and finding, for tools."""

from __future__ import annotations

import json

from cslevels.core.validation import ValidationReport
from cslevels.reporting.formats import RenderOptions
from cslevels.text import json_safe


def render_json(report: ValidationReport, options: RenderOptions | None = None) -> str:
    payload = {
        "ok": not report.failed,
        "strict": report.strict,
        "files": [
            {
                "path": file.path,
                "kind": file.kind,
                "ok": not (file.errors or (report.strict and file.warnings)),
                "findings": [
                    {"severity": f.severity, "code": f.code, "message": f.message,
                     "line": f.line, "column": f.column, "cell": f.cell, "hint": f.hint}
                    for f in file.findings
                ],
            }
            for file in report.files
        ],
    }
    return json_safe(json.dumps(payload, indent=2, ensure_ascii=False)) + "\n"
