"""PDF reports (issue 14, items 5 and 6): printed by the real system Chromium, read back
with poppler (pdftotext, pdfinfo), so what is checked is what a client gets on paper.

Without Chromium or poppler the browser tests skip, except when CI is set (conftest's
``unavailable``).  Failing, missing and slow browsers are small shell scripts.
"""

from __future__ import annotations

import ast
import contextlib
import html as html_module
import itertools
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from conftest import EXAMPLES, ROOT, find_tool, unavailable
from cslevels.cli import app
from cslevels.core.plan import improvement_plan
from cslevels.core.scoring import score_loaded
from cslevels.files.browser import browser_command, find_browser, pipe_command
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers
from cslevels.reporting.kit.html import RUNNING_CHARS, css_string
from cslevels.reporting.kit.pdf import pdf_string, with_info
from cslevels.text import clean_line
from test_html_report import PAYLOAD

browser = pytest.mark.browser
CAFE = EXAMPLES / "riverside-cafe.yaml"
CAFE_LATER = EXAMPLES / "riverside-cafe-2027-05.yaml"
ISSUED_EPOCH, ISSUED = "1764547200", "2025-12-01"
PREPARED_FOR = "Ana Silva, owner"
FOOTER = re.compile(r"Page (\d+) of (\d+)$")
MARGIN_RIGHT_PT = 14 / 25.4 * 72  # the @page side margin
A4_CONTENT_WIDTH = 688  # CSS px: 210 mm less the two 14 mm margins


# ---------------------------------------------------------------- tools and runs


@pytest.fixture(scope="module", params=["chromium", "headless-shell"])
def chromium(request: pytest.FixtureRequest) -> str:
    """Each kind of browser cslevels prints with: the whole browser, and the headless shell
    it prefers (the same printing engine without the browser around it)."""
    if request.param == "chromium":
        found = find_tool("CSLEVELS_CHROMIUM", "/usr/bin/chromium", shutil.which("chromium"),
                          shutil.which("chromium-browser"))
        install = "apt-get install chromium, or set CSLEVELS_CHROMIUM"
    else:
        found = find_tool("CSLEVELS_HEADLESS_SHELL", "/usr/bin/chromium-headless-shell",
                          shutil.which("chromium-headless-shell"),
                          shutil.which("chrome-headless-shell"))
        install = "apt-get install chromium-headless-shell, or set CSLEVELS_HEADLESS_SHELL"
    if found is None:
        unavailable(f"no {request.param} found ({install})", "PDF")
    return found


@pytest.fixture(scope="module")
def poppler() -> Path:
    found = find_tool("CSLEVELS_PDFTOTEXT", "/usr/bin/pdftotext", shutil.which("pdftotext"))
    if found is None or not (Path(found).parent / "pdfinfo").exists():
        unavailable("no pdftotext/pdfinfo found (apt-get install poppler-utils)", "PDF")
    return Path(found).parent


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """The CLI in-process, from the project folder, with a fixed date of issue."""
    full = {"COLUMNS": "100", "NO_COLOR": "1", "CSLEVELS_RUBRICS_PATH": "",
            "SOURCE_DATE_EPOCH": ISSUED_EPOCH, **(env or {})}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return CliRunner().invoke(app, [str(a) for a in args], env=full, catch_exceptions=False)
    finally:
        os.chdir(cwd)


def make_pdf(chromium: str, out: Path, *args: str | Path) -> Path:
    result = run(*args, "-o", out, env={"CSLEVELS_BROWSER": chromium})
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    return out


def text_of(poppler: Path, pdf: Path, *flags: str) -> str:
    done = subprocess.run([str(poppler / "pdftotext"), *flags, str(pdf), "-"],
                          capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


def info_of(poppler: Path, pdf: Path) -> dict[str, str]:
    done = subprocess.run([str(poppler / "pdfinfo"), str(pdf)], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stderr == ""  # poppler says so when an xref or a dictionary is broken
    return {k.strip(): v.strip() for k, _, v in
            (line.partition(":") for line in done.stdout.splitlines())}


def squash(text: str) -> str:
    return " ".join(text.split())


def unspaced(text: str) -> str:
    """``text`` without white space and hyphens, so that lines wrapped after a hyphen
    (which pdftotext may drop) compare equal to the text as written."""
    return "".join(text.split()).replace("-", "")


def pages_of(poppler: Path, pdf: Path) -> list[list[str]]:
    """Each page's non-empty lines (``pdftotext -layout``), whitespace squashed."""
    pages = text_of(poppler, pdf, "-layout").split("\f")
    return [[squash(line) for line in page.splitlines() if line.strip()] for page in pages
            if page.strip()]


def body_lines(page: list[str]) -> list[str]:
    """A page's lines without its running footer."""
    return [line for line in page if not FOOTER.search(line)]


class Headings(HTMLParser):
    """The text of every heading and table caption of an HTML page."""

    TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "caption")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.TAGS:
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.TAGS and self._open is not None:
            self.found.append(squash("".join(self._open)))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def headings_of(html: str) -> list[str]:
    parser = Headings()
    parser.feed(html)
    return [h for h in parser.found if h]


KEPT_LINES = 3  # lines of its own a heading has below it on its page, at least


def is_heading(line: str, headings: list[str]) -> str | None:
    """The heading ``line`` starts with, or the one it is the first part of."""
    return next((h for h in headings
                 if line.startswith(h) or (len(line) >= 4 and h.startswith(line))), None)


def stranded_headings(pages: list[list[str]], headings: list[str]) -> list[str]:
    """Where a heading ends a page (followed by fewer than KEPT_LINES lines of what it
    heads: its cards went to the next page), or a page starts with the rest of a
    heading.  The cover and the last page (the end of the text) are not judged."""
    problems = []
    for number, page in enumerate(pages, 1):
        lines = body_lines(page)
        if 1 < number < len(pages) and lines:
            tail = lines[-KEPT_LINES:]
            problems += [f"page {number} ends with heading {h!r}" for h in
                         dict.fromkeys(is_heading(line, headings) for line in tail) if h]
        if number > 2 and lines:
            first = lines[0]
            problems += [f"page {number} starts with the rest of heading {h!r}"
                         for h in headings if h != first and h.endswith(first)
                         and not first.startswith(h)]
    return problems


# ---------------------------------------------------------------- the score report


@pytest.fixture(scope="module")
def cafe(tmp_path_factory: pytest.TempPathFactory, chromium: str, poppler: Path
         ) -> tuple[Path, str]:
    """The Riverside Cafe example with whom it is prepared for, as PDF and as HTML."""
    folder = tmp_path_factory.mktemp("cafe")
    answers = folder / "riverside-cafe.yaml"
    answers.write_text(CAFE.read_text(encoding="utf-8").replace(
        "assessor: J. Moreno\n", f"assessor: J. Moreno\nprepared_for: {PREPARED_FOR}\n"),
        encoding="utf-8")
    pdf = make_pdf(chromium, folder / "report.pdf", "score", answers)
    html = run("score", answers, "--format", "html").stdout
    return pdf, html


@browser
def test_the_report_is_a_pdf_that_poppler_reads(cafe: tuple[Path, str], poppler: Path) -> None:
    pdf, _ = cafe
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert int(info_of(poppler, pdf)["Pages"]) >= 3
    assert "Riverside Cafe" in text_of(poppler, pdf)


@browser
def test_the_first_page_is_a_cover(cafe: tuple[Path, str], poppler: Path) -> None:
    pdf, _ = cafe
    cover = "\n".join(pages_of(poppler, pdf)[0])
    assert "Riverside Cafe" in cover
    assert re.search(rf"Date of issue {ISSUED}", cover, re.IGNORECASE)
    assert re.search(rf"Prepared for {PREPARED_FOR}", cover, re.IGNORECASE)
    assert re.search(r"Assessor J\. Moreno", cover, re.IGNORECASE)
    assert "The 7 Levels of Customer Service" in cover
    # nothing of the body: no levels table, no level names, no page number
    assert "Scores by level" not in cover and "Availability" not in cover
    assert not FOOTER.search(cover)


@browser
def test_every_page_after_the_cover_is_numbered_with_the_subject(cafe: tuple[Path, str],
                                                                 poppler: Path) -> None:
    pdf, _ = cafe
    pages = pages_of(poppler, pdf)
    total = int(info_of(poppler, pdf)["Pages"])
    assert len(pages) == total
    for number, page in enumerate(pages[1:], 2):
        footer = [line for line in page if FOOTER.search(line)]
        assert footer == [f"Riverside Cafe Page {number} of {total}"], f"page {number}"


@browser
def test_the_metadata_names_title_subject_and_author(cafe: tuple[Path, str],
                                                     poppler: Path) -> None:
    pdf, _ = cafe
    info = info_of(poppler, pdf)
    assert info["Title"] == "Riverside Cafe — customer service assessment"
    assert info["Subject"] == ("Customer service assessment of Riverside Cafe against "
                               "The 7 Levels of Customer Service")
    assert info["Author"] == "J. Moreno"
    assert info["Creator"].startswith("cslevels ")
    assert info["Producer"].startswith("Skia/PDF")  # the browser's own entry is kept


@browser
def test_the_pdf_is_on_the_paper_asked_for(tmp_path: Path, chromium: str, poppler: Path) -> None:
    """A4 (595 x 842 pt) and letter (612 x 792 pt) as --paper says; letter in a US locale."""
    sizes = {}
    for paper in ("a4", "letter"):
        pdf = make_pdf(chromium, tmp_path / f"{paper}.pdf", "show", "five-grades",
                       "--paper", paper)
        sizes[paper] = info_of(poppler, pdf)["Page size"]
    assert sizes["a4"].endswith("pts (A4)") and sizes["a4"].startswith("59")
    assert sizes["letter"] == "612 x 792 pts (letter)"
    american = tmp_path / "us.pdf"
    result = run("show", "five-grades", "-o", american,
                 env={"CSLEVELS_BROWSER": chromium, "LC_ALL": "", "LANG": "en_US.UTF-8"})
    assert result.exit_code == 0, result.stderr
    assert info_of(poppler, american)["Page size"] == sizes["letter"]  # the locale's


def outline_of(poppler: Path, pdf: Path) -> list[tuple[int, int, str]]:
    """The PDF's outline (bookmarks) as (depth, page, title), read by poppler's pdftohtml."""
    done = subprocess.run([str(poppler / "pdftohtml"), "-xml", "-i", "-stdout", "-q", str(pdf)],
                          capture_output=True, text=True, check=True, timeout=60)
    found, depth = [], 0
    for tag in re.finditer(r'<(/?)outline>|<item page="(\d+)">([^<]*)</item>', done.stdout):
        if tag.group(1) is not None and tag.group(0).startswith("<outline"):
            depth += 1
        elif tag.group(0) == "</outline>":
            depth -= 1
        else:
            found.append((depth, int(tag.group(2)), html_module.unescape(tag.group(3))))
    return found


@browser
def test_the_pdf_has_the_headings_as_bookmarks(cafe: tuple[Path, str], poppler: Path) -> None:
    """A reader's contents panel: every section and level, on the page it starts on."""
    pdf, _ = cafe
    outline = outline_of(poppler, pdf)
    titles = [title for _depth, _page, title in outline]
    rubric = RubricLibrary(()).resolve("seven-levels").rubric
    for wanted in ("Executive summary", "Level profile", "Improvement plan",
                   "To reach level 4 (Problem solving)", "Answers by level",
                   "Technical appendix", *(f"Level {rank} · {lv.name}"
                                          for rank, lv in enumerate(rubric.levels, 1))):
        assert wanted in titles, (wanted, titles)
    pages = pages_of(poppler, pdf)
    for _depth, page, title in outline:
        if title.startswith("Level ") and "·" in title:  # a level starts on its page
            assert any(squash(title) in line for line in pages[page - 1]), (title, page)
    depths = {title: depth for depth, _page, title in outline}
    assert depths["Level 1 · Availability"] > depths["Answers by level"]  # nested under it
    numbers = [page for _depth, page, _title in outline]
    assert numbers == sorted(numbers) and numbers[-1] <= len(pages)


@browser
def test_the_one_shot_print_makes_the_same_bookmarks(cafe: tuple[Path, str], poppler: Path,
                                                     chromium: str, tmp_path: Path) -> None:
    """Where there is no pipe to drive the browser (Windows), --print-to-pdf prints it; its
    flags ask for the same outline and no margin stamps."""
    from cslevels.files.browser import _print_once

    pdf, html = cafe
    once = tmp_path / "once.pdf"
    once.write_bytes(_print_once(html, chromium, 60))
    assert [t for _d, _p, t in outline_of(poppler, once)] == \
        [t for _d, _p, t in outline_of(poppler, pdf)]
    assert len(pages_of(poppler, once)) == len(pages_of(poppler, pdf))


SIDE_BAND_MM = 10  # of the 14 mm side margins: nothing is ever drawn there


def pages_drawn_in_side_bands(poppler: Path, pdf: Path) -> list[int]:
    """The pages with ink in their outer side bands, from page images (pdftoppm, grey, 36
    dpi): text or a table that ran past the page's margin, or was cut at its edge."""
    done = subprocess.run([str(poppler / "pdftoppm"), "-gray", "-r", "36", str(pdf)],
                          capture_output=True, check=True, timeout=120)
    data, at, found, number = done.stdout, 0, [], 0
    while at < len(data):
        header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", data[at:])
        assert header is not None
        width, height = int(header.group(1)), int(header.group(2))
        start = at + header.end()
        pixels, at, number = data[start:start + width * height], start + width * height, number + 1
        band = round(SIDE_BAND_MM / 25.4 * 36)
        if any(min(pixels[row * width:row * width + band]) < 230
               or min(pixels[row * width + width - band:(row + 1) * width]) < 230
               for row in range(height)):
            found.append(number)
    assert number > 0
    return found


@browser
def test_printed_pages_keep_within_their_margins(cafe: tuple[Path, str], poppler: Path,
                                                 chromium: str, tmp_path: Path) -> None:
    """Checked on page images.  A 150-letter subject and an unbreakable confidentiality line
    once made Chromium shrink every page to fit them (18 pages became 10, in small type),
    clipped the cover's title and ran the footer off the page."""
    pdf, _ = cafe
    assert pages_drawn_in_side_bands(poppler, pdf) == []
    long_word = "W" * 150
    answers = tmp_path / "long.yaml"
    answers.write_text(CAFE.read_text(encoding="utf-8").replace(
        "subject: Riverside Cafe", f"subject: {long_word}"), encoding="utf-8")
    brand = tmp_path / "brand.yaml"
    brand.write_text(f"schema: cslevels/brand/v1\nfirm: Acme\nconfidentiality: {long_word}\n",
                     encoding="utf-8")
    hostile = make_pdf(chromium, tmp_path / "long.pdf", "score", answers, "--brand", brand)
    assert pages_drawn_in_side_bands(poppler, hostile) == []
    assert len(pages_of(poppler, hostile)) >= len(pages_of(poppler, pdf))  # not shrunk


@browser
def test_every_level_name_is_in_the_pdf(cafe: tuple[Path, str], poppler: Path) -> None:
    pdf, _ = cafe
    text = unspaced(text_of(poppler, pdf, "-raw"))
    rubric = RubricLibrary(()).resolve("seven-levels").rubric
    assert [lv.name for lv in rubric.levels if unspaced(lv.name) not in text] == []


@browser
def test_no_heading_is_left_at_a_page_bottom(cafe: tuple[Path, str], poppler: Path,
                                             chromium: str, tmp_path: Path) -> None:
    """On A4 and on letter: each paper breaks the pages elsewhere (A4 once left a level's
    heading at a page bottom, its score line on the next page)."""
    pdf, html = cafe
    headings = headings_of(html)
    assert {"Executive summary", "Level profile", "Improvement plan",
            "To reach level 4 (Problem solving)", "Then level 7 (Follow-up)",
            "Answers by level", "Technical appendix"} <= set(headings)
    assert stranded_headings(pages_of(poppler, pdf), headings) == []
    letter = make_pdf(chromium, tmp_path / "letter.pdf", "score", CAFE, "--paper", "letter")
    assert stranded_headings(pages_of(poppler, letter), headings) == []


@browser
def test_the_pdf_holds_every_recommendation_of_the_plan(cafe: tuple[Path, str],
                                                        poppler: Path) -> None:
    """Every level not achieved (4, 5 and 7) gets its recommendations, in the PDF's text."""
    pdf, _ = cafe
    text = unspaced(text_of(poppler, pdf, "-raw"))
    loaded = load_answers(EXAMPLES / "riverside-cafe.yaml", RubricLibrary(()), None)
    plan = improvement_plan(score_loaded(loaded))
    assert [stage.level.rank for stage in plan.stages] == [4, 5, 7]
    advice = [step.recommendation for stage in plan.stages
              for step in (*stage.steps, *stage.more) if step.recommendation]
    assert len(advice) >= 6
    assert [a for a in advice if unspaced(a) not in text] == []


@browser
def test_the_headless_shell_prints_the_same_pages_as_the_whole_browser(
        tmp_path: Path, poppler: Path) -> None:
    """Preferring the shell for speed changes nothing on paper: page for page, line for line."""
    whole = find_tool("CSLEVELS_CHROMIUM", "/usr/bin/chromium", shutil.which("chromium"))
    shell = find_tool("CSLEVELS_HEADLESS_SHELL", "/usr/bin/chromium-headless-shell",
                      shutil.which("chromium-headless-shell"))
    if whole is None or shell is None:
        unavailable("needs both chromium and chromium-headless-shell", "PDF")
    by_whole = pages_of(poppler, make_pdf(whole, tmp_path / "whole.pdf", "score", CAFE))
    by_shell = pages_of(poppler, make_pdf(shell, tmp_path / "shell.pdf", "score", CAFE))
    assert len(by_shell) >= 10
    assert by_shell == by_whole


@browser
def test_the_whole_roadmap_keeps_its_headings_and_captions(tmp_path: Path, chromium: str,
                                                           poppler: Path) -> None:
    """--target 7: a stage per level not achieved, each with its changes and more."""
    pdf = make_pdf(chromium, tmp_path / "target.pdf", "score", CAFE, "--target", "7")
    html = run("score", CAFE, "--target", "7", "--format", "html").stdout
    headings = headings_of(html)
    assert {"To reach level 4 (Problem solving)", "Then level 5 (Responsiveness)",
            "Then level 7 (Follow-up)", "Question numbers and the ids answers files use"
            } <= set(headings)
    assert stranded_headings(pages_of(poppler, pdf), headings) == []


def test_the_stranded_heading_check_catches_both_cases() -> None:
    """The check above bites: a heading ending a page, a heading split over two."""
    headings = ["Fastest path to level 4", "Every improvement for level 4, biggest gain first"]
    cards = ["1 Of the last 20 closed complaints", "or support cases", "Now: 20-49%"]
    ends = [["cover"], ["text", "text", "text", "Fastest path to level 4",
                        "The fewest answers that would", "Riverside Cafe Page 2 of 3"], cards]
    assert stranded_headings(ends, headings) == [
        "page 2 ends with heading 'Fastest path to level 4'"]
    kept = [["cover"], ["text", "Fastest path to level 4", "The fewest", *cards], cards]
    assert stranded_headings(kept, headings) == []
    split = [["cover"], ["text", *cards, "Every improvement for level 4,"],
             ["biggest gain first", *cards], cards]
    assert len(stranded_headings(split, headings)) == 2


# ---------------------------------------------------------------- the other commands


@browser
def test_compare_summary_and_show_print_too(tmp_path: Path, chromium: str,
                                            poppler: Path) -> None:
    cases = {
        "compare": (["compare", CAFE, CAFE_LATER], "Riverside Cafe — follow-up", True),
        "summary": (["summary", EXAMPLES], "Portfolio — 3 assessments", True),
        "show": (["show", "seven-levels"],
                 "The 7 Levels of Customer Service — questionnaire", False),
    }
    for name, (args, title, has_cover) in cases.items():
        pdf = make_pdf(chromium, tmp_path / f"{name}.pdf", *args)
        info = info_of(poppler, pdf)
        assert info["Title"] == title, name
        assert info["Subject"] and info["Creator"].startswith("cslevels "), name
        pages = pages_of(poppler, pdf)
        numbered = [p for p in pages if any(FOOTER.search(line) for line in p)]
        assert len(numbered) == len(pages) - has_cover, name
        html = run(*args, "--format", "html").stdout
        assert stranded_headings(pages, headings_of(html)) == [], name
    # a blank questionnaire keeps its boxes and questions
    show = unspaced(text_of(poppler, tmp_path / "show.pdf", "-raw"))  # in reading order
    rubric = RubricLibrary(()).resolve("seven-levels").rubric
    assert [q.id for _, q in rubric.questions() if unspaced(q.text) not in show] == []


@browser
def test_compare_keeps_each_changed_answer_on_one_page(tmp_path: Path, chromium: str,
                                                       poppler: Path) -> None:
    pdf = make_pdf(chromium, tmp_path / "compare.pdf", "compare", CAFE, CAFE_LATER)
    pages = [body_lines(p) for p in pages_of(poppler, pdf)]
    arrow = re.compile(r"→ .*\(([+-]\d+|±0) points\)$")  # the last line of a changed answer
    for before, after in itertools.pairwise(pages):
        # a page that starts with an answer line continues an item from the page before
        assert not arrow.search(after[0]), (before[-1], after[0])
        assert not after[0].startswith(("Before:", "Now:")), after[0]


@pytest.fixture
def long_portfolio(tmp_path: Path) -> tuple[Path, str]:
    """The examples in a long-named folder, one with a subject that must wrap."""
    folder = tmp_path / "client-visits-2026" / "north-region-assessments"
    folder.mkdir(parents=True)
    subject = "Riverside Cafe and Bakery at the Old Harbour Market, North Entrance Weekend Team"
    for path in EXAMPLES.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path == CAFE:
            text = text.replace("subject: Riverside Cafe\n", f"subject: {subject}\n")
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder, subject


@browser
def test_the_summary_table_is_not_clipped_in_print(long_portfolio: tuple[Path, str],
                                                   tmp_path: Path, chromium: str,
                                                   poppler: Path) -> None:
    folder, subject = long_portfolio
    pdf = make_pdf(chromium, tmp_path / "summary.pdf", "summary", folder)
    raw = [line.strip() for line in text_of(poppler, pdf, "-raw").splitlines()]
    # every subject wrapped between words only: rejoined by spaces it reads as written
    spaced = " ".join(raw)
    assert subject in spaced and "Harbor Hardware, shop floor team" in spaced
    # the last column (File) is all there: each path, its wrapped lines rejoined
    joined = "".join(raw)
    for path in folder.glob("*.yaml"):
        assert str(path) in joined, path.name
    # and no word lies beyond the page's right margin
    box = text_of(poppler, pdf, "-bbox")
    width = float(re.search(r'<page width="([\d.]+)"', box).group(1))  # type: ignore[union-attr]
    rights = [float(x) for x in re.findall(r'xMax="([\d.]+)"', box)]
    assert rights and max(rights) <= width - MARGIN_RIGHT_PT + 1


# ---------------------------------------------------------------- charts in print


@pytest.fixture(scope="module")
def print_page(chromium: str) -> Iterator[Any]:
    """A page in print media at the width of an A4 page's content."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')", "PDF")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        context = instance.new_context(offline=True,
                                       viewport={"width": A4_CONTENT_WIDTH, "height": 1000})
        page = context.new_page()
        page.emulate_media(media="print")
        try:
            yield page
        finally:
            instance.close()


CHART_TEXT_PX = """() => [...document.querySelectorAll('svg text')].map(t =>
    [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a])"""


@browser
@pytest.mark.parametrize("args", [
    ["score", CAFE], ["compare", CAFE, CAFE_LATER], ["summary", EXAMPLES],
], ids=["score", "compare", "summary"])
def test_chart_text_is_at_least_9_points_in_print(args: list[Any], tmp_path: Path,
                                                  print_page: Any) -> None:
    out = tmp_path / "page.html"
    assert run(*args, "-o", out).exit_code == 0
    print_page.goto(out.resolve().as_uri(), wait_until="load")
    sizes = print_page.evaluate(CHART_TEXT_PX)
    assert len(sizes) > 10
    small = [(text, round(px * 0.75, 1)) for text, px in sizes if px < 12 - 0.01]  # 12 px = 9 pt
    assert small == []


# ---------------------------------------------------------------- untrusted text in the footer


def test_css_string_escapes_everything_that_could_end_the_string_or_the_style() -> None:
    quoted = css_string('a"b\\c\n</style><script>x</script>\x1b')
    inner = str(quoted)[1:-1]
    assert str(quoted).startswith('"') and str(quoted).endswith('"')
    assert not set(inner) & set("\"'\\<>\n") - {"\\"}
    assert "<" not in inner and '"' not in inner and "\n" not in inner
    assert re.fullmatch(r'(?:[A-Za-z0-9 .,:;!?()+*=_@#$%^~|\[\]{}-]|\\[0-9a-f]{6} )*', inner)
    # a space after an escape survives (the escape eats exactly one)
    assert str(css_string("Café & Co")) == '"Caf\\0000e9  \\000026  Co"'


def css_decoded(quoted: str) -> str:
    """What a browser reads from a CSS string written by css_string."""
    return re.sub(r"\\([0-9a-f]{6}) ", lambda m: chr(int(m.group(1), 16)), quoted[1:-1])


@given(st.text())
def test_css_string_reads_back_as_the_text_and_holds_nothing_else(text: str) -> None:
    quoted = str(css_string(text))
    assert re.fullmatch(r'"(?:[A-Za-z0-9 .,:;!?()+*=_@#$%^~|\[\]{}-]|\\[0-9a-f]{6} )*"', quoted)
    assert css_decoded(quoted) == clean_line(text)


@given(st.text())
def test_pdf_strings_read_back_as_the_text(text: str) -> None:
    raw = pdf_string(text)
    assert re.fullmatch(rb"<FEFF(?:[0-9A-F]{2})*>", raw)
    assert bytes.fromhex(raw[5:-1].decode("ascii")).decode("utf-16-be") == text


@browser
def test_a_hostile_subject_is_printed_verbatim_in_the_footer(tmp_path: Path, chromium: str,
                                                             poppler: Path) -> None:
    subject = 'Zoë\'s "Café" \\ Co; } ' + PAYLOAD
    answers = tmp_path / "visit.yaml"
    answers.write_text(CAFE.read_text(encoding="utf-8").replace(
        "subject: Riverside Cafe\n", f"subject: {json.dumps(subject)}\n"), encoding="utf-8")
    html = run("score", answers, "--format", "html").stdout
    rule = re.search(r"@bottom-left \{ content: (\".*); \}", html)
    assert rule and re.fullmatch(r'"[^"<>\n]*"', rule.group(1))
    pdf = make_pdf(chromium, tmp_path / "report.pdf", "score", answers)
    pages = int(info_of(poppler, pdf)["Pages"])
    # the footer holds the first 50 characters and "…", the long run of letters given a
    # place to break (a zero-width space: the footer may then take two lines)
    shown = subject[:RUNNING_CHARS - 1] + "…"
    texts = [page.replace("\u200b\n", "").replace("\u200b", "")
             for page in text_of(poppler, pdf, "-raw").split("\f")]
    assert len([text for text in texts if shown in text]) >= pages - 1  # all but the cover


# ---------------------------------------------------------------- browsers that fail


def fake_browser(folder: Path, body: str) -> Path:
    script = folder / "fake-chromium"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_no_browser_is_one_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "report.pdf"
    result = run("score", CAFE, "-o", out, env={"CSLEVELS_BROWSER": "", "PATH": str(empty)})
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no Chromium-family browser found to print the PDF: install chromium (on Debian "
        "and Ubuntu: apt install chromium; on Debian, chromium-headless-shell prints faster), "
        "Google Chrome or Microsoft Edge, or set CSLEVELS_BROWSER to one\n")
    assert not out.exists()


def test_a_browser_override_that_names_nothing_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = run("score", CAFE, "-o", out,
                 env={"CSLEVELS_BROWSER": "no-such-chromium", "PATH": str(tmp_path)})
    assert result.exit_code == 1
    line, = result.stderr.splitlines()
    assert line == ("error: no Chromium-family browser found: CSLEVELS_BROWSER is "
                    "'no-such-chromium', which is neither an executable file nor a command on "
                    "PATH; set it to a Chromium, Chrome or Edge browser, or unset it to look for "
                    "one on PATH")
    assert not out.exists() and "Traceback" not in result.stderr


def test_the_browser_is_found_by_path_name_or_command(tmp_path: Path) -> None:
    script = fake_browser(tmp_path, "exit 0")
    named = tmp_path / "chromium-browser"
    script.rename(named)
    assert find_browser({"CSLEVELS_BROWSER": str(named), "PATH": ""}) == str(named)
    assert find_browser({"CSLEVELS_BROWSER": "chromium-browser", "PATH": str(tmp_path)}) \
        == str(named)
    assert find_browser({"PATH": str(tmp_path)}) == str(named)  # a usual command name


def test_a_headless_shell_is_preferred_to_a_whole_browser(tmp_path: Path) -> None:
    """It starts in a fraction of the time; with none, the whole browsers in their order."""
    for name in ("google-chrome", "chromium", "chrome-headless-shell"):
        fake_browser(tmp_path, "exit 0").rename(tmp_path / name)
    env = {"PATH": str(tmp_path)}
    assert find_browser(env) == str(tmp_path / "chrome-headless-shell")
    fake_browser(tmp_path, "exit 0").rename(tmp_path / "chromium-headless-shell")
    assert find_browser(env) == str(tmp_path / "chromium-headless-shell")
    for name in ("chromium-headless-shell", "chrome-headless-shell"):
        (tmp_path / name).unlink()
    assert find_browser(env) == str(tmp_path / "chromium")


def test_the_print_runs_isolated_headless_and_without_browser_margins(tmp_path: Path) -> None:
    command = browser_command("chromium", tmp_path / "r.html", tmp_path / "r.pdf",
                              tmp_path / "profile")
    assert command[0] == "chromium" and command[-1] == (tmp_path / "r.html").as_uri()
    for flag in ("--headless", "--disable-gpu", "--no-first-run", "--no-pdf-header-footer",
                 "--generate-pdf-document-outline",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                 f"--print-to-pdf={tmp_path / 'r.pdf'}"):
        assert flag in command
    assert ("--no-sandbox" in command) == (os.geteuid() == 0)
    # the browser driven over the DevTools pipe runs with the same flags, and no window
    piped = pipe_command("chromium", tmp_path / "profile")
    assert piped == [*command[:-4], "--remote-debugging-pipe", "--no-startup-window"]


def test_a_failing_browser_is_a_clear_error_and_leaves_the_old_pdf(tmp_path: Path) -> None:
    script = fake_browser(tmp_path, 'echo "[1:2:ERROR] cannot open display" >&2\nexit 3')
    out = tmp_path / "report.pdf"
    out.write_bytes(b"%PDF-1.4 the previous report")
    result = run("score", CAFE, "-o", out, env={"CSLEVELS_BROWSER": str(script)})
    assert result.exit_code == 1
    assert result.stderr == (f"error: the browser {script} failed with exit code 3 while "
                             "printing the PDF: [1:2:ERROR] cannot open display\n")
    assert out.read_bytes() == b"%PDF-1.4 the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-chromium", "report.pdf"]


def test_a_browser_that_writes_no_pdf_is_an_error(tmp_path: Path) -> None:
    script = fake_browser(tmp_path, "exit 0")
    result = run("show", "seven-levels", "-o", tmp_path / "q.pdf",
                 env={"CSLEVELS_BROWSER": str(script)})
    assert result.exit_code == 1
    assert f"the browser {script} ran but wrote no PDF" in result.stderr
    assert not (tmp_path / "q.pdf").exists()


def test_a_hanging_browser_is_stopped_and_its_files_removed(tmp_path: Path) -> None:
    """In a subprocess: TMPDIR then applies, and the temporary folder can be checked."""
    pid_file = tmp_path / "pid"
    script = fake_browser(tmp_path, f'echo $$ > "{pid_file}"\nexec sleep 60')
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "CSLEVELS_BROWSER": str(script), "CSLEVELS_BROWSER_TIMEOUT": "1",
           "TMPDIR": str(temp), "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "cslevels", "score", str(CAFE), "-o",
                           str(tmp_path / "r.pdf")], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr == (f"error: the browser {script} did not finish printing within 1 s "
                           "(a larger CSLEVELS_BROWSER_TIMEOUT gives it longer)\n")
    assert list(temp.iterdir()) == []  # the page and the profile are gone
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the browser was killed, not left behind
    assert not (tmp_path / "r.pdf").exists()


# ---------------------------------------------------------------- the browser started early


def live_in_group(group: int) -> list[int]:
    """The processes of process group ``group`` still running (zombies are not), by /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
        if int(pgrp) == group and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def assert_gone(session: Any) -> None:
    """The browser was reaped, nothing of its process group runs, its folder is removed.

    A process killed a moment ago may take a few milliseconds to finish dying."""
    assert session.process.returncode is not None
    for _ in range(100):
        left = live_in_group(session.process.pid)
        if not left:
            break
        time.sleep(0.02)
    assert left == []
    assert not Path(session.folder.name).exists()


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every browser cslevels starts over the DevTools pipe, in order."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to see the browser's processes")
    from cslevels.files import browser as module

    sessions: list[Any] = []
    real = module._Pipe.launch

    def spy(browser: str) -> Any:
        sessions.append(real(browser))
        return sessions[-1]

    monkeypatch.setattr(module._Pipe, "launch", staticmethod(spy))
    return sessions


@browser
def test_the_browser_starts_before_scoring_prints_and_is_gone_after(
        tmp_path: Path, chromium: str, launched: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cslevels.commands.score as score_module

    started_when_scoring: list[int] = []
    real_score = score_module.score_files

    def score_files(*args: Any, **kwargs: Any) -> Any:
        started_when_scoring.append(len(launched))
        return real_score(*args, **kwargs)

    monkeypatch.setattr(score_module, "score_files", score_files)
    out = tmp_path / "r.pdf"
    result = run("score", CAFE, "-o", out, env={"CSLEVELS_BROWSER": chromium})
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {out}\n"  # nothing of what the browser says
    assert started_when_scoring == [1]  # already running while cslevels scored
    assert len(launched) == 1  # and it is the one that printed
    assert out.read_bytes().startswith(b"%PDF-")
    assert_gone(launched[0])


@browser
def test_a_command_that_fails_before_printing_stops_its_browser(
        tmp_path: Path, chromium: str, launched: list[Any]) -> None:
    out = tmp_path / "r.pdf"
    result = run("score", tmp_path / "missing.yaml", "-o", out,
                 env={"CSLEVELS_BROWSER": chromium})
    assert result.exit_code == 1
    assert "missing.yaml" in result.stderr and "browser" not in result.stderr
    assert len(launched) == 1
    assert_gone(launched[0])
    assert not out.exists()


def test_ctrl_c_while_scoring_stops_the_browser(tmp_path: Path, launched: list[Any],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import cslevels.commands.score as score_module

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(score_module, "score_files", interrupted)
    script = fake_browser(tmp_path, "exec sleep 60")
    with contextlib.suppress(KeyboardInterrupt):
        run("score", CAFE, "-o", tmp_path / "r.pdf", env={"CSLEVELS_BROWSER": str(script)})
    assert len(launched) == 1
    assert_gone(launched[0])


def test_an_early_browser_never_outlives_cslevels(tmp_path: Path) -> None:
    """Started and never printed with, nor stopped: it is killed when Python exits."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to see the browser's processes")
    script = fake_browser(tmp_path, "exec sleep 60")
    temp = tmp_path / "tmp"
    temp.mkdir()
    code = ("import sys\nfrom cslevels.files import browser\n"
            f"browser.start_early({{'CSLEVELS_BROWSER': {str(script)!r}}})\n"
            "print(browser._early.process.pid)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False,
                          env={**os.environ, "TMPDIR": str(temp),
                               "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0 and done.stderr == ""
    pid = int(done.stdout)
    assert live_in_group(pid) == []
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert list(temp.iterdir()) == []


def test_sigterm_while_printing_stops_the_browser_and_removes_its_files(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = fake_browser(tmp_path, f'echo $$ > "{pid_file}"\nexec sleep 60')
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "CSLEVELS_BROWSER": str(script), "CSLEVELS_BROWSER_TIMEOUT": "50",
           "TMPDIR": str(temp), "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, "-m", "cslevels", "score", str(CAFE), "-o",
                                str(tmp_path / "r.pdf")], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    for _ in range(1000):  # the browser started, and cslevels waits for it to print
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.01)
    time.sleep(0.3)
    process.terminate()
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143 and err == b"cslevels: stopped by SIGTERM\n"
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)
    assert list(temp.iterdir()) == []
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize(("args", "pdf"), [
    (["score", "a.yaml", "-o", "r.pdf"], True),
    (["score", "a.yaml", "--output=r.PDF"], True),
    (["score", "a.yaml", "-or.pdf"], True),
    (["compare", "a", "b", "-f", "PDF", "-o", "report"], True),
    (["summary", "folder", "--format=pdf", "-o", "p"], True),
    (["show", "five-grades", "-fpdf", "-o", "q"], True),
    (["score", "a.yaml", "--format", "pdf", "-o", "r.html"], False),  # refused by the command
    (["score", "a.yaml", "-o", "r.html"], False),
    (["score", "a.yaml", "--format", "pdf"], True),  # refused later: never to the terminal
    (["validate", "r.pdf"], False),
    (["template", "five-grades", "-o", "t.pdf"], False),
    (["score", "--", "-o", "r.pdf"], False),
    (["score", "a.yaml", "-o"], False),
    ([], False),
])
def test_the_command_line_is_read_for_a_pdf_before_typer_parses_it(args: list[str],
                                                                    pdf: bool) -> None:
    from cslevels.__main__ import writes_pdf

    assert writes_pdf(args) is pdf


def test_the_browser_starts_before_the_command_line_is_parsed(tmp_path: Path) -> None:
    """Started by cslevels.__main__ before typer or the command line module loads; a usage
    error typer finds afterwards still stops it and removes its folder."""
    script = fake_browser(tmp_path, "exec sleep 60")
    temp = tmp_path / "tmp"
    temp.mkdir()
    code = (
        "import atexit, sys\n"
        "from cslevels.files import browser\n"
        "seen = []\n"
        "real = browser.start_early\n"
        "def spy(environ):\n"
        "    seen.append(('typer' in sys.modules, 'cslevels.cli' in sys.modules))\n"
        "    real(environ)\n"
        "    seen.append(browser._early.process.pid)\n"
        "browser.start_early = spy\n"
        "atexit.register(lambda: print(seen, file=sys.__stdout__))  # runs after stop_early\n"
        "from cslevels.__main__ import run\n"
        f"sys.argv = ['cslevels', 'score', {str(CAFE)!r}, '-o', {str(tmp_path / 'r.pdf')!r},"
        " '--no-such-option']\n"
        "run()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False,
                          env={**os.environ, "CSLEVELS_BROWSER": str(script),
                               "TMPDIR": str(temp), "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 2 and "--no-such-option" in done.stderr  # typer's usage error
    loaded, pid = ast.literal_eval(done.stdout)
    assert loaded == (False, False)  # neither typer nor the command line module yet
    for _ in range(100):
        if not live_in_group(pid):
            break
        time.sleep(0.02)
    assert live_in_group(pid) == []
    assert list(temp.iterdir()) == []
    assert not (tmp_path / "r.pdf").exists()


def test_no_browser_starts_early_when_none_can_print(tmp_path: Path) -> None:
    from cslevels.files import browser as module

    module.start_early({"CSLEVELS_BROWSER": "no-such-chromium", "PATH": str(tmp_path)})
    assert module._early is None
    module.start_early({"CSLEVELS_BROWSER": "/bin/sh", "CSLEVELS_BROWSER_TIMEOUT": "soon"})
    assert module._early is None


def test_a_bad_timeout_setting_is_an_error(tmp_path: Path) -> None:
    result = run("score", CAFE, "-o", tmp_path / "r.pdf",
                 env={"CSLEVELS_BROWSER_TIMEOUT": "soon"})
    assert result.exit_code == 1
    assert result.stderr == ("error: CSLEVELS_BROWSER_TIMEOUT must be a number of seconds "
                             "above 0, not 'soon'\n")


@browser
def test_a_pdf_is_never_written_over_an_input(tmp_path: Path, chromium: str) -> None:
    answers = tmp_path / "visit.yaml"
    answers.write_text(CAFE.read_text(encoding="utf-8"), encoding="utf-8")
    link = tmp_path / "visit.pdf"
    link.symlink_to(answers)
    result = run("score", answers, "-o", link, env={"CSLEVELS_BROWSER": chromium})
    assert result.exit_code == 1
    assert "is one of the input files; not overwriting it" in result.stderr
    assert answers.read_text(encoding="utf-8") == CAFE.read_text(encoding="utf-8")


def test_a_pdf_is_not_written_to_the_terminal() -> None:
    result = run("score", CAFE, "--format", "pdf")
    assert result.exit_code == 1
    assert result.stderr == "error: this format is a binary file: give -o FILE to write it\n"


def test_start_up_loads_no_pdf_code_for_other_formats(tmp_path: Path) -> None:
    from test_startup import loaded, modules_after

    modules, done = modules_after(tmp_path, "score", str(CAFE), "-o", str(tmp_path / "r.html"))
    assert done.returncode == 0, done.stderr
    assert loaded(modules, ("cslevels.files.browser", "cslevels.reporting.kit.pdf",
                            "cslevels.reporting.score.pdf")) == []


# ---------------------------------------------------------------- the Info dictionary


OLD_INFO = b"<</Title (Old \\(one\\) >> title)\n/Producer (Skia)>>"


def tiny_pdf(info: bytes | None = OLD_INFO) -> bytes:
    """A one-page PDF with a classic xref table, as Chromium writes them."""
    objects = [b"<</Type /Catalog /Pages 2 0 R>>",
               b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
               b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>>"]
    if info is not None:
        objects.append(info)
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d\n/Root 1 0 R" % (len(objects) + 1)
    out += b"\n/Info 4 0 R>>\n" if info is not None else b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


@pytest.mark.parametrize("info", [OLD_INFO, None], ids=["with-info", "without-info"])
def test_info_entries_are_added_by_an_incremental_update(info: bytes | None, tmp_path: Path,
                                                         poppler: Path) -> None:
    original = tiny_pdf(info)
    updated = with_info(original, {"Author": "José Müller — Ünïcode", "Subject": "A (test)",
                                   "Keywords": None})
    assert updated.startswith(original)  # the browser's bytes are kept as they were
    # the update's own pointers are exact (poppler would quietly repair wrong ones)
    start = int(re.findall(rb"startxref\s+(\d+)", updated)[-1])
    assert updated[start:].startswith(b"xref\n4 1\n")
    entry = int(updated[start + len(b"xref\n4 1\n"):][:10])
    assert updated[entry:].startswith(b"4 0 obj\n<<")
    assert re.search(rb"/Prev %d>>" % (original.rindex(b"\nxref\n") + 1), updated)
    path = tmp_path / "t.pdf"
    path.write_bytes(updated)
    read = info_of(poppler, path)
    assert read["Author"] == "José Müller — Ünïcode"
    assert read["Subject"] == "A (test)"
    assert "Keywords" not in read
    assert read["Pages"] == "1"
    if info is not None:
        assert read["Title"] == "Old (one) >> title" and read["Producer"] == "Skia"


def test_info_entries_show_control_and_bidi_characters_as_escapes() -> None:
    # An answers file's subject or a brand's preparer reaches the document properties a
    # viewer shows: a right-to-left override or an escape sequence must not act there.
    updated = with_info(tiny_pdf(), {"Subject": "Caf\u00e9\u202e evil\ttab",
                                     "Author": "A\nB\x1b[31m"})
    written = dict(re.findall(rb"/(Subject|Author) <FEFF([0-9A-F]*)>", updated))
    read = {key.decode(): bytes.fromhex(value.decode()).decode("utf-16-be")
            for key, value in written.items()}
    assert read == {"Subject": "Caf\u00e9\\u202e evil tab", "Author": "A B\\x1b[31m"}


def test_an_unknown_pdf_layout_is_left_as_it_is() -> None:
    stream_xref = b"%PDF-1.5\n1 0 obj\n<<>>\nendobj\nstartxref\n9\n%%EOF\n"
    assert with_info(stream_xref, {"Author": "x"}) == stream_xref
    assert with_info(b"not a pdf", {"Author": "x"}) == b"not a pdf"
    encrypted = tiny_pdf().replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 9 0 R")
    assert with_info(encrypted, {"Author": "x"}) == encrypted


def test_pdf_strings_are_utf16_with_a_byte_order_mark() -> None:
    assert pdf_string("Aé") == b"<FEFF004100E9>"


# ---------------------------------------------------------------- branding on the cover


# A 1x1 transparent PNG: the smallest logo there is.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")


def branded_options() -> Any:
    import datetime as dt

    from cslevels.core.documents import LoadedBrand, Logo
    from cslevels.core.models import Brand
    from cslevels.reporting.formats import RenderOptions

    brand = Brand.model_validate({
        "schema": "cslevels/brand/v1", "firm": "Moreno & Partners", "prepared_by": "A. Consultant",
        "contact": "hello@moreno.example", "confidentiality": 'Confidential: for "Riverside" only'})
    return RenderOptions(brand=LoadedBrand(brand, Path("brand.yaml"), Logo("image/png", TINY_PNG)),
                         issued=dt.date(2025, 12, 1))


def cafe_results() -> Any:
    from cslevels.commands.score import score_files

    return score_files([CAFE], RubricLibrary(())).results


def test_the_cover_shows_the_brand_and_does_without_one() -> None:
    from cslevels.reporting.score.html import render_results

    html = render_results(cafe_results(), branded_options())
    cover = html[html.index('<div class="cover">'):html.index("</header>")]
    for text in ("Moreno &amp; Partners", "A. Consultant, Moreno &amp; Partners",
                 "hello@moreno.example", "Confidential: for &#34;Riverside&#34; only",
                 "Date of issue</dt><dd>2025-12-01"):
        assert text in cover, text
    header = html[html.index("<header"):html.index("</header>")]
    assert header.count('src="data:image/png;base64,') == 1  # the masthead's, not again below
    assert 'src="data:image/' not in cover
    assert '<meta name="author" content="A. Consultant, Moreno &amp; Partners">' in html
    assert "@top-center { content: " + str(css_string('Confidential: for "Riverside" only')) in html
    plain = render_results(cafe_results())  # no brand, no date of issue: neither is invented
    cover = plain[plain.index('<div class="cover">'):plain.index("</header>")]
    assert "Prepared by" not in cover and "Date of issue" not in cover and "<img" not in cover
    assert '@top-center { content: "' not in plain


@browser
def test_a_branded_pdf_carries_the_brand(tmp_path: Path, chromium: str, poppler: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from cslevels.reporting.score.pdf import render_results

    monkeypatch.setenv("CSLEVELS_BROWSER", chromium)
    pdf = tmp_path / "branded.pdf"
    pdf.write_bytes(render_results(cafe_results(), branded_options()))
    assert info_of(poppler, pdf)["Author"] == "A. Consultant, Moreno & Partners"
    pages = pages_of(poppler, pdf)
    line = 'Confidential: for "Riverside" only'
    assert re.search(r"Prepared by A\. Consultant, Moreno & Partners", "\n".join(pages[0]),
                     re.IGNORECASE)
    assert [n for n, page in enumerate(pages, 1) if line in page] == \
        list(range(1, len(pages) + 1))  # the cover says it once, every other page at its top
    assert all(page[0] == line for page in pages[1:])
    images = subprocess.run([str(poppler / "pdfimages"), "-list", str(pdf)], capture_output=True,
                            text=True, check=True).stdout
    listed = [line.split() for line in images.splitlines()[2:]]  # below the two header lines
    # the logo once, on the cover: the picture and its transparency mask
    assert [(row[0], row[2]) for row in listed] == [("1", "image"), ("1", "smask")]
