"""`cslevels summary`: the portfolio over files and folders.

tests/data/portfolio holds 3 answers files per built-in rubric and 2 broken files; each
good file states its hand computation in a comment.  Levels reached:

    seven-levels: Alpha 1, Bravo 1, Charlie 2        -> {1: 2, 2: 1}
    six-levels:   Delta 0, Echo 2, Foxtrot 1          -> {0: 1, 1: 1, 2: 1}
    five-grades:  Golf 1, Hotel 2, India 1            -> {1: 2, 2: 1}

broken/bad-yaml.yaml: an unclosed [ on line 7, reported at 8:34;
broken/off-scale.yaml: availability.channels: 9 on line 8 (practice has 0-3).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from conftest import DATA, EXAMPLES, Invoke, text_formats
from cslevels.commands.summary import build_portfolio
from cslevels.commands.summary_rows import PortfolioLibrary, iter_rows
from cslevels.core.portfolio import Row
from cslevels.files.library import RubricLibrary
from cslevels.files.walk import iter_file_names
from cslevels.reporting.formats import SUMMARY_FORMATS

PORTFOLIO = DATA / "portfolio"
SERIES = DATA / "series"

EXPECTED_LEVELS = {
    "Alpha Bakery": 1, "Bravo Books": 1, "Charlie Cycles": 2,
    "Delta Deli team": 0, "Echo Electronics team": 2, "Foxtrot Florist team": 1,
    "Golf Garage": 1, "Hotel Harbour": 2, "India Ink": 1,
}
EXPECTED_INDEX = {
    "Alpha Bakery": 100.0, "Bravo Books": 69.8, "Charlie Cycles": 95.0,
    "Delta Deli team": 45.0, "Echo Electronics team": 93.8, "Foxtrot Florist team": 75.0,
    "Golf Garage": 100.0, "Hotel Harbour": 90.3, "India Ink": 62.5,
}
EXPECTED_DISTRIBUTION = {
    "seven-levels": [0, 2, 1, 0, 0, 0, 0, 0],
    "six-levels": [1, 1, 1, 0, 0, 0, 0],
    "five-grades": [0, 2, 1, 0, 0, 0],
}


def summary_json(invoke: Invoke, *args: str, code: int = 1) -> tuple[dict, str]:
    result = invoke("summary", *args, "--format", "json")
    assert result.exit_code == code, result.stderr
    return json.loads(result.stdout), result.stderr  # stdout is only JSON


def test_portfolio_rows_distribution_and_failures(invoke: Invoke) -> None:
    data, stderr = summary_json(invoke, str(PORTFOLIO))
    assert data["count"] == 9
    rows = {a["subject"]: a for a in data["assessments"]}
    assert {s: r["achieved_level"] for s, r in rows.items()} == EXPECTED_LEVELS
    assert {s: r["index"] for s, r in rows.items()} == EXPECTED_INDEX
    assert rows["Bravo Books"]["weakest_level"] == "Attention"  # 0.5625 < 0.834
    assert rows["Bravo Books"]["weakest_score"] == 0.5625
    distribution = {d["rubric"]["id"]: [lv["count"] for lv in d["levels"]]
                    for d in data["distribution"]}
    assert distribution == EXPECTED_DISTRIBUTION
    for d in data["distribution"]:  # reproducible: id, version and content hash
        assert d["rubric"]["version"] == "2.0.0" and len(d["rubric"]["digest"]) == 64
    failures = {Path(f["path"]).name: f for f in data["failures"]}
    assert set(failures) == {"bad-yaml.yaml", "off-scale.yaml"}
    assert (failures["bad-yaml.yaml"]["line"], failures["bad-yaml.yaml"]["column"]) == (8, 34)
    assert failures["off-scale.yaml"]["line"] == 8
    assert "9 is not an option" in failures["off-scale.yaml"]["message"]
    assert "bad-yaml.yaml:8:34: error: YAML syntax error" in stderr
    assert "off-scale.yaml:8:26: error: availability.channels: 9" in stderr


def test_terminal_lists_the_broken_files_and_draws_histograms(invoke: Invoke) -> None:
    result = invoke("summary", str(PORTFOLIO))
    assert result.exit_code == 1
    out = result.stdout
    assert "Portfolio: 9 assessment(s)" in out
    for subject in EXPECTED_LEVELS:  # long names may wrap between words in the table
        assert all(word in out for word in subject.split())
    assert "bad-yaml.yaml:8:34" in out and "off-scale.yaml:8:26" in out
    assert "bad-yaml.yaml:8:34" in result.stderr
    # histogram of seven-levels: level 1 has 2 assessments (the longest bar), level 2 one
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("seven-levels 2.0.0, hash"))
    bars = {line.split()[0]: line for line in lines[start + 1:start + 9]}
    assert bars["1"].rstrip().endswith("█ 2") and bars["2"].rstrip().endswith("█ 1")
    assert bars["1"].count("█") == 2 * bars["2"].count("█")
    assert bars["0"].rstrip().endswith(" 0") and "█" not in bars["0"]


def test_csv_parses_and_has_one_row_per_assessment(invoke: Invoke) -> None:
    result = invoke("summary", str(PORTFOLIO), "--format", "csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 9
    assert {r["subject"]: int(r["achieved_level"]) for r in rows} == EXPECTED_LEVELS
    assert {r["subject"]: float(r["index_0_to_100"]) for r in rows} == EXPECTED_INDEX
    assert {r["rubric"] for r in rows} == {"seven-levels", "six-levels", "five-grades"}


def test_csv_cells_never_start_a_formula(invoke: Invoke, tmp_path: Path) -> None:
    for n, subject in enumerate(["=HYPERLINK(\"http://e.vil\")", "+1+2", "-3", "@SUM(A1)",
                                 "Plain, with comma"]):
        text = (PORTFOLIO / "seven" / "alpha-bakery.yaml").read_text(encoding="utf-8")
        text = text.replace("subject: Alpha Bakery", f"subject: {json.dumps(subject)}")
        (tmp_path / f"a{n}.yaml").write_text(text, encoding="utf-8")
    result = invoke("summary", str(tmp_path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    subjects = sorted(r["subject"] for r in csv.DictReader(io.StringIO(result.stdout)))
    assert subjects == sorted(["'=HYPERLINK(\"http://e.vil\")", "'+1+2", "'-3", "'@SUM(A1)",
                               "Plain, with comma"])


@pytest.mark.parametrize(("sort", "key"), [
    ("subject", lambda a: a["subject"].casefold()),
    ("date", lambda a: a["date"]),
    ("level", lambda a: (a["achieved_level"], a["index"])),
    ("index", lambda a: a["index"]),
])
def test_sort_orders(sort: str, key, invoke: Invoke) -> None:
    data, _ = summary_json(invoke, str(PORTFOLIO), "--sort", sort)
    assessments = data["assessments"]
    assert [key(a) for a in assessments] == sorted(key(a) for a in assessments)
    assert data["sort"] == sort


def test_sort_by_level_puts_the_lowest_first(invoke: Invoke) -> None:
    data, _ = summary_json(invoke, str(PORTFOLIO), "--sort", "level")
    assert data["assessments"][0]["subject"] == "Delta Deli team"  # level 0
    assert data["assessments"][-1]["subject"] == "Charlie Cycles"  # level 2, index 95.0


def test_filter_by_rubric(invoke: Invoke) -> None:
    data, _ = summary_json(invoke, str(PORTFOLIO), "--rubric-id", "six-levels")
    assert sorted(a["subject"] for a in data["assessments"]) == [
        "Delta Deli team", "Echo Electronics team", "Foxtrot Florist team"]
    assert [d["rubric"]["id"] for d in data["distribution"]] == ["six-levels"]
    assert data["failed"] == 2  # broken files are still reported


def test_good_files_only_exit_0(invoke: Invoke) -> None:
    data, stderr = summary_json(invoke, str(PORTFOLIO / "seven"), str(PORTFOLIO / "six"),
                                str(EXAMPLES / "riverside-cafe.yaml"), code=0)
    assert data["count"] == 7 and data["failures"] == [] and stderr == ""


def test_the_same_file_twice_is_one_row(invoke: Invoke) -> None:
    data, _ = summary_json(invoke, str(PORTFOLIO / "six"),
                           str(PORTFOLIO / "six" / "delta-deli.yaml"), code=0)
    assert data["count"] == 3


def test_a_missing_path_is_a_failure_not_a_crash(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("summary", str(PORTFOLIO / "six"), str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert "nope.yaml" in result.stderr and "Traceback" not in result.stderr
    assert "Delta Deli" in result.stdout


def test_rubric_files_in_the_folders_are_used(invoke: Invoke, tmp_path: Path) -> None:
    # The answers come before their rubric in the walk: they are retried at the end.
    (tmp_path / "a-clients").mkdir()
    (tmp_path / "z-rubrics").mkdir()
    shutil.copy(SERIES / "2026-01-visit.yaml", tmp_path / "a-clients" / "jan.yaml")
    shutil.copy(SERIES / "corner-shop.yaml", tmp_path / "z-rubrics" / "corner-shop.yaml")
    data, stderr = summary_json(invoke, str(tmp_path), code=0)
    assert [(a["subject"], a["achieved_level"]) for a in data["assessments"]] == [
        ("Corner Shop", 2)]
    assert data["rubric_files"] == [str(tmp_path / "z-rubrics" / "corner-shop.yaml")]
    assert stderr == ""


def test_unknown_rubric_is_listed_with_its_line(invoke: Invoke, tmp_path: Path) -> None:
    shutil.copy(SERIES / "2026-01-visit.yaml", tmp_path / "jan.yaml")
    result = invoke("summary", str(tmp_path))
    assert result.exit_code == 1
    assert "jan.yaml:7:9: error: unknown rubric 'corner-shop'" in result.stderr


def test_hidden_folders_and_other_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text("nope: [", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not yaml", encoding="utf-8")
    shutil.copy(PORTFOLIO / "six" / "echo-electronics.yaml", tmp_path / "b.yml")
    assert [Path(p).name for p in iter_file_names([tmp_path])] == ["b.yml"]


@pytest.mark.parametrize("fmt", text_formats(SUMMARY_FORMATS))
def test_every_format_renders(fmt: str, invoke: Invoke) -> None:
    result = invoke("summary", str(PORTFOLIO), "--format", fmt)
    assert result.exit_code == 1  # the two broken files
    out = result.stdout
    assert "Hotel Harbour" in out
    if fmt == "json":
        json.loads(out)
    elif fmt == "csv":
        assert len(list(csv.reader(io.StringIO(out)))) == 10
    else:
        assert "seven-levels" in out and "bad-yaml.yaml:8:34" in out
    if fmt == "html":
        assert out.lstrip().lower().startswith("<!doctype html")
        assert out.count("<svg") == 3  # one histogram per rubric


def test_output_file_suffix_picks_the_format(invoke: Invoke, tmp_path: Path) -> None:
    for name, check in (("p.csv", lambda t: t.startswith("path,subject,")),
                        ("p.json", lambda t: json.loads(t)["count"] == 3),
                        ("p.html", lambda t: "<!DOCTYPE html>" in t)):
        result = invoke("summary", str(PORTFOLIO / "five"), "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.stderr
        assert check((tmp_path / name).read_text(encoding="utf-8")), name


def test_untrusted_text_is_inert(invoke: Invoke, tmp_path: Path) -> None:
    text = (PORTFOLIO / "six" / "echo-electronics.yaml").read_text(encoding="utf-8")
    nasty = "Echo \x1b[2J<script>alert(1)</script>"
    (tmp_path / "e.yaml").write_text(
        text.replace("subject: Echo Electronics team", f"subject: {json.dumps(nasty)}"),
        encoding="utf-8")
    terminal = invoke("summary", str(tmp_path)).stdout
    assert "\x1b" not in terminal and "\\x1b[2J" in terminal
    html = invoke("summary", str(tmp_path), "-f", "html").stdout
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_no_progress_bar_when_stderr_is_not_a_terminal(invoke: Invoke) -> None:
    result = invoke("summary", str(PORTFOLIO / "five"))
    assert result.exit_code == 0 and result.stderr == ""


# ---------------------------------------------------------------- the streaming core


def test_core_streams_small_rows_and_reports_progress() -> None:
    files = [Path(p) for p in iter_file_names([PORTFOLIO])]
    assert len(files) == 11
    library = PortfolioLibrary(RubricLibrary())
    items = iter_rows(iter(files), library)
    first = next(items)  # a generator: nothing is read ahead
    assert isinstance(first, Row) or first.path.endswith(".yaml")
    assert not hasattr(Row, "__dict__") or "__slots__" in Row.__dict__
    seen: list[tuple[int, int]] = []
    portfolio = build_portfolio([PORTFOLIO], progress=lambda done, total: seen.append(
        (done, total)))
    assert seen[-1] == (11, 11) and len(seen) == 11
    assert len(portfolio.rows) == 9 and len(portfolio.failures) == 2
