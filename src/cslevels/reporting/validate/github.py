"""``cslevels validate --format github``: GitHub Actions workflow annotations."""

from __future__ import annotations

from cslevels.core.validation import ValidationReport
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.validate.text import validation_summary
from cslevels.text import clean, clean_line


def _github_escape(value: str, *, property_value: bool = False) -> str:
    """A workflow command's escaping; properties are first cleaned like every other text
    (a file name holding ESC would reach the log raw, as the message never does)."""
    if property_value:
        value = clean(value)
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
        where = f"{finding.cell}: " if finding.cell is not None else ""
        message = where + finding.message + (f" ({finding.hint})" if finding.hint else "")
        message += f" [cslevels {finding.code}]"
        lines.append(f"::{level} {','.join(props)}::{_github_escape(clean_line(message))}")
    lines.append(validation_summary(report))
    return "\n".join(lines) + "\n"
