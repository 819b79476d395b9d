"""What each command imports: start-up cost is paid per run, so each path loads only
what it uses (jinja2 and the HTML code only for HTML, rich only for the terminal,
pydantic and PyYAML not at all for ``--version``).

These check structure, not time: each command runs in a fresh interpreter that
records ``sys.modules`` at exit.  Timings live in benchmarks/bench.py, never here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from cslevels.commands.score import score_files
from cslevels.core.models import NA

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "riverside-cafe.yaml"

PROBE = """
import atexit, json, sys
record, sys.argv = sys.argv[1], ["cslevels", *sys.argv[2:]]
atexit.register(lambda: open(record, "w").write(json.dumps(sorted(sys.modules))))
from cslevels.cli import main
main()
"""

HTML_ONLY = ("jinja2", "markupsafe", "cslevels.reporting.score.html", "cslevels.reporting.kit.html",
             "cslevels.reporting.kit.svg")
TERMINAL_ONLY = ("rich", "cslevels.reporting.kit.terminal", "cslevels.reporting.score.terminal")
ASSESS_ONLY = ("cslevels.commands.assess.session", "cslevels.commands.assess.questionnaire",
               "cslevels.files.drafts")
COMPARE_ONLY = ("cslevels.commands.compare", "cslevels.core.compare", "cslevels.core.combine")
SCHEMA_ONLY = ("jsonschema", "cslevels.core.schemas")
SUMMARY_ONLY = ("cslevels.commands.summary",)
WORKBOOK_ONLY = ("openpyxl", "et_xmlfile", "cslevels.files.workbook",
                 "cslevels.files.workbook_layout", "cslevels.reporting.template.xlsx")


def modules_after(tmp_path: Path, *args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules loaded by one ``cslevels ARGS...`` run in a fresh interpreter."""
    record = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(record), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"},
    )
    return set(json.loads(record.read_text())), done


def loaded(modules: set[str], names: Iterable[str]) -> list[str]:
    """Which of ``names`` (a package counts with its submodules) were imported."""
    return sorted(m for m in modules for n in names if m == n or m.startswith(n + "."))


def test_version_imports_no_pydantic_yaml_or_reporting(tmp_path: Path) -> None:
    modules, done = modules_after(tmp_path, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cslevels ")
    assert loaded(modules, ("pydantic", "yaml", "cslevels.core.models", "cslevels.files.loading",
                            *HTML_ONLY, *TERMINAL_ONLY, *ASSESS_ONLY)) == []


def test_help_imports_no_core_and_no_rich(tmp_path: Path) -> None:
    modules, done = modules_after(tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    assert "score" in done.stdout
    # rich_markup_mode=None: typer formats help without rich
    assert loaded(modules, ("yaml", "cslevels.core.models", "cslevels.files.loading",
                            "cslevels.core.scoring",
                            *HTML_ONLY, *TERMINAL_ONLY, *ASSESS_ONLY)) == []


def test_score_json_imports_neither_html_terminal_nor_interactive_code(tmp_path: Path) -> None:
    modules, done = modules_after(tmp_path, "score", str(EXAMPLE), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["subject"] == "Riverside Cafe"
    assert loaded(modules, (*HTML_ONLY, *TERMINAL_ONLY, *ASSESS_ONLY, *COMPARE_ONLY,
                            *SCHEMA_ONLY, *SUMMARY_ONLY, *WORKBOOK_ONLY)) == []


def test_score_html_does_import_jinja2(tmp_path: Path) -> None:
    """The probe itself works: the HTML path shows up in sys.modules when used."""
    modules, done = modules_after(tmp_path, "score", str(EXAMPLE), "--format", "html")
    assert done.returncode == 0, done.stderr
    assert "jinja2" in modules
    assert "cslevels.reporting.score.html" in modules
    assert loaded(modules, (*TERMINAL_ONLY, *ASSESS_ONLY)) == []


def test_score_terminal_uses_rich_but_not_jinja2(tmp_path: Path) -> None:
    modules, done = modules_after(tmp_path, "score", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert "rich" in modules
    assert loaded(modules, (*HTML_ONLY, *ASSESS_ONLY, *WORKBOOK_ONLY)) == []


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_validate_imports_no_reporting_or_schema_code(tmp_path: Path, fmt: str) -> None:
    modules, done = modules_after(tmp_path, "validate", "rubrics/", "--format", fmt)
    assert done.returncode == 0, done.stdout + done.stderr
    schema_code = () if fmt == "sarif" else SCHEMA_ONLY  # SARIF may cite the schema
    assert loaded(modules, (*HTML_ONLY, *TERMINAL_ONLY, *ASSESS_ONLY, *COMPARE_ONLY,
                            *schema_code, *WORKBOOK_ONLY, "cslevels.core.scoring")) == []


def test_yaml_template_imports_no_workbook_code(tmp_path: Path) -> None:
    modules, done = modules_after(tmp_path, "template", "seven-levels")
    assert done.returncode == 0, done.stderr
    assert loaded(modules, (*WORKBOOK_ONLY, *HTML_ONLY, *TERMINAL_ONLY)) == []


def test_score_of_a_workbook_does_import_openpyxl(tmp_path: Path) -> None:
    """The probe sees the workbook path when it is used (and only then)."""
    survey = tmp_path / "cafe.xlsx"
    made = subprocess.run(
        [sys.executable, "-m", "cslevels", "template", "seven-levels", "--from", str(EXAMPLE),
         "-o", str(survey)], capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    modules, done = modules_after(tmp_path, "score", str(survey), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert {"openpyxl", "cslevels.files.workbook"} <= modules
    assert loaded(modules, ("cslevels.reporting.template.xlsx", *HTML_ONLY,
                            *TERMINAL_ONLY)) == []


def test_schema_reads_no_yaml(tmp_path: Path) -> None:
    """The JSON Schema comes from the models alone: no YAML, no rubric loading."""
    modules, done = modules_after(tmp_path, "schema", "rubric")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["title"] == "cslevels rubric"
    assert loaded(modules, ("yaml", "cslevels.files.loading", *HTML_ONLY, *TERMINAL_ONLY,
                            *ASSESS_ONLY)) == []


# ---------------------------------------------------------------- the benchmark's data


def bench_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """benchmarks/bench.py is a script, not a package: load it from its path."""
    spec = importlib.util.spec_from_file_location("cslevels_bench", ROOT / "benchmarks/bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_benchmark_answers_files_are_valid_and_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The benchmark times cslevels on files it accepts: all three rubrics, every
    question answered, n/a only where allowed, notes on some."""
    bench = bench_module(monkeypatch)
    paths = bench.write_answers_files(tmp_path, 30, seed=1)
    assert len(paths) == 30
    batch = score_files(paths)
    assert batch.errors == []
    assert len(batch.results) == 30
    assert {r.rubric.id for r in batch.results} == {"seven-levels", "six-levels", "five-grades"}
    for result in batch.results:
        for level in result.levels:
            assert level.coverage == 1.0  # every question answered (n/a counts as answered)
    docs = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in paths]
    entries = [v for d in docs for v in d["answers"].values()]
    assert any(isinstance(v, dict) and "note" in v for v in entries)
    values = [v["value"] if isinstance(v, dict) else v for v in entries]
    assert NA in values
