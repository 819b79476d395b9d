"""``cslevels template``: a file to fill in for one rubric, blank or pre-filled.

The medium (a commented YAML answers file today) is an output format of the
command (``reporting.formats.TEMPLATE_FORMATS``); ``--from`` gives the answers
of an existing answers file, in any medium a reader exists for, to pre-fill it.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from cslevels.core.documents import LoadedRubric
from cslevels.core.models import Answers
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers


class TemplateSource(NamedTuple):
    """What a template is made from: the rubric, and answers to pre-fill it with."""

    rubric: LoadedRubric
    answers: Answers | None = None


def template_source(ref: str, library: RubricLibrary,
                    from_answers: Path | None = None) -> TemplateSource:
    """The rubric ``ref`` names and, with ``from_answers``, that file's answers (checked
    against the same rubric, so a file for another rubric is refused)."""
    loaded = library.resolve(ref)
    if from_answers is None:
        return TemplateSource(loaded)
    return TemplateSource(loaded, load_answers(from_answers, library, loaded).answers)
