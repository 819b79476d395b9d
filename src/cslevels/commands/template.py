"""``cslevels template``: a file to fill in for one rubric, blank or pre-filled.

The medium (a commented YAML answers file today) is an output format of the
command (``reporting.formats.TEMPLATE_FORMATS``); ``--from`` gives the answers
of an existing answers file, in any medium a reader exists for, to pre-fill it.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from cslevels.core.documents import LoadedRubric, answers_from_document, expect_kind
from cslevels.core.locations import finding_at
from cslevels.core.models import Answers
from cslevels.errors import Finding, InvalidDocumentError
from cslevels.files.library import RubricLibrary
from cslevels.files.readers import read_document


class TemplateSource(NamedTuple):
    """What a template is made from: the rubric, and answers to pre-fill it with."""

    rubric: LoadedRubric
    answers: Answers | None = None
    warnings: tuple[Finding, ...] = ()  # about the answers (made for another version ...)


def template_source(ref: str, library: RubricLibrary,
                    from_answers: Path | None = None) -> TemplateSource:
    """The rubric ``ref`` names and, with ``from_answers``, that file's answers (checked
    against the same rubric, so a file for another rubric is refused).

    A workbook made from another version of the rubric is accepted here: carrying its
    answers over to the current version is what ``--from`` is for; they are checked
    against the current version like any answers file.
    """
    loaded = library.resolve(ref)
    if from_answers is None:
        return TemplateSource(loaded)
    doc = read_document(from_answers)
    expect_kind(doc, "answers")
    named = doc.data.get("rubric") if isinstance(doc.data, dict) else None
    if isinstance(named, str) and named != loaded.rubric.id:
        raise InvalidDocumentError([finding_at(
            doc, ("rubric",), f"these are answers for rubric {named!r}, not "
            f"{loaded.rubric.id!r}", code="rubric-mismatch",
            hint=f"give the rubric they were made for: cslevels template {named} --from ...")])
    answers, findings = answers_from_document(doc, from_answers, library, loaded,
                                              check_origin=False)
    if answers is None:
        raise InvalidDocumentError(findings)
    return TemplateSource(loaded, answers.answers, answers.warnings)
