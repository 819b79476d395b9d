"""README's promises under attack (issue 13): each item reproduced, then kept.

Special files, files sent by someone else, two processes on one file, hostile
sizes: every test here failed on the code before the fix it names.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import EXAMPLES, RUBRICS, Invoke


def _rubric_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A rubric folder holding rubric ``rt`` and an answers file for it."""
    folder = tmp_path / "R"
    folder.mkdir()
    text = (RUBRICS / "seven-levels.yaml").read_text(encoding="utf-8")
    (folder / "rt.yaml").write_text(text.replace("id: seven-levels", "id: rt", 1),
                                    encoding="utf-8")
    answers = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
    lines = [line for line in answers.splitlines() if not line.startswith("rubric_version")]
    answers_path = tmp_path / "a.yaml"
    answers_path.write_text("\n".join(lines).replace("rubric: seven-levels", "rubric: rt")
                            + "\n", encoding="utf-8")
    return folder, answers_path


def _subprocess_env() -> dict[str, str]:
    """The environment of a cslevels subprocess running the cslevels under test."""
    import cslevels

    return {**os.environ, "PYTHONPATH": str(Path(cslevels.__file__).parents[1])}


# ---------------------------------------------------------------- 3: every file read is an input


@pytest.mark.parametrize("how", ["rubrics-dir", "env"])
@pytest.mark.parametrize("command", ["score", "compare", "summary"])
def test_a_report_never_replaces_the_rubric_it_read(invoke: Invoke, tmp_path: Path,
                                                     command: str, how: str) -> None:
    folder, answers = _rubric_folder(tmp_path)
    before = (folder / "rt.yaml").read_bytes()
    args = [command, str(answers)] + ([str(answers)] if command == "compare" else [])
    env = {}
    if how == "rubrics-dir":
        args += ["--rubrics-dir", str(folder)]
    else:
        env["CSLEVELS_RUBRICS_PATH"] = str(folder)
    result = invoke(*args, "-o", str(folder / "rt.yaml"), env=env)
    assert result.exit_code == 1
    assert "not overwriting it" in result.stderr
    assert (folder / "rt.yaml").read_bytes() == before


# ---------------------------------------------------------------- 2: summary's fast path


def _answers_naming(tmp_path: Path, rubric: str) -> Path:
    text = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
    path = tmp_path / "sent.yaml"
    path.write_text(text.replace("rubric: seven-levels", f"rubric: {rubric}", 1),
                    encoding="utf-8")
    return path


def test_summary_refuses_a_rubric_path_without_yaml_as_validate_does(
        invoke: Invoke, tmp_path: Path) -> None:
    rubric = tmp_path / "model"  # a valid rubric, but not named .yaml
    rubric.write_bytes((RUBRICS / "seven-levels.yaml").read_bytes())
    answers = _answers_naming(tmp_path, str(rubric))
    validated = invoke("validate", str(answers))
    summarised = invoke("summary", str(answers), "--format", "json")
    assert validated.exit_code == summarised.exit_code == 1
    assert "is neither a rubric id nor a .yaml file" in validated.stdout + validated.stderr
    assert "is neither a rubric id nor a .yaml file" in summarised.stderr


def test_summary_never_opens_a_path_an_answers_file_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cslevels.commands import summary_fast
    from cslevels.commands.summary_rows import PortfolioLibrary
    from cslevels.files.library import RubricLibrary

    answers = _answers_naming(tmp_path, "/etc/shadow")
    opened: list[str] = []
    monkeypatch.setattr(RubricLibrary, "resolve", lambda self, ref: opened.append(ref))
    assert summary_fast.fast_row(str(answers), PortfolioLibrary(RubricLibrary())) is None
    assert opened == []


def test_summary_of_an_answers_file_naming_dev_stdin_does_not_wait(tmp_path: Path) -> None:
    import subprocess
    import sys

    answers = _answers_naming(tmp_path, "/dev/stdin")
    env = _subprocess_env()
    # stdin stays open and silent: reading it would wait for ever (the timeout is a guard).
    proc = subprocess.Popen([sys.executable, "-m", "cslevels", "summary", str(answers)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        proc.wait(timeout=60)
        err = proc.stderr.read() if proc.stderr else ""
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdin is not None
        proc.stdin.close()
    assert proc.returncode == 1
    assert "is neither a rubric id nor a .yaml file" in err
