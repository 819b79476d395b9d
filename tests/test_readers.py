"""A new answers medium is one module plus one registry line (docs/architecture.md).

``toy_reader.py`` reads ``name = value`` files; registering it under ``.toy`` is the
only change, and every command that reads answers files takes it: score, compare,
summary (folders too), validate, each error located in the toy file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import Result

from conftest import DATA, Invoke
from cslevels.files import readers

CAFE = """\
schema = cslevels/answers/v1
rubric = corner-shop
subject = Toy Cafe
date = {date}
answers.basics.greeting = {value}
answers.basics.phone = 3
"""


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(readers.READERS, ".toy", "toy_reader:read")


def run(invoke: Invoke, *args: str) -> Result:
    return invoke(*args, "--rubrics-dir", str(DATA / "series"))


def write(path: Path, value: int = 3, date: str = "2026-01-10") -> Path:
    path.write_text(CAFE.format(value=value, date=date), encoding="utf-8")
    return path


def test_score_reads_the_new_medium(toy: None, invoke: Invoke, tmp_path: Path) -> None:
    result = run(invoke, "score", str(write(tmp_path / "cafe.toy")), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["subject"] == "Toy Cafe"
    answered = {q["id"]: q["value"] for lv in data["levels"] for q in lv["questions"]
                if q["state"] == "answered"}
    assert answered == {"basics.greeting": 3, "basics.phone": 3}


def test_errors_are_located_in_the_new_medium(toy: None, invoke: Invoke,
                                              tmp_path: Path) -> None:
    path = write(tmp_path / "cafe.toy", value=7)  # the scale "often" goes from 0 to 4
    result = run(invoke, "validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:5:1: error: basics.greeting: 7 is not an option" in result.stderr


def test_folders_compare_and_summary_take_it(toy: None, invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "visits"
    folder.mkdir()
    old = write(folder / "jan.toy", value=1, date="2026-01-10")
    new = write(folder / "jun.toy", value=3, date="2026-06-10")
    summary = run(invoke, "summary", str(folder), "--format", "json", "--all-visits")
    assert summary.exit_code == 0, summary.stderr
    assert len(json.loads(summary.stdout)["assessments"]) == 2
    compared = run(invoke, "compare", str(old), str(new), "--format", "json")
    assert compared.exit_code == 0, compared.stderr
    assert run(invoke, "validate", str(folder)).exit_code == 0


def test_without_its_registry_line_the_folder_walk_skips_it(invoke: Invoke,
                                                            tmp_path: Path) -> None:
    write(tmp_path / "cafe.toy")
    result = run(invoke, "validate", str(tmp_path))
    assert result.exit_code == 1
    assert f"no {readers.suffix_words()} files in this folder" in result.stderr
