"""``cslevels validate --format sarif``: SARIF 2.1.0 for code-scanning dashboards."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from cslevels import __version__
from cslevels.core.validation import ValidationReport
from cslevels.reporting.formats import RenderOptions
from cslevels.text import json_safe


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
        where = f"{finding.cell}: " if finding.cell is not None else ""
        text = where + finding.message + (f" ({finding.hint})" if finding.hint else "")
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
    return json_safe(json.dumps(sarif, indent=2, ensure_ascii=False)) + "\n"
