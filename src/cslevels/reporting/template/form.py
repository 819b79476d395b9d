"""``cslevels template RUBRIC -o survey.html``: an offline questionnaire for a browser.

One self-contained HTML page that anyone can fill in without cslevels: radio choices
for every question, notes and evidence, progress, autosave in the browser's own
storage, and a "Download answers" button that writes a YAML answers file in the
documented format.  The page scores nothing: cslevels alone scores the download.

Safety: the page's Content-Security-Policy allows only its own inline script and
style, by hash, and nothing from anywhere else (no network, no form submission).
The page's frame (title, details, level headings) reaches the markup through
jinja2's autoescaping.  The questions are data: a ``<script type="application/json">``
block written as pure ASCII JSON in which ``<``, ``>`` and ``&`` are escaped, so no
text can end the block; the script builds them with ``textContent`` (never markup),
a level or so at a time, so that a 500-question rubric is usable at once.

Storage: answers are kept in ``localStorage`` under a key made of the rubric id,
version and content digest and a random id drawn for each generated file, so two
surveys never mix, even for the same rubric, while editing the subject does not
lose anything.  Reopening the same file restores its answers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from functools import cache
from typing import Any

from markupsafe import Markup

from cslevels import __version__
from cslevels.core.documents import LoadedRubric
from cslevels.core.models import (
    ANSWERS_SCHEMA,
    EVIDENCE_MAX_CHARS,
    NA,
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    TEXT_MAX_CHARS,
    AnswerEntry,
    Answers,
    Rubric,
    question_key,
)
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.views import REQUIRED_NOTE

FORM_TEMPLATE = "form.html.j2"
SCRIPT_FILE = "form.js"
STYLE_FILES = ("_page.css.j2", "form.css")
STORAGE_PREFIX = "cslevels-form/v1"

# The answers format's limits (cslevels.core.models), checked in the page before a download
# so that the file it writes always validates; tests pin them against the models.
LIMITS = {"subject": TEXT_MAX_CHARS, "assessor": NAME_MAX_CHARS, "note": NOTE_MAX_CHARS,
          "evidence": EVIDENCE_MAX_CHARS, "prepared_for": NAME_MAX_CHARS,
          "executive_summary": NOTE_MAX_CHARS}


def _source(name: str) -> str:
    from cslevels.reporting.kit.html import environment

    env = environment()
    assert env.loader is not None
    text, _filename, _uptodate = env.loader.get_source(env, name)
    return text


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


@cache
def _assets() -> tuple[str, str, str]:
    """The page's script, style and Content-Security-Policy (allowing exactly those two)."""
    from cslevels.text import clean

    script = "\n" + _source(SCRIPT_FILE).strip() + "\n"
    style = "\n" + "\n".join(_source(name).strip() for name in STYLE_FILES) + "\n"
    for text, end in ((script, "</script"), (style, "</style")):
        # the whole page goes through clean(): the hashed text must come out unchanged
        # (a browser hashes the element's text as UTF-8, as _sha256 does)
        assert end not in text.lower() and clean(text) == text
    csp = "; ".join([
        "default-src 'none'",
        f"script-src '{_sha256(script)}'",
        f"style-src '{_sha256(style)}'",
        "img-src 'none'",
        "connect-src 'none'",
        "font-src 'none'",
        "media-src 'none'",
        "object-src 'none'",
        "frame-src 'none'",
        "worker-src 'none'",
        "manifest-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ])
    return script, style, csp


def json_for_script(data: object) -> str:
    """JSON that is safe inside ``<script type="application/json">``.

    Pure ASCII (so U+2028/U+2029 and every other character arrive as ``\\u`` escapes,
    which also keeps the page's clean-up of control characters away from it), with
    ``<``, ``>`` and ``&`` escaped: no ``</script>`` or ``<!--`` can appear.
    """
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _option_index(rubric: Rubric, key: str, value: object) -> str | None:
    """The page's name for an answer: the option's position, or "na"."""
    found = rubric.find(key)
    if found is None:
        return None
    _level, question = found
    if value == NA:
        return "na" if question.allow_na else None
    for index, option in enumerate(rubric.scales[question.scale].options):
        if option.value == value and type(option.value) is type(value):
            return str(index)
    return None


def prefill_state(rubric: Rubric, answers: Answers | None) -> dict[str, Any] | None:
    """Answers in the page's own state shape (what the script keeps in storage)."""
    if answers is None:
        return None
    entries: dict[str, dict[str, Any]] = {}
    for key in rubric.question_keys():
        raw = answers.answers.get(key)
        if raw is None:
            continue
        entry = raw if isinstance(raw, AnswerEntry) else AnswerEntry(value=raw)
        item: dict[str, Any] = {}
        if entry.value is not None:
            choice = _option_index(rubric, key, entry.value)
            if choice is not None:
                item["c"] = choice
        if entry.note:
            item["n"] = entry.note
        if entry.evidence:
            item["e"] = list(entry.evidence)
        if item:
            entries[key] = item
    return {
        "details": {
            "subject": answers.subject,
            "assessor": answers.assessor or "",
            "date": answers.date.isoformat() if answers.date else "",
            "target": str(answers.target) if answers.target else "",
            "prepared_for": answers.prepared_for or "",
            "executive_summary": answers.executive_summary or "",
        },
        "answers": entries,
    }


def storage_key(rubric: Rubric, digest: str, form_id: str) -> str:
    return "/".join([STORAGE_PREFIX, rubric.id, rubric.version, digest, form_id])


def form_data(rubric: Rubric, digest: str, answers: Answers | None, form_id: str) -> dict[str, Any]:
    """Everything the page's script needs, and nothing else.

    Texts to show (``t`` question, ``g`` guidance, option labels) pass through
    :func:`cslevels.text.clean`, as on every other page, so control and bidi-override
    characters show as visible escapes; option values (what the download writes) do
    not: they are data.
    """
    from cslevels.text import clean

    scale_ids = list(rubric.scales)
    scales = [{
        "label": clean(scale.label),
        "o": [[1 if isinstance(o.value, int) else 0, str(o.value), clean(o.label)]
              for o in scale.options],
    } for scale in rubric.scales.values()]
    questions = []
    for rank, level in enumerate(rubric.levels):
        for number, question in enumerate(level.questions, 1):
            questions.append({
                "k": question_key(level, question),
                "l": rank,
                "n": f"{rank + 1}.{number}",
                "t": clean(question.text),
                "s": scale_ids.index(question.scale),
                "na": question.allow_na,
                "g": clean(question.guidance) if question.guidance else None,
                "r": question.required,
            })
    return {
        "format": 1,
        "key": storage_key(rubric, digest, form_id),
        "schema": ANSWERS_SCHEMA,
        "rubric": rubric.id,
        "version": rubric.version,
        "levels": [len(level.questions) for level in rubric.levels],
        "scales": scales,
        "questions": questions,
        "limits": LIMITS,
        "required": REQUIRED_NOTE[0].upper() + REQUIRED_NOTE[1:],
        "prefill": prefill_state(rubric, answers),
    }


def render_form(rubric: Rubric, digest: str, answers: Answers | None = None, *,
                form_id: str | None = None) -> str:
    """The questionnaire page; ``answers`` pre-fill it (``template --from``).

    ``form_id`` names this file in the browser's storage; by default a fresh random
    id, so every generated file keeps its own answers.
    """
    from cslevels.reporting.kit.html import render_template, slash_parts
    from cslevels.reporting.views import names_its_rank

    script, style, csp = _assets()
    data = form_data(rubric, digest, answers, form_id or secrets.token_urlsafe(12))
    return render_template(
        FORM_TEMPLATE,
        rubric=rubric,
        levels=[(rank, level, len(level.questions)) for rank, level in enumerate(rubric.levels, 1)],
        question_count=len(data["questions"]),
        csp=Markup(csp),  # our own constant: quotes kept readable
        script=Markup(script),  # our own file, hashed in the CSP
        style=Markup(style),
        data=Markup(json_for_script(data)),  # ASCII JSON with < > & escaped
        cslevels_version=__version__,
        names_its_rank=names_its_rank,
        slash_parts=slash_parts,
    )


def render_template(loaded: LoadedRubric, answers: Answers | None = None,
                    options: RenderOptions | None = None) -> str:
    """``template --format form`` (and ``-o survey.html``): the offline browser form.

    ``CSLEVELS_FORM_ID`` fixes the file's storage id, for reproducible output (the
    golden tests); two files made with the same id share their answers in a browser.
    """
    return render_form(loaded.rubric, loaded.digest, answers,
                       form_id=os.environ.get("CSLEVELS_FORM_ID") or None)
