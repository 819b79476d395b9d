"""Output formats of ``cslevels validate``: text, json, GitHub annotations, SARIF."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from cslevels import __version__
from cslevels.errors import Finding
from cslevels.formats import RenderOptions
from cslevels.text import clean_line
from cslevels.validation import ValidationReport


def _summary(report: ValidationReport) -> str:
    errors = sum(len(r.errors) for r in report.files)
    warnings = sum(len(r.warnings) for r in report.files)
    bad = sum(1 for r in report.files if r.errors or (report.strict and r.warnings))
    verdict = "failed" if report.failed else "ok"
    strict = " (--strict: warnings fail)" if report.strict and warnings else ""
    return (f"{verdict}: {len(report.files)} file(s) checked, {bad} with problems, "
            f"{errors} error(s), {warnings} warning(s){strict}")


def render_text(report: ValidationReport, options: RenderOptions | None = None) -> str:
    lines = []
    for file in report.files:
        if not file.findings:
            lines.append(f"{clean_line(file.path)}: ok ({file.kind})")
        for finding in file.findings:
            lines.append(clean_line(str(finding)))
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


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
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _github_escape(value: str, *, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render_github(report: ValidationReport, options: RenderOptions | None = None) -> str:
    """GitHub Actions workflow commands, one annotation per finding."""
    lines = []
    for finding in report.findings:
        level = "error" if finding.severity == "error" or report.strict else "warning"
        props = [f"file={_github_escape(finding.path, property_value=True)}"]
        if finding.cell is not None:  # a workbook's cell: no line to annotate, so say it
            props.append(f"title={_github_escape(finding.cell, property_value=True)}")
        if finding.line is not None:
            props.append(f"line={finding.line}")
            if finding.column is not None:
                props.append(f"col={finding.column}")
        message = _cell_prefix(finding) + finding.message
        message += (f" ({finding.hint})" if finding.hint else "") + f" [cslevels {finding.code}]"
        lines.append(f"::{level} {','.join(props)}::{_github_escape(clean_line(message))}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _cell_prefix(finding: Finding) -> str:
    """``Questions!C7: `` where the format has no place for a workbook's cell."""
    return f"{finding.cell}: " if finding.cell is not None else ""


def render_sarif(report: ValidationReport, options: RenderOptions | None = None) -> str:
    """SARIF 2.1.0, for code-scanning dashboards."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for finding in report.findings:
        rules.setdefault(finding.code, {"id": finding.code, "name": finding.code,
                                        "shortDescription": {"text": finding.code}})
        region: dict[str, int] = {}
        if finding.line is not None:
            region["startLine"] = finding.line
            if finding.column is not None:
                region["startColumn"] = finding.column
        uri = quote(finding.path.replace("\\", "/"))
        location: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if region:
            location["region"] = region
        text = _cell_prefix(finding) + finding.message
        text += f" ({finding.hint})" if finding.hint else ""
        place: dict[str, Any] = {"physicalLocation": location}
        if finding.cell is not None:  # SARIF has no region for a cell: a logical location
            place["logicalLocations"] = [{"name": finding.cell.rpartition("!")[2],
                                          "fullyQualifiedName": finding.cell,
                                          "kind": "element"}]
        results.append({
            "ruleId": finding.code,
            "level": "error" if finding.severity == "error" or report.strict else "warning",
            "message": {"text": text},
            "locations": [place],
        })
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "cslevels", "version": __version__,
                                "informationUri": "https://pypi.org/project/cslevels/",
                                "rules": list(rules.values())}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"
