"""The HTML pages in a real headless Chromium: they render cleanly, offline, and print.

Runs against the system Chromium (Debian's ``/usr/bin/chromium``, or the
path in CSLEVELS_CHROMIUM) through playwright, without playwright's own
browser downloads.  Without a browser the tests skip, except when the CI
environment variable is set: there a missing browser is a failure.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, Invoke, find_tool, unavailable
from cslevels.commands.score import score_files
from cslevels.files.library import RubricLibrary
from cslevels.reporting.views import level_label
from test_html_report import PAYLOAD, injected, write_injection_case

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")  # a page object, not /Pages
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
A4_CONTENT_WIDTH = 688  # 210 mm minus the 2 x 14 mm @page margins, in CSS pixels


def find_chromium() -> str | None:
    return find_tool("CSLEVELS_CHROMIUM", "/usr/bin/chromium", shutil.which("chromium"),
                     shutil.which("chromium-browser"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')", "browser")
    executable = find_chromium()
    if executable is None:
        unavailable("no Chromium found (apt-get install chromium, or set CSLEVELS_CHROMIUM)",
                    "browser")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class Visit:
    """A page opened from a file, and everything it did while loading."""

    page: Any
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.failed == []
        assert self.dialogs == []
        assert self.url in self.requests
        strangers = [u for u in self.requests if u != self.url and not u.startswith("data:")]
        assert strangers == [], "the page must load nothing but itself"

    def pdf_pages(self, paper: str = "A4") -> int:
        pdf = self.page.pdf(format=paper, print_background=True)
        assert pdf.startswith(b"%PDF-")
        return len(PDF_PAGE.findall(pdf))


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_file(path: Path, width: int = 1100) -> Visit:
        context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page, path.resolve().as_uri())
        page.on("console", lambda m: m.type == "error" and seen.console_errors.append(m.text))
        page.on("pageerror", lambda e: seen.page_errors.append(str(e)))
        page.on("request", lambda r: seen.requests.append(r.url))
        page.on("requestfailed", lambda r: seen.failed.append(r.url))

        def on_dialog(dialog: Any) -> None:
            seen.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(seen.url, wait_until="load")
        return seen

    yield open_file
    for context in contexts:
        context.close()


def report(invoke: Invoke, folder: Path, *paths: Path, name: str = "report.html") -> Path:
    out = folder / name
    result = invoke("score", *map(str, paths), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_report_in_chromium(path: Path, invoke: Invoke, tmp_path: Path,
                                    visit: Any) -> None:
    seen = visit(report(invoke, tmp_path, path))
    seen.assert_clean()
    label = level_label(score_files([path], RubricLibrary(())).results[0])
    headline = seen.page.locator(".headline-level")
    assert headline.inner_text().strip() == label
    assert headline.is_visible()
    charts = seen.page.locator("svg[role=img]")
    assert charts.count() == 2
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 250 and box["height"] > 150
    assert seen.page.get_by_role("heading", name="Technical appendix").is_visible()
    assert seen.pdf_pages() > 0


@pytest.mark.parametrize("rubric", ["seven-levels", "six-levels", "five-grades"])
def test_questionnaire_in_chromium(rubric: str, invoke: Invoke, tmp_path: Path,
                                   visit: Any) -> None:
    out = tmp_path / "questionnaire.html"
    result = invoke("show", rubric, "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    seen = visit(out)
    seen.assert_clean()
    loaded = RubricLibrary(()).resolve(rubric).rubric
    assert seen.page.get_by_role("heading", level=1).inner_text() == loaded.title
    first = seen.page.locator("h2#level-1")
    assert loaded.levels[0].name in first.inner_text() and first.is_visible()
    assert seen.page.locator("span.box").count() > len(loaded.questions())
    assert seen.pdf_pages("Letter") > 1


def test_several_reports_print_one_assessment_per_page(invoke: Invoke, tmp_path: Path,
                                                        visit: Any) -> None:
    seen = visit(report(invoke, tmp_path, *EXAMPLE_FILES))
    seen.assert_clean()
    assert seen.page.locator("article.assessment").count() == len(EXAMPLE_FILES)
    for path in EXAMPLE_FILES:
        label = level_label(score_files([path], RubricLibrary(())).results[0])
        assert seen.page.get_by_text(label, exact=True).first.is_visible()
    # each assessment starts on a new page, and none fits on less than one
    assert seen.pdf_pages() >= 2 * len(EXAMPLE_FILES)


def test_print_layout_fits_the_page_width(invoke: Invoke, tmp_path: Path, visit: Any) -> None:
    seen = visit(report(invoke, tmp_path, EXAMPLES / "harbor-hardware-team.yaml"),
                 width=A4_CONTENT_WIDTH)
    seen.page.emulate_media(media="print")
    overflow = seen.page.evaluate(
        """() => [...document.querySelectorAll('svg, table, .q, .headline, .table-wrap')]
            .filter(e => e.scrollWidth > e.clientWidth + 1
                         || e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + ' ' + (e.getAttribute('class') || ''))""")
    assert overflow == []
    assert seen.page.evaluate("document.documentElement.scrollWidth") <= A4_CONTENT_WIDTH


def test_injected_markup_stays_text_in_chromium(invoke: Invoke, tmp_path: Path,
                                                visit: Any) -> None:
    rubric, answers = write_injection_case(tmp_path)
    out = tmp_path / "report.html"
    result = invoke("score", str(answers), "--rubric", str(rubric), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    seen = visit(out)
    seen.assert_clean()  # no dialog fired, nothing loaded, no CSP violation logged
    page = seen.page
    assert page.locator("script").count() == 0
    assert page.locator("img").count() == 0
    assert page.get_by_role("heading", level=1).inner_text() == injected("subject")
    note = page.locator(".q-note").first.inner_text()
    assert PAYLOAD in note
    assert page.get_by_text(injected("evidence"), exact=True).is_visible()
    assert seen.pdf_pages() > 0

    out = tmp_path / "questionnaire.html"
    assert invoke("show", str(rubric), "-o", str(out)).exit_code == 0
    seen = visit(out)
    seen.assert_clean()
    assert seen.page.locator("script, img").count() == 0
    assert seen.page.get_by_text(injected("guidance")).first.is_visible()


SVG_TEXT_OUTSIDE = """() => [...document.querySelectorAll('svg[viewBox]')].flatMap(svg => {
    const box = svg.viewBox.baseVal;
    return [...svg.querySelectorAll('text')].filter(t => {
        const b = t.getBBox();
        return b.x < box.x - 0.5 || b.y < box.y - 0.5
            || b.x + b.width > box.x + box.width + 0.5
            || b.y + b.height > box.y + box.height + 0.5;
    }).map(t => (svg.getAttribute('class') || '') + ': ' + t.textContent);
})"""


@pytest.mark.parametrize("command", ["score", "compare", "summary"])
def test_chart_labels_stay_inside_their_charts(command: str, invoke: Invoke, tmp_path: Path,
                                               visit: Any) -> None:
    """No axis label, tick or legend is cut off at a chart's edge (as the last date was)."""
    from test_compare import SERIES  # the dated visits of one subject

    out = tmp_path / f"{command}.html"
    inputs = {"score": [*map(str, EXAMPLE_FILES)],
              "compare": [*(str(p) for p in sorted(SERIES.glob("2026-*.yaml"))),
                          "--rubric", str(SERIES / "corner-shop.yaml")],
              "summary": [str(EXAMPLES)]}[command]
    result = invoke(command, *inputs, "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    seen = visit(out)
    seen.assert_clean()
    assert seen.page.locator("svg[viewBox] text").count() > 5
    assert seen.page.evaluate(SVG_TEXT_OUTSIDE) == []
