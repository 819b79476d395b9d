"""The wheel carries what an installed cslevels needs, and works away from the source tree.

Builds the wheel (needs the `build` package and, for its isolated build, access to a
package index for hatchling), checks its contents, installs it into a fresh virtual
environment and runs the installed command from another folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, RUBRICS

pytestmark = pytest.mark.slow

SOURCE = ROOT / "src" / "cslevels"


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
        timeout: int = 600) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--wheel", "--outdir", out, ROOT, cwd=ROOT)
    [built] = out.glob("cslevels-*.whl")
    return built


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for rubric in sorted(RUBRICS.glob("*.yaml")):
        assert f"cslevels/rubrics/{rubric.name}" in names
    assert "cslevels/py.typed" in names
    templates = SOURCE / "reporting" / "templates"
    for path in sorted(p for p in templates.rglob("*") if p.is_file()):
        assert f"cslevels/{path.relative_to(SOURCE).as_posix()}" in names
    for module in sorted(SOURCE.rglob("*.py")):
        assert f"cslevels/{module.relative_to(SOURCE).as_posix()}" in names
    assert not any(name.startswith(("tests/", "examples/")) for name in names)


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the wheel installed, its dependencies those of this one.

    Works from inside a virtual environment too (where the base interpreter may have
    none of typer, pydantic...): the new environment's own site-packages, holding the
    wheel, comes first; a ``.pth`` line then adds this environment's site-packages for
    the dependencies.  A path in a ``.pth`` file is only appended to ``sys.path``, so
    the development (editable) install there, an import hook of its own ``.pth``,
    never takes effect: ``import cslevels`` can only find the wheel.
    """
    import site
    import sysconfig

    root = tmp_path_factory.mktemp("venv")
    env_dir = root / "env"
    run(sys.executable, "-m", "venv", "--without-pip", env_dir, cwd=root)
    python = env_dir / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                       cwd=root).stdout.strip())
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib"),
            *site.getsitepackages()}
    (purelib / "dependencies-of-the-test-run.pth").write_text(
        "".join(f"{folder}\n" for folder in sorted(ours)), encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "-q", wheel, cwd=root)
    return env_dir


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "CSLEVELS_RUBRICS_PATH", "VIRTUAL_ENV"}}
    env.update(COLUMNS="100", NO_COLOR="1")
    return env


def test_installed_package_comes_from_the_venv(venv: Path, tmp_path: Path) -> None:
    proc = run(venv / "bin" / "python", "-c",
               "import cslevels, cslevels.files.library as l; print(cslevels.__file__); "
               "print(l.builtin_rubrics_dir())", cwd=tmp_path, env=clean_env())
    module, rubrics = proc.stdout.splitlines()
    assert Path(module).is_relative_to(venv), module
    assert Path(rubrics).is_relative_to(venv), rubrics


def test_installed_list_finds_the_packaged_rubrics(venv: Path, tmp_path: Path) -> None:
    proc = run(venv / "bin" / "cslevels", "list", "--format", "json", cwd=tmp_path,
               env=clean_env())
    rows = json.loads(proc.stdout)
    assert sorted(row["id"] for row in rows) == ["five-grades", "seven-levels", "six-levels"]
    for row in rows:
        assert row["origin"] == "built-in"
        assert row["error"] is None
        path = Path(row["path"])
        assert path.is_relative_to(venv), path  # the installed copy, not the source tree
        assert not path.is_relative_to(ROOT)
    text = run(venv / "bin" / "cslevels", "list", cwd=tmp_path, env=clean_env()).stdout
    assert f"[built-in: {venv}" in " ".join(text.split())  # an entry may take a few lines


def test_installed_score_and_validate_work_from_another_folder(venv: Path, tmp_path: Path
                                                               ) -> None:
    example = tmp_path / "cafe.yaml"
    example.write_text((EXAMPLES / "riverside-cafe.yaml").read_text())
    proc = run(venv / "bin" / "cslevels", "score", "cafe.yaml", "--format", "json",
               cwd=tmp_path, env=clean_env())
    report = json.loads(proc.stdout)
    assert report["subject"] == "Riverside Cafe"
    assert report["rubric"]["id"] == "seven-levels"
    assert report["achieved_level"] == 3
    terminal = run(venv / "bin" / "cslevels", "score", "cafe.yaml", cwd=tmp_path,
                   env=clean_env())
    assert "Riverside Cafe" in terminal.stdout
    run(venv / "bin" / "cslevels", "validate", "--strict", "cafe.yaml", cwd=tmp_path,
        env=clean_env())
    html = tmp_path / "cafe.html"
    run(venv / "bin" / "cslevels", "score", "cafe.yaml", "-o", html, cwd=tmp_path,
        env=clean_env())
    assert "Riverside Cafe" in html.read_text()
