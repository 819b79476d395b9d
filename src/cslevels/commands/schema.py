"""``cslevels schema``: the JSON Schema of the rubric, answers or brand file format."""

from __future__ import annotations

from cslevels.core.schemas import SchemaName, schema_text


def schema(name: SchemaName) -> str:
    """The draft-07 schema, as the text committed under docs/schemas/."""
    return schema_text(name)
