"""The HTML report and questionnaire: content, self-containment, escaping, SVG charts.

Pages are parsed with the standard library's HTMLParser so that checks look at
real tags and attributes rather than at substrings of the markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, Invoke
from cslevels.commands.score import score_files
from cslevels.files.library import RubricLibrary
from cslevels.reporting.kit import svg
from cslevels.reporting.kit.html import render_page
from cslevels.reporting.score.html import render_results
from cslevels.reporting.show.html import render_rubric
from cslevels.reporting.views import level_label

TEMPLATES = ROOT / "src" / "cslevels" / "reporting" / "templates"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))

# What an attacker would write, and what it must look like once escaped.
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
# Fields of a rubric or answers file that reach the page, each with a marker.
INJECTED_FIELDS = ("subject", "assessor", "note", "evidence", "title", "level-name", "summary",
                   "question", "guidance", "recommendation", "source", "option")


def injected(name: str) -> str:
    return f"{name}-marker {PAYLOAD}"


def injected_escaped(name: str) -> str:
    return f"{name}-marker {ESCAPED}"


@dataclass
class Page(HTMLParser):
    """Tags, attributes and text of an HTML document."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    svg_text: list[str] = field(default_factory=list)  # inside SVG <text> elements
    stack: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in {"meta", "link", "br", "wbr", "img", "input", "line", "rect", "circle",
                       "polygon", "polyline"}:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if "text" in self.stack:
            self.svg_text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def attribute_values(self) -> Iterator[tuple[str, str, str]]:
        for tag, attrs in self.tags:
            for key, value in attrs.items():
                yield tag, key, value or ""

    @property
    def plain(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def example_html(path: Path) -> str:
    batch = score_files([path], RubricLibrary(()))
    assert not batch.errors
    return render_results(batch.results)


def write_injection_case(folder: Path) -> tuple[Path, Path]:
    """A rubric and an answers file with markup in every text field that reaches a page."""
    rubric = folder / "inject.yaml"
    answers = folder / "inject-answers.yaml"
    q = lambda name: '"' + injected(name) + '"'  # noqa: E731 - YAML double-quoted scalar
    levels = []
    for n in (1, 2, 3):
        levels.append(f"""\
  - id: level-{n}
    name: {q("level-name") if n == 1 else f'"Level {n}"'}
    summary: {q("summary")}
    questions:
      - id: first
        text: {q("question") if n == 1 else '"Plain question"'}
        scale: yes-no
        guidance: {q("guidance")}
        recommendation: {q("recommendation")}
      - id: second
        text: "Another question"
        scale: yes-no
        guidance: "Look at the records."
        recommendation: "Keep records."
""")
    rubric.write_text(f"""\
schema: cslevels/rubric/v1
id: inject-test
version: "1.0.0"
title: {q("title")}
description: {q("description")}
source: {{title: {q("source")}}}
scales:
  yes-no:
    label: {q("scale")}
    options:
      - {{value: 0, label: {q("option")}, score: 0.0}}
      - {{value: 1, label: "Yes", score: 1.0}}
levels:
{"".join(levels)}""", encoding="utf-8")
    answers.write_text(f"""\
schema: cslevels/answers/v1
rubric: inject-test
rubric_version: "1.0.0"
subject: {q("subject")}
assessor: {q("assessor")}
date: 2026-05-01
answers:
  level-1.first: {{value: 0, note: {q("note")}, evidence: [{q("evidence")}]}}
  level-1.second: 1
  level-2.first: 1
  level-2.second: 1
  level-3.first: 1
""", encoding="utf-8")
    return rubric, answers


SMALL_RUBRIC = """\
schema: cslevels/rubric/v1
id: small
version: "2.0"
title: Small test rubric
method: {method}
threshold: 0.75
min_coverage: 0.5
scales:
  four:
    label: How far?
    options:
      - {{value: 0, label: Not at all, score: 0.0}}
      - {{value: 1, label: Partly, score: 0.5}}
      - {{value: 2, label: Fully, score: 1.0}}
      - {{value: 3, label: Almost, score: 0.7496}}
levels:
  - id: basics
    name: Basics
    summary: The basics are in place.
    questions:
      - {{id: a, text: Question A, scale: four, weight: 3, recommendation: Do A properly.}}
      - {{id: b, text: Question B, scale: four, allow_na: true}}
  - id: middle
    name: Middle
    threshold: 0.9
    questions:
      - {{id: c, text: Question C, scale: four, recommendation: Do C properly.}}
      - {{id: d, text: Question D, scale: four}}
  - id: top
    name: Top
    questions:
      - {{id: e, text: Question E, scale: four}}
"""


def small_case(folder: Path, answers: str, *, method: str = "staged",
               target: int | None = None) -> Path:
    (folder / "small.yaml").write_text(SMALL_RUBRIC.format(method=method), encoding="utf-8")
    path = folder / "small-answers.yaml"
    path.write_text(
        "schema: cslevels/answers/v1\nrubric: small\nrubric_version: \"2.0\"\n"
        "subject: Test Shop\n" + (f"target: {target}\n" if target else "")
        + "answers:\n" + answers, encoding="utf-8")
    return path


def score_small(folder: Path, answers: str, **kwargs: object) -> str:
    path = small_case(folder, answers, **kwargs)  # type: ignore[arg-type]
    batch = score_files([path], RubricLibrary(()), rubric=str(folder / "small.yaml"))
    assert not batch.errors, batch.errors
    return render_results(batch.results)


# ------------------------------------------------------------------ CLI


def test_score_output_html_suffix_writes_html(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = invoke("score", str(EXAMPLES / "riverside-cafe.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Level 3 — Listening and empathy" in parse(html).plain
    assert result.stdout == ""


def test_score_format_html_to_stdout(invoke: Invoke) -> None:
    result = invoke("score", str(EXAMPLES / "northwind-dental.yaml"), "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert result.stdout.rstrip().endswith("</html>")


def test_show_html_writes_questionnaire(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "questionnaire.html"
    result = invoke("show", "six-levels", "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    page = parse(out.read_text(encoding="utf-8"))
    assert "The Six Levels of Customer Service" in page.plain


# ------------------------------------------------------------------ self-contained


def csp_of(page: Page) -> str:
    metas = [m for m in page.named("meta")
             if (m.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(metas) == 1
    return metas[0]["content"] or ""


def assert_self_contained(html: str) -> None:
    page = parse(html)
    csp = {d.split()[0]: d.split()[1:] for d in csp_of(page).split(";") if d.strip()}
    assert csp["default-src"] == ["'none'"]
    assert csp["img-src"] == ["data:"]
    assert csp["style-src"] == ["'unsafe-inline'"]
    assert "script-src" not in csp  # so scripts fall back to default-src 'none'
    assert not page.named("script")
    assert not page.named("iframe") and not page.named("object") and not page.named("embed")
    for tag, key, value in page.attribute_values():
        assert not key.startswith("on"), (tag, key)
        if key in {"src", "href", "action", "srcset", "poster", "data", "xlink:href"}:
            assert value.startswith(("#", "data:")), (tag, key, value)
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html
    assert "@font-face" not in html


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_report_is_self_contained(path: Path) -> None:
    assert_self_contained(example_html(path))


@pytest.mark.parametrize("rubric", ["seven-levels", "six-levels", "five-grades"])
def test_questionnaire_is_self_contained(rubric: str) -> None:
    assert_self_contained(render_rubric(RubricLibrary(()).resolve(rubric).rubric))


def test_page_has_language_viewport_and_title() -> None:
    page = parse(example_html(EXAMPLES / "riverside-cafe.yaml"))
    assert page.named("html")[0]["lang"] == "en"
    assert any(m.get("name") == "viewport" for m in page.named("meta"))
    assert any(m.get("charset") == "utf-8" for m in page.named("meta"))
    assert len(page.named("h1")) == 1


# ------------------------------------------------------------------ content


def test_riverside_report_has_every_section() -> None:
    html = example_html(EXAMPLES / "riverside-cafe.yaml")
    page = parse(html)
    text = page.plain
    # header
    assert "Riverside Cafe" in text
    assert "The 7 Levels of Customer Service" in text and "seven-levels version 2.0.0" in text
    assert "J. Moreno" in text and "2026-11-20" in text
    # headline: achieved level, its summary and the index (hand-checked in test_scoring)
    assert "Level 3 — Listening and empathy" in text
    assert "Staff let customers explain fully" in text
    assert "4 of 7 levels achieved" in text
    assert "59.7" in text
    # blocker: professionalism (level 6) is achieved above the unachieved level 4
    assert "Level 6 (Professionalism) meets its own threshold, but level 4 (Problem solving)" \
        in text
    # profile table with proper headers
    headers = [t for t, a in page.tags if t == "th" and a.get("scope") == "col"]
    assert len(headers) >= 5
    for heading in ("Executive summary", "Level profile", "Improvement plan",
                    "To reach level 4 (Problem solving)", "Then level 5 (Responsiveness)",
                    "Then level 7 (Follow-up)", "Answers by level", "Technical appendix"):
        assert heading in text, heading
    # the plan: root-cause then known-fixes, with their recommendations
    assert text.index("4.1 Of the last 20 closed complaints") < text.index(
        "4.5 Is there an up-to-date record of frequent problems")
    assert 'Add a required "cause" field to the complaint log' in text
    # gain of root-cause: weight 2 x (1 - 0.25) over applicable weight 7 = 21.4 points
    assert "+21 points" in text and not re.search(r"\d pts\b", text)
    # the client view: question ids appear only in the technical appendix
    body = text[:text.index("Technical appendix")]
    assert "problem-solving.root-cause" not in body and "riverside-cafe.yaml" not in body
    assert "problem-solving.root-cause" in text[text.index("Technical appendix"):]
    # every question of the rubric, with answers, notes and evidence
    assert text.count("Evidence sought") == 34  # written-reply became email-reply and chat-reply
    assert "Informal or ad hoc (1)" in text
    assert "n/a (not applicable)" in text  # attention.scripts-natural
    assert "Test email sent 2026-11-12, no reply by the visit date" in text
    assert "The cafe uses no scripts or reply templates." in text
    # how it was scored
    assert "Staged: a level counts only when it and every level below it" in text
    assert "75% by default" in text and "At least 50%" in text
    # footer: source and content hash
    batch = score_files([EXAMPLES / "riverside-cafe.yaml"], RubricLibrary(()))
    digest = batch.results[0].rubric_digest
    assert digest and digest[:12] in text and digest not in text
    assert "The 7 Levels Of Customer Service Every Business Should Know" in text


def test_threshold_override_is_explained() -> None:
    text = parse(example_html(EXAMPLES / "northwind-dental.yaml")).plain
    assert "75% by default; 50% for level 1 (Grade 1 — Basic)" in text


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_headline_shows_level_label_of_each_example(path: Path) -> None:
    batch = score_files([path], RubricLibrary(()))
    page = parse(render_results(batch.results))
    labels = [t for t, a in page.tags if t == "p" and a.get("class") == "headline-level"]
    assert len(labels) == 1
    assert level_label(batch.results[0]) in page.plain


def test_several_results_make_one_page_with_a_section_each() -> None:
    batch = score_files(EXAMPLE_FILES, RubricLibrary(()))
    html = render_results(batch.results)
    page = parse(html)
    assert html.count("<!DOCTYPE html>") == 1
    assert len(page.named("h1")) == 1
    articles = page.named("article")
    assert [a["id"] for a in articles] == ["a1", "a2", "a3", "a4"]
    subjects = [t for t, a in page.tags if t == "h2" and (a.get("id") or "").endswith("-title")]
    assert len(subjects) == 4
    toc_links = [a["href"] for a in page.named("a") if (a.get("href") or "").startswith("#a")]
    assert toc_links == ["#a1", "#a2", "#a3", "#a4"]
    for result in batch.results:
        assert level_label(result) in page.plain
    ids = [a["id"] for _, a in page.tags if a.get("id")]
    assert len(ids) == len(set(ids)), "element ids must be unique across sections"


def test_target_gap_and_level_zero(tmp_path: Path) -> None:
    # basics: a=Partly (3 x 0.5) + b=Fully (1) -> 2.5/4 = 62.5% < 75%: level 0.
    html = score_small(tmp_path, "  basics.a: 1\n  basics.b: 2\n  middle.c: 2\n", target=2)
    text = parse(html).plain
    assert "Level 0 — no level achieved yet" in text
    assert "Level 1 (Basics) is not achieved yet: score 62% is below the threshold 75%." in text
    # basics needs a raised (62.5% -> 100%); middle: c Fully, d unanswered -> coverage 50%,
    # score 100% >= 90%: achieved already, so only one stage and one raise.
    assert "The road to the target, level 2 (Middle): 1 change over 1 level" in text
    assert "To reach level 1 (Basics)" in text and "Then level" not in text
    assert "Do A properly." in text
    # a = Partly (0.5) -> Fully: 3 x 0.5 / 4 = +37.5 points, rounded to +38
    assert "+38 points" in text


def test_target_reached_and_missing_answers(tmp_path: Path) -> None:
    html = score_small(tmp_path, "  basics.a: 2\n  basics.b: n/a\n", target=1)
    text = parse(html).plain
    assert "Level 1 — Basics" in text
    assert "The target, level 1 (Basics), is reached. The road to level 3 (Top)" in text
    assert "To reach level 2 (Middle)" in text
    assert "no applicable answer yet" in text  # middle: nothing answered
    assert text.count("Not answered") >= 3  # c, d, e
    assert "n/a (not applicable)" in text


def test_continuous_rubric_has_no_single_level(tmp_path: Path) -> None:
    html = score_small(tmp_path, "  basics.a: 2\n  basics.b: 2\n  middle.c: 0\n  middle.d: 0\n"
                       "  top.e: 2\n", method="continuous")
    text = parse(html).plain
    assert "2 of 3 levels achieved" in text
    assert "Continuous: each level is judged on its own" in text
    assert "Level 2 (Middle)" in text and "To reach" not in text


def test_score_just_below_threshold_is_not_rounded_up_to_it(tmp_path: Path) -> None:
    html = score_small(tmp_path, "  basics.a: 2\n  basics.b: 2\n  middle.c: 2\n  middle.d: 2\n"
                       "  top.e: 3\n")
    page = parse(html)
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", html) if "Top</th>" in r]
    assert len(rows) == 1 and "74.96%" in rows[0] and "✗" in rows[0]
    assert "score 74.96% · threshold 75%" in page.plain
    assert "74.96% ✗ not achieved" in page.plain  # the bar chart's label


def test_every_level_achieved(tmp_path: Path) -> None:
    html = score_small(tmp_path, "  basics.a: 2\n  basics.b: 2\n  middle.c: 2\n  middle.d: 2\n"
                       "  top.e: 2\n")
    text = parse(html).plain
    assert "Level 3 — Top" in text and "100.0" in text
    assert "Every level is achieved" in text


# ------------------------------------------------------------------ charts


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_charts_are_labelled_svg(path: Path) -> None:
    html = example_html(path)
    page = parse(html)
    svgs = page.named("svg")
    assert len(svgs) == 2  # radar and bars
    for attrs in svgs:
        assert attrs["role"] == "img"
        for ref in (attrs["aria-labelledby"] or "").split():
            assert f'id="{ref}"' in html
    assert len(page.named("title")) == 1 + 2  # the page's and one per chart
    assert len(page.named("desc")) == 2
    levels = score_files([path], RubricLibrary(())).results[0].levels
    labels = " ".join(page.svg_text)
    for level in levels:
        # both charts name every level (wrapped onto lines, so word by word)
        for word in level.name.replace("/", "/ ").split():
            assert labels.count(word) >= 2, word
    assert "Threshold" in labels and "Score" in labels and "100%" in labels


def test_two_level_rubric_draws_bars_but_no_radar(tmp_path: Path) -> None:
    answers = small_case(tmp_path, "  basics.a: 2\n")
    two_levels = SMALL_RUBRIC.format(method="staged").split("  - id: top")[0]
    (tmp_path / "small.yaml").write_text(two_levels, encoding="utf-8")
    batch = score_files([answers], RubricLibrary(()), rubric=str(tmp_path / "small.yaml"))
    page = parse(render_results(batch.results))
    assert [a["class"] for a in page.named("svg")] == ["chart chart-bars"]


def test_radar_geometry_puts_values_on_their_axes() -> None:
    chart = svg.radar_chart(["A", "B", "C", "D"], [1.0, 0.5, 0.0, 0.25], title="t", size=200)
    points = re.search(r'class="values" points="([^"]+)"', chart)
    assert points
    xy = [tuple(map(float, p.split(","))) for p in points.group(1).split()]
    cx, cy = xy[2]  # a zero value sits at the centre
    assert xy[0] == (cx, cy - 100)  # top axis, full radius
    assert xy[1] == (cx + 50, cy)  # right axis, half radius
    assert xy[3] == (cx - 25, cy)  # left axis, a quarter


def test_radar_draws_a_level_without_score_as_a_gap_not_a_zero() -> None:
    chart = svg.radar_chart(["A", "B", "C", "D"], [1.0, 0.5, None, 0.0], title="t", size=200)
    assert "<polygon class=\"values\"" not in chart  # no closed outline through the centre
    lines = re.findall(r'<polyline class="values" points="([^"]+)"', chart)
    # one outline D -> A -> B (D's zero is a real score, at the centre); C is left out
    assert len(lines) == 1
    xy = [tuple(map(float, p.split(","))) for p in lines[0].split()]
    assert len(xy) == 3
    cx, cy = xy[0]
    assert xy[1] == (cx, cy - 100) and xy[2] == (cx + 50, cy)
    assert chart.count("(no score)") == 1
    assert chart.count("<circle") == 3 + 1  # a marker for each scored axis, one in the legend


def test_bar_chart_scales_bars_and_marks_thresholds() -> None:
    chart = svg.bar_chart(["One", "Two"], [0.5, None], thresholds=[0.75, 0.75], title="t",
                          width=500, annotations=["✓ ok", "? none"])
    widths = [float(w) for w in re.findall(r'class="bar" [^>]*width="([\d.]+)"', chart)]
    plot_width = 500 - 200 - 150
    assert widths == [plot_width * 0.5]  # the missing value draws no bar
    assert chart.count('class="threshold"') == 2
    assert "no score  ? none" in chart and "50%  ✓ ok" in chart


def test_line_chart_leaves_gaps_for_missing_values() -> None:
    chart = svg.line_chart(["Jan", "Feb", "Mar", "Apr", "May"],
                           [("Index", [0.2, 0.4, None, 0.6, 0.8]), ("Other", [0.1] * 5)],
                           title="Over time", threshold=0.75)
    assert chart.count("<polyline") == 3  # Index in two runs, Other in one
    assert "Jan" in chart and "Index" in chart and "Threshold" in chart
    with pytest.raises(ValueError, match="expected 5"):
        svg.line_chart(["a"] * 5, [("Bad", [0.1])], title="t")


def test_svg_text_is_escaped() -> None:
    for chart in (
        svg.radar_chart([PAYLOAD, "b", "c"], [0.1, 0.2, 0.3], title=PAYLOAD, description=PAYLOAD),
        svg.bar_chart([PAYLOAD], [0.5], title=PAYLOAD, description=PAYLOAD, annotations=[PAYLOAD]),
        svg.line_chart([PAYLOAD], [(PAYLOAD, [0.5])], title=PAYLOAD, description=PAYLOAD),
    ):
        page = parse(str(chart))
        assert not page.named("script") and not page.named("img")
        assert "<script>" not in chart and "&lt;script&gt;" in chart


def test_wrap_label_breaks_at_spaces_and_slashes() -> None:
    assert svg.wrap_label("Partnership/Advocacy/Community", 16) == [
        "Partnership/", "Advocacy/", "Community"]
    assert svg.wrap_label("Listening and empathy", 16) == ["Listening and", "empathy"]
    assert len(svg.wrap_label("one two three four five six seven", 5, max_lines=2)) == 2


# ------------------------------------------------------------------ escaping


def test_injected_markup_is_shown_as_text(tmp_path: Path, invoke: Invoke) -> None:
    rubric, answers = write_injection_case(tmp_path)
    out = tmp_path / "report.html"
    result = invoke("score", str(answers), "--rubric", str(rubric), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert not page.named("script") and not page.named("img")
    assert "<script" not in html and "<img" not in html
    for name in INJECTED_FIELDS:
        assert injected_escaped(name) in html, name
        assert injected(name) in page.plain, name  # the reader sees exactly what was written
    assert_self_contained(html)


def test_injected_rubric_text_in_questionnaire(tmp_path: Path, invoke: Invoke) -> None:
    rubric, _ = write_injection_case(tmp_path)
    out = tmp_path / "q.html"
    result = invoke("show", str(rubric), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert not page.named("script") and not page.named("img")
    for name in ("title", "description", "level-name", "summary", "question", "guidance",
                 "source", "scale", "option"):
        assert injected_escaped(name) in html, name
    assert_self_contained(html)


def test_templates_never_mark_text_safe() -> None:
    for template in TEMPLATES.glob("*.j2"):
        source = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.S)
        assert not re.search(r"\|\s*safe\b", source), template.name
        assert "autoescape false" not in source, template.name
    # The page views hand text to the templates unescaped: only the SVG kit builds markup.
    views = sorted((ROOT / "src" / "cslevels" / "reporting").glob("[!k]*/html.py"))
    assert len(views) >= 4, views
    for module in views:
        assert "Markup(" not in module.read_text(), module


# ------------------------------------------------------------------ questionnaire


def test_questionnaire_lists_every_question_with_tick_boxes() -> None:
    rubric = RubricLibrary(()).resolve("seven-levels").rubric
    page = parse(render_rubric(rubric))
    text = page.plain
    questions = [q for _, q in rubric.questions()]
    boxes = [a for a in page.named("span") if a.get("class") == "box"]
    expected = sum(len(rubric.scales[q.scale].options) + q.allow_na for q in questions)
    assert len(boxes) == expected
    for level, question in rubric.questions():
        assert f"{level.id}.{question.id}" in text
    for label in ("Subject", "Assessor", "Date", "Notes and evidence", "How to fill it in"):
        assert label in text
    assert text.count("Notes and evidence") == len(questions)
    assert [t for t, a in page.tags if t == "h2" and (a.get("id") or "").startswith("level-")] \
        == ["h2"] * len(rubric.levels)
    assert "Level 7 · Follow-up" in text


def test_render_page_gives_other_reports_the_shell() -> None:
    html = render_page("base.html.j2")
    page = parse(html)
    assert page.named("html")[0]["lang"] == "en"
    assert csp_of(page).startswith("default-src 'none'")
    assert "@media print" in html and "@page" in html
    assert "break-inside: avoid" in html


def test_print_styles_keep_charts_and_cards_whole() -> None:
    css = (TEMPLATES / "_page.css.j2").read_text(encoding="utf-8")
    print_css = css[css.index("@media print"):]
    rule = re.search(r"([^{}]+)\{\s*break-inside: avoid", print_css)
    assert rule
    for selector in ("figure.chart", "svg", "tr", ".q", ".headline"):
        assert selector in rule.group(1), selector


def test_report_is_deterministic() -> None:
    path = EXAMPLES / "harbor-hardware-team.yaml"
    assert example_html(path) == example_html(path)


def test_control_and_bidi_characters_are_shown_as_escapes(tmp_path: Path) -> None:
    """Raw ESC or a bidi override in user text would act on a terminal reading the page."""
    from cslevels.commands.score import score_files
    from cslevels.reporting.formats import SCORE_FORMATS

    answers = tmp_path / "a.yaml"
    answers.write_text(
        "schema: cslevels/answers/v1\nrubric: seven-levels\n"
        'subject: "Cafe \\e[31mred\\e[0m \\u202Eevil"\nanswers: {}\n',
        encoding="utf-8",
    )
    batch = score_files([answers])
    html = SCORE_FORMATS.render("html", batch.results)
    assert "\x1b" not in html and "\u202e" not in html
    assert "Cafe \\x1b[31mred" in html
