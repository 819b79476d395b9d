"""``cslevels show``: one rubric, to read or print as a questionnaire."""

from __future__ import annotations

from cslevels.core.documents import LoadedRubric
from cslevels.files.library import RubricLibrary


def show_rubric(ref: str, library: RubricLibrary) -> LoadedRubric:
    """The rubric ``ref`` names: a rubric id or a path to a rubric file."""
    return library.resolve(ref)
