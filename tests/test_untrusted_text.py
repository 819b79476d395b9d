"""Untrusted text is shown, never run: rich markup, terminal escapes and HTML stay inert.

Every string field of a rubric and of two answers files carries the same payload:
rich markup (``[bold]``, ``[link=...]``, an unbalanced ``[/]``), terminal control
sequences (CSI colour, an OSC 8 hyperlink, a bidi override, a line separator) and
HTML (``<script>``, ``<img onerror>``, an entity).  Each field starts with its own
tag (``@title@``) so a test can tell that the field really was printed.

Terminal output must show the payload literally, control characters as visible
escapes (``\\x1b``); HTML must escape it; Markdown must neutralise it; JSON must keep
it exactly (it is data, not display).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import Invoke

PAYLOAD = ("[bold]B[/bold] [link=http://x]L[/link] [/] \x1b[31mRED "
           "\x1b]8;;http://e\x1b\\E\x1b]8;;\x1b\\ \u202eRTL <script>alert(1)</script> "
           "<img src=x onerror=alert(1)> &amp; \u2028LS")
# How the terminal must show the payload, piece by piece (none holds a space, so
# wrapping never splits one).  Written out by hand from the escapes text.clean() uses.
VISIBLE = ("[bold]B[/bold]", "[link=http://x]L[/link]", "[/]", "\\x1b[31mRED",
           "\\x1b]8;;http://e\\x1b\\E\\x1b]8;;\\x1b\\", "\\u202eRTL",
           "<script>alert(1)</script>", "\\u2028LS")
OPTION_VALUE = "@v0@[bold]x\x1b[31m\u202e"  # a text option value, at most 64 characters


def p(tag: str) -> str:
    return f"@{tag}@{PAYLOAD}"


def _rubric() -> dict[str, object]:
    return {
        "schema": "cslevels/rubric/v1", "id": "nasty", "version": p("ver"), "title": p("title"),
        "description": p("desc"),
        "source": {"title": p("srctitle"), "note": p("srcnote"), "url": p("srcurl")},
        "subject": p("subj"), "method": "staged", "threshold": 0.6,
        "scales": {"s": {"label": p("scalelabel"), "options": [
            {"value": OPTION_VALUE, "label": p("opt0"), "score": 0.0},
            {"value": 1, "label": p("opt1"), "score": 0.5},
            {"value": 2, "label": p("opt2"), "score": 1.0}]}},
        "levels": [{"id": f"l{i}", "name": p(f"name{i}"), "summary": p(f"sum{i}"), "questions": [
            {"id": f"q{j}", "text": p(f"text{i}{j}"), "scale": "s", "allow_na": True,
             "guidance": p(f"guid{i}{j}"), "recommendation": p(f"rec{i}{j}")}
            for j in range(2)]} for i in range(3)],
    }


def _answers(date: str, values: dict[tuple[int, int], object]) -> dict[str, object]:
    return {
        "schema": "cslevels/answers/v1", "rubric": "nasty", "rubric_version": p("ver"),
        "subject": p("asubj"), "assessor": p("assessor"), "date": date,
        "answers": {f"l{i}.q{j}": {"value": v, "note": p(f"note{i}{j}"),
                                   "evidence": [p(f"ev{i}{j}"), "[/]"]}
                    for (i, j), v in values.items()},
    }


def _dump(data: object) -> str:
    # ASCII-only YAML: the control characters travel as \e, \u202e... escapes
    return yaml.safe_dump(data, allow_unicode=False, width=10**6, sort_keys=False)


@pytest.fixture(scope="module")
def nasty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("nasty")
    (root / "rubrics").mkdir()
    (root / "rubrics" / "nasty.yaml").write_text(_dump(_rubric()))
    (root / "a1.yaml").write_text(_dump(_answers(
        "2026-01-01", {(0, 0): 2, (0, 1): 2, (1, 0): OPTION_VALUE, (1, 1): 1, (2, 0): "n/a"})))
    (root / "a2.yaml").write_text(_dump(_answers(
        "2026-06-01", {(0, 0): 2, (0, 1): 1, (1, 0): 2, (1, 1): 2, (2, 0): OPTION_VALUE,
                       (2, 1): 1})))
    return root


def commands(root: Path) -> dict[str, list[str]]:
    rubric = str(root / "rubrics" / "nasty.yaml")
    a1, a2 = str(root / "a1.yaml"), str(root / "a2.yaml")
    dirs = ["--rubrics-dir", str(root / "rubrics")]
    return {
        "show": ["show", rubric],
        "score": ["score", a1, *dirs],
        "combine": ["score", "--combine", a1, a2, *dirs],
        "compare": ["compare", a1, a2, *dirs],
        "summary": ["summary", a1, a2, *dirs],
        "template": ["template", rubric],
        "list": ["list", *dirs],
    }


# The fields each terminal view prints (checked by reading each view): each must appear.
SHOWN = {
    "show": ("ver", "title", "desc", "srctitle", "subj", "opt0", "opt1", "opt2", "name0", "sum0",
             "name1", "text00", "guid00"),
    "score": ("ver", "title", "opt0", "opt1", "opt2", "name0", "sum0", "name1", "rec10",
              "asubj", "assessor", "note00", "ev00", "note10", "ev10"),
    "combine": ("ver", "title", "opt0", "opt1", "opt2", "name0", "name1", "asubj", "assessor",
                "note00", "ev00", "note10", "ev10"),
    "compare": ("ver", "title", "opt0", "name0", "name1", "asubj", "assessor", "note10"),
    "summary": ("ver", "title", "name0", "name1", "asubj"),
    "template": ("ver", "title", "subj", "opt0", "opt1", "opt2", "name0", "sum0", "name1",
                 "text00", "guid00"),
    "list": ("ver", "title"),
}
SGR = re.compile(r"\x1b\[[0-9;]*m")


def assert_literal(text: str, tags: tuple[str, ...]) -> None:
    """Every tagged field is there, and every piece of the payload shows literally."""
    assert "\x1b" not in text, "a raw escape character reached the terminal"
    assert "\u202e" not in text and "\u2028" not in text
    for tag in tags:
        assert f"@{tag}@" in text, f"field {tag} is not shown"
    for piece in VISIBLE:
        assert text.count(piece) >= len(tags), (piece, text.count(piece), len(tags))


@pytest.mark.parametrize("name", list(SHOWN))
def test_terminal_shows_untrusted_text_literally(invoke: Invoke, nasty: Path, name: str) -> None:
    result = invoke(*commands(nasty)[name], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert_literal(result.stdout, SHOWN[name])
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr


@pytest.mark.parametrize("name", list(SHOWN))
def test_in_colour_only_cslevels_writes_escape_codes(invoke: Invoke, nasty: Path,
                                                     name: str) -> None:
    result = invoke(*commands(nasty)[name], env={"COLUMNS": "200", "FORCE_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    assert "\x1b[31mRED" not in result.stdout
    assert "\x1b]" not in result.stdout  # no OSC: no hyperlink, no window title
    # What is left after removing the colour codes cslevels wrote is the plain view.
    assert_literal(SGR.sub("", result.stdout), SHOWN[name])


def test_narrow_terminal_does_not_crash_on_markup(invoke: Invoke, nasty: Path) -> None:
    for name, args in commands(nasty).items():
        result = invoke(*args, env={"COLUMNS": "40"})
        assert result.exit_code == 0, (name, result.stderr)
        assert "\x1b" not in result.stdout, name


def test_validate_messages_show_untrusted_text_escaped(invoke: Invoke, nasty: Path,
                                                       tmp_path: Path) -> None:
    answers = _answers("2026-01-01", {(0, 0): 2})
    answers["answers"]["l0.[bold]q\x1b[31m\u202e"] = 1  # type: ignore[index]
    answers["rubric_version"] = "9\x1b]8;;http://e\x1b\\"
    path = tmp_path / "bad.yaml"
    path.write_text(_dump(answers))
    result = invoke("validate", str(path), "--rubrics-dir", str(nasty / "rubrics"))
    assert result.exit_code == 1
    err = result.stderr
    assert "\x1b" not in err and "\u202e" not in err
    assert "unknown question 'l0.[bold]q\\x1b[31m\\u202e' for rubric nasty" in err
    assert "version 9\\x1b]8;;http://e\\x1b\\, but the rubric is version @ver@[bold]B[/bold]" in err


def test_file_names_are_untrusted_too(invoke: Invoke, nasty: Path, tmp_path: Path) -> None:
    folder = tmp_path / "clients"
    folder.mkdir()
    evil = folder / "evil\x1b[31m\u202e[bold].yaml"
    evil.write_bytes((nasty / "a1.yaml").read_bytes())
    (folder / "broken\x1b]8;;x\x1b\\.yaml").write_text("a: [\n")
    result = invoke("summary", str(folder), "--rubrics-dir", str(nasty / "rubrics"),
                    env={"COLUMNS": "200"})
    assert result.exit_code == 1  # the broken file
    both = result.stdout + result.stderr
    assert "\x1b" not in both and "\u202e" not in both
    assert "broken\\x1b]8;;x\\x1b\\.yaml:2:1: error: YAML syntax error" in result.stderr
    scored = invoke("score", str(evil), "--rubrics-dir", str(nasty / "rubrics"),
                    env={"COLUMNS": "200"})
    assert scored.exit_code == 0
    assert "\x1b" not in scored.stdout and "\u202e" not in scored.stdout
    # the Answers file line of the technical details (folded, as a long path may be)
    unfolded = "".join(line.strip() for line in scored.stdout.splitlines())
    assert "evil\\x1b[31m\\u202e[bold].yaml" in unfolded


def test_template_is_safe_to_print_and_reads_back_exactly(invoke: Invoke, nasty: Path,
                                                          tmp_path: Path) -> None:
    result = invoke("template", str(nasty / "rubrics" / "nasty.yaml"))
    assert result.exit_code == 0
    text = result.stdout
    assert "\x1b" not in text and "\u202e" not in text and "\u2028" not in text
    data = yaml.safe_load(text)  # a line separator in a name did not end a comment early
    assert data["rubric_version"] == p("ver")  # the exact version, escapes and all
    assert data["answers"] == {f"l{i}.q{j}": None for i in range(3) for j in range(2)}
    # the option value is shown as it must be typed: in quotes, with YAML escapes
    assert '"@v0@[bold]x\\u001b[31m\\u202e" = @opt0@' in text
    path = tmp_path / "blank.yaml"
    path.write_text(text)
    checked = invoke("validate", "--strict", str(path), "--rubrics-dir", str(nasty / "rubrics"))
    assert checked.exit_code == 0, checked.stderr


def test_interactive_questionnaire_shows_text_literally(invoke: Invoke, nasty: Path,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    result = invoke("assess", str(nasty / "rubrics" / "nasty.yaml"), "-o", str(out), "--no-tty",
                    "--subject", "S", "--assessor", "", input="2\n\n1\n\nq\n")
    assert result.exit_code == 0, result.stderr
    assert_literal(result.stdout, ("title", "ver", "name0", "sum0", "text00", "text01",
                                   "scalelabel", "opt0", "opt1", "opt2"))
    saved = yaml.safe_load(out.read_text())
    assert saved["answers"]["l0.q1"] == OPTION_VALUE  # the value itself is kept exactly


# ---------------------------------------------------------------- HTML, Markdown, JSON, CSV

HTML_COMMANDS = ("show", "score", "combine", "compare", "summary")
HTML_SHOWN = {
    "show": ("ver", "title", "desc", "srctitle", "subj", "scalelabel", "opt0", "name0", "sum0",
             "text00", "guid00"),
    "score": ("ver", "title", "srctitle", "srcurl", "opt0", "name0", "sum0", "text00", "guid00",
              "asubj", "assessor", "note00", "ev00"),
    "combine": ("ver", "title", "srctitle", "opt0", "name0", "text00", "asubj", "assessor",
                "note00", "ev00"),
    "compare": ("ver", "title", "opt0", "name0", "asubj", "assessor", "note10"),
    "summary": ("ver", "title", "name0", "asubj"),
}


@pytest.mark.parametrize("name", HTML_COMMANDS)
def test_html_escapes_everything(invoke: Invoke, nasty: Path, tmp_path: Path,
                                 name: str) -> None:
    out = tmp_path / "report.html"
    result = invoke(*commands(nasty)[name], "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    page = out.read_text()
    assert "<script" not in page.lower()  # cslevels' own pages have no script at all
    assert "<img" not in page.lower()
    assert "href=\"http://x" not in page and "href='http://x" not in page
    for tag in HTML_SHOWN[name]:
        assert f"@{tag}@" in page, f"field {tag} is not in the page"
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; &amp;amp;"
    assert page.count(escaped) >= len(HTML_SHOWN[name])
    assert page.count("[link=http://x]L[/link]") >= len(HTML_SHOWN[name])


UNESCAPED_HTML = re.compile(r"(?<!\\)<(script|img)")


@pytest.mark.parametrize("name", ("show", "score", "combine", "compare"))
def test_markdown_neutralises_markup_and_html(invoke: Invoke, nasty: Path, name: str) -> None:
    result = invoke(*commands(nasty)[name], "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert not UNESCAPED_HTML.search(text)
    assert "\\<script\\>alert(1)\\</script\\>" in text
    assert "\\[link=http\\://x\\]L\\[/link\\]" in text  # no Markdown link, no autolink
    assert "&amp;amp;" in text
    assert "\x1b" not in text and "\u202e" not in text


@pytest.mark.parametrize("name", ("score", "compare", "summary"))
def test_json_keeps_the_text_exactly(invoke: Invoke, nasty: Path, name: str) -> None:
    result = invoke(*commands(nasty)[name], "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout  # JSON writes it as \u001b
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.startswith("@asubj@"):
            found.append(value)

    walk(json.loads(result.stdout))
    assert found and all(value == p("asubj") for value in found)


def test_csv_cells_never_become_formulas(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text('schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: "=1+1"\n'
                    "answers: {availability.channels: 2}\n")
    result = invoke("summary", str(path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["subject"] == "'=1+1"
