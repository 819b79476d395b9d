"""Golden reports: every report kind in every format, compared byte for byte.

Each case is a command line run from the project folder (so paths in the output
are the same relative paths everywhere); its exit code, stdout and stderr are
kept in ``tests/golden/<case>.txt``.  A change of wording, layout or result shows
up here as a diff to review.  After a deliberate change, regenerate them with

    CSLEVELS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and commit the files with the change (docs/architecture.md says the same).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from cslevels.cli import app

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("CSLEVELS_UPDATE_GOLDEN") == "1"

CAFE = "examples/riverside-cafe.yaml"
CAFE_LATER = "examples/riverside-cafe-2027-05.yaml"
DENTAL = "examples/northwind-dental.yaml"
TEAM = "examples/harbor-hardware-team.yaml"
SERIES = ["tests/data/series/2026-01-visit.yaml", "tests/data/series/2026-06-visit.yaml",
          "tests/data/series/2026-12-visit.yaml"]
SERIES_RUBRIC = "tests/data/series/corner-shop.yaml"
SHOP = "tests/data/positive/corner-shop.yaml"
TEAM_SKILLS = "tests/data/positive/team-skills-answers.yaml"
PARTIAL = "tests/data/partial/first-hour.yaml"
BLANK = "tests/data/partial/blank-seven-levels.yaml"
BRAND = "docs/examples/brand.yaml"

CASES: dict[str, list[str]] = {
    # list
    "list-terminal": ["list"],
    "list-json": ["list", "--format", "json"],
    "list-json-deprecated": ["list", "--json"],
    "list-rubrics-dir": ["list", "--rubrics-dir", "tests/data/positive"],
    # show
    **{f"show-{rubric}-{fmt}": ["show", rubric, "--format", fmt]
       for rubric in ("seven-levels", "six-levels", "five-grades")
       for fmt in ("terminal", "markdown", "html")},
    "show-file-terminal": ["show", "tests/data/positive/team-skills.yml"],
    # template and schema
    **{f"template-{rubric}": ["template", rubric]
       for rubric in ("seven-levels", "six-levels", "five-grades")},
    "template-five-grades-form": ["template", "five-grades", "--format", "form"],
    "template-cafe-form": ["template", "seven-levels", "--format", "form", "--from", CAFE],
    "schema-rubric": ["schema", "rubric"],
    "schema-answers": ["schema", "answers"],
    "schema-brand": ["schema", "brand"],
    # score: every example in every format
    **{f"score-{name}-{fmt}": ["score", path, "--format", fmt]
       for name, path in (("cafe", CAFE), ("cafe-later", CAFE_LATER), ("dental", DENTAL),
                          ("team", TEAM))
       for fmt in ("terminal", "json", "markdown", "html")},
    **{f"score-cafe-target-{fmt}": ["score", CAFE, "--target", "6", "--format", fmt]
       for fmt in ("terminal", "json", "markdown", "html")},
    **{f"score-combine-{fmt}": ["score", CAFE, CAFE_LATER, "--combine", "--format", fmt]
       for fmt in ("terminal", "json", "markdown", "html")},
    "score-raters-combine": ["score", "examples/raters/owner.yaml",
                             "examples/raters/consultant.yaml", "examples/raters/staff.yaml",
                             "--combine"],
    "score-one-of-two-json": ["score", "tests/data/negative/answers-value-off-scale.yaml",
                              DENTAL, "--format", "json"],
    "score-two-files-json": ["score", CAFE, DENTAL, "--format", "json"],
    "score-shop-rubric-file": ["score", SHOP],
    "score-continuous": ["score", TEAM_SKILLS, "--format", "terminal"],
    "score-fail-under": ["score", CAFE, "--fail-under", "5"],
    **{f"score-partial-{fmt}": ["score", PARTIAL, "--format", fmt]
       for fmt in ("terminal", "json", "markdown", "html")},
    "score-blank-template": ["score", BLANK],
    "score-min-coverage": ["score", PARTIAL, "--min-coverage", "60", "--fail-under", "2"],
    "score-unknown-suffix": ["score", CAFE, "-o", "report.pdf"],
    "score-format-mismatch": ["score", CAFE, "-o", "report.html", "--format", "json"],
    "score-wrong-rubric": ["score", "tests/data/wrong-rubric/cafe-as-five-grades.yaml"],
    "score-folder": ["score", "examples"],
    "score-bad-file": ["score", "tests/data/negative/answers-value-off-scale.yaml"],
    # branding (--brand): the example brand in each branded format, and its errors
    **{f"score-cafe-brand-{fmt}": ["score", CAFE, "--brand", BRAND, "--format", fmt]
       for fmt in ("markdown", "html")},
    "brand-errors": ["score", CAFE, "--format", "html", "--brand",
                     "tests/data/brand/bad-brand.yaml"],
    "brand-hostile-logo": ["score", CAFE, "--format", "html", "--brand",
                           "tests/data/brand/hostile-logo.yaml"],
    "validate-brand": ["validate", "docs/examples", "tests/data/brand"],
    # compare
    **{f"compare-cafe-{fmt}": ["compare", CAFE, CAFE_LATER, "--format", fmt]
       for fmt in ("terminal", "json", "markdown", "html")},
    **{f"compare-series-{fmt}": ["compare", *SERIES, "--rubric", SERIES_RUBRIC,
                                 "--format", fmt]
       for fmt in ("terminal", "json", "markdown", "html")},
    "compare-two-subjects": ["compare", CAFE, "tests/data/subjects/quayside-bakery.yaml"],
    "compare-two-subjects-allowed": ["compare", CAFE, "tests/data/subjects/quayside-bakery.yaml",
                                     "--allow-different-subjects"],
    "compare-invisible-subject": ["compare", CAFE,
                                  "tests/data/subjects/riverside-zero-width.yaml"],
    "compare-regression-gate": ["compare", CAFE_LATER, CAFE, "--fail-on-regression"],
    # summary
    **{f"summary-examples-{fmt}": ["summary", "examples", "--format", fmt]
       for fmt in ("terminal", "json", "csv", "html")},
    **{f"summary-portfolio-{fmt}": ["summary", "tests/data/portfolio", "--sort", "level",
                                    "--format", fmt]
       for fmt in ("terminal", "json", "csv")},
    "summary-examples-all-visits": ["summary", "examples", "--all-visits"],
    # validate
    **{f"validate-negative-{fmt}": ["validate", "tests/data/negative", "--format", fmt]
       for fmt in ("text", "json", "github", "sarif")},
    "validate-warnings-strict": ["validate", "tests/data/warnings", "--strict"],
    "validate-clean": ["validate", "rubrics", "examples", "--strict"],
    # narrow terminals (issue 18 item 7): names whole, decoration dropped first
    "summary-examples-60-columns": ["summary", "examples"],
    "compare-cafe-60-columns": ["compare", CAFE, CAFE_LATER],
}
COLUMNS = {"summary-examples-60-columns": "60", "compare-cafe-60-columns": "60"}


def run_case(args: list[str], columns: str = "100") -> str:
    """The case's exit code, stdout and stderr, as kept in its golden file."""
    env = {"COLUMNS": columns, "NO_COLOR": "1", "CSLEVELS_RUBRICS_PATH": "",
           "CSLEVELS_WORKERS": "1", "CSLEVELS_FORM_ID": "golden"}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, args, env=env, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    width = "" if columns == "100" else f"COLUMNS={columns} "
    text = (f"$ {width}cslevels {' '.join(args)}\n"
            f"exit: {result.exit_code}\n"
            f"--- stdout\n{result.stdout}"
            f"--- stderr\n{result.stderr}")
    # Where the project was checked out is not part of a report (`list` names built-in
    # rubrics by their absolute path).
    return text.replace(str(ROOT), "<project>")


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_report(case: str) -> None:
    actual = run_case(CASES[case], COLUMNS.get(case, "100"))
    golden = GOLDEN / f"{case}.txt"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="")
        return
    assert golden.exists(), f"no golden file for {case}: run with CSLEVELS_UPDATE_GOLDEN=1"
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, f"{case} differs from {golden.name}"


def test_every_golden_file_belongs_to_a_case() -> None:
    """A case that was removed must not leave its old output behind unnoticed."""
    if UPDATE:
        for stale in set(GOLDEN.glob("*.txt")) - {GOLDEN / f"{c}.txt" for c in CASES}:
            stale.unlink()
    names = {p.stem for p in GOLDEN.glob("*.txt")}
    assert names == set(CASES)

