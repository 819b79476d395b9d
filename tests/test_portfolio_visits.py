"""Issue 18, item 8: a portfolio counts businesses, not files.

examples/ holds five assessments of Riverside Cafe against seven-levels (the
2026-11-20 visit, the 2027-05-19 visit and three raters' files of 2026-11-20), one of
Northwind Dental and one of Harbor Hardware's team: three businesses.  By hand, the
latest per subject and rubric is the 2027-05-19 visit (level 4), so seven-levels'
distribution holds one assessment, at level 4, and four earlier visits are left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json

import pytest

from conftest import EXAMPLES, Invoke
from cslevels.core.portfolio import Row, latest_visits


def _row(path: str, subject: str, date: dt.date | None, rubric: str = "seven-levels") -> Row:
    return Row(path=path, subject=subject, rubric_id=rubric, rubric_version="1", rubric_digest=None,
               date=date, method="staged", achieved_level=1, achieved_name="A",
               levels_achieved=1, level_count=3, index=50.0, weakest=None, weakest_score=None)


def test_latest_visit_per_subject_and_rubric() -> None:
    old = _row("a/old.yaml", "Riverside Cafe", dt.date(2026, 1, 1))
    new = _row("a/new.yaml", "  riverside   CAFE ", dt.date(2026, 6, 1))  # same subject
    undated = _row("a/undated.yaml", "Riverside Cafe", None)  # older than any dated one
    other_rubric = _row("a/five.yaml", "Riverside Cafe", dt.date(2025, 1, 1), "five-grades")
    tie_a = _row("b/1.yaml", "Dental", dt.date(2026, 3, 3))
    tie_b = _row("b/2.yaml", "Dental", dt.date(2026, 3, 3))  # same date: the later path
    kept, earlier = latest_visits([old, undated, new, other_rubric, tie_b, tie_a])
    assert kept == [new, other_rubric, tie_b]
    assert earlier == [old, undated, tie_a]
    only_undated = [_row("c/1.yaml", "X", None), _row("c/2.yaml", "X", None)]
    assert latest_visits(only_undated)[0] == [only_undated[1]]


def test_summary_counts_each_business_once_by_default(invoke: Invoke) -> None:
    data = json.loads(invoke("summary", str(EXAMPLES), "--format", "json").stdout)
    assert data["count"] == 3
    assert data["counting"] == "latest per subject and rubric"
    cafe = [a for a in data["assessments"] if a["subject"] == "Riverside Cafe"]
    assert [a["date"] for a in cafe] == ["2027-05-19"]
    seven = next(d for d in data["distribution"] if d["rubric"]["id"] == "seven-levels")
    assert seven["total"] == 1
    assert [lv["level"] for lv in seven["levels"] if lv["count"]] == [4]
    assert len(data["earlier_visits"]) == 4
    assert "4 earlier visits are left out; --all-visits keeps every visit" in data["scope"]


def test_all_visits_keeps_every_file(invoke: Invoke) -> None:
    data = json.loads(invoke("summary", str(EXAMPLES), "--format", "json",
                             "--all-visits").stdout)
    assert data["count"] == 7 and data["earlier_visits"] == []
    assert data["counting"] == "every visit"
    seven = next(d for d in data["distribution"] if d["rubric"]["id"] == "seven-levels")
    assert seven["total"] == 5


@pytest.mark.parametrize("fmt", ["terminal", "html"])
def test_the_report_says_what_it_counts(invoke: Invoke, fmt: str) -> None:
    out = html.unescape(invoke("summary", str(EXAMPLES), "--format", fmt).stdout)
    text = " ".join(out.split())
    assert ("One row per subject and rubric: its latest assessment. 4 earlier visits are "
            "left out; --all-visits keeps every visit.") in text
    every = html.unescape(invoke("summary", str(EXAMPLES), "--format", fmt,
                                 "--all-visits").stdout)
    assert "Every visit counted (--all-visits)" in " ".join(every.split())


def test_csv_header_states_its_units(invoke: Invoke) -> None:
    out = invoke("summary", str(EXAMPLES), "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3
    cafe = next(r for r in rows if r["subject"] == "Riverside Cafe")
    assert cafe["index_0_to_100"] == "72.8"
    assert 0 <= float(cafe["weakest_score_0_to_1"]) <= 1
    assert "index" not in rows[0] and "weakest_score" not in rows[0]
