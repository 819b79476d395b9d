"""``cslevels list``: the rubrics available, built-in and from rubric folders."""

from __future__ import annotations

from cslevels.files.library import RubricEntry, RubricLibrary


def list_rubrics(library: RubricLibrary) -> list[RubricEntry]:
    """Every rubric file in the library, in lookup order; broken ones carry their error."""
    return library.entries()
