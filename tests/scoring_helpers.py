"""Tiny builders for rubrics and answers in Python, for the scoring tests.

Scales used unless a test passes its own:

* ``five``: values 0..4 scoring 0, 0.25, 0.5, 0.75, 1;
* ``tenth``: values 0..10 scoring value / 10 (any score to one decimal).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cslevels.core.models import Answers, Rubric

FIVE = {"label": "five steps", "options": [
    {"value": v, "label": f"option {v}", "score": v / 4} for v in range(5)
]}
TENTH = {"label": "tenths", "options": [
    {"value": v, "label": f"{v}/10", "score": v / 10} for v in range(11)
]}


def question(qid: str, *, scale: str = "tenth", weight: float = 1.0, allow_na: bool = False,
             recommendation: str | None = None, required: bool = False) -> dict[str, Any]:
    return {"id": qid, "text": f"Question {qid}?", "scale": scale, "weight": weight,
            "allow_na": allow_na, "recommendation": recommendation or f"Improve {qid}.",
            "required": required}


def level(lid: str, questions: Sequence[dict[str, Any] | str], *, threshold: float | None = None,
          weight: float = 1.0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": lid, "name": f"Level {lid}", "weight": weight,
        "questions": [question(q) if isinstance(q, str) else q for q in questions],
    }
    if threshold is not None:
        data["threshold"] = threshold
    return data


def rubric(levels: Sequence[dict[str, Any]], *, method: str = "staged", threshold: float = 0.75,
           min_coverage: float = 0.5, scales: Mapping[str, Any] | None = None) -> Rubric:
    return Rubric.model_validate({
        "schema": "cslevels/rubric/v1", "id": "test", "version": "1.0.0", "title": "Test",
        "method": method, "threshold": threshold, "min_coverage": min_coverage,
        "scales": dict(scales) if scales is not None else {"five": FIVE, "tenth": TENTH},
        "levels": list(levels),
    })


def answers(values: Mapping[str, Any], *, target: int | None = None) -> Answers:
    return Answers.model_validate({
        "schema": "cslevels/answers/v1", "rubric": "test", "subject": "Test subject",
        "target": target, "answers": dict(values),
    })
