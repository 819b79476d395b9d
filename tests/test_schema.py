"""The JSON Schemas: committed copies match the models, and an independent validator agrees.

The schemas are generated from the pydantic models; editors and other tools use the
committed copies in docs/schemas/, so those must never drift from what the code accepts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import DATA, EXAMPLES, ROOT, RUBRICS, Invoke
from cslevels.core.schemas import json_schema, schema_text

SCHEMAS = ROOT / "docs" / "schemas"
POSITIVE = DATA / "positive"
NEGATIVE = DATA / "negative"


def as_json_data(path: Path) -> Any:
    """A YAML file as the JSON data an editor's schema validator would see."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))


def validator(name: str) -> jsonschema.Draft7Validator:
    schema = json_schema(name)  # type: ignore[arg-type]
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("name", ["rubric", "answers", "brand"])
def test_committed_schema_matches_generated(name: str) -> None:
    committed = SCHEMAS / f"{name}.schema.json"
    assert committed.exists(), f"missing {committed}"
    assert committed.read_text() == schema_text(name), (  # type: ignore[arg-type]
        f"{committed.relative_to(ROOT)} is out of date with the models; regenerate it with:\n"
        f"    cslevels schema {name} -o docs/schemas/{name}.schema.json"
    )


@pytest.mark.parametrize("name", ["rubric", "answers", "brand"])
def test_cli_prints_the_schema(invoke: Invoke, name: str) -> None:
    result = invoke("schema", name)
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == json_schema(name)  # type: ignore[arg-type]
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema)  # draft-07 keeps them under "definitions"
    jsonschema.Draft7Validator.check_schema(schema)


def test_cli_writes_the_schema_to_a_file(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "rubric.schema.json"
    result = invoke("schema", "rubric", "-o", str(out))
    assert result.exit_code == 0
    assert out.read_text() == schema_text("rubric")


def test_unknown_schema_name_is_a_usage_error(invoke: Invoke) -> None:
    assert invoke("schema", "report").exit_code == 2


@pytest.mark.parametrize(
    "path",
    [*sorted(RUBRICS.glob("*.yaml")), POSITIVE / "corner-shop.yaml", POSITIVE / "team-skills.yml"],
    ids=lambda p: p.name,
)
def test_rubrics_are_valid_against_the_schema(path: Path) -> None:
    errors = [e.message for e in validator("rubric").iter_errors(as_json_data(path))]
    assert errors == []


@pytest.mark.parametrize(
    "path",
    [*sorted(EXAMPLES.glob("*.yaml")),
     *sorted(p for p in POSITIVE.glob("*.yaml") if "schema: cslevels/answers" in p.read_text())],
    ids=lambda p: p.name,
)
def test_answers_are_valid_against_the_schema(path: Path) -> None:
    errors = [e.message for e in validator("answers").iter_errors(as_json_data(path))]
    assert errors == []


# Negative examples that are schema errors (not YAML-level or cross-document ones):
# the independent validator must reject them too, for the same field.
SCHEMA_NEGATIVES: dict[str, tuple[str, list[str | int], str]] = {
    "rubric-unknown-field-treshold.yaml": ("rubric", ["levels", 0], "additionalProperties"),
    "rubric-missing-required-field.yaml": ("rubric", ["levels", 0], "required"),
    "rubric-yaml11-no.yaml": ("rubric", ["scales", "yes-no", "options", 0, "label"], "type"),
    "rubric-yaml11-version.yaml": ("rubric", ["version"], "type"),
    "rubric-yaml11-threshold-yes.yaml": ("rubric", ["threshold"], "type"),
    "rubric-threshold-zero.yaml": ("rubric", ["levels", 0, "threshold"], "minimum"),
    "rubric-threshold-above-one.yaml": ("rubric", ["threshold"], "maximum"),
    "rubric-weight-zero.yaml": ("rubric", ["levels", 0, "questions", 0, "weight"],
                                "minimum"),
    "rubric-score-above-one.yaml": ("rubric", ["scales", "yes-no", "options", 1, "score"],
                                    "maximum"),
    "rubric-score-negative.yaml": ("rubric", ["scales", "yes-no", "options", 0, "score"],
                                   "minimum"),
    "rubric-bad-id.yaml": ("rubric", ["levels", 0, "id"], "pattern"),
    "rubric-no-levels.yaml": ("rubric", ["levels"], "minItems"),
    "rubric-unknown-schema.yaml": ("rubric", ["schema"], "const"),
    "answers-unknown-field.yaml": ("answers", [], "additionalProperties"),
    "answers-entry-unknown-field.yaml": ("answers", ["answers", "availability.channels"],
                                         "additionalProperties"),
    "answers-bad-key.yaml": ("answers", ["answers"], "additionalProperties"),
    "answers-yaml11-version.yaml": ("answers", ["rubric_version"], "type"),
    "answers-yaml11-value-yes.yaml": ("answers", ["answers", "availability.channels"], "type"),
    "answers-missing-subject.yaml": ("answers", [], "required"),
}


def _flatten(errors: list[jsonschema.ValidationError]) -> list[jsonschema.ValidationError]:
    """The errors and, for anyOf failures, the errors of each alternative."""
    out = []
    for error in errors:
        out.append(error)
        out += _flatten(list(error.context or []))
    return out


@pytest.mark.parametrize("name", sorted(SCHEMA_NEGATIVES))
def test_schema_rejects_broken_documents(name: str) -> None:
    kind, where, keyword = SCHEMA_NEGATIVES[name]
    errors = list(validator(kind).iter_errors(as_json_data(NEGATIVE / name)))
    assert errors, f"{name} passed the JSON Schema"
    found = [(list(e.absolute_path), e.validator) for e in _flatten(errors)]
    assert (where, keyword) in found, found


def test_schema_accepts_a_blank_answers_file() -> None:
    data = {"schema": "cslevels/answers/v1", "rubric": "x", "subject": "s", "answers": None}
    assert list(validator("answers").iter_errors(data)) == []


def test_schema_carries_defaults_and_descriptions() -> None:
    rubric = json_schema("rubric")
    props = rubric["properties"]
    assert props["threshold"]["default"] == 0.75
    assert props["min_coverage"]["default"] == 0.5
    assert props["method"]["enum"] == ["staged", "continuous"]
    assert rubric["additionalProperties"] is False
    question = rubric["definitions"]["Question"]
    assert question["additionalProperties"] is False
    assert question["properties"]["weight"]["default"] == 1.0
    assert question["properties"]["allow_na"]["default"] is False
    assert set(question["required"]) == {"id", "text", "scale"}
