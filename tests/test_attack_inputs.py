"""README's promises under attack (issue 13), at the inputs: rubrics the schema used to
allow but scoring could not honour, YAML 1.1 number spellings, keys that are not text,
broken symlinks in folders, and ``--rubric ''``.

Every test here failed on the code before the fix it names.  The bad files themselves
are in the corpus (tests/data/bad/), which tests/test_bad_inputs.py runs through every
command and tests/test_summary_batch.py through both of summary's paths.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, EXAMPLES, Invoke
from cslevels.core.models import Answers, Rubric
from cslevels.core.scoring import score
from scoring_helpers import level, question, rubric

CORNER_SHOP = DATA / "positive" / "corner-shop.yaml"

# ---------------------------------------------------------------- 11: scoring edge cases


def _score_of(r: Rubric, answers: dict[str, Any]) -> Any:
    data = {"schema": "cslevels/answers/v1", "rubric": r.id, "subject": "S", "answers": answers}
    return score(r, Answers.model_validate(data))


def test_the_smallest_weight_scores_exactly(tmp_path: Path) -> None:
    # 5e-324 * 0.5 underflowed to 0: a level answered 50% everywhere scored 0.  The smallest
    # weight allowed now, 0.001, keeps every product and sum far from underflow.
    r = rubric([level("a", [question("q1", weight=0.001), question("q2", weight=0.001)]),
                level("b", [question("q3", weight=0.001), question("q4", weight=1000)])])
    result = _score_of(r, {"a.q1": 5, "a.q2": 5, "b.q3": 10, "b.q4": 0})
    a, b = result.levels
    assert a.score == 0.5  # (0.001 * 0.5 + 0.001 * 0.5) / 0.002
    assert b.score == pytest.approx(0.001 / 1000.001, rel=1e-12)  # (0.001 * 1 + 0) / 1000.001
    assert b.score > 0


def test_a_weight_that_underflows_is_refused_where_it_stands(invoke: Invoke,
                                                             tmp_path: Path) -> None:
    text = CORNER_SHOP.read_text(encoding="utf-8")
    assert text.splitlines()[38] == "        weight: 2"
    path = tmp_path / "tiny.yaml"
    path.write_text(text.replace("        weight: 2\n", "        weight: 5.0e-324\n"),
                    encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert (f"{path}:39:17: error: levels[0].questions[1].weight: must be at least 0.001, "
            "got the number 5e-324") in result.stderr
    # scoring against it refuses too: loading is validating
    answers = tmp_path / "a.yaml"
    answers.write_text("schema: cslevels/answers/v1\nrubric: corner-shop\nsubject: S\n"
                       "answers: {reachable.phone-answered: 1}\n", encoding="utf-8")
    scored = invoke("score", "--rubric", str(path), str(answers))
    assert scored.exit_code == 1 and f"{path}:39:17: error:" in scored.stderr


def test_a_level_scoring_zero_is_never_achieved() -> None:
    # A threshold of 1e-10 was met by a score of 0 (within the 1e-9 tolerance); the
    # smallest threshold now is 0.01, a bar the tolerance cannot reach from 0.
    r = rubric([level("a", ["q1", "q2"])], threshold=0.01, min_coverage=0.0)
    assert _score_of(r, {"a.q1": 0, "a.q2": 0}).levels[0].status == "not achieved"
    # 0.1 on a tenth scale, on one of five questions: (0.1 + 0 * 4) / 5 = 0.02 >= 0.01
    r = rubric([level("a", ["q1", "q2", "q3", "q4", "q5"])], threshold=0.01)
    lv = _score_of(r, {f"a.q{n}": 1 if n == 1 else 0 for n in range(1, 6)}).levels[0]
    assert lv.score == pytest.approx(0.02) and lv.status == "achieved"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("threshold", 1e-10, "threshold: must be at least 0.01, got the number 1e-10"),
    ("threshold", 0.009, "threshold: must be at least 0.01, got the number 0.009"),
    ("min_coverage", 1e-10, "min_coverage: must be 0 (no minimum) or at least 0.01, got the "
                            "number 1e-10"),
])
def test_shares_too_small_to_compare_are_refused(field: str, value: float, message: str) -> None:
    from pydantic import ValidationError

    from cslevels.core.schema_errors import schema_findings
    from cslevels.files.yamlio import parse

    body = (f"schema: cslevels/rubric/v1\nid: r\nversion: '1'\ntitle: T\n{field}: {value!r}\n"
            "scales: {s: {label: S, options: [{value: 0, label: n, score: 0}, "
            "{value: 1, label: y, score: 1}]}}\n"
            "levels: [{id: a, name: A, questions: [{id: q, text: Q, scale: s}]}]\n")
    doc = parse(body.replace("1e-10", "1.0e-10"), "r.yaml")
    with pytest.raises(ValidationError) as exc:
        Rubric.model_validate(doc.data)
    findings = schema_findings(exc.value, doc, Rubric)
    assert [f"{f.line}:{f.column}: {f.message}" for f in findings] == [f"5:{len(field) + 3}: "
                                                                       f"{message}"]


def test_min_coverage_zero_still_means_no_minimum() -> None:
    r = rubric([level("a", ["q1", "q2", "q3", "q4"])], min_coverage=0.0, threshold=0.5)
    lv = _score_of(r, {"a.q1": 10}).levels[0]  # one of four answered: coverage 0.25
    assert lv.coverage == 0.25 and lv.status == "achieved"


def test_an_option_valued_n_a_is_refused_and_assess_never_saves_it(invoke: Invoke,
                                                                   tmp_path: Path) -> None:
    text = CORNER_SHOP.read_text(encoding="utf-8")
    first = "      - {value: 0, label: Never, score: 0.0}"
    assert text.splitlines()[22] == first
    path = tmp_path / "na.yaml"
    path.write_text(text.replace(first, first.replace("value: 0", 'value: "n/a"')),
                    encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert (f"{path}:23:17: error: option value 'n/a' in scale 'frequency' is reserved: an "
            "answer n/a means not applicable") in result.stderr
    out = tmp_path / "answers.yaml"
    # before: assess offered the option, saved "n/a", then refused its own file
    assessed = invoke("assess", str(path), "-o", str(out), "--no-tty", "--subject", "S",
                      "--assessor", "", input="1\nq\n")
    assert assessed.exit_code == 1 and "is reserved" in assessed.stderr
    assert not out.exists()


# ---------------------------------------------------------------- 12: YAML 1.1 numbers, keys


@pytest.mark.parametrize(("typed", "what", "value"), [
    ("010", "an octal number", 8), ("0x2", "a hexadecimal number", 2),
    ("0b10", "a binary number", 2), ("0_1", "a number with _ separators", 1),
    ("1_000", "a number with _ separators", 1000), ("1:30", "a base-60 number", 90),
    ("-0x1", "a hexadecimal number", -1), ("1_0.5", "a number with _ separators", 10.5),
])
@pytest.mark.parametrize("fast", [False, True])
def test_numbers_yaml_1_1_spells_otherwise_are_refused_on_both_paths(
        tmp_path: Path, typed: str, what: str, value: object, fast: bool) -> None:
    from cslevels.commands.summary_rows import PortfolioLibrary, summarise_file
    from cslevels.core.portfolio import Failure
    from cslevels.files.library import RubricLibrary

    path = tmp_path / "a.yaml"
    path.write_text("schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: S\n"
                    f"answers:\n  availability.channels: {typed}\n", encoding="utf-8")
    got = summarise_file(path, PortfolioLibrary(RubricLibrary()), fast=fast)
    assert isinstance(got, Failure)
    assert [str(f) for f in got.findings] == [
        f"{path}:5:26: error: YAML 1.1 reads {typed} as {what}, {value!r} (write the number "
        f"plainly ({value!r}), or put it in quotes to keep it as text: \"{typed}\")"]


@pytest.mark.parametrize(("typed", "value"), [
    ("0", 0), ("2", 2), ("-3", -3), ("+2", 2), ("-0", 0), ("0.5", 0.5), ("1.0e+3", 1000.0),
    (".5", 0.5), ("-.inf", -math.inf), ("007.5", 7.5)])
def test_numbers_written_plainly_still_read(typed: str, value: float) -> None:
    from cslevels.files.yamlio import parse

    assert parse(f"x: {typed}\n", "n.yaml").data["x"] == value


@pytest.mark.parametrize(("body", "where", "got"), [
    ("answers: {}\n1: x\n", "5:1", "the number 1"),
    ("answers: {}\nnull: 3\n", "5:1", "nothing (null)"),
    ("answers: {}\n~: 3\n", "5:1", "nothing (null)"),
    ("answers: {}\ntrue: 4\n", "5:1", "the boolean true"),
    ("answers: {}\n  \n   \n1.5: 3\n", "7:1", "the number 1.5"),
    ("answers:\n  availability.channels: {value: 2, 3: x}\n", "5:37", "the number 3"),
])
def test_a_key_that_is_not_text_is_located_at_the_key(invoke: Invoke, tmp_path: Path,
                                                      body: str, where: str, got: str) -> None:
    path = tmp_path / "k.yaml"
    path.write_text("schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: S\n" + body,
                    encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{path}:{where}: error: a key must be text, got {got}")
    assert errors[0].endswith("(put the key in quotes to make it text)")


def test_a_complex_key_is_located_at_the_key(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    path.write_text("schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: S\n"
                    "answers: {}\n[a]: b\n", encoding="utf-8")
    result = invoke("validate", str(path))
    assert f"{path}:5:1: error: a key must be a plain value" in result.stderr


# ---------------------------------------------------------------- 12: broken symlinks


def test_validate_and_summary_report_a_broken_symlink_in_a_folder(invoke: Invoke,
                                                                  tmp_path: Path) -> None:
    folder = tmp_path / "visits"
    folder.mkdir()
    (folder / "good.yaml").write_bytes((EXAMPLES / "riverside-cafe.yaml").read_bytes())
    (folder / "gone.yaml").symlink_to("moved-away.yaml")
    (folder / "loop.yaml").symlink_to("loop.yaml")
    (folder / "notes.txt").symlink_to("nowhere.txt")  # not a suffix cslevels reads
    os.mkfifo(folder / "pipe.yaml")  # still skipped: only regular files are read
    expected = [f"{folder / 'gone.yaml'}: error: broken symbolic link: 'moved-away.yaml' does "
                "not exist",
                f"{folder / 'loop.yaml'}: error: cannot read: Too many levels of symbolic links"]
    for command in ("validate", "summary"):
        result = invoke(command, str(folder))
        assert result.exit_code == 1, (command, result.stdout)
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert errors == expected, command
    assert "1 file(s)" not in invoke("validate", str(folder)).stdout  # three files checked


# ---------------------------------------------------------------- 12: --rubric ''


@pytest.mark.parametrize("args", [
    ["score", "--rubric", "", str(EXAMPLES / "riverside-cafe.yaml")],
    ["score", "--combine", "--rubric", " ", str(EXAMPLES / "riverside-cafe.yaml"),
     str(EXAMPLES / "riverside-cafe.yaml")],
    ["compare", "--rubric", "", str(EXAMPLES / "riverside-cafe.yaml"),
     str(EXAMPLES / "riverside-cafe-2027-05.yaml")],
    ["summary", "--rubric", "", str(EXAMPLES)],
    ["summary", "--rubric-id", "", str(EXAMPLES)],
])
def test_an_empty_rubric_option_is_a_usage_error(invoke: Invoke, args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2  # as every other usage mistake
    option = "--rubric-id" if "--rubric-id" in args else "--rubric"
    assert f"Invalid value for '{option}': must not be empty: name a rubric" in result.stderr
    assert result.stdout == ""
