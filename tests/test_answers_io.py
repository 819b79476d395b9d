"""Writing answers files back (cslevels.files.drafts): faithful, atomic, never lossy."""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RUBRICS, Invoke
from cslevels.core.models import Answers
from cslevels.errors import InvalidDocumentError, OutputError
from cslevels.files.drafts import (
    AnswersDraft,
    DraftEntry,
    keep_copy,
    read_answers_for,
    render_answers,
    save_answers,
)
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers, load_rubric
from cslevels.files.yamlio import parse

SEVEN = RUBRICS / "seven-levels.yaml"


def seven_draft() -> AnswersDraft:
    rubric = load_rubric(SEVEN).rubric
    draft = AnswersDraft.new(rubric, "Riverside Cafe", "J. Moreno", dt.date(2026, 11, 20))
    draft.set_value("attention.scripts-natural", "n/a")  # given first, written second
    draft.set_value("availability.channels", 3)
    draft.set_note("availability.channels", "phone and counter")
    return draft


def test_render_is_the_normal_answers_format() -> None:
    draft = seven_draft()
    text = render_answers(draft, load_rubric(SEVEN).rubric.question_keys())
    data = yaml.safe_load(text)
    assert data == {
        "schema": "cslevels/answers/v1", "rubric": "seven-levels", "rubric_version": "2.0.0",
        "subject": "Riverside Cafe", "assessor": "J. Moreno", "date": dt.date(2026, 11, 20),
        "answers": {
            "availability.channels": {"value": 3, "note": "phone and counter"},
            "attention.scripts-natural": "n/a",
        },
    }
    # answers follow the rubric's order, not the order they were given in
    assert text.index("availability.channels") < text.index("attention.scripts-natural")


def test_a_saved_partial_file_validates_and_scores(tmp_path: Path, invoke: Invoke) -> None:
    out = tmp_path / "partial.yaml"
    save_answers(out, seven_draft(), load_rubric(SEVEN).rubric.question_keys())
    assert invoke("validate", str(out)).exit_code == 0
    result = invoke("score", str(out), "--format", "json")
    assert result.exit_code == 0
    # Level 1 has 1 of 5 questions answered: below min_coverage -> insufficient, level 0.
    assert '"achieved_level": 0' in result.stdout


def test_existing_entries_keep_notes_evidence_and_metadata(tmp_path: Path) -> None:
    src = tmp_path / "old.yaml"
    src.write_text(
        "schema: cslevels/answers/v1\nrubric: seven-levels\nrubric_version: '1.0.0'\n"
        "subject: Cafe\nassessor: Ana\ndate: 2026-01-05\ntarget: 4\nanswers:\n"
        "  attention.greeting: {value: 4, note: warm, evidence: [visit 1, visit 2]}\n"
        "  availability.channels: 2\n"
        "  availability.phone-wait:\n"
        "  listening.interruptions: {note: ask the owner}\n", encoding="utf-8")
    loaded = load_answers(src, RubricLibrary())
    draft = AnswersDraft.from_answers(loaded.answers)
    draft.set_value("availability.out-of-hours", 1)
    out = tmp_path / "new.yaml"
    save_answers(out, draft, load_rubric(SEVEN).rubric.question_keys())
    again = load_answers(out, RubricLibrary()).answers
    assert (again.subject, again.assessor, again.date, again.target) == (
        "Cafe", "Ana", dt.date(2026, 1, 5), 4)
    assert again.entry("attention.greeting").model_dump() == {
        "value": 4, "note": "warm", "evidence": ["visit 1", "visit 2"]}
    assert again.answers["availability.channels"] == 2
    assert again.answers["availability.phone-wait"] is None  # an empty entry stays empty
    assert again.answers["listening.interruptions"].note == "ask the owner"
    assert again.answers["availability.out-of-hours"] == 1
    keys = list(again.answers)
    assert keys.index("availability.channels") < keys.index("availability.out-of-hours") < (
        keys.index("attention.greeting"))


texts = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(subject=texts, note=texts, evidence=st.lists(texts, max_size=3),
       value=st.one_of(st.integers(-10, 10), texts.filter(lambda s: len(s) <= 64)))
def test_any_text_reads_back_unchanged(subject: str, note: str, evidence: list[str],
                                       value: int | str) -> None:
    draft = AnswersDraft("r", "1.0", subject, note, dt.date(2026, 1, 2), None,
                         {"a.b": DraftEntry(value, note, evidence), "a.c": DraftEntry(value)})
    text = render_answers(draft)
    data = parse(text, "x").data
    assert data == draft.to_data()
    assert Answers.model_validate(data).subject == subject


# ---------------------------------------------------------------- failed writes


@pytest.mark.parametrize("target", ["fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_intact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    out = tmp_path / "cafe.yaml"
    draft = seven_draft()
    save_answers(out, draft)
    before = out.read_bytes()
    draft.set_value("availability.phone-wait", 4)

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, target, disk_full)
    with pytest.raises(OutputError) as caught:
        save_answers(out, draft)
    assert str(caught.value) == (
        f"{out}: error: could not save the answers: No space left on device "
        "(the file on disk still holds every earlier answer)")
    monkeypatch.undo()
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cafe.yaml"]  # no temp file left


def test_save_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "cafe.yaml"
    with pytest.raises(OutputError, match=r"could not save the answers: folder .* does not "
                       r"exist") as caught:
        save_answers(out, seven_draft())
    assert "nothing was written" in str(caught.value)


def test_first_save_does_not_overwrite_a_file_that_appeared(tmp_path: Path) -> None:
    out = tmp_path / "cafe.yaml"
    out.write_text("mine\n", encoding="utf-8")
    with pytest.raises(OutputError, match="already exists"):
        save_answers(out, seven_draft(), overwrite=False)
    assert out.read_text(encoding="utf-8") == "mine\n"


def test_keep_copy_never_overwrites_an_older_copy(tmp_path: Path) -> None:
    out = tmp_path / "cafe.yaml"
    assert keep_copy(out, "first\n").name == "cafe.yaml.orig"
    assert keep_copy(out, "second\n").name == "cafe.yaml.orig.2"
    assert (tmp_path / "cafe.yaml.orig").read_text(encoding="utf-8") == "first\n"


# ---------------------------------------------------------------- reading a file to continue it


def test_read_for_resume_accepts_its_own_output(tmp_path: Path) -> None:
    rubric = load_rubric(SEVEN)
    out = tmp_path / "cafe.yaml"
    save_answers(out, seven_draft(), rubric.rubric.question_keys())
    existing = read_answers_for(out, rubric, RubricLibrary())
    assert existing.draft.value("availability.channels") == 3
    assert existing.draft.note("availability.channels") == "phone and counter"
    assert not existing.reformatted  # saving it again changes nothing: no copy needed


def test_read_for_resume_flags_hand_written_layout(tmp_path: Path) -> None:
    out = tmp_path / "cafe.yaml"
    out.write_text("# my comment\nschema: cslevels/answers/v1\nrubric: seven-levels\n"
                   "subject: Cafe\nanswers: {availability.channels: 2}\n", encoding="utf-8")
    assert read_answers_for(out, load_rubric(SEVEN), RubricLibrary()).reformatted


def test_read_for_resume_warns_on_an_older_rubric_version(tmp_path: Path) -> None:
    out = tmp_path / "cafe.yaml"
    out.write_text("schema: cslevels/answers/v1\nrubric: seven-levels\nrubric_version: '0.9'\n"
                   "subject: Cafe\nanswers: {}\n", encoding="utf-8")
    existing = read_answers_for(out, load_rubric(SEVEN), RubricLibrary())
    assert [f.code for f in existing.warnings] == ["version-mismatch"]
    assert existing.draft.rubric_version == "0.9"  # kept as the file says


@pytest.mark.parametrize("content, first", [
    ("schema: cslevels/answers/v1\nrubric: six-levels\nsubject: X\nanswers: {}\n",
     "these are answers for rubric 'six-levels', not 'seven-levels'; it was left untouched"),
    ("schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: X\nanswers:\n"
     "  availability.chanels: 2\n", "unknown question 'availability.chanels'"),
    ("just text\n", "not a cslevels file"),
])
def test_read_for_resume_refuses_with_the_reason(tmp_path: Path, content: str,
                                                 first: str) -> None:
    out = tmp_path / "cafe.yaml"
    out.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidDocumentError) as caught:
        read_answers_for(out, load_rubric(SEVEN), RubricLibrary())
    text = str(caught.value)
    assert first in text
    assert text.startswith(f"{out}:")
    assert "left untouched" in text.splitlines()[-1]
    assert out.read_text(encoding="utf-8") == content
