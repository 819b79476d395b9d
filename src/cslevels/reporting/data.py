"""Plain-data views of results, shared by the JSON, Markdown and HTML reports."""

from __future__ import annotations

from typing import Any

from cslevels.scoring import LevelGap, LevelResult, QuestionResult, Raise, Result


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def level_label(result: Result) -> str:
    """'Level 3 — Listening and empathy', or a plain statement when none is achieved."""
    if result.achieved_level is None:
        achieved = sum(1 for lv in result.levels if lv.achieved)
        return f"{achieved} of {len(result.levels)} levels achieved"
    if result.achieved_level == 0:
        return "Level 0 — no level achieved yet"
    level = result.levels[result.achieved_level - 1]
    return f"Level {level.rank} — {level.name}"


def blocker_text(result: Result) -> str | None:
    blocker = result.blocker
    if blocker is None:
        return None
    blocked = ", ".join(f"{lv.rank} ({lv.name})" for lv in blocker.blocked)
    noun = "Level" if len(blocker.blocked) == 1 else "Levels"
    verb = "meets its own threshold" if len(blocker.blocked) == 1 else "meet their own thresholds"
    return (f"{noun} {blocked} {verb}, but level {blocker.level.rank} ({blocker.level.name}) "
            f"blocks it: {status_reason(blocker.level)}.")


def status_reason(level: LevelResult) -> str:
    if level.status == "achieved":
        return f"score {percent(level.score)} reaches the threshold {percent(level.threshold)}"
    if level.score is None:
        return "no applicable answer yet"
    if level.status == "insufficient":
        return f"only {percent(level.coverage)} of it is answered"
    return f"score {percent(level.score)} is below the threshold {percent(level.threshold)}"


def question_dict(q: QuestionResult) -> dict[str, Any]:
    return {
        "id": q.key,
        "text": q.question.text,
        "weight": q.question.weight,
        "state": q.state,
        "value": None if q.option is None else q.option.value,
        "answer": "n/a" if q.state == "na" else (None if q.option is None else q.option.label),
        "score": q.score,
        "note": q.note,
        "evidence": list(q.evidence),
    }


def raise_dict(step: Raise) -> dict[str, Any]:
    return {
        "id": step.key,
        "from": None if step.from_option is None else step.from_option.value,
        "to": step.to_option.value,
        "to_label": step.to_option.label,
        "recommendation": step.question.recommendation,
    }


def gap_dict(gap: LevelGap) -> dict[str, Any]:
    return {
        "id": gap.level.id,
        "name": gap.level.name,
        "rank": gap.level.rank,
        "status": gap.level.status,
        "fastest_path": None if gap.fastest_path is None else [s.key for s in gap.fastest_path],
        "steps": None if gap.fastest_path is None else [raise_dict(s) for s in gap.fastest_path],
        "reason": gap.reason,
        "ranked": [
            {"id": q.key, "gain": round(q.gain, 6), "score": q.score,
             "recommendation": q.question.recommendation}
            for q in gap.ranked
        ],
        "unanswered": [q.key for q in gap.unanswered],
    }


def result_dict(result: Result) -> dict[str, Any]:
    """The JSON report of one assessment (SPEC: ``score --format json``)."""
    answers = result.answers
    rubric = result.rubric
    target_path = result.target_path
    return {
        "subject": answers.subject,
        "assessor": answers.assessor,
        "date": None if answers.date is None else answers.date.isoformat(),
        "source": result.source,
        "rubric": {"id": rubric.id, "version": rubric.version, "title": rubric.title,
                   "digest": result.rubric_digest},
        "method": rubric.method,
        "achieved_level": result.achieved_level,
        "achieved_level_name": None if result.achieved is None else result.achieved.name,
        "index": result.index,
        "levels": [
            {
                "id": lv.id,
                "name": lv.name,
                "rank": lv.rank,
                "score": None if lv.score is None else round(lv.score, 6),
                "coverage": round(lv.coverage, 6),
                "threshold": lv.threshold,
                "status": lv.status,
                "questions": [question_dict(q) for q in lv.questions],
            }
            for lv in result.levels
        ],
        "missing": [q.key for q in result.missing],
        "next_level": None if result.next_gap is None else gap_dict(result.next_gap),
        "blocker": None if result.blocker is None else {
            "id": result.blocker.level.id,
            "blocked": [lv.id for lv in result.blocker.blocked],
            "message": blocker_text(result),
        },
        "target": None if result.target is None else {
            "level": result.target,
            "reached": not result.target_gaps,
            "fastest_path": None if target_path is None else [s.key for s in target_path],
            "gaps": [gap_dict(g) for g in result.target_gaps],
        },
        "warnings": list(result.warnings),
    }
