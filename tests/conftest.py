"""Shared test fixtures: paths to the project's data and a CLI runner."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

from cslevels.cli import app

# Tests never read or write the user's own rubric cache (~/.cache/cslevels): one fresh
# folder per test session, inherited by every subprocess a test starts.
_CACHE = tempfile.mkdtemp(prefix="cslevels-test-cache-")
os.environ["CSLEVELS_CACHE_DIR"] = _CACHE  # CSLEVELS_NO_CACHE=1 runs the suite without it
atexit.register(shutil.rmtree, _CACHE, True)
# Nor the user's brand (CSLEVELS_BRAND, ~/.config/cslevels/brand.yaml): reports would change.
_CONFIG = tempfile.mkdtemp(prefix="cslevels-test-config-")
os.environ["XDG_CONFIG_HOME"] = _CONFIG
os.environ.pop("CSLEVELS_BRAND", None)
atexit.register(shutil.rmtree, _CONFIG, True)
# Nor the machine's locale: it picks the paper of HTML and PDF reports (letter for en_US),
# which would make the golden reports depend on the machine.  Tests of that rule set their own.
os.environ["LC_ALL"] = "C.UTF-8"

# Property tests judge results, not speed: on a busy CI machine one example may take
# longer than hypothesis's default 200 ms deadline, which would fail a correct test.
settings.register_profile("cslevels", deadline=None)
settings.load_profile("cslevels")

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = ROOT / "rubrics"
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"

Invoke = Callable[..., Result]

BINARY_FORMATS = ("pdf",)  # written to files only; tests/test_pdf.py reads them back


def text_formats(registry: Iterable[str]) -> list[str]:
    """The formats of a command that print text to stdout (every one but the PDF)."""
    return [name for name in registry if name not in BINARY_FORMATS]


def find_tool(env_var: str, *candidates: str | None) -> str | None:
    """A system tool the tests drive (Chromium, LibreOffice): ``env_var`` first."""
    for candidate in (os.environ.get(env_var), *candidates):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def unavailable(reason: str, what: str) -> NoReturn:
    """Skip without the tool, but fail where CI is set: there the tests must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the {what} tests must run")
    pytest.skip(reason)


@pytest.fixture
def invoke() -> Invoke:
    """Run the CLI in-process with a fixed width and no colour; stderr kept apart."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        full_env = {"COLUMNS": "100", "NO_COLOR": "1", "CSLEVELS_RUBRICS_PATH": ""}
        full_env.update(env or {})
        return runner.invoke(app, list(args), input=input, env=full_env, catch_exceptions=False)

    return run
