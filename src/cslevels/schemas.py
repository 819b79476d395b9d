"""JSON Schemas of the file formats, generated from the pydantic models.

Pydantic writes draft 2020-12; editors and many validators still expect
draft-07, so definitions are moved under ``definitions`` and the ``$schema``
keyword names draft-07.  Nothing used here differs between the two drafts.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from cslevels.models import Answers, Rubric

SchemaName = Literal["rubric", "answers"]
DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def json_schema(name: SchemaName) -> dict[str, Any]:
    model = Rubric if name == "rubric" else Answers
    schema = model.model_json_schema(by_alias=True, ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", None)
    result: dict[str, Any] = {
        "$schema": DRAFT_07,
        "$id": f"https://cslevels.invalid/schemas/{name}.schema.json",
        **schema,
    }
    if definitions:
        result["definitions"] = definitions
    return result


def schema_text(name: SchemaName) -> str:
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"
