"""``cslevels template``: a blank answers file to fill in by hand.

Every question is an entry whose value is left empty (YAML null, which scores as
"missing"), with its text, options and evidence guidance in comments above it.
Filling in values is the only edit needed before ``cslevels score``.
"""

from __future__ import annotations

import json
import textwrap

import yaml

from cslevels.core.documents import LoadedRubric
from cslevels.core.models import ANSWERS_SCHEMA, Answers, Rubric, question_key
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.views import REQUIRED_NOTE, placeholder_subject
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
        f"subject: {_quote(placeholder_subject(rubric))}",
        "assessor:          # who made the assessment",
        "date:              # YYYY-MM-DD",
        "# target: 3        # optional: the level aimed for; reports show the gap to it",
        "# prepared_for: \"the owner\"   # optional: who the report is for",
        "# executive_summary: |         # optional: your own words, shown first in the report",
        "#   Two or more lines, indented like this one.",
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
            if question.required:
                lines += _comment(f"{REQUIRED_NOTE[0].upper()}{REQUIRED_NOTE[1:]}")
            if question.guidance:
                lines += _comment(question.guidance, "Evidence: ")
            lines.append(f"  {question_key(level, question)}:")
    return "\n".join(lines) + "\n"


def prefilled_yaml(rubric: Rubric, answers: Answers) -> str:
    """An answers file with every answer, note and evidence item of ``answers``, for
    ``rubric`` (its version recorded), in the rubric's order."""
    from cslevels.files.drafts import AnswersDraft, render_answers

    draft = AnswersDraft.from_answers(answers)
    draft.rubric_version = rubric.version
    header = (f"# Answers for {clean_line(rubric.title)} ({rubric.id} "
              f"{clean_line(rubric.version)}), written by `cslevels template --from`.\n")
    return render_answers(draft, rubric.question_keys(), header=header)


def render_template(loaded: LoadedRubric, answers: Answers | None = None,
                    options: RenderOptions | None = None) -> str:
    """``template --format yaml``: the blank answers file, or (``--from``) one holding
    the answers given: a workbook back to YAML, to keep in git."""
    if answers is not None:
        return prefilled_yaml(loaded.rubric, answers)
    return answers_template(loaded.rubric)
