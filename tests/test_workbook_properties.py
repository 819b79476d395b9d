"""Property: any answers file -> workbook -> answers gives the same assessment."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cslevels.core.documents import LoadedRubric, answers_from_document
from cslevels.core.models import NA, Answers, Rubric
from cslevels.files.library import RubricLibrary
from cslevels.files.workbook import read_workbook
from cslevels.reporting.template.xlsx import render_workbook
from workbook_helpers import same_assessment

# A rubric made to be awkward: text option values, labels that repeat, differ only by
# case or spacing, read as n/a, look like formulas or numbers; n/a on some questions.
ODD = Rubric.model_validate({
    "schema": "cslevels/rubric/v1", "id": "odd-labels", "version": "2", "title": "=odd",
    "scales": {
        "words": {"label": "In place?", "options": [
            {"value": "no", "label": "No", "score": 0}, {"value": "partly", "label": " no ",
                                                         "score": 0.5},
            {"value": "yes", "label": "=TRUE()", "score": 1}]},
        "numbers": {"label": "How many?", "options": [
            {"value": 0, "label": "3", "score": 0}, {"value": 3, "label": "N/A", "score": 0.5},
            {"value": -1, "label": "+1", "score": 1}]},
    },
    "levels": [
        {"id": "one", "name": "One", "questions": [
            {"id": "a", "text": "A?", "scale": "words", "allow_na": True},
            {"id": "b", "text": "B?", "scale": "numbers"}]},
        {"id": "two", "name": "Two", "questions": [
            {"id": "c", "text": "C?", "scale": "numbers", "allow_na": True},
            {"id": "d", "text": "D?", "scale": "words"}]},
    ],
})
SEVEN = RubricLibrary().resolve("seven-levels")
RUBRICS = [SEVEN, LoadedRubric(ODD, Path("odd-labels.yaml"), "f" * 64)]

TRICKY = ["", " ", "=1+1", "+SUM(A1)", "-x", "@x", "_x0041_", "_x005F_", "a\nb", "a\r\nb",
          "\x00\x1b[31m", "\ufffe", "• bullet", "  • two", "TRUE", "3", "2026-11-20", "#N/A"]
text = st.one_of(st.sampled_from(TRICKY),
                 st.text(st.characters(exclude_categories=("Cs",)), max_size=30))


@st.composite
def answers_files(draw: st.DrawFn) -> tuple[LoadedRubric, Answers]:
    loaded = draw(st.sampled_from(RUBRICS))
    rubric = loaded.rubric
    entries: dict[str, Any] = {}
    for level, question in rubric.questions():
        if not draw(st.booleans()):
            continue
        choices: list[Any] = [o.value for o in rubric.scales[question.scale].options]
        value = draw(st.sampled_from([*choices, *([NA] if question.allow_na else []), None]))
        form = draw(st.sampled_from(["short", "long"]))
        if form == "short" and value is not None:
            entries[f"{level.id}.{question.id}"] = value
            continue
        entry: dict[str, Any] = {}
        if value is not None:
            entry["value"] = value
        note = draw(st.none() | text)
        if note is not None:
            entry["note"] = note
        entry["evidence"] = draw(st.lists(text, max_size=4))
        entries[f"{level.id}.{question.id}"] = entry
    data = {
        "schema": "cslevels/answers/v1", "rubric": rubric.id, "rubric_version": rubric.version,
        "subject": draw(text.filter(bool)),
        "assessor": draw(st.none() | text),
        "date": draw(st.none() | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))),
        "target": draw(st.none() | st.integers(1, len(rubric.levels))),
        "prepared_for": draw(st.none() | text.filter(bool)),
        "executive_summary": draw(st.none() | text.filter(bool)),
        "answers": entries,
    }
    return loaded, Answers.model_validate(data)


EXAMPLES = int(os.environ.get("CSLEVELS_WORKBOOK_EXAMPLES", "60"))  # 600 passed once


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers_files())
def test_any_answers_round_trip_through_a_workbook(
        tmp_path_factory: Any, case: tuple[LoadedRubric, Answers]) -> None:
    loaded, original = case
    path = tmp_path_factory.mktemp("wb") / "a.xlsx"
    path.write_bytes(render_workbook(loaded.rubric, loaded.digest, original))
    doc = read_workbook(path)
    back, findings = answers_from_document(doc, path, RubricLibrary(), loaded)
    assert back is not None, [str(f) for f in findings]
    # an empty note is no note: a cell cannot tell "" from nothing
    assert same_assessment(back.answers, original)
