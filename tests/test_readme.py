"""Every command README.md shows runs as written.

The ``bash`` blocks of README are taken apart into commands (a ``\\`` continues a
line; ``&&`` joins two; ``#`` starts a comment), and each ``cslevels`` command is run
in that order by a shell, in a folder holding copies of ``examples/``,
``rubrics/`` and ``docs/examples/``, with the installed ``cslevels`` on PATH.  A command
must exit 0, unless its comment says ``exit 1`` (a gate shown failing on purpose); none
may print a traceback.  ``cslevels assess`` is run in a real pseudo-terminal and stopped with
``q``.  ``pip install`` lines and the test command itself are not run here.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

BLOCK = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)


def readme_commands() -> list[tuple[str, str]]:
    """(command, comment) for each command line of README's bash blocks, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands: list[tuple[str, str]] = []
    for block in BLOCK.findall(text):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            code, _, comment = line.partition(" #")
            if line.lstrip().startswith("#") or not code.strip():
                continue
            for part in code.split("&&"):
                commands.append((part.strip(), comment.strip()))
    return commands


COMMANDS = [(c, note) for c, note in readme_commands() if c.startswith("cslevels ")]


def test_readme_shows_commands_of_every_kind() -> None:
    shown = {shlex.split(c)[1] for c, _ in COMMANDS}
    assert {"list", "show", "template", "score", "assess", "compare", "summary", "validate",
            "schema"} <= shown
    skipped = [c for c, _ in readme_commands() if not c.startswith("cslevels ")]
    assert all(c.startswith(("pip install", "python -m pytest", "ruff check", "mypy --strict",
                             "python benchmarks/"))
               for c in skipped), skipped


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    for name in ("examples", "rubrics", "docs/examples"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def shell_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CSLEVELS_RUBRICS_PATH"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(COLUMNS="100", NO_COLOR="1")
    return env


@pytest.mark.parametrize(("command", "comment"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_readme_command_runs_as_written(command: str, comment: str, workdir: Path) -> None:
    if shlex.split(command)[1] == "assess":
        child = pexpect.spawn("bash", ["-c", command], cwd=str(workdir), env=shell_env(),
                              encoding="utf-8", timeout=60, dimensions=(40, 100))
        while child.expect_exact(["Enter to leave it out): ", "q = quit): "]) == 0:
            child.sendline("")  # no assessor name
        child.sendline("q")  # at the first question: save and quit
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
        return
    proc = subprocess.run(["bash", "-c", command], cwd=workdir, env=shell_env(),
                          capture_output=True, text=True, timeout=300)
    expected = 1 if "exit 1" in comment else 0
    assert proc.returncode == expected, proc.stderr
    assert "Traceback" not in proc.stderr
