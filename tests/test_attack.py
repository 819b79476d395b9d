"""README's promises under attack (issue 13): each item reproduced, then kept.

Special files, files sent by someone else, two processes on one file, hostile
sizes: every test here failed on the code before the fix it names.
"""

from __future__ import annotations

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
