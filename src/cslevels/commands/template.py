"""``cslevels template``: a file to fill in for one rubric, blank or pre-filled.

The medium (a commented YAML answers file, the offline browser form) is an output
format of the command (``reporting.formats.TEMPLATE_FORMATS``); ``--from`` gives
the answers of an existing answers file, in any medium a reader exists for, to
pre-fill it.  An output suffix no medium is written in is refused, as is one that
contradicts ``--format``.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from cslevels.core.documents import LoadedRubric, answers_from_document, expect_kind
from cslevels.core.locations import finding_at
from cslevels.core.models import Answers
from cslevels.errors import Finding, InvalidDocumentError, OutputError
from cslevels.files.library import RubricLibrary
from cslevels.files.readers import read_document
from cslevels.reporting.formats import TEMPLATE_FORMATS


class TemplateSource(NamedTuple):
    """What a template is made from: the rubric, and answers to pre-fill it with."""

    rubric: LoadedRubric
    answers: Answers | None = None
    warnings: tuple[Finding, ...] = ()  # of the --from file, e.g. another rubric version


def template_source(ref: str, library: RubricLibrary,
                    from_answers: Path | None = None) -> TemplateSource:
    """The rubric ``ref`` names and, with ``from_answers``, that file's answers (checked
    against the same rubric, so a file for another rubric is refused)."""
    loaded = library.resolve(ref)
    if from_answers is None:
        return TemplateSource(loaded)
    doc = read_document(from_answers)
    expect_kind(doc, "answers")
    data = doc.data
    named = data.get("rubric") if isinstance(data, dict) else None
    if isinstance(named, str) and named != loaded.rubric.id:
        raise InvalidDocumentError([finding_at(
            doc, ("rubric",), f"--from: these are answers for rubric {named!r}, not "
            f"{loaded.rubric.id!r}", code="rubric-mismatch",
            hint=f"make the template for the rubric they name: cslevels template {named} "
            "--from ...")])
    answers, findings = answers_from_document(doc, from_answers, library, loaded)
    if answers is None:
        raise InvalidDocumentError(findings)
    return TemplateSource(loaded, answers.answers, answers.warnings)


def check_template_output(output: Path | None, medium: str, *, explicit: bool) -> None:
    """Refuse an output suffix that no medium is written in, or that another one implies."""
    if output is None or not output.suffix:
        return
    implied = TEMPLATE_FORMATS.implied_by(output.suffix)
    suffix = output.suffix.lower()
    if implied is None and not explicit:
        known = ", ".join(sorted(TEMPLATE_FORMATS.suffixes))
        raise OutputError(f"template does not write {suffix} files", path=str(output),
                          code="unknown-suffix", hint=f"use one of {known}, or give --format")
    if implied is not None and implied != medium:
        wanted = next(s for s, m in TEMPLATE_FORMATS.suffixes.items() if m == medium)
        raise OutputError(f"--format {medium} does not write a {suffix} file",
                          path=str(output), code="suffix-mismatch",
                          hint=f"name it {output.stem}{wanted}, or drop --format")
