"""`cslevels template`: a blank answers file whose only needed edits are the answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import DATA, RUBRICS, Invoke
from cslevels.files.loading import load_rubric
from cslevels.files.yamlio import parse

POSITIVE = DATA / "positive"
BUILT_IN = ("five-grades", "seven-levels", "six-levels")


def fill(template: str, values: dict[str, str]) -> str:
    """Type an answer after each `key:` line, as a user would, changing nothing else."""
    lines = []
    for line in template.splitlines():
        match = re.fullmatch(r"  (\S+\.\S+):", line)
        if match and match[1] in values:
            line = f"{line} {values[match[1]]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def shown_options(template: str, key: str) -> list[str]:
    """The option values the comment above ``key`` tells the user to type."""
    block = template.split(f"\n  {key}:")[0].rsplit("# Q: ", 1)[1].splitlines()
    start = next(i for i, line in enumerate(block) if line.startswith("  # Options: "))
    pad = "  # " + " " * len("Options: ")
    parts = [block[start].removeprefix("  # Options: ")]
    for line in block[start + 1:]:
        if not line.startswith(pad) or line[len(pad)] == " ":
            break
        parts.append(line[len(pad):])
    return [option.split(" = ")[0].strip() for option in " ".join(parts).split(" · ")]


@pytest.mark.parametrize("rubric", BUILT_IN)
def test_template_parses_and_lists_every_question(invoke: Invoke, rubric: str) -> None:
    result = invoke("template", rubric)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert data["schema"] == "cslevels/answers/v1"
    assert data["rubric"] == rubric
    assert data["rubric_version"] == load_rubric(RUBRICS / f"{rubric}.yaml").rubric.version
    keys = load_rubric(RUBRICS / f"{rubric}.yaml").rubric.question_keys()
    assert list(data["answers"]) == keys
    assert all(value is None for value in data["answers"].values())
    parse(result.stdout, "template.yaml")  # cslevels' own strict loader agrees


def test_blank_template_validates(invoke: Invoke, tmp_path: Path) -> None:
    for rubric in BUILT_IN:
        out = tmp_path / f"{rubric}.yaml"
        assert invoke("template", rubric, "-o", str(out)).exit_code == 0
    result = invoke("validate", "--strict", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "ok: 3 file(s) checked" in result.stdout


def test_blank_template_scores_as_not_assessed(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "blank.yaml"
    invoke("template", "six-levels", "-o", str(out))
    result = invoke("score", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["achieved_level"] == 0
    assert {level["status"] for level in report["levels"]} == {"insufficient"}
    assert {level["coverage"] for level in report["levels"]} == {0}


def test_template_comments_show_questions_options_and_evidence(invoke: Invoke) -> None:
    text = invoke("template", str(POSITIVE / "corner-shop.yaml")).stdout
    assert "# ── Level 1: Reachable" in text
    assert "# Q: Are the opening hours posted on the door and on the web page?" in text
    assert "# Evidence: Look at the door and the shop's web page." in text
    # text values YAML would misread are shown quoted, so typing them as shown works
    assert shown_options(text, "reachable.hours-posted") == ['"no"', "partly", '"yes"']
    assert shown_options(text, "reachable.phone-answered") == ["0", "1", "2", "n/a"]


@pytest.mark.parametrize("rubric", BUILT_IN)
def test_template_filled_with_the_shown_options_scores(
    invoke: Invoke, tmp_path: Path, rubric: str
) -> None:
    template = invoke("template", rubric).stdout
    model = load_rubric(RUBRICS / f"{rubric}.yaml").rubric
    keys = model.question_keys()
    best = {key: [v for v in shown_options(template, key) if v != "n/a"][-1] for key in keys}
    path = tmp_path / "filled.yaml"
    path.write_text(fill(template, best))
    result = invoke("score", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # every built-in scale lists its best option last: all levels achieved, index 100
    assert report["achieved_level"] == len(model.levels)
    assert report["index"] == 100.0
    assert invoke("validate", "--strict", str(path)).exit_code == 0


def test_filled_template_scores_by_hand(invoke: Invoke, tmp_path: Path) -> None:
    template = invoke("template", str(POSITIVE / "corner-shop.yaml")).stdout
    path = tmp_path / "shop.yaml"
    path.write_text(fill(template, {"reachable.hours-posted": "partly",
                                    "reachable.phone-answered": "2", "helpful.greeting": "2"}))
    result = invoke("score", str(path), "--rubrics-dir", str(POSITIVE), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # reachable: (1 * 0.5 + 2 * 1.0) / 3 = 0.833 >= 0.75; helpful: 1.0 >= 0.5
    # index: level weights 1 and 2: (0.833 + 2 * 1.0) / 3 = 0.944
    assert [round(level["score"], 3) for level in report["levels"]] == [0.833, 1.0]
    assert report["achieved_level"] == 2
    assert report["index"] == 94.4


def test_template_with_na_and_quoted_text_values(invoke: Invoke, tmp_path: Path) -> None:
    template = invoke("template", str(POSITIVE / "corner-shop.yaml")).stdout
    path = tmp_path / "shop.yaml"
    path.write_text(fill(template, {"reachable.hours-posted": '"yes"',
                                    "reachable.phone-answered": "n/a"}))
    result = invoke("score", str(path), "--rubrics-dir", str(POSITIVE), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["levels"][0]["score"] == 1.0
    assert report["levels"][0]["coverage"] == 1.0
    assert report["levels"][1]["status"] == "insufficient"


def test_output_file_is_not_overwritten_without_force(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    first = invoke("template", "six-levels", "-o", str(out))
    assert first.exit_code == 0
    assert f"wrote {out}" in first.stderr
    out.write_text("my answers\n")
    again = invoke("template", "six-levels", "-o", str(out))
    assert again.exit_code == 1
    assert f"{out}: error: already exists; not overwriting it" in again.stderr
    assert "--force" in again.stderr
    assert out.read_text() == "my answers\n"
    forced = invoke("template", "six-levels", "-o", str(out), "--force")
    assert forced.exit_code == 0
    assert out.read_text().startswith("# Answers for The Six Levels of Customer Service")


def test_template_unknown_rubric(invoke: Invoke) -> None:
    result = invoke("template", "six-level")
    assert result.exit_code == 1
    assert "unknown rubric 'six-level'" in result.stderr
    assert "did you mean 'six-levels'?" in result.stderr


def test_rubric_text_cannot_break_the_template(invoke: Invoke, tmp_path: Path) -> None:
    rubric = tmp_path / "corner-shop.yaml"
    evil = '"Hours?\\nanswers:\\n  injected.key: 2\\n\\e[31m"'
    rubric.write_text((POSITIVE / "corner-shop.yaml").read_text().replace(
        "text: Are the opening hours posted on the door and on the web page?", f"text: {evil}"))
    text = invoke("template", str(rubric)).stdout
    assert "\x1b" not in text
    data = yaml.safe_load(text)
    assert list(data["answers"]) == ["reachable.hours-posted", "reachable.phone-answered",
                                     "helpful.greeting"]
