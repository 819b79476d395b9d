"""``cslevels validate`` as text: one line per finding, then the verdict."""

from __future__ import annotations

from cslevels.core.validation import ValidationReport
from cslevels.reporting.formats import RenderOptions
from cslevels.text import clean_line


def render_text(report: ValidationReport, options: RenderOptions | None = None) -> str:
    lines = []
    for file in report.files:
        if not file.findings:
            lines.append(f"{clean_line(file.path)}: ok ({file.kind})")
        for finding in file.findings:
            lines.append(clean_line(str(finding)))
    lines.append(validation_summary(report))
    return "\n".join(lines) + "\n"


def validation_summary(report: ValidationReport) -> str:
    errors = sum(len(r.errors) for r in report.files)
    warnings = sum(len(r.warnings) for r in report.files)
    bad = sum(1 for r in report.files if r.errors or (report.strict and r.warnings))
    verdict = "failed" if report.failed else "ok"
    strict = " (--strict: warnings fail)" if report.strict and warnings else ""
    return (f"{verdict}: {len(report.files)} file(s) checked, {bad} with problems, "
            f"{errors} error(s), {warnings} warning(s){strict}")
