"""Issue 18, item 5: messages a person can act on.

No pydantic wording reaches a user; an answers file made for another rubric gets one
diagnosis naming the rubric it fits; the hint for an unquoted ``yes`` does not lead to a
second error; ``7-levels`` suggests ``seven-levels``; ``score FOLDER`` says how to score
a folder; a percentage where a share is meant says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA, EXAMPLES, Invoke

SHOP = (DATA / "positive" / "corner-shop.yaml").read_text(encoding="utf-8")
WRONG = str(DATA / "wrong-rubric" / "cafe-as-five-grades.yaml")
PYDANTIC = ("Value error", "Input should", "input should", "Assertion failed",
            "validation error", "pydantic_core", "errors.pydantic.dev")


def _rubric(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SHOP
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new"), [
    ("method: staged", "method: ladder"),
    ("method: staged", "method: [staged]"),
    ("threshold: 0.75", "threshold: 85"),
    ("min_coverage: 0.5", "min_coverage: many"),
    ("id: corner-shop", "id: Corner Shop"),
])
def test_no_pydantic_wording_reaches_a_user(invoke: Invoke, tmp_path: Path, old: str,
                                            new: str) -> None:
    out = invoke("validate", str(_rubric(tmp_path, old, new)))
    assert out.exit_code == 1
    assert not any(words in out.stderr + out.stdout for words in PYDANTIC), out.stderr


def test_no_pydantic_wording_for_any_bad_file_of_the_suite(invoke: Invoke) -> None:
    out = invoke("validate", str(DATA / "bad"), str(DATA / "negative"))
    assert out.exit_code == 1
    assert not any(words in out.stderr + out.stdout for words in PYDANTIC)


def test_an_unknown_method_says_what_it_must_be_and_suggests_one(invoke: Invoke,
                                                                 tmp_path: Path) -> None:
    out = invoke("validate", str(_rubric(tmp_path, "method: staged", "method: stagd")))
    assert "method: must be 'staged' or 'continuous', got the text 'stagd' " \
           "(did you mean 'staged'?)" in out.stderr


def test_a_percentage_where_a_share_is_meant_says_so(invoke: Invoke, tmp_path: Path) -> None:
    out = invoke("validate", str(_rubric(tmp_path, "threshold: 0.75", "threshold: 85")))
    assert out.exit_code == 1
    assert ("threshold: must be at most 1.0, got the number 85 (this is a share from 0 to 1, "
            "not a percentage: for 85% write 0.85)") in out.stderr
    fine = invoke("validate", str(_rubric(tmp_path, "threshold: 0.75", "threshold: 150")))
    assert "not a percentage" not in fine.stderr  # 150 is no percentage of anything


def test_answers_for_another_rubric_get_one_diagnosis(invoke: Invoke) -> None:
    out = invoke("score", WRONG)
    assert out.exit_code == 1
    lines = out.stderr.splitlines()
    assert lines == [
        f"{WRONG}:3:9: error: none of the 34 answered questions belong to five-grades; they "
        'match seven-levels (write `rubric: seven-levels` and `rubric_version: "2.0.0"`)']


def test_answers_that_fit_no_rubric_say_to_check_the_rubric_line(invoke: Invoke,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("schema: cslevels/answers/v1\nrubric: five-grades\nsubject: X\n"
                    "answers:\n  nothing.here: 1\n  nor.there: 2\n", encoding="utf-8")
    out = invoke("score", str(path))
    assert out.stderr.splitlines() == [
        f"{path}:2:9: error: none of the 2 answered questions belong to five-grades (is "
        "`rubric:` right? `cslevels template five-grades` lists its questions)"]


def test_one_typo_among_right_answers_is_still_one_error_with_a_hint(invoke: Invoke,
                                                                    tmp_path: Path) -> None:
    text = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
    path = tmp_path / "typo.yaml"
    path.write_text(text.replace("availability.phone-wait:", "availability.phone-wiat:"),
                    encoding="utf-8")
    out = invoke("score", str(path))
    assert "unknown question 'availability.phone-wiat' for rubric seven-levels (did you " \
           "mean 'availability.phone-wait'?)" in out.stderr


def test_the_hint_for_yes_on_a_numeric_scale_does_not_lead_to_a_second_error(
        invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "yes.yaml"
    head = ('schema: cslevels/answers/v1\nrubric: seven-levels\nrubric_version: "2.0.0"\n'
            "subject: X\nanswers:\n")
    path.write_text(head + "  availability.channels: yes\n", encoding="utf-8")
    out = invoke("score", str(path))
    assert out.exit_code == 1
    assert 'put it in quotes: "yes"' not in out.stderr
    assert "answer with the value of one of the question's options" in out.stderr
    # doing what the old hint said gives a second error; the new one names the options
    path.write_text(head + '  availability.channels: "yes"\n', encoding="utf-8")
    assert "is not an option" in invoke("score", str(path)).stderr


@pytest.mark.parametrize("args", [["show", "7-levels"], ["template", "5-grades"],
                                  ["score", str(EXAMPLES / "riverside-cafe.yaml"),
                                   "--rubric", "7-levels"]])
def test_a_number_in_a_rubric_id_finds_the_spelled_out_id(invoke: Invoke,
                                                          args: list[str]) -> None:
    out = invoke(*args)
    assert out.exit_code == 1
    wanted = "seven-levels" if "7" in " ".join(args) else "five-grades"
    assert f"did you mean '{wanted}'?" in out.stderr


def test_score_of_a_folder_suggests_a_glob_or_summary(invoke: Invoke) -> None:
    out = invoke("score", str(EXAMPLES))
    assert out.exit_code == 1
    assert f"give `{EXAMPLES}/*.yaml` to score each file in it" in out.stderr
    assert f"`cslevels summary {EXAMPLES}` for a portfolio" in out.stderr
