"""`cslevels compare`: follow-up over time, regressions, ordering and rubric checks.

The series in tests/data/series (rubric corner-shop, threshold 0.75), by hand:

    2026-01  basics 0.9375  care 0.75  loyalty 0.1667  -> level 2, index 61.8
    2026-06  basics 0.9375  care 0.75  loyalty 0.8333  -> level 3, index 84.0  (improvement)
    2026-12  basics 0.9167  care 0.50  loyalty 0.8333  -> level 1, index 75.0  (regression)

December: care.complaints-logged Yes (1.0) -> Partly (0.5) drops care by 25 points and
staged level 2 is lost; basics.tidy became n/a, which moves basics by only -2.1 points.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import DATA, EXAMPLES, Invoke, text_formats
from cslevels.core.compare import compare
from cslevels.core.scoring import Result, score
from cslevels.errors import InputError
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers, load_rubric
from cslevels.reporting.formats import COMPARE_FORMATS

SERIES = DATA / "series"
JAN = SERIES / "2026-01-visit.yaml"
JUN = SERIES / "2026-06-visit.yaml"
DEC = SERIES / "2026-12-visit.yaml"
RUBRIC = SERIES / "corner-shop.yaml"
LIB = ("--rubrics-dir", str(SERIES))


def scored(path: Path, **changes: object) -> Result:
    loaded = load_answers(path, RubricLibrary([SERIES]))
    rubric = loaded.rubric.rubric
    if changes:
        rubric = rubric.model_copy(update=changes)
    return score(rubric, loaded.answers, source=path.name, rubric_digest=loaded.rubric.digest)


def write_answers(folder: Path, name: str, answers: dict[str, object], *,
                  rubric: str = "corner-shop", subject: str = "Corner Shop",
                  date: str = "2026-09-01") -> Path:
    lines = ["schema: cslevels/answers/v1", f"rubric: {rubric}", f"subject: {json.dumps(subject)}",
             f"date: {date}", "answers:"]
    lines += [f"  {key}: {json.dumps(value)}" for key, value in answers.items()]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


JUNE_ANSWERS: dict[str, object] = {
    "basics.greeting": 4, "basics.phone": 3, "basics.tidy": 2, "care.complaints-logged": 2,
    "care.callbacks": 2, "loyalty.regulars-known": 4, "loyalty.feedback": 1,
}


# ---------------------------------------------------------------- the pure core


def test_series_is_ordered_by_date_not_by_argument_order() -> None:
    comparison = compare([scored(DEC), scored(JAN), scored(JUN)])
    assert [r.source for r in comparison.results] == [JAN.name, JUN.name, DEC.name]
    assert [r.achieved_level for r in comparison.results] == [2, 3, 1]
    assert [r.index for r in comparison.results] == [61.8, 84.0, 75.0]


def test_improvement_lists_improved_questions_and_is_not_a_regression() -> None:
    comparison = compare([scored(JUN), scored(JAN)])
    step = comparison.latest
    assert step.level_delta == 1
    assert step.index_delta == pytest.approx(22.2)
    # regulars-known Rarely (0.25) -> Always (1.0); feedback No (0) -> Partly (0.5)
    assert [(c.key, round(c.delta or 0, 4)) for c in step.improved] == [
        ("loyalty.regulars-known", 0.75), ("loyalty.feedback", 0.5)]
    assert step.regressed == () and step.changed == ()
    assert not comparison.regressed


def test_regression_names_the_level_drop_the_score_drop_and_the_questions() -> None:
    comparison = compare([scored(JAN), scored(JUN), scored(DEC)])
    step = comparison.latest
    assert (step.old.source, step.new.source) == (JUN.name, DEC.name)
    assert comparison.regressed
    kinds = [(r.kind, r.level_id) for r in comparison.regressions]
    # basics fell by 0.9375 - 0.9167 = 0.0208, within the 0.05 tolerance: not listed
    assert kinds == [("level", None), ("score", "care")]
    assert "from 3 (Loyalty) to 1 (Basics)" in comparison.regressions[0].message
    deltas = {c.id: c.delta for c in step.levels}
    assert deltas["care"] == pytest.approx(-0.25)
    assert deltas["basics"] == pytest.approx(2.75 / 3 - 3.75 / 4)
    assert [c.key for c in step.regressed] == ["care.complaints-logged"]
    regressed = step.regressed[0]
    assert (regressed.old.option.label, regressed.new.option.label) == ("Yes", "Partly")
    assert regressed.new.note is not None and "lost in the move" in regressed.new.note
    assert [(c.key, c.old.state, c.new.state) for c in step.changed] == [
        ("basics.tidy", "answered", "na")]
    # the earlier step is an improvement and keeps no regression
    assert comparison.steps[0].regressions == ()


def test_tolerance_decides_score_drops_but_never_hides_a_level_drop() -> None:
    comparison = compare([scored(JUN), scored(DEC)], tolerance=0.3)
    assert [r.kind for r in comparison.regressions] == ["level"]


def test_score_drop_beyond_tolerance_is_a_regression_without_a_level_change(
        tmp_path: Path) -> None:
    # greeting Always -> Often: basics (2*0.75 + 0.75 + 1.0) / 4 = 0.8125, still achieved;
    # the drop is 0.9375 - 0.8125 = 0.125 exactly.
    answers = dict(JUNE_ANSWERS, **{"basics.greeting": 3})
    later = write_answers(tmp_path, "later.yaml", answers, date="2026-09-01")
    results = [scored(JUN), scored(later)]
    comparison = compare(results)
    assert comparison.latest.level_delta == 0
    assert [(r.kind, r.level_id) for r in comparison.regressions] == [("score", "basics")]
    assert not compare(results, tolerance=0.125).regressed  # "more than" the tolerance
    assert compare(results, tolerance=0.124).regressed


def test_continuous_rubric_regresses_when_an_achieved_level_is_lost() -> None:
    comparison = compare([scored(JUN, method="continuous"), scored(DEC, method="continuous")],
                         tolerance=0.3)
    assert comparison.newest.achieved_level is None
    assert [(r.kind, r.level_id) for r in comparison.regressions] == [("status", "care")]


def test_different_rubrics_cannot_be_compared() -> None:
    library = RubricLibrary()
    cafe = load_answers(EXAMPLES / "riverside-cafe.yaml", library)
    team = load_answers(EXAMPLES / "harbor-hardware-team.yaml", library)
    results = [score(x.rubric.rubric, x.answers, source=str(x.path)) for x in (cafe, team)]
    with pytest.raises(InputError, match=r"different rubrics.*seven-levels.*six-levels"):
        compare(results)


def test_one_assessment_is_not_a_comparison() -> None:
    with pytest.raises(InputError, match="at least two"):
        compare([scored(JAN)])


def test_different_subjects_are_refused_unless_allowed(tmp_path: Path) -> None:
    other = write_answers(tmp_path, "other.yaml", JUNE_ANSWERS, subject="Another Shop")
    with pytest.raises(InputError, match=r'different subjects: "Corner Shop" .*"Another Shop"'):
        compare([scored(JAN), scored(other)])
    comparison = compare([scored(JAN), scored(other)], allow_different_subjects=True)
    assert any("different subjects" in w and "Another Shop" in w for w in comparison.warnings)
    same = write_answers(tmp_path, "same.yaml", JUNE_ANSWERS, subject="  corner   SHOP ")
    assert not any("subjects" in w for w in compare([scored(JAN), scored(same)]).warnings)
    # NFKC: a full-width letter or a ligature is the same text
    wide = write_answers(tmp_path, "wide.yaml", JUNE_ANSWERS, subject="Corner \uff33hop")
    assert not compare([scored(JAN), scored(wide)]).warnings


@pytest.mark.parametrize("hidden", ["\u200b", "\u2060", "\u00ad", "\ufeff"])
def test_invisible_characters_never_make_two_subjects_look_the_same(tmp_path: Path,
                                                                    hidden: str) -> None:
    other = write_answers(tmp_path, "other.yaml", JUNE_ANSWERS,
                          subject=f"Corner{hidden} Shop")
    with pytest.raises(InputError) as caught:
        compare([scored(JAN), scored(other)])
    message = str(caught.value)
    assert f'"Corner\\u{ord(hidden):04x} Shop"' in message  # shown, not hidden
    assert "differ only in invisible characters" in message


def test_the_cli_refuses_two_subjects_and_allows_them_when_asked(invoke: Invoke) -> None:
    cafe = str(EXAMPLES / "riverside-cafe.yaml")
    bakery = str(DATA / "subjects" / "quayside-bakery.yaml")
    refused = invoke("compare", cafe, bakery)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "cannot compare assessments of different subjects" in refused.stderr
    assert "--allow-different-subjects" in refused.stderr
    allowed = invoke("compare", cafe, bakery, "--allow-different-subjects")
    assert allowed.exit_code == 0
    assert "warning: the assessments are of different subjects" in allowed.stderr
    hidden = invoke("compare", cafe, str(DATA / "subjects" / "riverside-zero-width.yaml"))
    assert hidden.exit_code == 1 and '"Riverside\\u200bCafe"' in hidden.stderr


# ---------------------------------------------------------------- rubric versions and content


def _rubric_copy(folder: Path, name: str, *, version: str = "1.0.0",
                 replace: tuple[str, str] | None = None) -> Path:
    text = RUBRIC.read_text(encoding="utf-8").replace('version: "1.0.0"', f'version: "{version}"')
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_different_rubric_content_under_one_version_is_warned(tmp_path: Path,
                                                             invoke: Invoke) -> None:
    old_rubric = _rubric_copy(tmp_path, "old-rubric.yaml")
    new_rubric = _rubric_copy(tmp_path, "new-rubric.yaml", replace=(
        "greeted within ten seconds", "greeted within five seconds"))
    old = write_answers(tmp_path, "old.yaml", JUNE_ANSWERS, rubric=str(old_rubric),
                        date="2026-01-01")
    new = write_answers(tmp_path, "new.yaml", JUNE_ANSWERS, rubric=str(new_rubric))
    result = invoke("compare", str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "different content of corner-shop 1.0.0" in result.stderr
    data = json.loads(result.stdout)
    digests = [a["rubric"]["digest"] for a in data["assessments"]]
    assert digests[0] != digests[1]
    assert any("different content" in w for w in data["warnings"])


def test_different_rubric_versions_compare_only_shared_questions(tmp_path: Path,
                                                                 invoke: Invoke) -> None:
    v1 = _rubric_copy(tmp_path, "v1.yaml")
    # 1.1.0 renames loyalty.feedback to loyalty.reviews: 6 questions are shared
    v2 = _rubric_copy(tmp_path, "v2.yaml", version="1.1.0", replace=(
        "- id: feedback", "- id: reviews"))
    old_answers = dict(JUNE_ANSWERS, **{"loyalty.feedback": 0})
    new_answers = {k: v for k, v in JUNE_ANSWERS.items() if k != "loyalty.feedback"}
    new_answers.update({"loyalty.reviews": 2, "basics.phone": 4})
    old = write_answers(tmp_path, "old.yaml", old_answers, rubric=str(v1), date="2026-01-01")
    new = write_answers(tmp_path, "new.yaml", new_answers, rubric=str(v2))
    result = invoke("compare", str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "only the 6 questions both versions share" in result.stderr
    step = json.loads(result.stdout)["steps"][0]
    assert step["shared_questions"] == 6
    assert [q["id"] for q in step["improved"]] == ["basics.phone"]
    assert step["regressed"] == [] and step["changed"] == []


# ---------------------------------------------------------------- the command


def test_fail_on_regression_exits_1_when_the_newest_by_date_regressed(invoke: Invoke) -> None:
    # In argument order the last file (June) would be an improvement on January.
    result = invoke("compare", str(DEC), str(JAN), str(JUN), *LIB, "--fail-on-regression")
    assert result.exit_code == 1
    assert "REGRESSION" in result.stdout
    assert "regression: achieved level fell from 3 (Loyalty) to 1 (Basics)" in result.stderr
    assert "regression: level 2 (Care) score fell from 75% to 50%" in result.stderr
    assert "Traceback" not in result.stderr


def test_regression_is_reported_but_exits_0_without_the_flag(invoke: Invoke) -> None:
    result = invoke("compare", str(JUN), str(DEC), *LIB)
    assert result.exit_code == 0
    assert "REGRESSION" in result.stdout
    assert "care.complaints-logged" in result.stdout
    assert "lost in the move" in result.stdout  # the new note is shown


def test_improvement_is_not_flagged(invoke: Invoke) -> None:
    result = invoke("compare", str(JUN), str(JAN), *LIB, "--fail-on-regression")
    assert result.exit_code == 0, result.stderr
    assert "REGRESSION" not in result.stdout
    assert "No regression since 2026-01-10" in result.stdout
    assert "loyalty.regulars-known" in result.stdout


def test_tolerance_option_is_in_points(invoke: Invoke) -> None:
    result = invoke("compare", str(JUN), str(DEC), *LIB, "--tolerance", "30", "-f", "json",
                    "--fail-on-regression")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["tolerance"] == 0.3 and data["tolerance_points"] == 30
    assert [r["kind"] for r in data["regressions"]] == ["level"]
    assert invoke("compare", str(JUN), str(DEC), *LIB, "--tolerance", "101").exit_code == 2
    # a share as in earlier versions is taken as points, with a warning saying so
    share = invoke("compare", str(JUN), str(DEC), *LIB, "--tolerance", "0.3")
    assert ("--tolerance is in points: 0.3 means 0.3 of a level's 100 points; for 30 points "
            "give --tolerance 30") in share.stderr
    # the markdown and terminal say the same tolerance the option was given in
    assert "**Regression tolerance:** 30 points" in invoke(
        "compare", str(JUN), str(DEC), *LIB, "--tolerance", "30", "-f", "markdown").stdout


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "json"])
def test_no_regression_and_answers_that_fell_never_contradict(invoke: Invoke,
                                                              fmt: str) -> None:
    # Riverside Cafe 2026-11 -> 2027-05: level 3 -> 4, no level score fell more than 5 points
    # (Professionalism 85% -> 81%), but two answers fell (email-reply, tone-respectful).
    out = invoke("compare", str(EXAMPLES / "riverside-cafe.yaml"),
                 str(EXAMPLES / "riverside-cafe-2027-05.yaml"), "--format", fmt)
    assert out.exit_code == 0
    text = " ".join(out.stdout.replace("&#34;", '"').replace("\\", "").split())
    verdict = ("No regression since 2026-11-20. A regression is flagged when the achieved "
               "level falls, or a level score drops by more than 5 points (--tolerance); "
               "neither happened. 2 answers fell (see \u201cAnswers that fell\u201d): a lower "
               "answer alone is not flagged.")
    assert verdict in text
    assert "Regressed (" not in text
    if fmt != "json":
        assert "Answers that fell (2)" in text


def test_json_follows_the_series_in_date_order(invoke: Invoke) -> None:
    result = invoke("compare", str(DEC), str(JUN), str(JAN), *LIB, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [a["date"] for a in data["assessments"]] == ["2026-01-10", "2026-06-10", "2026-12-10"]
    assert [a["achieved_level"] for a in data["assessments"]] == [2, 3, 1]
    assert [(s["achieved_level"]["old"], s["achieved_level"]["new"]) for s in data["steps"]] == [
        (2, 3), (3, 1)]
    assert data["regression"] is True
    assert data["rubric"]["id"] == "corner-shop" and data["rubric"]["version"] == "1.0.0"
    assert len(data["rubric"]["digest"]) == 64
    regressed = data["steps"][1]["regressed"][0]
    assert regressed["old"]["answer"] == "Yes" and regressed["new"]["answer"] == "Partly"
    assert regressed["delta"] == -0.5


def test_riverside_follow_up_is_an_improvement(invoke: Invoke) -> None:
    result = invoke("compare", str(EXAMPLES / "riverside-cafe.yaml"),
                    str(EXAMPLES / "riverside-cafe-2027-05.yaml"), "--format", "json",
                    "--fail-on-regression")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [a["achieved_level"] for a in data["assessments"]] == [3, 4]
    assert data["regression"] is False
    improved = [q["id"] for q in data["steps"][0]["improved"]]
    assert "problem-solving.root-cause" in improved
    regressed = [q["id"] for q in data["steps"][0]["regressed"]]
    assert "professionalism.tone-respectful" in regressed  # a question may still slip


def test_different_rubrics_is_a_clear_error(invoke: Invoke) -> None:
    result = invoke("compare", str(EXAMPLES / "riverside-cafe.yaml"),
                    str(EXAMPLES / "harbor-hardware-team.yaml"))
    assert result.exit_code == 1
    assert "cannot compare assessments of different rubrics" in result.stderr
    assert "harbor-hardware-team.yaml" in result.stderr
    assert result.stdout == ""


def test_different_subjects_warn_on_stderr(tmp_path: Path, invoke: Invoke) -> None:
    other = write_answers(tmp_path, "other.yaml", JUNE_ANSWERS, subject="Another Shop")
    result = invoke("compare", str(JAN), str(other), *LIB, "--allow-different-subjects")
    assert result.exit_code == 0
    assert "warning: the assessments are of different subjects" in result.stderr


def test_needs_two_files(invoke: Invoke) -> None:
    result = invoke("compare", str(JAN), *LIB)
    assert result.exit_code == 2
    assert "at least two" in result.stderr


def test_a_broken_file_fails_the_comparison_with_its_location(tmp_path: Path,
                                                               invoke: Invoke) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(JAN.read_text(encoding="utf-8").replace("basics.phone: 3",
                                                              "basics.phone: 7"))
    result = invoke("compare", str(JAN), str(broken), *LIB)
    assert result.exit_code == 1
    assert f"{broken}:" in result.stderr and "basics.phone: 7 is not an option" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", text_formats(COMPARE_FORMATS))
def test_every_format_renders(fmt: str, invoke: Invoke) -> None:
    result = invoke("compare", str(JAN), str(JUN), str(DEC), *LIB, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Corner Shop" in out
    assert "corner-shop" in out and "1.0.0" in out  # reproducible: rubric id and version
    if fmt == "json":
        json.loads(out)
    else:
        assert load_rubric(RUBRIC).digest[:12] in out  # and the rubric's content hash
        assert "REGRESSION" in out
        assert "care.complaints-logged" in out
    if fmt == "html":
        assert out.lstrip().lower().startswith("<!doctype html")
        assert "<svg" in out  # the trend chart


def test_output_suffix_picks_the_format(tmp_path: Path, invoke: Invoke) -> None:
    target = tmp_path / "follow-up.md"
    result = invoke("compare", str(JAN), str(JUN), *LIB, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("# Follow-up: Corner Shop")


def test_untrusted_text_is_inert_in_every_format(tmp_path: Path, invoke: Invoke) -> None:
    rubric_copy = shutil.copy(RUBRIC, tmp_path / "corner-shop.yaml")
    nasty = "Evil \x1b[31mRed\x1b[0m <script>alert(1)</script> [x](http://e.vil) |"
    old = write_answers(tmp_path, "old.yaml", JUNE_ANSWERS, subject=nasty, date="2026-01-01")
    answers = dict(JUNE_ANSWERS, **{"care.complaints-logged": {
        "value": 0, "note": "<img src=x onerror=alert(2)> \x1b]8;;http://e.vil\x1b\\link"}})
    new = write_answers(tmp_path, "new.yaml", answers, subject=nasty)
    args = (str(old), str(new), "--rubrics-dir", str(Path(rubric_copy).parent))
    terminal = invoke("compare", *args).stdout
    assert "\x1b" not in terminal and "\\x1b" in terminal
    markdown = invoke("compare", *args, "-f", "markdown").stdout
    assert not re.search(r"(?<!\\)<(script|img)", markdown)  # every < is escaped
    assert "\\<script\\>" in markdown
    assert "\\[x\\]" in markdown
    html = invoke("compare", *args, "-f", "html").stdout
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("width", ["60", "66", "70", "80", "100"])
def test_a_narrow_terminal_keeps_every_level_name_whole(invoke: Invoke, width: str) -> None:
    out = invoke("compare", str(EXAMPLES / "riverside-cafe.yaml"),
                 str(EXAMPLES / "riverside-cafe-2027-05.yaml"), env={"COLUMNS": width}).stdout
    table = out[out.index("Level scores"):out.index("2026-11-20 → 2027-05-19")]
    words = table.split()
    for name in ("Availability", "Attention", "Listening", "empathy", "Problem", "solving",
                 "Responsiveness", "Professionalism", "Follow-up"):
        assert name in words, (name, table)
    assert "…" not in table
    assert all(len(line) <= int(width) for line in table.splitlines())
    lines = table.splitlines()
    rule = next(n for n, line in enumerate(lines) if line.strip().startswith("─"))
    header = lines[rule - 1].split()  # the column headers, whole (60 once cut "Now" to "No")
    assert header[:2] == ["#", "Level"] and header[-1] in ("Now", "now"), header
    assert "Change" in header and "2027-05-19" in header
    assessments = out[out.index("Assessments, oldest first"):out.index("Trend")]
    assert all(len(line) <= int(width) for line in assessments.splitlines()), assessments
    for name in ("J.", "Moreno", "Listening", "empathy", "Problem", "solving", "▲+1"):
        assert name in assessments.split(), (name, assessments)
    changes = out[out.index("Answers that fell"):out.index("No regression")]
    for line in changes.splitlines():  # each change hangs under its own text
        assert not line.strip() or line.startswith(("Answers that", "   ")), (line, changes)
    technical = out[out.index("Technical details"):]
    assert all(len(line) <= int(width) for line in technical.splitlines()), technical
    for path in (EXAMPLES / "riverside-cafe.yaml", EXAMPLES / "riverside-cafe-2027-05.yaml"):
        if len(str(path)) <= int(width) - 30:  # a longer path (a deep checkout) is folded
            assert str(path) in technical.split(), (path, technical)


@pytest.mark.parametrize(("fmt", "appendix"), [("terminal", "Technical details"),
                                               ("markdown", "## Technical details"),
                                               ("html", "Technical appendix</h2>")])
def test_the_body_speaks_in_question_numbers_and_the_ids_go_to_the_end(
        invoke: Invoke, fmt: str, appendix: str) -> None:
    """A follow-up is handed to the client too: question ids, the rubric's hash and the
    answers files are reproducibility details, kept after the body, not in it."""
    old, new = EXAMPLES / "riverside-cafe.yaml", EXAMPLES / "riverside-cafe-2027-05.yaml"
    out = invoke("compare", str(old), str(new), "--format", fmt).stdout
    body, _, technical = out.partition(appendix)
    assert technical, out
    later = load_answers(new, RubricLibrary(()), None)
    digest = later.rubric.digest[:12]
    numbers = {f"{level.id}.{q.id}": f"{rank}.{n}"
               for rank, level in enumerate(later.rubric.rubric.levels, 1)
               for n, q in enumerate(level.questions, 1)}
    changed = ("problem-solving.root-cause", "availability.email-reply")
    for leaked in (*changed, digest, str(old), str(new)):
        assert leaked not in body, leaked
    flat = " ".join(re.sub(r"<[^>]+>|[|*]", " ", technical).split())
    for kept in (digest, str(old), str(new)):
        assert kept in flat, kept
    for key in changed:
        assert f"{numbers[key]} {key}" in flat, key  # the number beside its id
        # and the body names the change by that number
        assert re.search(rf"(^|[\s>*]){re.escape(numbers[key])}(\*\*)?[:<\s]", body), key


def test_across_rubric_versions_a_question_keeps_the_newest_number(tmp_path: Path,
                                                                   invoke: Invoke) -> None:
    """Version 1.1.0 puts 'tidy' before 'phone': both steps and the id table number them
    as the newest version does, and the older rubric is in the technical details."""
    text = RUBRIC.read_text(encoding="utf-8")
    phone = text[text.index("      - id: phone"):text.index("      - id: tidy")]
    tidy = text[text.index("      - id: tidy"):text.index("  - id: care")]
    v2 = _rubric_copy(tmp_path, "v2.yaml", version="1.1.0", replace=(phone + tidy, tidy + phone))
    v1 = _rubric_copy(tmp_path, "v1.yaml")
    first = write_answers(tmp_path, "first.yaml", dict(JUNE_ANSWERS, **{"basics.phone": 1}),
                          rubric=str(v1), date="2026-01-01")
    second = write_answers(tmp_path, "second.yaml", dict(JUNE_ANSWERS, **{"basics.tidy": 0}),
                           rubric=str(v1), date="2026-03-01")
    third = write_answers(tmp_path, "third.yaml", dict(JUNE_ANSWERS, **{"basics.tidy": 1}),
                          rubric=str(v2), date="2026-06-01")
    result = invoke("compare", str(first), str(second), str(third), "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    body, _, technical = result.stdout.partition("## Technical details")
    assert "- **1.3**: Rarely → Often" in body  # phone, first step, numbered as in 1.1.0
    assert "- **1.2**: Yes → No" in body and "- **1.2**: No → Partly" in body  # tidy
    assert "| 1.2 | basics.tidy |" in technical and "| 1.3 | basics.phone |" in technical
    assert technical.count("basics.") == 2
    digest = load_answers(first, RubricLibrary(()), None).rubric.digest[:12]
    for n in (1, 2):
        assert f"- **Rubric of answers file {n}:** corner-shop version 1.0.0, hash {digest}" \
            in technical
    assert "Rubric of answers file 3" not in technical


def test_undated_assessments_keep_their_technical_details_readable(tmp_path: Path,
                                                                   invoke: Invoke) -> None:
    """Without dates an assessment is named by its file; a hostile file name is shown with
    visible escapes, and the details still give every value."""
    folder = tmp_path / ("a-rather-long-folder-name-for-the-client-assessments-" * 2)
    folder.mkdir()
    old = write_answers(folder, "old\x1b[31m.yaml", dict(JUNE_ANSWERS, **{"basics.phone": 1}))
    new = write_answers(folder, "new.yaml", JUNE_ANSWERS)
    for path in (old, new):
        path.write_text(path.read_text(encoding="utf-8").replace("date: 2026-09-01\n", ""),
                        encoding="utf-8")
    result = invoke("compare", str(old), str(new), "--allow-different-subjects", *LIB)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "old\\x1b[31m.yaml" in result.stdout
    technical = result.stdout[result.stdout.index("Technical details"):]
    flat = "".join(line.strip() for line in technical.splitlines())
    assert "Answers file 1" in technical and "Answers file 2" in technical
    assert str(new) in flat and "corner-shop version 1.0.0" in flat
    assert "…" not in technical
