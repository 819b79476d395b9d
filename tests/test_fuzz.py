"""Fuzzing: mutated rubric and answers files never crash a command.

Hypothesis starts from a small valid rubric and a valid answers file for it, then
deletes keys, renames them, replaces values with other types (text, huge numbers,
NaN, infinity, lists, mappings, null, dates, YAML 1.1 look-alikes), and sometimes
damages the YAML text itself (a cut, a stray character, a repeated line).  Every
command must end with exit 0, or exit 1 and a message that names one of the files;
any exception other than the CLI's own exit fails the test (``catch_exceptions=False``).

The number of examples is bounded so the whole file runs in well under a minute.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke

EXAMPLES_PER_COMMAND = 150
FUZZ = settings(max_examples=EXAMPLES_PER_COMMAND, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

RUBRIC: dict[str, Any] = {
    "schema": "cslevels/rubric/v1",
    "id": "fuzz-model",
    "version": "1.0",
    "title": "Fuzz model",
    "description": "Two levels, two scales.",
    "source": {"title": "Nowhere", "note": "made up"},
    "subject": "shop",
    "method": "staged",
    "threshold": 0.75,
    "min_coverage": 0.5,
    "scales": {
        "often": {"label": "How often?", "options": [
            {"value": 0, "label": "Never", "score": 0.0},
            {"value": 1, "label": "Sometimes", "score": 0.5},
            {"value": 2, "label": "Always", "score": 1.0}]},
        "done": {"label": "Is it done?", "options": [
            {"value": "no", "label": "No", "score": 0.0},
            {"value": "yes", "label": "Yes", "score": 1.0}]},
    },
    "levels": [
        {"id": "open", "name": "Open", "summary": "Reachable.", "threshold": 0.5, "weight": 2,
         "questions": [
             {"id": "hours", "text": "Are hours posted?", "scale": "done", "weight": 2,
              "guidance": "The door.", "recommendation": "Post them."},
             {"id": "phone", "text": "Is the phone answered?", "scale": "often",
              "allow_na": True, "guidance": "Call logs.", "recommendation": "Answer it."}]},
        {"id": "kind", "name": "Kind", "questions": [
            {"id": "greet", "text": "Are customers greeted?", "scale": "often",
             "guidance": "Watch.", "recommendation": "Greet them."}]},
    ],
}
ANSWERS: dict[str, Any] = {
    "schema": "cslevels/answers/v1",
    "rubric": "fuzz-model",
    "rubric_version": "1.0",
    "subject": "Corner Shop",
    "assessor": "A. Tester",
    "date": dt.date(2026, 11, 20),
    "target": 2,
    "answers": {
        "open.hours": "yes",
        "open.phone": {"value": "n/a", "note": "No phone.", "evidence": ["visit"]},
        "kind.greet": {"value": 1, "note": "Mostly."},
    },
}

TRICKY_TEXT = ["n/a", "yes", "no", "on", "off", "~", "null", "010", "0x1f", "1e400", ".nan",
               "2026-02-30", "", " ", "a.b", "a.b.c", "open.hours", "[bold]x[/]", "\x1b[31m",
               "\u202e", "<script>", "*a", "&a", "!!python/object:os.system", "x" * 300]
TRICKY_NUMBERS = [float("nan"), float("inf"), float("-inf"), 10**30, 2**63, -1, 0, 1, 2, 0.5,
                  1.5, 1e-300, -0.0]
SCALARS = st.one_of(
    st.sampled_from(TRICKY_NUMBERS), st.sampled_from(TRICKY_TEXT),
    st.none(), st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.one_of(st.text(max_size=10), st.sampled_from(["value", "id", "text", "scale"])),
        inner, max_size=3),
    max_leaves=6,
)
KEYS = st.one_of(st.text(max_size=12), st.integers(-5, 5), st.booleans(), st.none(),
                 st.sampled_from(["valeu", "treshold", "levels", "answers", "open.phone",
                                  "kind.greet", "schema", "id"]))
TEXT_DAMAGE = [":", "[", "{", "]", "\t", "&a ", "*a ", "!", '"', "'", "- ", "\n", "#", "%",
               "@", "`", "|", ">", "\x00", "\ufeff", "\udcff", "\xe9"]
# "tweak" keeps the type (a number stays a number, a list loses or repeats an item), so
# many examples stay valid and reach the checks and the scoring, not only the schema.
OPS = ("delete", "replace", "rename", "add", "wrap", "tweak", "tweak", "tweak", "tweak")
SAME_TYPE_NUMBERS = st.one_of(st.floats(0, 1), st.sampled_from(
    [0, 1, 2, 3, 1000, 1e-9, 0.75, float("nan"), float("inf"), -1, 10**30]))


def locations(doc: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``doc`` (the root included)."""
    found = [here]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += locations(value, (*here, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found += locations(value, (*here, i))
    return found


def get(doc: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        doc = doc[part]
    return doc


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> Any:
    """``base`` after one to three random structural changes.

    Where to change is chosen uniformly (hypothesis's own choices lean towards the
    first element, which would be the root or ``schema:`` nearly every time).
    """
    rnd = draw(st.randoms(use_true_random=False))
    doc: Any = copy.deepcopy(base)
    for _ in range(rnd.randint(1, 3)):
        places = locations(doc)[1:] or [()]
        if rnd.random() < 0.9:  # a broken `schema:` line stops every check early: rarely
            places = [loc for loc in places if loc != ("schema",)] or places
        loc = rnd.choice(places)
        op = rnd.choice(OPS)
        if not loc:  # the root itself
            doc = draw(VALUES) if op == "replace" else [doc]
            continue
        parent, last = get(doc, loc[:-1]), loc[-1]
        if op == "delete":
            del parent[last]
        elif op == "replace":
            parent[last] = draw(VALUES)
        elif op == "wrap":
            parent[last] = [parent[last]]
        elif op == "add":
            target = parent[last]
            if isinstance(target, dict):
                target[draw(KEYS)] = draw(VALUES)
            elif isinstance(target, list):
                target.insert(rnd.randint(0, len(target)), draw(VALUES))
            else:
                parent[last] = draw(VALUES)
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(KEYS)] = parent.pop(last)
        elif op == "tweak":
            value = parent[last]
            if isinstance(value, bool):
                parent[last] = not value
            elif isinstance(value, (int, float)):
                parent[last] = draw(SAME_TYPE_NUMBERS)
            elif isinstance(value, str):
                parent[last] = draw(st.sampled_from([value[:-1], value + "x", "n/a", "yes",
                                                     "open.hours", "kind", "often"]))
            elif isinstance(value, list) and value:
                i = rnd.randrange(len(value))
                if rnd.random() < 0.5:
                    del value[i]
                else:
                    value.insert(i, copy.deepcopy(value[i]))
            elif isinstance(value, dict) and value:
                del value[rnd.choice(list(value))]
    return doc


@st.composite
def document_bytes(draw: st.DrawFn, base: dict[str, Any]) -> bytes:
    """A mutated document as YAML bytes, the text itself damaged one time in five."""
    rnd = draw(st.randoms(use_true_random=False))
    text = yaml.safe_dump(draw(mutated(base)), allow_unicode=True, sort_keys=False)
    if rnd.random() > 0.8:
        where = rnd.randint(0, len(text))
        damage = rnd.choice(("cut", "insert", "insert", "repeat-line"))
        lines = text.splitlines(keepends=True)
        if damage == "cut":
            text = text[:where]
        elif damage == "insert":
            text = text[:where] + rnd.choice(TEXT_DAMAGE) + text[where:]
        elif lines:
            i = rnd.randrange(len(lines))
            text = "".join([*lines[: i + 1], lines[i], *lines[i + 1:]])
    # "\udcff" in TEXT_DAMAGE becomes the byte 0xff: not UTF-8
    return text.encode("utf-8", "surrogateescape")


_counter = itertools.count()


def example_dir(tmp_path: Path) -> Path:
    """A fresh folder per example: cached rubrics are keyed by path, size and mtime."""
    folder = tmp_path / f"ex{next(_counter)}"
    folder.mkdir()
    return folder


def write(folder: Path, rubric: bytes, answers: bytes) -> tuple[Path, Path]:
    (folder / "rubrics").mkdir()
    rubric_path = folder / "rubrics" / "fuzz-model.yaml"
    answers_path = folder / "answers.yaml"
    rubric_path.write_bytes(rubric)
    answers_path.write_bytes(answers)
    return rubric_path, answers_path


def clean_rubric() -> bytes:
    return yaml.safe_dump(RUBRIC, sort_keys=False).encode()


def clean_answers() -> bytes:
    return yaml.safe_dump(ANSWERS, sort_keys=False).encode()


def check(result, files: tuple[Path, ...]) -> None:  # type: ignore[no-untyped-def]
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code in (0, 1), output
    if result.exit_code == 1:
        assert result.stderr.strip(), "exit 1 without a message"
    for line in result.stderr.splitlines():
        if " error: " in line:
            assert line.startswith(tuple(str(f) for f in files)), line


def test_the_base_documents_are_valid(invoke: Invoke, tmp_path: Path) -> None:
    """Otherwise the fuzzing would only ever test one kind of failure."""
    rubric, answers = write(tmp_path, clean_rubric(), clean_answers())
    result = invoke("validate", "--strict", str(rubric), str(answers))
    assert result.exit_code == 0, result.stderr
    result = invoke("score", str(answers), "--rubrics-dir", str(rubric.parent))
    assert result.exit_code == 0, result.stderr


@FUZZ
@given(rubric=document_bytes(RUBRIC), answers=document_bytes(ANSWERS))
def test_fuzz_validate(invoke: Invoke, tmp_path: Path, rubric: bytes, answers: bytes) -> None:
    files = write(example_dir(tmp_path), rubric, answers)
    check(invoke("validate", *map(str, files)), files)


@FUZZ
@given(answers=document_bytes(ANSWERS))
def test_fuzz_score_answers(invoke: Invoke, tmp_path: Path, answers: bytes) -> None:
    rubric_path, answers_path = write(example_dir(tmp_path), clean_rubric(), answers)
    result = invoke("score", str(answers_path), "--rubrics-dir", str(rubric_path.parent))
    check(result, (answers_path,))


@FUZZ
@given(rubric=document_bytes(RUBRIC))
def test_fuzz_score_with_rubric(invoke: Invoke, tmp_path: Path, rubric: bytes) -> None:
    rubric_path, answers_path = write(example_dir(tmp_path), rubric, clean_answers())
    result = invoke("score", "--rubric", str(rubric_path), str(answers_path))
    check(result, (rubric_path, answers_path))


@FUZZ
@given(rubric=document_bytes(RUBRIC))
def test_fuzz_show(invoke: Invoke, tmp_path: Path, rubric: bytes) -> None:
    rubric_path, _ = write(example_dir(tmp_path), rubric, b"")
    check(invoke("show", str(rubric_path)), (rubric_path,))


@FUZZ
@given(rubric=document_bytes(RUBRIC))
def test_fuzz_template(invoke: Invoke, tmp_path: Path, rubric: bytes) -> None:
    rubric_path, _ = write(example_dir(tmp_path), rubric, b"")
    result = invoke("template", str(rubric_path))
    check(result, (rubric_path,))
    if result.exit_code == 0:  # a template is always a file cslevels can read back
        yaml.safe_load(result.stdout)


@FUZZ
@given(rubric=document_bytes(RUBRIC), answers=document_bytes(ANSWERS))
def test_fuzz_summary(invoke: Invoke, tmp_path: Path, rubric: bytes, answers: bytes) -> None:
    folder = example_dir(tmp_path)
    files = write(folder, rubric, answers)
    check(invoke("summary", str(folder), "--rubrics-dir", str(files[0].parent)), files)


@pytest.mark.parametrize("name", ["rubric", "answers"])
def test_mutations_do_change_the_documents(name: str) -> None:
    """A guard on the strategy itself: most examples must differ from the base."""
    base = RUBRIC if name == "rubric" else ANSWERS
    seen: list[bool] = []

    @settings(max_examples=50, deadline=None, derandomize=True)
    @given(doc=mutated(base))
    def collect(doc: Any) -> None:
        seen.append(doc != base)

    collect()
    assert sum(seen) > len(seen) // 2
