"""`cslevels list` and `cslevels show`: what rubrics there are and what they ask."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, RUBRICS, Invoke
from cslevels.files.loading import load_rubric

POSITIVE = DATA / "positive"
BUILT_IN = ("five-grades", "seven-levels", "six-levels")


def rubric_rows(stdout: str) -> dict[str, str]:
    """Each rubric's entry by id: its first line, with the indented lines under it joined
    on (a line that does not fit the terminal goes on in them)."""
    rows: dict[str, str] = {}
    current = ""
    for line in stdout.splitlines():
        if line.startswith(" ") and current:
            rows[current] += " " + line.strip()
        elif line.strip():
            current = line.split()[0]
            rows[current] = line
    return rows


def test_list_shows_the_built_in_rubrics(invoke: Invoke) -> None:
    result = invoke("list")
    assert result.exit_code == 0, result.output
    rows = rubric_rows(result.stdout)
    assert set(rows) == set(BUILT_IN)
    seven = rows["seven-levels"]
    assert "2.0.0" in seven
    assert "7 levels" in seven
    assert "staged" in seven
    assert "The 7 Levels of Customer Service" in seven
    assert f"[built-in: {RUBRICS / 'seven-levels.yaml'}]" in seven
    assert "6 levels" in rows["six-levels"] and "5 levels" in rows["five-grades"]


def test_list_columns_line_up(invoke: Invoke) -> None:
    lines = [line for line in invoke("list").stdout.splitlines() if not line.startswith(" ")]
    assert len(lines) == 3
    assert len({line.index(" levels") for line in lines}) == 1
    wide = invoke("list", env={"COLUMNS": "300"}).stdout.splitlines()
    assert len(wide) == 3  # room for it all: one line each, as before


LONG_TITLE = ("Customer-service maturity for independent bookshops, cafés and hardware "
              "stores across the northern region")
LONG_ID = "northern-retail-service-maturity"  # fits 40 columns: whole


@pytest.mark.parametrize("width", [40, 60, 70, 80, 100])
def test_list_fits_the_terminal_and_keeps_every_name_whole(invoke: Invoke, tmp_path: Path,
                                                           width: int) -> None:
    """Issue 18 item 7: every line fits ``width``; the id, version and each word of the
    title appear whole; only a path longer than the line would be broken."""
    text = (POSITIVE / "corner-shop.yaml").read_text()
    text = text.replace("id: corner-shop", f"id: {LONG_ID}", 1)
    text = text.replace("title: Corner shop service", f"title: {LONG_TITLE}", 1)
    (tmp_path / "r.yaml").write_text(text)
    out = invoke("list", "--rubrics-dir", str(tmp_path), env={"COLUMNS": str(width)}).stdout
    # every line fits, but for a path longer than the line: whole, on a line of its own
    paths = [str(tmp_path / "r.yaml"), *(str(RUBRICS / f"{r}.yaml") for r in BUILT_IN)]
    assert all(len(line) <= width or line.strip().rstrip("]") in paths
               for line in out.splitlines()), out
    for path in paths:
        assert path in " ".join(out.split()), path  # never cut
    words = out.split()
    for word in [LONG_ID, *LONG_TITLE.split(), "The", "Six", "Levels", "seven-levels"]:
        assert word in words, (word, out)
    rows = rubric_rows(out)
    assert set(rows) == {LONG_ID, *BUILT_IN}
    assert LONG_TITLE in rows[LONG_ID] and "2 levels" in rows[LONG_ID]


def test_list_with_a_rubrics_dir(invoke: Invoke) -> None:
    result = invoke("list", "--rubrics-dir", str(POSITIVE))
    assert result.exit_code == 0, result.output
    rows = rubric_rows(result.stdout)
    assert set(rows) == {"corner-shop", "team-skills", *BUILT_IN}
    assert "continuous" in rows["team-skills"]
    assert f"[--rubrics-dir: {POSITIVE / 'team-skills.yml'}]" in rows["team-skills"]
    # the answers files kept in the same folder are not rubrics, and not errors either
    assert result.stderr == ""


def test_list_json(invoke: Invoke) -> None:
    result = invoke("list", "--format", "json", "--rubrics-dir", str(POSITIVE))
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["corner-shop"] == {
        "id": "corner-shop", "version": "1.0", "title": "Corner shop service", "levels": 2,
        "origin": "--rubrics-dir", "path": str(POSITIVE / "corner-shop.yaml"), "error": None,
    }
    assert rows["six-levels"]["origin"] == "built-in"


def test_list_from_the_environment_variable(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "corner-shop.yaml").write_text((POSITIVE / "corner-shop.yaml").read_text())
    result = invoke("list", env={"CSLEVELS_RUBRICS_PATH": str(tmp_path)})
    assert result.exit_code == 0
    row = rubric_rows(result.stdout)["corner-shop"]
    assert f"[CSLEVELS_RUBRICS_PATH: {tmp_path / 'corner-shop.yaml'}]" in row


def test_an_earlier_folder_shadows_a_built_in(invoke: Invoke, tmp_path: Path) -> None:
    text = (RUBRICS / "six-levels.yaml").read_text()
    (tmp_path / "mine.yaml").write_text(text.replace('version: "2.0.0"', 'version: "9.9"'))
    rows = rubric_rows(invoke("list", "--rubrics-dir", str(tmp_path)).stdout)
    assert "9.9" in rows["six-levels"]
    assert str(RUBRICS) not in rows["six-levels"]


def test_an_earlier_folder_shadows_a_built_in_when_resolving_an_id(
    invoke: Invoke, tmp_path: Path
) -> None:
    # the file is not named after its id, so only a scan of the folder finds it
    text = (RUBRICS / "six-levels.yaml").read_text()
    (tmp_path / "mine.yaml").write_text(text.replace('version: "2.0.0"', 'version: "9.9"'))
    result = invoke("show", "six-levels", "--rubrics-dir", str(tmp_path), "--format", "markdown")
    assert result.exit_code == 0
    assert "*six-levels 9.9 · staged" in result.stdout


def test_resolving_skips_broken_files_not_named_after_the_id(invoke: Invoke, tmp_path: Path
                                                             ) -> None:
    (tmp_path / "broken.yaml").write_text("schema: cslevels/rubric/v1\nid: [\n")
    (tmp_path / "shop.yaml").write_text((POSITIVE / "corner-shop.yaml").read_text())
    assert invoke("show", "corner-shop", "--rubrics-dir", str(tmp_path)).exit_code == 0
    (tmp_path / "corner-shop.yaml").write_text("schema: cslevels/rubric/v1\nid: corner-shop\n")
    result = invoke("show", "corner-shop", "--rubrics-dir", str(tmp_path))
    assert result.exit_code == 1  # the file named after the id is broken: its errors are shown
    named = tmp_path / "corner-shop.yaml"
    assert f"{named}:1:1: error: missing required field 'version'" in result.stderr


def test_list_reports_a_broken_rubric_and_lists_the_rest(invoke: Invoke, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text((DATA / "negative" / "rubric-duplicate-level-id.yaml").read_text())
    result = invoke("list", "--rubrics-dir", str(tmp_path))
    assert result.exit_code == 1
    assert f"{broken}: cannot be used: {broken}:21:9: error: duplicate level id" in result.stderr
    assert set(rubric_rows(result.stdout)) == set(BUILT_IN)


def test_list_reports_broken_symlinks_as_validate_does(invoke: Invoke, tmp_path: Path) -> None:
    """A rubric folder's dangling or looping link was left out in silence; now it is named."""
    (tmp_path / "shop.yaml").write_text((POSITIVE / "corner-shop.yaml").read_text())
    (tmp_path / "gone.yaml").symlink_to("moved-away.yaml")
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    result = invoke("list", "--rubrics-dir", str(tmp_path))
    assert result.exit_code == 1
    gone, loop = tmp_path / "gone.yaml", tmp_path / "loop.yaml"
    assert (f"{gone}: cannot be used: {gone}: error: broken symbolic link: "
            "'moved-away.yaml' does not exist") in result.stderr
    assert f"{loop}: cannot be used: {loop}: error: cannot read:" in result.stderr
    assert set(rubric_rows(result.stdout)) == {*BUILT_IN, "corner-shop"}
    listed = json.loads(invoke("list", "--rubrics-dir", str(tmp_path), "--format",
                               "json").stdout)
    broken = {Path(e["path"]).name for e in listed if e.get("error")}
    assert broken == {"gone.yaml", "loop.yaml"}
    # resolving an id passes over them, as over any broken file not named after it
    assert invoke("show", "corner-shop", "--rubrics-dir", str(tmp_path)).exit_code == 0
    # but a broken link named after the id is the rubric asked for: its error is said
    (tmp_path / "team.yaml").symlink_to("team-moved.yaml")
    result = invoke("show", "team", "--rubrics-dir", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (f"{tmp_path / 'team.yaml'}: error: broken symbolic link: "
                             "'team-moved.yaml' does not exist\n")


# ---------------------------------------------------------------- show


def rubric_texts(rubric_path: Path) -> list[str]:
    """Every level name, question text and option label of a rubric."""
    rubric = load_rubric(rubric_path).rubric
    texts = [level.name for level in rubric.levels]
    for _level, question in rubric.questions():
        texts.append(question.text)
        texts += [option.label for option in rubric.scales[question.scale].options]
    return texts


def squash(text: str) -> str:
    """Text without the line breaks and box borders a terminal layout adds."""
    for border in "│╭╮╰╯─":
        text = text.replace(border, " ")
    return " ".join(text.split())


@pytest.mark.parametrize("rubric", BUILT_IN)
def test_show_terminal_has_every_level_question_and_option(invoke: Invoke, rubric: str) -> None:
    result = invoke("show", rubric)
    assert result.exit_code == 0, result.output
    shown = squash(result.stdout)
    for text in rubric_texts(RUBRICS / f"{rubric}.yaml"):
        assert " ".join(text.split()) in shown, text


@pytest.mark.parametrize("rubric", BUILT_IN)
def test_show_markdown_has_every_level_question_and_option(invoke: Invoke, rubric: str) -> None:
    result = invoke("show", rubric, "--format", "markdown")
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())
    for text in rubric_texts(RUBRICS / f"{rubric}.yaml"):
        assert " ".join(text.split()) in shown, text


def test_show_markdown_layout(invoke: Invoke) -> None:
    out = invoke("show", str(POSITIVE / "corner-shop.yaml"), "--format", "markdown").stdout
    assert out.startswith("# Corner shop service\n")
    assert "## Level 1: Reachable" in out
    assert "## Level 2: Helpful" in out
    assert "- [ ] partly: Partly" in out
    assert "- [ ] n/a" in out  # phone-answered allows n/a
    assert "`reachable.phone-answered`" in out


def test_show_terminal_marks_options_and_keys(invoke: Invoke) -> None:
    out = invoke("show", str(POSITIVE / "corner-shop.yaml")).stdout
    assert "Level 1: Reachable" in out
    assert "[reachable.hours-posted]" in out
    assert "☐ no No" in out and "☐ n/a" in out
    assert "Evidence: Look at the door and the shop's web page." in out


def test_show_by_id_from_a_rubrics_dir(invoke: Invoke) -> None:
    result = invoke("show", "team-skills", "--rubrics-dir", str(POSITIVE))
    assert result.exit_code == 0
    assert "Product knowledge" in result.stdout


def test_show_to_a_markdown_file(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "q.md"
    result = invoke("show", "six-levels", "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert out.read_text().startswith("# ")


def test_show_unknown_rubric(invoke: Invoke) -> None:
    result = invoke("show", "seven-level")
    assert result.exit_code == 1
    assert "unknown rubric 'seven-level'" in result.stderr
    assert "did you mean 'seven-levels'?" in result.stderr


def test_show_broken_rubric_gives_its_errors(invoke: Invoke) -> None:
    path = DATA / "negative" / "rubric-unknown-field-treshold.yaml"
    result = invoke("show", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{path}:15:5: error: unknown field 'treshold' "
                                      "(did you mean 'threshold'?)")


def test_show_prints_untrusted_text_literally(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    text = (POSITIVE / "corner-shop.yaml").read_text()
    path.write_text(text.replace("title: Corner shop service",
                                 'title: "[bold]Shop[/bold] \\e[31mred"'))
    terminal = invoke("show", str(path)).stdout
    assert "\x1b" not in terminal
    assert "[bold]Shop[/bold] \\x1b[31mred" in terminal  # not rich markup, not an escape code
    markdown = invoke("show", str(path), "--format", "markdown").stdout
    assert "\x1b" not in markdown
    assert markdown.startswith("# \\[bold\\]Shop\\[/bold\\] ")  # brackets escaped for Markdown
