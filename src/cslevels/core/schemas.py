"""JSON Schemas of the file formats, generated from the pydantic models.

Pydantic writes draft 2020-12; editors and many validators still expect
draft-07, so definitions are moved under ``definitions`` and the ``$schema``
keyword names draft-07.  Nothing used here differs between the two drafts.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel

from cslevels.core.models import Answers, Brand, Rubric

SchemaName = Literal["rubric", "answers", "brand"]
DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def json_schema(name: SchemaName) -> dict[str, Any]:
    """The draft-07 JSON Schema of a rubric, an answers file or a brand file."""
    models: dict[str, type[BaseModel]] = {"rubric": Rubric, "answers": Answers, "brand": Brand}
    model = models[name]
    schema = model.model_json_schema(by_alias=True, ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", None)
    result: dict[str, Any] = {
        "$schema": DRAFT_07,
        "$id": f"https://cslevels.invalid/schemas/{name}.schema.json",
        **schema,
    }
    if definitions:
        result["definitions"] = definitions
    _close_pattern_maps(result)
    if name == "answers":
        # A template whose entries are all commented out leaves `answers:` empty (null);
        # the model accepts that, so the schema must too.
        answers = result["properties"]["answers"]
        result["properties"]["answers"] = {
            "description": answers.pop("description", ""),
            "anyOf": [answers, {"type": "null"}],
        }
    return result


def _close_pattern_maps(node: Any) -> None:
    """Pydantic writes ``patternProperties`` for maps with constrained keys but leaves
    other keys allowed; the model rejects them, so the schema must too."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_pattern_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_pattern_maps(value)


def schema_text(name: SchemaName) -> str:
    """The schema as the text committed under docs/schemas/ (stable key order)."""
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"
