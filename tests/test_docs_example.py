"""The rubric-format guide's example works as the guide says.

A user should be able to write a rubric from docs/rubric-format.md alone, so the example
rubric and answers in its "Example" section are taken from the Markdown itself, validated,
listed and scored, and the results the guide works out by hand are checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, Invoke
from test_list_show import rubric_rows

GUIDE = ROOT / "docs" / "rubric-format.md"
MARKER = "## Example: a complete small rubric"


def example_blocks() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    assert MARKER in text, f"{GUIDE} lost its '{MARKER}' heading"
    section = text.split(MARKER, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```yaml\n(.*?)^```", section, flags=re.S | re.M)


@pytest.fixture
def example(tmp_path: Path) -> tuple[Path, Path]:
    rubric_text, answers_text = example_blocks()[:2]
    folder = tmp_path / "my-rubrics"
    folder.mkdir()
    rubric = folder / "front-desk.yaml"
    rubric.write_text(rubric_text)
    answers = tmp_path / "hillside.yaml"
    answers.write_text(answers_text)
    return rubric, answers


def test_example_rubric_validates_strictly(invoke: Invoke, example: tuple[Path, Path]) -> None:
    rubric, answers = example
    result = invoke("validate", "--strict", str(rubric), str(answers))
    assert result.exit_code == 0, result.output
    assert f"{rubric}: ok (rubric)" in result.stdout
    assert f"{answers}: ok (answers)" in result.stdout


def test_example_rubric_is_listed_from_its_folder(invoke: Invoke, example: tuple[Path, Path]
                                                  ) -> None:
    rubric, _ = example
    result = invoke("list", "--rubrics-dir", str(rubric.parent))
    assert result.exit_code == 0, result.output
    row = rubric_rows(result.stdout)["front-desk"]  # its lines, joined
    assert "3 levels" in row and "Front desk service" in row
    assert f"[--rubrics-dir: {rubric}]" in row


def test_example_scores_as_the_guide_works_out(invoke: Invoke, example: tuple[Path, Path]) -> None:
    rubric, answers = example
    result = invoke("score", str(answers), "--rubrics-dir", str(rubric.parent), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # the guide's table: 0.867 achieved, 0.75 below its 0.8 threshold, 0.8 achieved
    assert [round(level["score"], 3) for level in report["levels"]] == [0.867, 0.75, 0.8]
    assert [level["status"] for level in report["levels"]] == [
        "achieved", "not achieved", "achieved"]
    assert report["achieved_level"] == 1
    assert report["index"] == 80.4
    assert report["next_level"]["id"] == "welcoming"
    assert report["next_level"]["fastest_path"] == ["welcoming.queue-acknowledged"]


def test_every_yaml_block_in_the_guide_is_valid_yaml() -> None:
    import yaml

    text = GUIDE.read_text(encoding="utf-8")
    for block in re.findall(r"^```yaml\n(.*?)^```", text, flags=re.S | re.M):
        if "[...]" in block or "# ..." in block:
            continue  # an excerpt
        yaml.safe_load(block)


def test_guide_names_every_field_of_the_models() -> None:
    from cslevels.core.models import (
        AnswerEntry,
        Answers,
        Brand,
        Level,
        Option,
        Question,
        Rubric,
        Scale,
        Source,
    )

    text = GUIDE.read_text(encoding="utf-8")
    for model in (Rubric, Level, Question, Scale, Option, Source, Answers, AnswerEntry, Brand):
        for name, info in model.model_fields.items():
            assert f"`{info.alias or name}`" in text, f"{model.__name__}.{name} is not documented"


def test_guide_brand_example_is_the_example_brand_file() -> None:
    """The brand file shown in the guide is docs/examples/brand.yaml, minus its comments."""
    import yaml

    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## The brand file", 1)[1].split("\n## ", 1)[0]
    shown = yaml.safe_load(re.findall(r"^```yaml\n(.*?)^```", section, flags=re.S | re.M)[0])
    example = ROOT / "docs" / "examples" / "brand.yaml"
    assert shown == yaml.safe_load(example.read_text(encoding="utf-8"))
