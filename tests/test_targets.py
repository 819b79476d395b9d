"""Targets: `score --target N` and `target: N` in answers -> the gap and the fastest path.

Rubric corner-shop (tests/data/series), staged, threshold 0.75, min_coverage 0.5.
A raise sets one answer to its scale's best option (score 1.0 here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, Invoke
from cslevels.core.scoring import QuestionInput, inputs_from_answers, score
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers

SERIES = DATA / "series"
JAN = SERIES / "2026-01-visit.yaml"
JUN = SERIES / "2026-06-visit.yaml"
DEC = SERIES / "2026-12-visit.yaml"
LIB = ("--rubrics-dir", str(SERIES))


def target_json(invoke: Invoke, path: Path, *extra: str) -> dict:
    result = invoke("score", str(path), *LIB, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["target"]


def write(tmp_path: Path, answers: dict[str, object], target: int | None = None) -> Path:
    lines = ["schema: cslevels/answers/v1", "rubric: corner-shop", "subject: Corner Shop",
             "date: 2026-02-01"]
    if target is not None:
        lines.append(f"target: {target}")
    lines.append("answers:")
    lines += [f"  {k}: {json.dumps(v)}" for k, v in answers.items()]
    path = tmp_path / "answers.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


BASICS = {"basics.greeting": 4, "basics.phone": 3, "basics.tidy": 2}  # 0.9375, achieved


def test_january_target_3_needs_both_loyalty_answers(invoke: Invoke) -> None:
    # Levels 1 and 2 are achieved; loyalty: regulars-known 0.25 (w2), feedback 0.0 (w1).
    # Points 2*0.25 = 0.5 of weight 3; needed 0.75*3 = 2.25 -> short by 1.75.
    # Gains: regulars-known 2*(1-0.25) = 1.5, feedback 1*(1-0) = 1.0.
    # One raise adds at most 1.5 < 1.75; both add 2.5 >= 1.75 -> two raises, biggest first.
    target = target_json(invoke, JAN, "--target", "3")
    assert target["level"] == 3 and target["reached"] is False
    assert [g["id"] for g in target["gaps"]] == ["loyalty"]
    assert target["fastest_path"] == ["loyalty.regulars-known", "loyalty.feedback"]
    gap = target["gaps"][0]
    assert [(q["id"], q["gain"]) for q in gap["ranked"]] == [
        ("loyalty.regulars-known", 1.5), ("loyalty.feedback", 1.0)]
    assert [(s["from"], s["to"]) for s in gap["steps"]] == [(1, 4), (0, 2)]


def test_december_target_3_only_needs_the_blocking_level(invoke: Invoke) -> None:
    # Loyalty (0.8333) is achieved on its own; only care (0.5) stands between level 1 and 3.
    # Care: points 0.5 + 0.5 = 1.0 of 2, needed 1.5 -> short by 0.5.
    # Gains: complaints-logged 1*(1-0.5) = 0.5, callbacks 1*(1-0.5) = 0.5: one raise is
    # enough, and equal gains keep the rubric's order.
    target = target_json(invoke, DEC, "--target", "3")
    assert [g["id"] for g in target["gaps"]] == ["care"]
    assert target["fastest_path"] == ["care.complaints-logged"]


def test_path_spans_every_level_below_the_target(invoke: Invoke, tmp_path: Path) -> None:
    # care: complaints-logged No (0.0), callbacks Sometimes (0.5): 0.5 of 2, needs 1.5.
    #   gains 1.0 and 0.5 -> raising complaints-logged alone gives (1.0 + 0.5)/2 = 0.75.
    # loyalty as in January -> regulars-known, then feedback (see above).
    path = write(tmp_path, {**BASICS, "care.complaints-logged": 0, "care.callbacks": 2,
                            "loyalty.regulars-known": 1, "loyalty.feedback": 0})
    target = target_json(invoke, path, "--target", "3")
    assert [g["id"] for g in target["gaps"]] == ["care", "loyalty"]
    assert target["fastest_path"] == [
        "care.complaints-logged", "loyalty.regulars-known", "loyalty.feedback"]


def test_unanswered_level_is_reached_by_answering_the_heaviest_question(
        invoke: Invoke, tmp_path: Path) -> None:
    # Loyalty unanswered: answering feedback alone covers 1/3 < 0.5 (insufficient);
    # answering regulars-known (w2) with Always covers 2/3 and scores 1.0 -> one step.
    path = write(tmp_path, {**BASICS, "care.complaints-logged": 2, "care.callbacks": 2})
    target = target_json(invoke, path, "--target", "3")
    assert target["fastest_path"] == ["loyalty.regulars-known"]
    assert target["gaps"][0]["steps"][0]["from"] is None  # given, not raised
    assert target["gaps"][0]["unanswered"] == ["loyalty.regulars-known", "loyalty.feedback"]


def test_target_in_the_answers_file_works_like_the_option(invoke: Invoke,
                                                          tmp_path: Path) -> None:
    path = write(tmp_path, {**BASICS, "care.complaints-logged": 2, "care.callbacks": 2,
                            "loyalty.regulars-known": 1, "loyalty.feedback": 0}, target=3)
    from_file = target_json(invoke, path)
    assert from_file["fastest_path"] == ["loyalty.regulars-known", "loyalty.feedback"]
    # the command line wins over the file
    assert target_json(invoke, path, "--target", "1")["reached"] is True


def test_reached_target_has_an_empty_path(invoke: Invoke) -> None:
    target = target_json(invoke, JUN, "--target", "3")
    assert target == {"level": 3, "reached": True, "fastest_path": [], "gaps": []}


def test_target_beyond_the_rubric_is_an_error(invoke: Invoke) -> None:
    result = invoke("score", str(JAN), *LIB, "--target", "4")
    assert result.exit_code == 1
    assert "--target 4 is beyond the 3 levels of corner-shop" in result.stderr


def test_reports_show_the_target_gap(invoke: Invoke) -> None:
    terminal = invoke("score", str(JAN), *LIB, "--target", "3").stdout
    flat = " ".join(terminal.split())
    assert "The road to the target, level 3" in flat
    plan = flat[flat.index("Improvement plan"):flat.index("Technical details")]
    assert "loyalty" not in plan  # the client view speaks in questions, not ids
    assert plan.index("3.1 · ") < plan.index("3.2 · ")
    markdown = invoke("score", str(JAN), *LIB, "--target", "3", "-f", "markdown").stdout
    assert "The road to the target, level 3" in markdown


def test_result_target_path_concatenates_the_level_gaps() -> None:
    loaded = load_answers(DEC, RubricLibrary([SERIES]))
    result = score(loaded.rubric.rubric, loaded.answers, target=3)
    assert [g.level.id for g in result.target_gaps] == ["care"]
    path = result.target_path
    assert path is not None
    assert [(s.key, s.from_option.label if s.from_option else None, s.to_option.label)
            for s in path] == [("care.complaints-logged", "Partly", "Yes")]
    # raising it gives care (1.0 + 0.5) / 2 = 0.75, exactly the threshold: achieved
    assert path[0].gain == pytest.approx(0.5)


@pytest.mark.parametrize("path", [JAN, DEC])
def test_following_the_target_path_reaches_the_target(path: Path) -> None:
    loaded = load_answers(path, RubricLibrary([SERIES]))
    rubric = loaded.rubric.rubric
    before = score(rubric, loaded.answers, target=3)
    assert before.achieved_level is not None and before.achieved_level < 3
    inputs = inputs_from_answers(rubric, loaded.answers)
    assert before.target_path is not None
    for step in before.target_path:
        inputs[step.key] = QuestionInput(step.to_option.score, step.to_option)
    after = score(rubric, loaded.answers, target=3, inputs=inputs)
    assert after.achieved_level == 3 and after.target_gaps == ()
