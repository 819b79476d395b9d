"""`cslevels summary` over many files: the fast path and the worker processes.

The fast path (``summary_fast.fast_row``) must accept only what the full path accepts,
and give the very same row; the parallel path must give the very same portfolio
as one process.  No timings here: docs/performance.md has the measurements.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DATA, RUBRICS, Invoke
from cslevels.commands import summary_pool, summary_rows
from cslevels.commands.summary import build_portfolio
from cslevels.commands.summary_fast import fast_row
from cslevels.commands.summary_pool import iter_rows_parallel, worker_count
from cslevels.commands.summary_rows import PortfolioLibrary, iter_rows, summarise_file
from cslevels.commands.validate import validate
from cslevels.core.documents import LoadedRubric
from cslevels.core.portfolio import Failure, Row
from cslevels.files.library import RubricLibrary
from cslevels.files.walk import iter_file_names

PORTFOLIO = DATA / "portfolio"
SERIES = DATA / "series"
PARALLEL = {"CSLEVELS_WORKERS": "2", "CSLEVELS_PARALLEL_MIN_FILES": "1"}
ONE_PROCESS = {"CSLEVELS_WORKERS": "1"}


def answers_text(rubric_id: str, subject: str, answers: dict[str, str], **extra: str) -> str:
    lines = ["schema: cslevels/answers/v1", f"rubric: {rubric_id}", f"subject: {subject}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    lines.append("answers:")
    lines += [f"  {key}: {value}" for key, value in answers.items()]
    return "\n".join(lines) + "\n"


def random_answers(rng: random.Random, rubric_id: str, n: int) -> str:
    """Answers to a random share of the questions: options, n/a, blanks and notes."""
    rubric = RubricLibrary().resolve(rubric_id).rubric
    answers: dict[str, str] = {}
    for level, question in rubric.questions():
        roll = rng.random()
        if roll < 0.2:
            continue  # unanswered
        key = f"{level.id}.{question.id}"
        if roll < 0.25:
            answers[key] = "null"  # left blank
        elif roll < 0.35 and question.allow_na:
            answers[key] = "n/a"
        else:
            value = json.dumps(rng.choice(rubric.scales[question.scale].options).value)
            answers[key] = (f"{{value: {value}, note: \"seen on visit {n}\", evidence: [log]}}"
                            if rng.random() < 0.3 else value)
    date = {"date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
    return answers_text(rubric_id, f"Client {n}", answers, **(date if n % 4 else {}))


def make_portfolio(folder: Path, count: int = 48) -> Path:
    """Generated answers for the three built-in rubrics, broken files, and a rubric file
    (z-rubrics/) used by answers met before it (a-clients/) and after it (zz-later/)."""
    rng = random.Random(8)
    for n in range(count):
        rubric_id = ("seven-levels", "six-levels", "five-grades")[n % 3]
        target = folder / f"f{n // 10}" / f"client-{n:03d}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(random_answers(rng, rubric_id, n), encoding="utf-8")
    shutil.copytree(PORTFOLIO / "broken", folder / "f2" / "broken")
    (folder / "a-clients").mkdir()
    shutil.copy(SERIES / "2026-01-visit.yaml", folder / "a-clients" / "jan.yaml")
    shutil.copy(SERIES / "2026-01-visit.yaml", folder / "a-clients" / "jan-copy.yaml")
    (folder / "zz-later").mkdir()
    shutil.copy(SERIES / "2026-06-visit.yaml", folder / "zz-later" / "june.yaml")
    (folder / "z-rubrics").mkdir()
    shutil.copy(SERIES / "corner-shop.yaml", folder / "z-rubrics" / "corner-shop.yaml")
    return folder


def full_path_row(path: Path) -> object:
    """The row (or failure) the full path gives: positioned YAML, checks, score()."""
    return summarise_file(path, PortfolioLibrary(RubricLibrary()), fast=False)


# ---------------------------------------------------------------- the fast path


def test_fast_rows_equal_full_rows(tmp_path: Path) -> None:
    # Continuous rubric too: the seven levels scored level by level.
    text = (RUBRICS / "seven-levels.yaml").read_text(encoding="utf-8")
    assert text.count("method: staged") == 1 and text.count("id: seven-levels") == 1
    rubrics_dir = tmp_path / "rubrics"
    rubrics_dir.mkdir()
    (rubrics_dir / "seven-continuous.yaml").write_text(
        text.replace("method: staged", "method: continuous")
        .replace("id: seven-levels", "id: seven-continuous"), encoding="utf-8")
    base = RubricLibrary([rubrics_dir])
    rng = random.Random(1)
    checked = 0
    for n in range(120):
        rubric_id = ("seven-levels", "six-levels", "five-grades", "seven-continuous")[n % 4]
        if rubric_id == "seven-continuous":
            body = random_answers(rng, "seven-levels", n).replace(
                "rubric: seven-levels", "rubric: seven-continuous")
        else:
            body = random_answers(rng, rubric_id, n)
        path = tmp_path / f"a{n}.yaml"
        path.write_text(body, encoding="utf-8")
        fast = fast_row(str(path), PortfolioLibrary(base))
        full = summarise_file(path, PortfolioLibrary(base), fast=False)
        assert isinstance(full, Row), full
        assert fast == full, path.read_text(encoding="utf-8")
        checked += 1
    assert checked == 120


def test_fast_rows_cover_every_kind_of_level() -> None:
    # The hand-checked portfolio (tests/test_summary.py) goes through the fast path.
    for path in map(Path, iter_file_names([PORTFOLIO / "seven", PORTFOLIO / "six",
                                          PORTFOLIO / "five"])):
        fast = fast_row(str(path), PortfolioLibrary(RubricLibrary()))
        assert fast is not None, path
        assert fast == full_path_row(path)


def bad_files() -> list[Path]:
    """Negative rubric and answers files.  Brand files are left out: validate checks them
    in full, while summary, which scores answers, names them as brand files
    (test_brand_files_in_a_portfolio_are_named_as_such)."""
    return sorted(p for p in [*(DATA / "negative").iterdir(), *(DATA / "bad").iterdir()]
                  if not p.name.startswith("brand-"))


def test_brand_files_in_a_portfolio_are_named_as_such() -> None:
    brand = DATA / "bad" / "brand-firm-list.yaml"
    portfolio = build_portfolio([brand], workers=1)
    [failure] = portfolio.failures
    assert [f.message for f in failure.findings] == [
        "this is a brand file, not a rubric or an answers file"]
    assert fast_row(str(brand), PortfolioLibrary(RubricLibrary())) is None


@pytest.mark.parametrize("path", bad_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_summary_reports_what_validate_reports(path: Path) -> None:
    """Every negative file: the fast path declines it, and summary's errors are validate's."""
    errors = [f for f in validate([path]).findings if f.severity == "error"]
    portfolio = build_portfolio([path], workers=1)
    reported = [f for failure in portfolio.failures for f in failure.findings]
    assert [(f.location, f.message, f.code) for f in reported] == [
        (f.location, f.message, f.code) for f in errors[: summary_rows.MAX_FINDINGS]]
    for mine, theirs in zip(reported, errors, strict=False):
        # summary may add where else a rubric can come from
        assert mine.hint == theirs.hint or mine.hint.startswith(f"{theirs.hint}; or ")
    if errors:
        assert fast_row(str(path), PortfolioLibrary(RubricLibrary())) is None
    elif portfolio.rows:  # a valid answers file: the fast path gives the full path's row
        assert portfolio.rows == [full_path_row(path)]


def test_the_fast_path_rejects_duplicate_keys(tmp_path: Path) -> None:
    cases = {
        "top.yaml": "subject: One\nsubject: Two\n",
        "answer.yaml": "availability.channels: 3\n  availability.channels: 2\n",
        "entry.yaml": "availability.channels: {value: 3, value: 2}\n",
        "bool.yaml": "availability.channels: 3\n  ? availability.channels\n  : 2\n",
    }
    for name, body in cases.items():
        head = "schema: cslevels/answers/v1\nrubric: seven-levels\n"
        if name == "top.yaml":
            text = head + body + "answers: {}\n"
        else:
            text = head + "subject: Dup\nanswers:\n  " + body
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert fast_row(str(tmp_path / name), PortfolioLibrary(RubricLibrary())) is None, name
    portfolio = build_portfolio([tmp_path], workers=1)
    messages = {Path(f.path).name: str(f.first) for f in portfolio.failures}
    assert set(messages) == set(cases)
    assert all("duplicate key" in m for m in messages.values()), messages
    assert f"{tmp_path / 'top.yaml'}:4:1: error: duplicate key 'subject'" in messages["top.yaml"]


def test_the_nesting_bound_holds() -> None:
    import yaml

    from cslevels.files.fastyaml import nesting_bound

    def depth(node: yaml.Node) -> int:
        if isinstance(node, yaml.MappingNode):
            return 1 + max((max(depth(k), depth(v)) for k, v in node.value), default=0)
        if isinstance(node, yaml.SequenceNode):
            return 1 + max(map(depth, node.value), default=0)
        return 0

    long_note = "n" * 5_000  # a long line: the quick bound gives up, the exact one does not
    texts = ["- - - - a\n", "a:\n b:\n  c:\n   - - [[x]]\n", "? - - a\n: - - b\n",
             f"a:\r b:\r  c:\r   d: {long_note}\r", f"- - - {long_note}\n",
             f"a:\n  note: {long_note}\n  b:\n  - c: {{d: [e]}}\n"]
    for text in texts:
        assert depth(yaml.compose(text, Loader=yaml.SafeLoader)) <= nesting_bound(text), text
    assert nesting_bound(texts[-1]) < 20


@pytest.mark.parametrize(("body", "why"), [
    ("  availability.channels: &a 3\n  availability.phone-wait: *a\n", "an alias"),
    ("  availability.channels: !!set {3}\n", "a set"),
    ("  availability.channels: !!binary Mw==\n", "bytes"),
    ("  availability.channels: !custom 3\n", "a custom tag"),
    ("  <<: {availability.channels: 3}\n", "a merge key"),
    ("  [availability.channels]: 3\n", "a complex key"),
    ("  availability.channels: 9\n", "a value off the scale"),
    ("  availability.nope: 3\n", "an unknown question"),
    ("  availability.channels: n/a\n", "n/a where it is not allowed"),
    ("  availability.channels: true\n", "a boolean"),
    ("  availability.channels: {value: true}\n", "a boolean in the long form"),
    ("  availability.channels: 3.0\n", "a float"),
    (f"  availability.channels: {'x' * 65}\n", "a value longer than 64 characters"),
    ("  availability.channels: {value: 3, note: 5}\n", "a note that is a number"),
    ("  availability.channels: {value: 3, evidence: null}\n", "evidence that is null"),
    ("  availability.channels: {value: 3, evidence: [[a]]}\n", "evidence that nests"),
    ("  availability.channels: {value: 3, seen: yes}\n", "an unknown field"),
    ("  availability.channels: [3]\n", "a list"),
    ("  7: 3\n", "a key that is a number"),
    # numbers YAML 1.1 spells otherwise, refused by both paths (issue 13)
    ("  availability.channels: 0x2\n", "a hexadecimal number"),
    ("  availability.channels: 0b10\n", "a binary number"),
    ("  availability.channels: 0_1\n", "a number with a separator"),
    ("  availability.channels: 1_000\n", "a number with separators"),
    ("  availability.channels: 02\n", "an octal number"),
    ("  availability.channels: 0:2\n", "a base-60 number"),
    ("  availability.channels: {value: 0x2}\n", "a hexadecimal number in the long form"),
    ("  0x7: 3\n", "a key that is a hexadecimal number"),
])
def test_the_fast_path_leaves_doubtful_files_to_the_full_path(
        body: str, why: str, tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: X\n"
                    "answers:\n" + body, encoding="utf-8")
    assert fast_row(str(path), PortfolioLibrary(RubricLibrary())) is None, why
    if why != "an alias":  # aliases are valid, only not for the fast path
        assert isinstance(full_path_row(path), Failure), why  # and the full path says why


def test_the_fast_path_reads_blank_and_long_form_answers(tmp_path: Path) -> None:
    body = ("  availability.channels: {value: 3, note: null, evidence: []}\n"
            "  availability.phone-wait: {note: asked; no answer yet}\n"
            "  availability.email-reply:\n"
            f"  availability.out-of-hours: {{value: 2, note: {'n' * 10_000}}}\n")
    path = tmp_path / "a.yaml"
    path.write_text("schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: X\n"
                    "answers:\n" + body, encoding="utf-8")
    row = fast_row(str(path), PortfolioLibrary(RubricLibrary()))
    assert row is not None and row == full_path_row(path)


def test_the_value_limit_holds_on_the_fast_path(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(PORTFOLIO / "seven" / "bravo-books.yaml", tmp_path / "b.yaml")
    assert len(build_portfolio([tmp_path], workers=1).rows) == 1
    monkeypatch.setenv("CSLEVELS_MAX_NODES", "10")  # the file holds more values than that
    portfolio = build_portfolio([tmp_path], workers=1)
    assert portfolio.rows == []
    assert portfolio.failures[0].first.code == "yaml-too-many-values"
    monkeypatch.setenv("CSLEVELS_MAX_FILE_BYTES", "100")
    assert build_portfolio([tmp_path], workers=1).failures[0].first.code == "too-large"


# ---------------------------------------------------------------- several processes


def test_worker_count_uses_processes_only_for_large_inputs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSLEVELS_WORKERS", raising=False)
    monkeypatch.delenv("CSLEVELS_PARALLEL_MIN_FILES", raising=False)
    assert worker_count(10) == 1
    assert worker_count(50_000, workers=3) == 3
    # forked workers start in milliseconds, spawned ones re-import everything
    assert worker_count(500, workers=2, start_method="fork") == 2
    assert worker_count(500, workers=2, start_method="spawn") == 1
    assert worker_count(5000, workers=2, start_method="spawn") == 2
    assert worker_count(50, workers=3, min_files=50) == 3
    assert worker_count(49, workers=3, min_files=50) == 1
    monkeypatch.setenv("CSLEVELS_WORKERS", "1")
    assert worker_count(50_000) == 1
    monkeypatch.setenv("CSLEVELS_WORKERS", "4")
    monkeypatch.setenv("CSLEVELS_PARALLEL_MIN_FILES", "5")
    assert worker_count(5) == 4 and worker_count(4) == 1
    monkeypatch.setenv("CSLEVELS_WORKERS", "lots")  # ignored, like the other limits
    assert worker_count(5, min_files=5) >= 1


@pytest.mark.parametrize("fmt", ["json", "csv", "terminal"])
def test_parallel_output_is_the_one_process_output(
        fmt: str, invoke: Invoke, tmp_path: Path) -> None:
    folder = make_portfolio(tmp_path / "p")
    one = invoke("summary", str(folder), "--format", fmt, env=ONE_PROCESS)
    many = invoke("summary", str(folder), "--format", fmt, env=PARALLEL)
    assert one.exit_code == many.exit_code == 1  # the two broken files
    assert many.stdout == one.stdout
    assert many.stderr == one.stderr
    if fmt == "json":
        data = json.loads(many.stdout)
        # the generated files (different subjects) and the latest of three corner-shop visits
        assert data["count"] == 48 + 1 and len(data["earlier_visits"]) == 2
        assert data["failed"] == 2
        assert data["rubric_files"] == [str(folder / "z-rubrics" / "corner-shop.yaml")]
        assert {d["rubric"]["id"] for d in data["distribution"]} == {
            "seven-levels", "six-levels", "five-grades", "corner-shop"}


def test_parallel_errors_keep_their_file_line_and_column(invoke: Invoke, tmp_path: Path) -> None:
    folder = make_portfolio(tmp_path / "p", count=12)
    result = invoke("summary", str(folder), "--format", "json", env=PARALLEL)
    assert result.exit_code == 1
    broken = folder / "f2" / "broken"
    assert f"{broken / 'bad-yaml.yaml'}:8:34: error: YAML syntax error" in result.stderr
    assert f"{broken / 'off-scale.yaml'}:8:26: error: availability.channels: 9" in result.stderr
    failures = {Path(f["path"]).name: f for f in json.loads(result.stdout)["failures"]}
    assert (failures["bad-yaml.yaml"]["line"], failures["bad-yaml.yaml"]["column"]) == (8, 34)


@pytest.mark.parametrize("env", [ONE_PROCESS, PARALLEL], ids=["one", "parallel"])
def test_an_unknown_rubric_is_reported_in_full(env: dict[str, str], invoke: Invoke,
                                               tmp_path: Path) -> None:
    # The first pass only notes "not known yet"; the message comes from the full path.
    for n in range(3):
        shutil.copy(PORTFOLIO / "six" / "delta-deli.yaml", tmp_path / f"d{n}.yaml")
    for n in range(2):
        shutil.copy(DATA / "negative" / "answers-unknown-rubric.yaml", tmp_path / f"u{n}.yaml")
    result = invoke("summary", str(tmp_path), "--format", "json", "--all-visits", env=env)
    assert result.exit_code == 1
    for n in range(2):
        assert (f"{tmp_path / f'u{n}.yaml'}:3:9: error: unknown rubric 'seven-level' "
                "(did you mean 'seven-levels'?") in result.stderr
    assert "not known yet" not in result.stderr + result.stdout
    assert json.loads(result.stdout)["count"] == 3


def items_of(items: Iterator[Row | Failure | LoadedRubric]) -> list[object]:
    """Rows and failures as they are; a rubric file by its path."""
    return [item if isinstance(item, (Row, Failure)) else item.path for item in items]


def test_parallel_items_come_in_file_order(tmp_path: Path) -> None:
    files = list(iter_file_names([make_portfolio(tmp_path / "p")]))
    one = items_of(iter_rows(files, PortfolioLibrary(RubricLibrary())))
    many = items_of(iter_rows_parallel(files, PortfolioLibrary(RubricLibrary()),
                                       RubricLibrary(), 2))
    assert many == one
    # jan.yaml comes before its rubric file: it is retried at the end, in both
    assert isinstance(one[-1], Row) and one[-1].path.endswith("jan.yaml")


def test_spawned_workers_do_the_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_portfolio(tmp_path / "p", count=30)
    expected = build_portfolio([folder], workers=1)
    here: list[str] = []
    original = summary_rows.summarise_file

    def spy(path: Path | str, library: PortfolioLibrary, **options: bool) -> object:
        here.append(Path(path).name)
        return original(path, library, **options)

    for module in (summary_pool, summary_rows):  # spawned workers do not see this
        monkeypatch.setattr(module, "summarise_file", spy)
    portfolio = build_portfolio([folder], workers=2, parallel_min_files=1,
                                start_method="spawn")
    assert portfolio == expected
    # Redone here: the rubric file, and june.yaml, met after it (the worker did not have
    # it); the two files met before it were held back, then read by workers given it.
    assert here == ["corner-shop.yaml", "june.yaml"]


def crash(paths: list[str]) -> object:
    """A worker that dies, as one killed by the OOM killer would."""
    os._exit(3)


def test_a_dead_worker_or_no_workers_means_reading_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_portfolio(tmp_path / "p", count=20)
    expected = build_portfolio([folder], workers=1)
    monkeypatch.setattr(summary_pool, "_summarise_chunk", crash)
    assert build_portfolio([folder], workers=2, parallel_min_files=1,
                           start_method="fork") == expected

    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", no_processes)
    assert build_portfolio([folder], workers=2, parallel_min_files=1) == expected


def test_progress_counts_every_file_in_parallel(tmp_path: Path) -> None:
    folder = make_portfolio(tmp_path / "p", count=20)
    seen: list[tuple[int, int]] = []
    build_portfolio([folder], workers=2, parallel_min_files=1,
                    progress=lambda done, total: seen.append((done, total)))
    total = len(list(iter_file_names([folder])))
    assert seen == [(n, total) for n in range(1, total + 1)]


# ---------------------------------------------------------------- the JSON report


@pytest.mark.parametrize("value", [
    {}, [], {"a": []}, {"a": {}}, [None, True, False, 0, -7, 10**20, 0.1, 1e-07, 100.0, 2.5e300],
    {"subject": "Café \"quoted\" \\ back\u2028slash\x1b[2J\ttab 😀", "n": None, "x": 1.0},
    {"nested": {"deeper": [{"k": "v"}, [1, [2, []]]]}, "nan": float("nan"),
     "inf": float("-inf")},
    {1: "a non-text key goes to json.dumps"}, ("a", "tuple"),
    {"path": "clients/caf\udce9.yaml"},  # a file name that is not UTF-8, as os.walk gives it
])
def test_the_json_writer_writes_what_json_dumps_writes(value: object) -> None:
    from cslevels.reporting.summary.json import dumps

    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)
    assert dumps({"outer": [value]}) == json.dumps({"outer": [value]}, indent=2,
                                                    ensure_ascii=False)


def test_the_json_report_is_json_dumps_of_the_portfolio(tmp_path: Path) -> None:
    from cslevels.reporting.summary.json import portfolio_dict, render_portfolio
    from cslevels.text import json_safe

    text = (PORTFOLIO / "six" / "echo-electronics.yaml").read_text(encoding="utf-8")
    (tmp_path / "e.yaml").write_text(text.replace(
        "subject: Echo Electronics team", 'subject: "Écho \\"team\\" \\u2028 \\x1b 😀"'),
        encoding="utf-8")
    odd = tmp_path / "odd"
    odd.mkdir()
    shutil.copy(PORTFOLIO / "five" / "golf-garage.yaml",
                os.fsdecode(bytes(odd) + b"/caf\xe9.yaml"))  # not a UTF-8 name
    for paths in ([PORTFOLIO], [tmp_path], [tmp_path / "nothing-here.yaml"]):
        portfolio = build_portfolio(paths, workers=1)
        # (the characters a terminal acts on, U+2028 here, as JSON escapes: the same text)
        assert render_portfolio(portfolio) == json_safe(json.dumps(
            portfolio_dict(portfolio), indent=2, ensure_ascii=False)) + "\n"
