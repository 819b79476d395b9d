"""``compare --format json``: the whole comparison as one JSON object."""

from __future__ import annotations

import json
from typing import Any

from cslevels.core.compare import Comparison, LevelChange, QuestionChange, Step
from cslevels.core.scoring import Result
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.views import compared_answer_text, tolerance_points, verdict_text
from cslevels.text import json_safe


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def assessment_dict(result: Result) -> dict[str, Any]:
    return {
        "source": result.source,
        "subject": result.answers.subject,
        "assessor": result.answers.assessor,
        "date": None if result.answers.date is None else result.answers.date.isoformat(),
        "rubric": {"id": result.rubric.id, "version": result.rubric.version,
                   "digest": result.rubric_digest},
        "achieved_level": result.achieved_level,
        "achieved_level_name": None if result.achieved is None else result.achieved.name,
        "index": result.index,
        "levels": [{"id": lv.id, "score": _round(lv.score), "status": lv.status}
                   for lv in result.levels],
    }


def level_change_dict(change: LevelChange) -> dict[str, Any]:
    return {
        "id": change.id,
        "name": change.name,
        "rank": change.rank,
        "old": None if change.old is None else _round(change.old.score),
        "new": None if change.new is None else _round(change.new.score),
        "delta": _round(change.delta),
        "old_status": None if change.old is None else change.old.status,
        "new_status": None if change.new is None else change.new.status,
    }


def question_change_dict(change: QuestionChange) -> dict[str, Any]:
    return {
        "id": change.key,
        "text": change.question.text,
        "kind": change.kind,
        "old": {"answer": compared_answer_text(change.old), "state": change.old.state,
                "value": None if change.old.option is None else change.old.option.value,
                "score": change.old.score, "note": change.old.note},
        "new": {"answer": compared_answer_text(change.new), "state": change.new.state,
                "value": None if change.new.option is None else change.new.option.value,
                "score": change.new.score, "note": change.new.note},
        "delta": _round(change.delta),
    }


def step_dict(step: Step) -> dict[str, Any]:
    return {
        "from": step.old.source,
        "to": step.new.source,
        "from_date": None if step.old.answers.date is None else step.old.answers.date.isoformat(),
        "to_date": None if step.new.answers.date is None else step.new.answers.date.isoformat(),
        "achieved_level": {"old": step.old.achieved_level, "new": step.new.achieved_level,
                           "delta": step.level_delta},
        "index": {"old": step.old.index, "new": step.new.index, "delta": step.index_delta},
        "shared_questions": step.shared_questions,
        "levels": [level_change_dict(c) for c in step.levels],
        "improved": [question_change_dict(c) for c in step.improved],
        "regressed": [question_change_dict(c) for c in step.regressed],
        "changed": [question_change_dict(c) for c in step.changed],
        "regressions": [{"kind": r.kind, "level": r.level_id, "message": r.message}
                        for r in step.regressions],
    }


def comparison_dict(comparison: Comparison) -> dict[str, Any]:
    newest = comparison.newest
    return {
        "subject": newest.answers.subject,
        "rubric": {"id": newest.rubric.id, "version": newest.rubric.version,
                   "title": newest.rubric.title, "digest": newest.rubric_digest},
        "method": newest.rubric.method,
        "tolerance": comparison.tolerance,
        "tolerance_points": float(tolerance_points(comparison)),
        "regression": comparison.regressed,
        "verdict": verdict_text(comparison),
        "regressions": [{"kind": r.kind, "level": r.level_id, "message": r.message}
                        for r in comparison.regressions],
        "assessments": [assessment_dict(r) for r in comparison.results],
        "steps": [step_dict(s) for s in comparison.steps],
        "warnings": list(comparison.warnings),
    }


def render_comparison(comparison: Comparison, options: RenderOptions | None = None) -> str:
    return json_safe(json.dumps(comparison_dict(comparison), indent=2, ensure_ascii=False)) + "\n"
