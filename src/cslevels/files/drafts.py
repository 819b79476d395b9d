"""Reading an answers file to continue it, and writing one back.

``cslevels assess`` saves after every answer, so the file it writes must always be
a complete, valid answers file in the normal format, written atomically (see
``cslevels.files.output.atomic_write``).  What a user already wrote is kept: existing
answers with their notes and evidence, the subject, assessor, date and target, and
the consultant's ``prepared_for`` and ``executive_summary``.
The YAML is re-read before it is written, so text that would not survive the
round trip is never saved.  Comments and layout of a hand-written file cannot be
carried over; :func:`keep_copy` saves the original beside it first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cslevels.core.documents import LoadedRubric, RubricResolver, answers_from_document, expect_kind
from cslevels.core.locations import finding_at
from cslevels.core.models import ANSWERS_SCHEMA, AnswerEntry, Answers, Rubric
from cslevels.errors import CslevelsError, Finding, InvalidDocumentError, OutputError
from cslevels.files.yamlio import parse, read_text

Value = int | str

HEADER = "# Answers written by `cslevels assess` (saved after every answer).\n"


@dataclass
class DraftEntry:
    """One question's answer as it will be written; ``value`` None = not answered."""

    value: Value | None = None
    note: str | None = None
    evidence: list[str] = field(default_factory=list)

    def to_data(self) -> Any:
        if self.note is None and not self.evidence:
            return self.value  # the shorthand form
        data: dict[str, Any] = {}
        if self.value is not None:
            data["value"] = self.value
        if self.note is not None:
            data["note"] = self.note
        if self.evidence:
            data["evidence"] = list(self.evidence)
        return data


@dataclass
class AnswersDraft:
    """A mutable answers file: what the questionnaire changes and saves."""

    rubric: str
    rubric_version: str | None
    subject: str
    assessor: str | None = None
    date: dt.date | None = None
    target: int | None = None
    entries: dict[str, DraftEntry] = field(default_factory=dict)
    prepared_for: str | None = None
    executive_summary: str | None = None

    @classmethod
    def new(cls, rubric: Rubric, subject: str, assessor: str | None,
            date: dt.date | None = None) -> AnswersDraft:
        return cls(rubric=rubric.id, rubric_version=rubric.version, subject=subject,
                   assessor=assessor or None, date=date or dt.date.today())

    @classmethod
    def from_answers(cls, answers: Answers) -> AnswersDraft:
        """Everything an existing file holds, ready to be changed and written back."""
        entries: dict[str, DraftEntry] = {}
        for key, raw in answers.answers.items():
            if isinstance(raw, AnswerEntry):
                entries[key] = DraftEntry(raw.value, raw.note, list(raw.evidence))
            else:
                entries[key] = DraftEntry(raw)
        return cls(rubric=answers.rubric, rubric_version=answers.rubric_version,
                   subject=answers.subject, assessor=answers.assessor, date=answers.date,
                   target=answers.target, entries=entries, prepared_for=answers.prepared_for,
                   executive_summary=answers.executive_summary)

    def value(self, key: str) -> Value | None:
        entry = self.entries.get(key)
        return entry.value if entry is not None else None

    def note(self, key: str) -> str | None:
        entry = self.entries.get(key)
        return entry.note if entry is not None else None

    def answered(self, key: str) -> bool:
        return self.value(key) is not None

    def set_value(self, key: str, value: Value) -> bool:
        """Record an answer; True when that changed the file."""
        entry = self.entries.setdefault(key, DraftEntry())
        changed = entry.value != value or type(entry.value) is not type(value)
        entry.value = value
        return changed

    def set_note(self, key: str, note: str | None) -> bool:
        """Record (or, with None, remove) a note; True when that changed the file."""
        entry = self.entries.setdefault(key, DraftEntry())
        changed = entry.note != note
        entry.note = note
        return changed

    def to_data(self, order: Sequence[str] = ()) -> dict[str, Any]:
        """The file's content; answers in ``order`` (the rubric's) first."""
        data: dict[str, Any] = {"schema": ANSWERS_SCHEMA, "rubric": self.rubric}
        if self.rubric_version is not None:
            data["rubric_version"] = self.rubric_version
        data["subject"] = self.subject
        if self.assessor is not None:
            data["assessor"] = self.assessor
        if self.prepared_for is not None:
            data["prepared_for"] = self.prepared_for
        if self.date is not None:
            data["date"] = self.date
        if self.target is not None:
            data["target"] = self.target
        if self.executive_summary is not None:
            data["executive_summary"] = self.executive_summary
        keys = [k for k in order if k in self.entries]
        keys += [k for k in self.entries if k not in set(keys)]
        data["answers"] = {key: self.entries[key].to_data() for key in keys}
        return data


# ---------------------------------------------------------------- YAML out


class _Dumper(yaml.SafeDumper):
    """Block style; strings that YAML could misread are quoted or escaped."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    if "\n" in value and all(line.isprintable() for line in value.split("\n")):
        style = "|"  # multi-line notes stay readable; PyYAML falls back when it cannot
    elif not value.isprintable():
        style = '"'  # control, line-separator and format characters become escapes
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def render_answers(draft: AnswersDraft, order: Sequence[str] = (), header: str = HEADER) -> str:
    """The answers file as YAML text, checked to read back as exactly ``draft``."""
    data = draft.to_data(order)
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=88, indent=2)
    text = header + body
    try:
        same = parse(text, "<answers>").data == data
    except CslevelsError:
        same = False
    if not same:  # pragma: no cover - a guard: never write what would not read back
        raise OutputError("cannot save: the answers could not be written as YAML that reads "
                          "back unchanged", code="yaml-roundtrip",
                          hint="please report this; the file on disk was left as it was")
    return text


def save_answers(path: Path, draft: AnswersDraft, order: Sequence[str] = (), *,
                 overwrite: bool = True) -> str:
    """Write ``draft`` to ``path`` atomically; the text written is returned.

    On failure the file on disk is exactly what it was before, and the
    ``OutputError`` says so.
    """
    from cslevels.files.output import atomic_write

    text = render_answers(draft, order)
    try:
        atomic_write(path, text, overwrite=overwrite)
    except OutputError as exc:
        kept = ("the file on disk still holds every earlier answer" if path.exists()
                else "nothing was written")
        reason = exc.message.removeprefix("cannot write: ")
        raise OutputError(f"could not save the answers: {reason}", path=str(path),
                          code=exc.code, hint=f"{exc.hint}; {kept}" if exc.hint else kept,
                          ) from None
    return text


def keep_copy(path: Path, text: str) -> Path:
    """Save ``text`` (a file's original content) as ``<path>.orig`` (or .orig.2 ...).

    The suffix is not .yaml, so folder-wide ``validate``/``summary`` ignore it.
    """
    from cslevels.files.output import atomic_write

    for n in range(1, 1000):
        candidate = path.with_name(path.name + (".orig" if n == 1 else f".orig.{n}"))
        if not candidate.exists():
            try:
                atomic_write(candidate, text, overwrite=False)
            except OutputError as exc:
                reason = exc.message.removeprefix("cannot write: ")
                raise OutputError(f"could not keep a copy of the original file as {candidate.name} "
                                  f"before saving: {reason}", path=str(path), code=exc.code,
                                  hint="the file itself was left as it was") from None
            return candidate
    raise OutputError("too many .orig copies beside it; remove some", path=str(path))


# ---------------------------------------------------------------- reading one back


@dataclass(frozen=True)
class ExistingAnswers:
    """An answers file read to be continued: its content, exact text and warnings."""

    draft: AnswersDraft
    text: str
    warnings: tuple[Finding, ...]
    reformatted: bool = False  # saving will change its layout (or drop its comments)


def read_answers_for(path: Path, rubric: LoadedRubric,
                     library: RubricResolver) -> ExistingAnswers:
    """Read ``path`` as an answers file for ``rubric``, or refuse with every reason.

    Every refusal ends with a finding that says the file is left untouched, so a
    user never wonders whether it was overwritten.
    """
    name = str(path)
    untouched = Finding(name, f"not a valid answers file for rubric {rubric.rubric.id!r}; "
                        "it was left untouched", code="not-resumable",
                        hint="fix it (see `cslevels validate`) or choose another -o file")
    try:
        text = read_text(path)
        doc = parse(text, name)  # the text just read: one read, so both are the same file
        expect_kind(doc, "answers")
    except CslevelsError as exc:
        raise InvalidDocumentError([*exc.to_findings(), untouched]) from None
    data = doc.data
    named = data.get("rubric") if isinstance(data, dict) else None
    if isinstance(named, str) and named != rubric.rubric.id:
        raise InvalidDocumentError([finding_at(
            doc, ("rubric",), f"these are answers for rubric {named!r}, not "
            f"{rubric.rubric.id!r}; it was left untouched", code="rubric-mismatch",
            hint="choose another -o file, or assess with the rubric it names")])
    loaded, findings = answers_from_document(doc, path, library, rubric)
    if loaded is None:
        raise InvalidDocumentError([*findings, untouched])
    draft = AnswersDraft.from_answers(loaded.answers)
    reformatted = render_answers(draft, rubric.rubric.question_keys()) != text.lstrip("\ufeff")
    return ExistingAnswers(draft, text, tuple(f for f in findings if f.severity != "error"),
                           reformatted)
