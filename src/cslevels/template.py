"""``cslevels template``: a blank answers file to fill in by hand.

Every question is an entry whose value is left empty (YAML null, which scores as
"missing"), with its text, options and evidence guidance in comments above it.
Filling in values is the only edit needed before ``cslevels score``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import yaml

from cslevels.loading import LoadedAnswers, LoadedRubric, RubricLibrary
from cslevels.models import ANSWERS_SCHEMA, Answers, Rubric
from cslevels.text import clean_line


def _quote(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def as_typed(value: int | str) -> str:
    """An option value as it must be typed in the answers file.

    A text value that YAML would read as something else (``yes``, ``no``, ``1.10``,
    ``n/a: x``) is shown in quotes, so copying it from the comment just works.
    """
    if isinstance(value, int):
        return str(value)
    try:
        plain_ok = yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok and value == value.strip() else _quote(value)


def _comment(text: str, prefix: str = "", indent: str = "  ", width: int = 88) -> list[str]:
    wrapped = textwrap.wrap(clean_line(text), width=width - len(indent) - 2 - len(prefix),
                            break_long_words=False, break_on_hyphens=False) or [""]
    lines = [f"{indent}# {prefix}{wrapped[0]}"]
    pad = " " * len(prefix)
    lines += [f"{indent}# {pad}{line}" for line in wrapped[1:]]
    return lines


def answers_template(rubric: Rubric) -> str:
    """The template text: valid YAML whose only required edits are the answers."""
    lines = [
        f"# Answers for {clean_line(rubric.title)} ({rubric.id} {clean_line(rubric.version)}).",
        "# Fill in each answer with one option's value, or n/a where the question allows it.",
        "# An empty answer counts as not assessed (missing), never as zero.",
        "# To add a note or evidence, write the long form:",
        "#   some.question: {value: 2, note: \"what you saw\", evidence: [\"rota, week 12\"]}",
        "# Then: cslevels score <this file>",
        f"schema: {ANSWERS_SCHEMA}",
        f"rubric: {rubric.id}",
        f"rubric_version: {json.dumps(rubric.version)}",  # ASCII: read back exactly
        f"subject: {_quote('(the ' + clean_line(rubric.subject) + ' assessed)')}",
        "assessor:          # who made the assessment",
        "date:              # YYYY-MM-DD",
        "# target: 3        # optional: the level aimed for; reports show the gap to it",
        "answers:",
    ]
    for rank, level in enumerate(rubric.levels, 1):
        lines.append("")
        lines.append(f"  # ── Level {rank}: {clean_line(level.name)} " + "─" * 20)
        if level.summary:
            lines += _comment(level.summary)
        for question in level.questions:
            scale = rubric.scales[question.scale]
            options = " · ".join(
                f"{clean_line(as_typed(o.value))} = {clean_line(o.label)}" for o in scale.options
            )
            if question.allow_na:
                options += " · n/a"
            lines.append("")
            lines += _comment(question.text, "Q: ")
            lines += _comment(options, "Options: ")
            if question.guidance:
                lines += _comment(question.guidance, "Evidence: ")
            lines.append(f"  {level.id}.{question.id}:")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- media and --from


def read_answers_from(path: Path, loaded: LoadedRubric,
                      library: RubricLibrary | None = None) -> LoadedAnswers:
    """``template --from ANSWERS``: a valid answers file for ``loaded``, or a refusal.

    Answers for another rubric are refused by name (pre-filling them would drop every
    answer); warnings such as a rubric version mismatch are left to the caller.
    """
    from cslevels.core.locations import finding_at
    from cslevels.errors import InputError, InvalidDocumentError
    from cslevels.loading import answers_from_document, document_kind
    from cslevels.yamlio import load_path

    doc = load_path(path)
    if document_kind(doc) != "answers":
        raise InputError("--from: this is a rubric, not an answers file", path=str(path),
                         code="wrong-kind", hint="--from takes an answers file")
    data = doc.data
    named = data.get("rubric") if isinstance(data, dict) else None
    if isinstance(named, str) and named != loaded.rubric.id:
        raise InvalidDocumentError([finding_at(
            doc, ("rubric",), f"--from: these are answers for rubric {named!r}, not "
            f"{loaded.rubric.id!r}", code="rubric-mismatch",
            hint=f"make the template for the rubric they name: cslevels template {named} "
            "--from ...")])
    answers, findings = answers_from_document(doc, path, library or RubricLibrary(), loaded)
    if answers is None:
        raise InvalidDocumentError(findings)
    return answers


def yaml_medium(loaded: LoadedRubric, answers: Answers | None) -> str:
    """The YAML answers template; with ``answers``, those answers as an answers file."""
    if answers is None:
        return answers_template(loaded.rubric)
    from cslevels.answers_io import AnswersDraft, render_answers

    draft = AnswersDraft.from_answers(answers)
    draft.rubric_version = loaded.rubric.version
    header = ("# Answers file for " + clean_line(loaded.rubric.title)
              + ", from `cslevels template --from`.\n# Then: cslevels score <this file>\n")
    return render_answers(draft, loaded.rubric.question_keys(), header=header)


def form_medium(loaded: LoadedRubric, answers: Answers | None) -> str:
    """The offline browser form (:mod:`cslevels.reporting.template.form`)."""
    from cslevels.reporting.template.form import render_form

    return render_form(loaded.rubric, loaded.digest, answers)
