"""The paper HTML and PDF reports are laid out for: --paper, the brand's, the locale's.

A consultant in Lisbon and one in Chicago hand over the same report on different paper;
neither should have to say so each time.  The PDFs' page sizes are checked in a real
browser in tests/test_pdf.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, Invoke
from cslevels.core.paper import PAPERS, locale_paper, paper_for_locale

CAFE = str(EXAMPLES / "riverside-cafe.yaml")
CAFE_LATER = str(EXAMPLES / "riverside-cafe-2027-05.yaml")
BRAND = ROOT / "docs" / "examples" / "brand.yaml"  # says paper: letter
SIZE = re.compile(r"@page \{ size: (\S+); \}")


@pytest.mark.parametrize(("name", "paper"), [
    ("en_US.UTF-8", "letter"), ("en_CA.UTF-8", "letter"), ("fr_CA", "letter"),
    ("es_MX.utf8", "letter"), ("en_PH.UTF-8", "letter"), ("es_CO@euro", "letter"),
    ("en_GB.UTF-8", "a4"), ("pt_PT.UTF-8", "a4"), ("de_DE@euro", "a4"), ("ja_JP.eucJP", "a4"),
    ("en_IN", "a4"), ("C", "a4"), ("C.UTF-8", "a4"), ("POSIX", "a4"), ("en", "a4"), ("", "a4"),
    ("en_us.utf-8", "letter"),  # territories are matched whatever their case
])
def test_a_locale_names_its_paper(name: str, paper: str) -> None:
    assert paper_for_locale(name) == paper


def test_the_locale_variables_are_read_in_posix_order() -> None:
    us, pt = "en_US.UTF-8", "pt_PT.UTF-8"
    assert locale_paper({"LANG": us}) == "letter"
    assert locale_paper({"LANG": us, "LC_PAPER": pt}) == "a4"  # LC_PAPER before LANG
    assert locale_paper({"LC_ALL": us, "LC_PAPER": pt, "LANG": pt}) == "letter"  # LC_ALL first
    assert locale_paper({"LC_ALL": "", "LC_PAPER": " ", "LANG": us}) == "letter"  # empty: unset
    assert locale_paper({}) == "a4"


def paper_of(invoke: Invoke, *args: str, env: dict[str, str] | None = None) -> list[str]:
    result = invoke(*args, env=env)
    assert result.exit_code == 0, result.stderr
    return SIZE.findall(result.stdout)


@pytest.mark.parametrize("args", [
    ["score", CAFE, "--format", "html"],
    ["compare", CAFE, CAFE_LATER, "--format", "html"],
    ["summary", str(EXAMPLES), "--format", "html"],
    ["show", "seven-levels", "--format", "html"],
], ids=["score", "compare", "summary", "show"])
def test_every_printable_report_follows_the_locale_and_the_option(invoke: Invoke,
                                                                 args: list[str]) -> None:
    american = {"LC_ALL": "", "LC_PAPER": "", "LANG": "en_US.UTF-8"}
    assert paper_of(invoke, *args) == ["A4"]  # the suite's locale is C.UTF-8
    assert paper_of(invoke, *args, env=american) == ["letter"]
    assert paper_of(invoke, *args, "--paper", "a4", env=american) == ["A4"]
    assert paper_of(invoke, *args, "--paper", "LETTER") == ["letter"]  # any case


def test_the_brand_paper_comes_between_the_option_and_the_locale(invoke: Invoke) -> None:
    args = ["score", CAFE, "--format", "html"]
    assert paper_of(invoke, *args, "--brand", str(BRAND)) == ["letter"]  # in an A4 locale
    assert paper_of(invoke, *args, "--brand", str(BRAND), "--paper", "a4") == ["A4"]
    assert paper_of(invoke, *args, env={"CSLEVELS_BRAND": str(BRAND)}) == ["letter"]
    assert paper_of(invoke, *args, "--no-brand", env={"CSLEVELS_BRAND": str(BRAND)}) == ["A4"]


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "json"])
def test_paper_on_a_report_without_pages_is_a_warning(invoke: Invoke, fmt: str) -> None:
    result = invoke("score", CAFE, "--format", fmt, "--paper", "letter")
    assert result.exit_code == 0
    assert result.stderr == f"warning: --paper has no effect on --format {fmt}\n"
    assert "size:" not in result.stdout


def test_an_unknown_paper_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("score", CAFE, "--format", "html", "--paper", "b5")
    assert result.exit_code == 2
    assert "'b5' is not one of 'a4', 'letter'" in result.stderr
    assert result.stdout == ""


def test_the_choices_are_the_ones_reports_know() -> None:
    from cslevels.reporting.kit.html import CSS_PAPER_SIZES

    assert tuple(CSS_PAPER_SIZES) == PAPERS


def test_without_a_paper_the_page_leaves_it_to_the_browser() -> None:
    """Library callers that set no paper get the page they got before: no size rule."""
    from cslevels.core.scoring import score_loaded
    from cslevels.files.library import RubricLibrary
    from cslevels.files.loading import load_answers
    from cslevels.reporting.formats import SCORE_FORMATS, RenderOptions

    result = score_loaded(load_answers(Path(CAFE), RubricLibrary(())))
    page = SCORE_FORMATS.render_text("html", [result], RenderOptions())
    assert SIZE.findall(page) == [] and "size: A4" not in page and "size: letter" not in page
