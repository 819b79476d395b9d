"""The offline answers form (``cslevels template RUBRIC -o survey.html``) in a real Chromium.

Everything is done the way a respondent does it: clicking radios, typing into the
fields, the keyboard alone, reloading, downloading.  The downloaded file is then
checked with cslevels itself: it validates, and it scores exactly like the same
answers written as YAML by hand.  Browser set-up as in ``test_browser.py``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import EXAMPLES, Invoke
from cslevels.core.models import AnswerEntry, Answers, Rubric
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers as load_with
from test_browser import browser  # noqa: F401 - the module-scoped Chromium fixture

pytestmark = pytest.mark.browser

BUILTIN = ["seven-levels", "six-levels", "five-grades"]
HOSTILE_NOTES = [
    'He said "fine", then: no. # not a comment',
    "line one\nline two\n\n  indented line three\n",
    "---\n...\n--- !!python/object/apply:os.system ['echo pwned']",
    "!!python/object:__main__.X {a: 1}",
    "&anchor *alias <<: {merge: 1} ? key : value | > %YAML 1.2",
    "yes",
    "null",
    "~",
    "0x1F",
    "1.10",
    "2026-11-20",
    "\x01\x02\x07\x08\x0b\x0c\x1b[31mred\x1b[0m\x7f \x85 \ufeff",
    "tab\there, back\\slash, \\n not a newline, \\u0041",
    "emoji 😀👍🏽👨‍👩‍👧 and \U0001d518\U0001d52b\U0001d526 (Fraktur)",
    "עברית مرحبا \u202eevil\u202c \u2066isolate\u2069",
    "separators \u2028 and \u2029 and NEL \u0085",
    "</script><script>alert(1)</script><!-- -->",
    "<img src=x onerror=alert(1)> &amp; &lt;",
    " leading and trailing spaces ",
    "'single' `back` {brace} [bracket] @at %pct",
]


# ---------------------------------------------------------------- browser helpers


@dataclass
class FormPage:
    """A form opened in a browser page, with everything it tried to load."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def assert_offline(self) -> None:
        strangers = [u for u in self.requests if u != self.url and not u.startswith("blob:")]
        assert strangers == [], "the form must load nothing but itself"
        assert self.errors == []

    def radio(self, index: int, value: str) -> Any:
        return self.page.locator(f"input[name='a{index}'][value='{value}']")

    def download(self, button: str = "#download") -> str:
        with self.page.expect_download() as info:
            self.page.click(button)
        path = info.value.path()
        self.last_name = info.value.suggested_filename
        return Path(path).read_text(encoding="utf-8")

    def progress(self) -> str:
        return str(self.page.text_content("#progress-text"))


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:  # noqa: F811
    """One browser profile (its storage is shared by every page opened in it)."""
    ctx = browser.new_context(offline=True, accept_downloads=True,
                              viewport={"width": 1100, "height": 900})
    yield ctx
    ctx.close()


def paste(form: FormPage, selector: str, text: str) -> None:
    """Put ``text`` into a field at once, with the input event a paste fires.

    For very long multi-line text: Chromium's own text insertion (what ``fill`` and
    ``Input.insertText`` drive) takes minutes for 100 KB of lines, with or without
    this page's script; a bare ``<textarea>`` is as slow.
    """
    form.page.evaluate("""([selector, text]) => {
        const field = document.querySelector(selector);
        field.focus();
        field.value = text;
        field.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'}));
    }""", [selector, text])


def open_form(context: Any, path: Path, width: int | None = None) -> FormPage:
    page = context.new_page()
    if width is not None:
        page.set_viewport_size({"width": width, "height": 900})
    seen = FormPage(page, path.resolve().as_uri())
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("requestfailed", lambda r: seen.failed.update({r.url: str(r.failure)}))
    page.on("console", lambda m: seen.console.append(f"{m.type}: {m.text}"))

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept()

    page.on("dialog", on_dialog)
    page.goto(seen.url)
    page.wait_for_selector("html[data-ready]")
    return seen


def make_form(invoke: Invoke, folder: Path, rubric: str, *extra: str,
              name: str = "survey.html") -> Path:
    out = folder / name
    result = invoke("template", rubric, "-o", str(out), *extra)
    assert result.exit_code == 0, result.stderr
    return out


def load_answers(path: Path, rubric: Any = None) -> Any:
    return load_with(path, RubricLibrary(()), rubric)


def rubric_of(ref: str) -> Rubric:
    return RubricLibrary(()).resolve(ref).rubric


def score_json(invoke: Invoke, path: Path, *extra: str) -> Any:
    result = invoke("score", str(path), "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    data.pop("source")
    return data


def plan_answers(rubric: Rubric, seed: int) -> dict[str, dict[str, Any]]:
    """For every question: an option (by index) or n/a, and for some a note and evidence."""
    rng = random.Random(seed)
    plan: dict[str, dict[str, Any]] = {}
    for level, question in rubric.questions():
        options = rubric.scales[question.scale].options
        choices = [str(i) for i in range(len(options))] + (["na"] if question.allow_na else [])
        entry: dict[str, Any] = {"choice": rng.choice(choices)}
        if rng.random() < 0.4:
            entry["note"] = rng.choice(HOSTILE_NOTES[:5]) + f" ({level.id})"
        if rng.random() < 0.3:
            entry["evidence"] = [f"Record {n} for {question.id}" for n in range(rng.randint(1, 3))]
        plan[f"{level.id}.{question.id}"] = entry
    return plan


def hand_written(rubric: Rubric, plan: dict[str, dict[str, Any]], subject: str,
                 **details: Any) -> str:
    """The same answers as a person would write them in YAML."""
    answers: dict[str, Any] = {}
    for key, entry in plan.items():
        _level, question = rubric.find(key)  # type: ignore[misc]
        options = rubric.scales[question.scale].options
        value = "n/a" if entry["choice"] == "na" else options[int(entry["choice"])].value
        if "note" in entry or "evidence" in entry:
            long: dict[str, Any] = {"value": value}
            if "note" in entry:
                long["note"] = entry["note"]
            if "evidence" in entry:
                long["evidence"] = entry["evidence"]
            answers[key] = long
        else:
            answers[key] = value
    doc = {"schema": "cslevels/answers/v1", "rubric": rubric.id,
           "rubric_version": rubric.version, "subject": subject, **details, "answers": answers}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def given(answers: Answers) -> Answers:
    """``answers`` without the entries that hold nothing (blank template entries)."""
    kept = {key: raw for key, raw in answers.answers.items()
            if raw is not None and raw != AnswerEntry()}
    return answers.model_copy(update={"answers": kept})


def fill(form: FormPage, rubric: Rubric, plan: dict[str, dict[str, Any]]) -> None:
    for index, key in enumerate(rubric.question_keys()):
        entry = plan.get(key)
        if entry is None:
            continue
        form.radio(index, entry["choice"]).click()
        if "note" in entry:
            form.page.fill(f"#n{index}", entry["note"])
        if "evidence" in entry:
            form.page.fill(f"#e{index}", "\n".join(entry["evidence"]))


# ---------------------------------------------------------------- filling in and downloading


@pytest.mark.parametrize("ref", BUILTIN)
def test_every_question_answered_in_the_page_scores_like_hand_written_yaml(
        ref: str, invoke: Invoke, tmp_path: Path, context: Any) -> None:
    rubric = rubric_of(ref)
    form = open_form(context, make_form(invoke, tmp_path, ref))
    plan = plan_answers(rubric, seed=len(ref))
    form.page.fill("#f-subject", "Riverside: \"Cafe\" # 2")
    form.page.fill("#f-assessor", "J. Moreno")
    form.page.fill("#f-date", "2026-11-20")
    form.page.select_option("#f-target", "2")
    # one note typed key by key, the rest filled
    first = rubric.question_keys()[0]
    plan[first]["note"] = "typed: key by key, \"quoted\" # too"
    form.page.locator("#n0").press_sequentially(plan[first]["note"])
    fill(form, rubric, {k: v for k, v in plan.items() if k != first})
    form.radio(0, plan[first]["choice"]).click()
    if "evidence" in plan[first]:
        form.page.fill("#e0", "\n".join(plan[first]["evidence"]))
    total = len(rubric.question_keys())
    assert form.progress() == f"{total} of {total} answered"
    assert "complete" in str(form.page.text_content("[data-level-count='0']"))

    downloaded = tmp_path / "downloaded.yaml"
    downloaded.write_text(form.download(), encoding="utf-8")
    assert form.last_name == f"{ref}-riverside-cafe-2-2026-11-20.yaml"
    by_hand = tmp_path / "by-hand.yaml"
    by_hand.write_text(hand_written(rubric, plan, "Riverside: \"Cafe\" # 2",
                                    assessor="J. Moreno", date="2026-11-20", target=2),
                       encoding="utf-8")
    check = invoke("validate", "--strict", str(downloaded))
    assert check.exit_code == 0, check.stdout + check.stderr
    assert score_json(invoke, downloaded) == score_json(invoke, by_hand)
    assert load_answers(downloaded).answers == load_answers(by_hand).answers
    form.assert_offline()


def test_partial_answers_stay_missing_and_a_note_alone_is_kept(
        invoke: Invoke, tmp_path: Path, context: Any) -> None:
    rubric = rubric_of("seven-levels")
    form = open_form(context, make_form(invoke, tmp_path, "seven-levels"))
    form.page.fill("#f-subject", "Half done")
    form.radio(0, "3").click()
    form.radio(2, "na").click()
    form.page.fill("#n1", "asked, no answer yet")  # a note, no answer: still missing
    form.radio(3, "1").click()
    form.page.click("[data-clear='3']")  # changed their mind: back to missing
    assert form.progress() == f"2 of {len(rubric.question_keys())} answered"
    path = tmp_path / "partial.yaml"
    path.write_text(form.download(), encoding="utf-8")
    answers = load_answers(path).answers
    keys = rubric.question_keys()
    _level, first = rubric.find(keys[0])  # type: ignore[misc]
    assert answers.answers[keys[0]] == rubric.scales[first.scale].options[3].value
    assert answers.answers[keys[2]] == "n/a"
    note_only = answers.answers[keys[1]]
    assert answers.entry(keys[1]) is None
    assert isinstance(note_only, AnswerEntry) and note_only.note == "asked, no answer yet"
    assert keys[3] not in answers.answers
    assert len(answers.answers) == 3
    levels = score_json(invoke, path)["levels"]
    assert levels[0]["coverage"] < 1


def test_nothing_answered_still_downloads_a_valid_file(invoke: Invoke, tmp_path: Path,
                                                        context: Any) -> None:
    form = open_form(context, make_form(invoke, tmp_path, "five-grades"))
    form.page.click("#download")
    problems = form.page.locator("#problems")
    assert problems.is_visible() and "Subject" in problems.inner_text()  # required by the format
    form.page.click("#problems a")
    assert form.page.evaluate("document.activeElement.id") == "f-subject"
    form.page.keyboard.type("Nothing yet")
    path = tmp_path / "empty.yaml"
    path.write_text(form.download("#download-bottom"), encoding="utf-8")
    assert not problems.is_visible()
    assert load_answers(path).answers.answers == {}
    assert invoke("validate", "--strict", str(path)).exit_code == 0


# ---------------------------------------------------------------- nothing lost


def test_reload_mid_way_restores_everything(invoke: Invoke, tmp_path: Path,
                                            context: Any) -> None:
    rubric = rubric_of("seven-levels")
    survey = make_form(invoke, tmp_path, "seven-levels")
    form = open_form(context, survey)
    plan = dict(list(plan_answers(rubric, seed=3).items())[:12])
    form.page.fill("#f-subject", "Harbor Hardware")
    form.page.fill("#f-date", "2026-12-01")
    fill(form, rubric, plan)
    form.page.fill("#n20", HOSTILE_NOTES[11])  # a note on an unanswered question
    assert "Saved in this browser" in str(form.page.text_content("#save-state"))
    form.page.reload()
    form.page.wait_for_selector("html[data-ready]")
    assert form.progress() == f"12 of {len(rubric.question_keys())} answered"
    assert form.page.input_value("#f-subject") == "Harbor Hardware"
    assert form.page.input_value("#f-date") == "2026-12-01"
    for index, (_key, entry) in enumerate(plan.items()):
        assert form.radio(index, entry["choice"]).is_checked()
        assert form.page.input_value(f"#n{index}") == entry.get("note", "")
        assert form.page.input_value(f"#e{index}") == "\n".join(entry.get("evidence", []))
    assert form.page.input_value("#n20") == HOSTILE_NOTES[11]
    assert "Restored" in str(form.page.text_content("#save-state"))
    # and a second page of the same file (a new tab) sees the same answers
    again = open_form(context, survey)
    assert again.progress() == form.progress()


def test_two_surveys_never_mix(invoke: Invoke, tmp_path: Path, context: Any) -> None:
    first = open_form(context, make_form(invoke, tmp_path, "seven-levels", name="a.html"))
    first.page.fill("#f-subject", "First survey")
    first.radio(0, "2").click()
    first.page.fill("#n0", "only in the first")
    other_rubric = open_form(context, make_form(invoke, tmp_path, "six-levels", name="b.html"))
    same_rubric = open_form(context, make_form(invoke, tmp_path, "seven-levels", name="c.html"))
    for other in (other_rubric, same_rubric):
        assert other.progress().startswith("0 of ")
        assert other.page.input_value("#f-subject") == ""
        assert other.page.input_value("#n0") == ""
        assert other.page.locator("input[type=radio]:checked").count() == 0
    first.page.reload()
    first.page.wait_for_selector("html[data-ready]")
    assert first.radio(0, "2").is_checked() and first.page.input_value("#n0") == "only in the first"
    keys = first.page.evaluate("Object.keys(localStorage)")
    assert len([k for k in keys if k.startswith("cslevels-form/v1/seven-levels/")]) == 1


def test_the_same_file_open_twice_stays_in_step(invoke: Invoke, tmp_path: Path,
                                                context: Any) -> None:
    survey = make_form(invoke, tmp_path, "five-grades")
    one, two = open_form(context, survey), open_form(context, survey)
    one.page.fill("#f-subject", "Two tabs")
    one.radio(1, "2").click()
    one.page.fill("#n1", "typed in the first tab")
    for _ in range(100):  # the storage event reaches the other tab soon after
        if two.page.input_value("#n1"):
            break
        two.page.wait_for_timeout(50)
    assert two.radio(1, "2").is_checked() and two.page.input_value("#f-subject") == "Two tabs"
    assert two.page.input_value("#n1") == "typed in the first tab"
    assert two.progress().startswith("1 of ")


def test_clear_all_forgets_the_answers_here(invoke: Invoke, tmp_path: Path,
                                            context: Any) -> None:
    survey = make_form(invoke, tmp_path, "six-levels")
    form = open_form(context, survey)
    form.page.fill("#f-subject", "To be cleared")
    form.radio(0, "1").click()
    form.page.fill("#e0", "a record")
    form.page.click("#clear-all")
    assert form.dialogs and form.dialogs[-1].startswith("confirm:")
    assert form.progress().startswith("0 of ") and form.page.input_value("#e0") == ""
    form.page.reload()
    form.page.wait_for_selector("html[data-ready]")
    assert form.page.input_value("#f-subject") == "" and not form.radio(0, "1").is_checked()


def test_full_storage_is_said_plainly_and_nothing_typed_is_lost(
        invoke: Invoke, tmp_path: Path, context: Any) -> None:
    form = open_form(context, make_form(invoke, tmp_path, "seven-levels"))
    form.page.evaluate("""() => {  // another page of file:// filled the shared storage
        let n = 0;
        for (const size of [1 << 20, 1 << 14, 1 << 8, 1]) {
            const chunk = 'x'.repeat(size);
            for (let i = 0; i < 200; i++) {
                try { localStorage.setItem('filler-' + n++, chunk); } catch (e) { break; }
            }
        }
    }""")
    form.page.fill("#f-subject", "No room")
    form.radio(0, "2").click()
    status = str(form.page.text_content("#save-state"))
    assert status.startswith("Not saved in this browser") and "Download your answers" in status
    path = tmp_path / "saved-anyway.yaml"
    path.write_text(form.download(), encoding="utf-8")
    assert load_answers(path).answers.subject == "No room"


def test_leaving_with_undownloaded_changes_asks_first(invoke: Invoke, tmp_path: Path,
                                                      context: Any) -> None:
    survey = make_form(invoke, tmp_path, "six-levels")
    form = open_form(context, survey)
    form.page.fill("#f-subject", "Floor team")
    form.radio(0, "1").click()
    assert "not downloaded yet" in str(form.page.text_content("#save-state"))
    with form.page.expect_event("close"):
        form.page.close(run_before_unload=True)
    assert [d for d in form.dialogs if d.startswith("beforeunload")], form.dialogs

    downloaded = open_form(context, survey)
    downloaded.download()
    assert "downloaded at" in str(downloaded.page.text_content("#save-state"))
    with downloaded.page.expect_event("close"):
        downloaded.page.close(run_before_unload=True)
    assert downloaded.dialogs == []


# ---------------------------------------------------------------- untrusted text


def test_hostile_notes_and_evidence_round_trip_exactly(invoke: Invoke, tmp_path: Path,
                                                       context: Any) -> None:
    rubric = rubric_of("seven-levels")
    keys = rubric.question_keys()
    form = open_form(context, make_form(invoke, tmp_path, "seven-levels"))
    subject = "Café ☕ \"Zoë\" # 1: --- !!str"
    form.page.fill("#f-subject", subject)
    form.page.fill("#f-assessor", HOSTILE_NOTES[14])
    notes = {keys[i]: note for i, note in enumerate(HOSTILE_NOTES)}
    for i, note in enumerate(HOSTILE_NOTES):
        form.page.fill(f"#n{i}", note)
    # 100 KB of evidence: 50 items of 2,000 characters (the most one item may hold)
    rng = random.Random(5)
    alphabet = "".join(HOSTILE_NOTES).replace("\n", "")
    big = ["".join(rng.choice(alphabet) for _ in range(2_000)) for _ in range(50)]
    big = [item if item.strip() == item else f"x{item.strip()}x"[:2_000] for item in big]
    form.page.fill("#e1", "\n".join(big))
    # the longest note the format allows
    longest = ("😀 \"é\" # \u2028 " * 1000)[:10_000]
    form.page.fill(f"#n{len(HOSTILE_NOTES)}", longest)
    notes[keys[len(HOSTILE_NOTES)]] = longest
    form.radio(0, "1").click()
    text = form.download()
    assert text.isascii()
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    answers = load_answers(path).answers
    assert answers.subject == subject
    assert answers.assessor == HOSTILE_NOTES[14].strip()
    for key, note in notes.items():
        # a textarea holds no lone CR; everything else comes back character for character
        assert answers.answers[key].note == note, key  # type: ignore[union-attr]
    assert answers.answers[keys[1]].evidence == big  # type: ignore[union-attr]
    assert invoke("validate", "--strict", str(path)).exit_code == 0
    assert form.errors == [] and form.dialogs == []


def random_text(rng: random.Random, length: int) -> str:
    """Characters from every corner of Unicode: controls, C1, separators, BOM, bidi marks,
    private use, astral planes, combining marks; no lone surrogates (they are not text)
    and no CR (a textarea turns every line break into LF)."""
    ranges = [(0x00, 0x1F), (0x20, 0x7E), (0x7F, 0x9F), (0xA0, 0x2FF), (0x300, 0x36F),
              (0x590, 0x6FF), (0x2000, 0x206F), (0xD7FF, 0xD7FF), (0xE000, 0xF8FF),
              (0xFEFF, 0xFEFF), (0xFFF0, 0xFFFF), (0x10000, 0x1FAFF), (0xE0000, 0xE007F),
              (0x10FFFF, 0x10FFFF)]
    chars = []
    while len(chars) < length:
        low, high = rng.choice(ranges)
        code = rng.randint(low, high)
        if code != 0x0D:
            chars.append(chr(code))
    return "".join(chars)


def test_any_text_pasted_comes_back_exactly(invoke: Invoke, tmp_path: Path,
                                           context: Any) -> None:
    rubric = rubric_of("seven-levels")
    form = open_form(context, make_form(invoke, tmp_path, "seven-levels"))
    rng = random.Random(2028)
    subject = "S" + random_text(rng, 200).replace("\n", " ") + "E"  # a text field: one line
    paste(form, "#f-subject", subject)
    expected = {}
    for index, key in enumerate(rubric.question_keys()):
        note = random_text(rng, rng.randint(1, 400))
        paste(form, f"#n{index}", note)
        expected[key] = note
    text = form.download()
    assert text.isascii()
    path = tmp_path / "random.yaml"
    path.write_text(text, encoding="utf-8")
    answers = load_answers(path).answers
    assert answers.subject == subject
    for key, note in expected.items():
        entry = answers.answers[key]
        assert isinstance(entry, AnswerEntry) and entry.note == note, key


def test_a_note_over_the_format_limit_is_kept_but_not_downloaded(
        invoke: Invoke, tmp_path: Path, context: Any) -> None:
    survey = make_form(invoke, tmp_path, "five-grades")
    form = open_form(context, survey)
    form.page.fill("#f-subject", "Big note")
    huge = ("A 100 KB note: \"quotes\", # hashes, --- and 😀\n" * 2100)[:100_000]
    paste(form, "#n0", huge)
    assert "10,000" in form.page.inner_text("#ln0")
    assert form.page.get_attribute("#n0", "aria-invalid") == "true"
    downloads: list[Any] = []
    form.page.on("download", lambda d: downloads.append(d))
    form.page.click("#download")
    assert "Question 1.1: the note is" in form.page.inner_text("#problems")
    form.page.wait_for_timeout(300)
    assert downloads == []
    form.page.reload()
    form.page.wait_for_selector("html[data-ready]")
    assert form.page.input_value("#n0") == huge  # kept in the browser, all of it
    paste(form, "#n0", huge[:10_000])
    assert form.page.locator("#ln0").is_hidden()
    path = tmp_path / "big.yaml"
    path.write_text(form.download(), encoding="utf-8")
    key = rubric_of("five-grades").question_keys()[0]
    assert load_answers(path).answers.answers[key].note == huge[:10_000]  # type: ignore[union-attr]


# The consultant's fields (issue 14's contract): hostile, and each must come back exactly.
PREPARED_FOR = "M. O'Brien: owner, \"Riverside\" # 2 --- ☕ 👩🏽‍💼 שלום مرحبا \u202eevil "
SUMMARY = ("Summary: strong start.\n---\n# not a comment\n\n  - indented 🙂 😀👍🏽\n"
           "...\nRTL: مرحبا بالعالم, עברית \u202eevil\u202c; \\n is not a newline\n\n")


def test_prepared_for_and_the_executive_summary_typed_download_exactly(
        invoke: Invoke, tmp_path: Path, context: Any) -> None:
    form = open_form(context, make_form(invoke, tmp_path, "five-grades"))
    form.page.fill("#f-subject", "Riverside Cafe")
    form.page.fill("#f-prepared-for", PREPARED_FOR)
    form.page.fill("#f-summary", SUMMARY)
    assert form.page.text_content("#f-summary-print") == SUMMARY  # what a printout shows
    form.page.reload()  # kept in the browser, like every field
    form.page.wait_for_selector("html[data-ready]")
    assert form.page.input_value("#f-summary") == SUMMARY
    text = form.download()
    assert text.isascii()
    path = tmp_path / "typed.yaml"
    path.write_text(text, encoding="utf-8")
    answers = load_answers(path).answers
    assert (answers.prepared_for, answers.executive_summary) == (PREPARED_FOR, SUMMARY)
    assert invoke("validate", "--strict", str(path)).exit_code == 0
    # over the format's limit: kept here, not downloaded, and the field is named
    paste(form, "#f-summary", "x" * 10_001)
    downloads: list[Any] = []
    form.page.on("download", lambda d: downloads.append(d))
    form.page.click("#download")
    assert "Executive summary: 10,001 characters; at most 10,000." in form.page.inner_text(
        "#problems")
    form.page.wait_for_timeout(300)
    assert downloads == []
    # left blank, they are left out of the file
    form.page.fill("#f-prepared-for", "  ")
    form.page.fill("#f-summary", "")
    data = yaml.safe_load(form.download())
    assert "prepared_for" not in data and "executive_summary" not in data
    assert form.errors == []


def test_prefilled_consultant_fields_come_back_exactly_even_unshowable(
        invoke: Invoke, tmp_path: Path, context: Any) -> None:
    """A text field cannot show a line break nor a textarea a CR: untouched, they are
    still downloaded exactly as the file had them."""
    given_for = PREPARED_FOR + "\nsecond line"
    given_summary = "CRLF\r\nlone CR\r end " + SUMMARY + "</script><!--"
    source = tmp_path / "given.yaml"
    rubric = rubric_of("five-grades")
    source.write_text(yaml.safe_dump({
        "schema": "cslevels/answers/v1", "rubric": "five-grades",
        "rubric_version": rubric.version, "subject": "Riverside Cafe",
        "prepared_for": given_for, "executive_summary": given_summary,
        "answers": {rubric.question_keys()[0]: rubric.scales[
            rubric.questions()[0][1].scale].options[0].value}}), encoding="utf-8")
    survey = make_form(invoke, tmp_path, "five-grades", "--from", str(source))
    assert survey.read_text(encoding="utf-8").count("</script>") == 2
    form = open_form(context, survey)
    assert form.page.input_value("#f-summary").startswith("CRLF\nlone CR")
    path = tmp_path / "back.yaml"
    path.write_text(form.download(), encoding="utf-8")
    answers = load_answers(path).answers
    assert (answers.prepared_for, answers.executive_summary) == (given_for, given_summary)
    assert given(answers) == given(load_answers(source).answers)


HOSTILE_RUBRIC = """\
schema: cslevels/rubric/v1
id: hostile
version: "1.0 </script>"
title: "</script><script>alert('title')</script><!--"
description: "<b>bold?</b> &amp; \\u2028 line separator"
subject: "<i>shop</i>"
scales:
  odd:
    label: "<img src=x onerror=alert('scale')>"
    options:
      - {value: "yes: no # --- !!python/object", label: "\\"Quoted\\" & <b>bold</b>", score: 0}
      - {value: "</script>", label: "</script><!--", score: 0.5}
      - {value: -3, label: "עברית \\u202eevil", score: 1}
levels:
  - id: first
    name: "<svg onload=alert('level')>/Level"
    summary: "{{ 7 * 7 }} ${7*7} <!-- -->"
    questions:
      - id: one
        text: "Is <script>alert('q')</script> escaped? WordWithoutAnyBreakOpportunityAtAll\
WordWithoutAnyBreakOpportunityAtAllWordWithoutAnyBreakOpportunityAtAll"
        scale: odd
        allow_na: true
        guidance: "<a href='https://example.invalid/'>link</a> \\u2029"
        recommendation: Do better.
      - id: two
        text: Second question.
        scale: odd
        guidance: Look.
        recommendation: Do.
"""


def test_hostile_rubric_text_stays_text(invoke: Invoke, tmp_path: Path, context: Any) -> None:
    rubric_path = tmp_path / "hostile.yaml"
    rubric_path.write_text(HOSTILE_RUBRIC, encoding="utf-8")
    survey = make_form(invoke, tmp_path, str(rubric_path))
    html = survey.read_text(encoding="utf-8")
    assert html.count("</script>") == 2 and html.lower().count("<script") == 2
    for width in (1100, 390):
        form = open_form(context, survey, width=width)
        assert form.errors == [] and form.dialogs == []
        assert form.page.title().startswith("</script><script>alert('title')</script>")
        assert "<script>alert('q')</script>" in form.page.inner_text("#q0 legend")
        assert form.page.evaluate("document.documentElement.scrollWidth") <= width
    form.page.fill("#f-subject", "Hostile shop")
    form.radio(0, "1").click()  # the value "</script>"
    form.radio(1, "0").click()  # the value "yes: no # --- !!python/object"
    path = tmp_path / "answers.yaml"
    path.write_text(form.download(), encoding="utf-8")
    loaded = load_answers(path, rubric=RubricLibrary(()).resolve(str(rubric_path)))
    assert loaded.answers.answers == {"first.one": "</script>",
                                      "first.two": "yes: no # --- !!python/object"}
    assert loaded.answers.rubric_version == "1.0 </script>"


# ---------------------------------------------------------------- offline and CSP


def test_no_network_and_the_csp_blocks_injected_script(invoke: Invoke, tmp_path: Path,
                                                       context: Any) -> None:
    form = open_form(context, make_form(invoke, tmp_path, "seven-levels"))
    form.page.fill("#f-subject", "Offline")
    form.radio(0, "1").click()
    form.download()
    form.assert_offline()
    assert form.requests[0] == form.url
    own = len(form.requests)
    blocked = form.page.evaluate("""() => new Promise(resolve => {
        const seen = [];
        document.addEventListener('securitypolicyviolation', e => seen.push(e.violatedDirective));
        const s = document.createElement('script');
        s.textContent = 'window.__injected = 1';
        document.body.appendChild(s);
        const img = document.createElement('img');
        img.setAttribute('src', 'https://example.invalid/x.png');
        document.body.appendChild(img);
        const div = document.createElement('div');
        div.setAttribute('onclick', 'window.__injected = 2');
        document.body.appendChild(div);
        div.click();
        fetch('https://example.invalid/').catch(() => null);
        setTimeout(() => resolve([window.__injected === undefined, seen]), 300);
    })""")
    assert blocked[0] is True
    assert {"script-src-elem", "img-src", "connect-src"} <= set(blocked[1]) or \
        {"script-src", "img-src", "connect-src"} <= set(blocked[1])
    for url in form.requests[own:]:  # what the injected markup tried was stopped
        assert "csp" in form.failed.get(url, "").lower(), (url, form.failed)


# ---------------------------------------------------------------- accessibility


def test_every_control_has_an_accessible_name(invoke: Invoke, tmp_path: Path,
                                              context: Any) -> None:
    form = open_form(context, make_form(invoke, tmp_path, "seven-levels"))
    form.radio(0, "1").click()  # shows a Clear button
    unlabeled = form.page.evaluate("""() => [...document.querySelectorAll(
            'input, textarea, select, button')]
        .filter(el => !el.hidden && el.type !== 'hidden')
        .filter(el => !(el.labels && el.labels.length && el.labels[0].textContent.trim())
                      && !el.getAttribute('aria-label') && !el.textContent.trim())
        .map(el => el.outerHTML)""")
    assert unlabeled == []
    groups = form.page.evaluate("""() => [...document.querySelectorAll('fieldset.q')]
        .filter(f => !f.querySelector('legend') || !f.querySelector('legend').textContent.trim())
        .length""")
    assert groups == 0
    session = context.new_cdp_session(form.page)
    tree = session.send("Accessibility.getFullAXTree")["nodes"]
    roles = {"radio", "textbox", "combobox", "button", "Date", "spinbutton",
             "DisclosureTriangle", "progressbar", "link", "navigation", "region"}
    nameless = [n for n in tree if not n.get("ignored")
                and n.get("role", {}).get("value") in roles
                and not str(n.get("name", {}).get("value", "")).strip()]
    assert nameless == [], nameless[:3]
    radios = [n for n in tree if n.get("role", {}).get("value") == "radio"]
    assert len(radios) == form.page.locator("input[type=radio]").count()
    named_groups = [n for n in tree if n.get("role", {}).get("value") == "group"
                    and str(n.get("name", {}).get("value", "")).strip()]
    assert len(named_groups) == len(rubric_of("seven-levels").question_keys())  # the fieldsets


def test_keyboard_alone(invoke: Invoke, tmp_path: Path, context: Any) -> None:
    form = open_form(context, make_form(invoke, tmp_path, "six-levels"))
    page = form.page

    def active() -> dict[str, str]:
        return page.evaluate("""() => { const e = document.activeElement;
            return {id: e.id, name: e.name || '', value: e.value || '', tag: e.tagName}; }""")

    def tab_to(check: Any, key: str = "Tab", limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press(key)
            if check(active()):
                return
        raise AssertionError(f"never reached; last {active()}")

    tab_to(lambda a: a["id"] == "f-subject")
    page.keyboard.type("Keyboard team")
    tab_to(lambda a: a["name"] == "a0")
    page.keyboard.press("Space")
    assert form.radio(0, "0").is_checked()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert form.radio(0, "2").is_checked()
    assert form.progress().startswith("1 of ")
    tab_to(lambda a: a["tag"] == "SUMMARY")
    page.keyboard.press("Enter")
    assert page.locator("#q0 details").get_attribute("open") is not None
    tab_to(lambda a: a["id"] == "n0")
    page.keyboard.type("Seen on the floor: two greetings")
    tab_to(lambda a: a["id"] == "e0")
    page.keyboard.type("Rota, week 12")
    page.keyboard.press("Enter")
    page.keyboard.type("Floor walk 3 Dec")
    tab_to(lambda a: a["name"] == "a1")
    page.keyboard.press("Space")
    tab_to(lambda a: a["id"] == "download", key="Shift+Tab", limit=120)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    path = tmp_path / "keyboard.yaml"
    path.write_text(Path(info.value.path()).read_text(encoding="utf-8"), encoding="utf-8")
    answers = load_answers(path).answers
    keys = rubric_of("six-levels").question_keys()
    entry = answers.entry(keys[0])
    assert entry is not None and entry.note == "Seen on the floor: two greetings"
    assert entry.evidence == ["Rota, week 12", "Floor walk 3 Dec"]
    assert answers.entry(keys[1]) is not None and answers.subject == "Keyboard team"


@pytest.mark.parametrize("ref", BUILTIN)
def test_a_390px_phone_needs_no_sideways_scrolling(ref: str, invoke: Invoke, tmp_path: Path,
                                                   context: Any) -> None:
    form = open_form(context, make_form(invoke, tmp_path, ref), width=390)
    form.radio(0, "0").click()
    form.page.fill("#n0", "x" * 3000)  # one long word
    wide = form.page.evaluate("""() => [document.documentElement.scrollWidth,
        [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.className).slice(0, 5)]""")
    assert wide == [390, []]
    assert form.page.locator("#download").is_visible()


def test_prints_as_a_filled_questionnaire(invoke: Invoke, tmp_path: Path, context: Any) -> None:
    form = open_form(context, make_form(invoke, tmp_path, "five-grades"))
    form.radio(0, "1").click()
    form.page.fill("#n0", "A long note\nover two lines")
    form.page.emulate_media(media="print")
    assert form.page.locator("#toolbar").is_hidden()
    assert form.page.locator("#n0").is_hidden()
    assert form.page.inner_text("[data-print='n0']") == "A long note\nover two lines"
    assert form.page.locator("[data-clear]").first.is_hidden()
    pdf = form.page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")


# ---------------------------------------------------------------- pre-filled with --from


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_prefilled_form_shows_the_answers_and_downloads_them_unchanged(
        example: Path, invoke: Invoke, tmp_path: Path, context: Any) -> None:
    loaded = load_answers(example)
    if loaded.rubric.rubric.version != loaded.answers.rubric_version:
        pytest.skip("made for another rubric version")
    survey = make_form(invoke, tmp_path, loaded.answers.rubric, "--from", str(example))
    form = open_form(context, survey)
    rubric = loaded.rubric.rubric
    assert form.page.input_value("#f-subject") == loaded.answers.subject
    answered = 0
    for index, key in enumerate(rubric.question_keys()):
        entry = loaded.answers.entry(key)
        raw = loaded.answers.answers.get(key)
        note = raw.note if raw is not None and hasattr(raw, "note") else None
        assert form.page.input_value(f"#n{index}") == (note or "")
        if entry is None:
            assert form.page.locator(f"input[name='a{index}']:checked").count() == 0
            continue
        answered += 1
        if entry.value == "n/a":
            assert form.radio(index, "na").is_checked()
        else:
            _level, question = rubric.find(key)  # type: ignore[misc]
            values = [o.value for o in rubric.scales[question.scale].options]
            assert form.radio(index, str(values.index(entry.value))).is_checked()
    assert form.progress() == f"{answered} of {len(rubric.question_keys())} answered"
    path = tmp_path / "again.yaml"
    path.write_text(form.download(), encoding="utf-8")
    assert given(load_answers(path).answers) == given(loaded.answers)
    assert score_json(invoke, path) == score_json(invoke, example)


def test_prefilled_text_keeps_carriage_returns_and_cannot_close_the_data_block(
        invoke: Invoke, tmp_path: Path, context: Any) -> None:
    note = "CRLF\r\nline</script><!-- <script>alert(1)</script> \u2028\u2029 \r lone CR"
    rubric = rubric_of("five-grades")
    _level, question = rubric.questions()[0]
    source = tmp_path / "given.yaml"
    source.write_text(yaml.safe_dump({
        "schema": "cslevels/answers/v1", "rubric": "five-grades",
        "rubric_version": rubric.version,
        "subject": "</script><script>alert('subject')</script>",
        "answers": {rubric.question_keys()[0]: {
            "value": rubric.scales[question.scale].options[-1].value, "note": note,
            "evidence": ["a </script>", "b\u2028"]}}}), encoding="utf-8")
    survey = make_form(invoke, tmp_path, "five-grades", "--from", str(source))
    html = survey.read_text(encoding="utf-8")
    assert html.count("</script>") == 2 and "\u2028" not in html
    form = open_form(context, survey)
    assert form.dialogs == [] and form.errors == []
    assert form.page.input_value("#f-subject") == "</script><script>alert('subject')</script>"
    path = tmp_path / "back.yaml"
    path.write_text(form.download(), encoding="utf-8")
    assert given(load_answers(path).answers) == given(load_answers(source).answers)


# ---------------------------------------------------------------- the file itself (no browser)


def test_csp_allows_exactly_the_inline_script_and_style(invoke: Invoke, tmp_path: Path) -> None:
    import base64
    import hashlib

    html = make_form(invoke, tmp_path, "seven-levels").read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    policy = dict(part.strip().split(" ", 1) for part in csp.group(1).split(";"))
    assert policy["default-src"] == "'none'" and policy["connect-src"] == "'none'"
    assert policy["form-action"] == "'none'" and policy["base-uri"] == "'none'"
    script = re.findall(r"<script>(.*?)</script>", html, re.S)
    style = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(script) == 1 and len(style) == 1

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert policy["script-src"] == digest(script[0])
    assert policy["style-src"] == digest(style[0])
    assert "unsafe" not in csp.group(1)
    assert not re.search(r"https?:|//[a-z]|\bwss?:", html.replace("cslevels.invalid", ""))
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"<[^>]*\s(style|on[a-z]+)=", markup)  # no inline style or handler


def test_the_form_enforces_the_answers_format_limits() -> None:
    from pydantic import ValidationError

    from cslevels.reporting.template.form import LIMITS

    base = {"schema": "cslevels/answers/v1", "rubric": "x"}
    Answers.model_validate({**base, "subject": "s" * LIMITS["subject"],
                            "assessor": "a" * LIMITS["assessor"],
                            "prepared_for": "p" * LIMITS["prepared_for"],
                            "executive_summary": "e" * LIMITS["executive_summary"]})
    AnswerEntry(note="n" * LIMITS["note"], evidence=["e" * LIMITS["evidence"]])
    for bad in ({"subject": "s" * (LIMITS["subject"] + 1)},
                {"subject": "s", "assessor": "a" * (LIMITS["assessor"] + 1)},
                {"subject": "s", "prepared_for": "p" * (LIMITS["prepared_for"] + 1)},
                {"subject": "s",
                 "executive_summary": "e" * (LIMITS["executive_summary"] + 1)}):
        with pytest.raises(ValidationError):
            Answers.model_validate({**base, **bad})
    with pytest.raises(ValidationError):
        AnswerEntry(note="n" * (LIMITS["note"] + 1))
    with pytest.raises(ValidationError):
        AnswerEntry(evidence=["e" * (LIMITS["evidence"] + 1)])


def test_every_file_has_its_own_storage_key(invoke: Invoke, tmp_path: Path) -> None:
    def key(path: Path) -> str:
        data = re.search(r'id="form-data">(.*?)</script>', path.read_text(encoding="utf-8"))
        assert data is not None
        return str(json.loads(data.group(1))["key"])

    loaded = RubricLibrary(()).resolve("seven-levels")
    one, two = (key(make_form(invoke, tmp_path, "seven-levels", name=n)) for n in ("1.html",
                                                                                  "2.html"))
    prefix = f"cslevels-form/v1/seven-levels/{loaded.rubric.version}/{loaded.digest}/"
    assert one.startswith(prefix) and two.startswith(prefix) and one != two


def test_template_command_media_and_refusals(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "survey.html"
    assert invoke("template", "seven-levels", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    again = invoke("template", "seven-levels", "-o", str(out))
    assert again.exit_code == 1 and "already exists" in again.stderr and "--force" in again.stderr
    assert invoke("template", "seven-levels", "-o", str(out), "--force").exit_code == 0
    form = invoke("template", "six-levels", "--format", "form")
    assert form.exit_code == 0 and form.stdout.startswith("<!DOCTYPE html>")
    txt = invoke("template", "seven-levels", "-o", str(tmp_path / "x.txt"))
    assert txt.exit_code == 1 and ".html" in txt.stderr and "x.txt" in txt.stderr
    clash = invoke("template", "seven-levels", "--format", "form", "-o",
                   str(tmp_path / "x.yaml"))
    assert clash.exit_code == 1 and "--format form does not match" in clash.stderr
    assert not (tmp_path / "x.txt").exists() and not (tmp_path / "x.yaml").exists()


def test_from_refuses_answers_for_another_rubric_and_broken_files(
        invoke: Invoke, tmp_path: Path) -> None:
    cafe = EXAMPLES / "riverside-cafe.yaml"
    other = invoke("template", "six-levels", "--from", str(cafe), "-o", str(tmp_path / "a.html"))
    assert other.exit_code == 1
    assert re.search(rf"{re.escape(str(cafe))}:\d+:\d+: error: these are answers for "
                     r"rubric 'seven-levels', not 'six-levels'", other.stderr)
    assert "Traceback" not in other.stderr and not (tmp_path / "a.html").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text(cafe.read_text(encoding="utf-8").replace("availability.channels:",
                                                            "availability.chanels:"),
                   encoding="utf-8")
    broken = invoke("template", "seven-levels", "--from", str(bad), "-o", str(tmp_path / "b.html"))
    assert broken.exit_code == 1 and f"{bad}:" in broken.stderr
    assert "did you mean 'availability.channels'" in broken.stderr
    rubric = invoke("template", "seven-levels", "--from", "rubrics/six-levels.yaml")
    assert rubric.exit_code == 1 and "not an answers file" in rubric.stderr
    missing = invoke("template", "seven-levels", "--from", str(tmp_path / "none.yaml"))
    assert missing.exit_code == 1 and "none.yaml" in missing.stderr


def test_a_workbook_prefills_the_form_and_the_download_keeps_its_answers(
        invoke: Invoke, tmp_path: Path, context: Any) -> None:
    pytest.importorskip("openpyxl")
    cafe = EXAMPLES / "riverside-cafe.yaml"
    workbook = tmp_path / "cafe.xlsx"
    made = invoke("template", "seven-levels", "--from", str(cafe), "-o", str(workbook))
    assert made.exit_code == 0, made.stderr
    form = open_form(context, make_form(invoke, tmp_path, "seven-levels", "--from",
                                        str(workbook)))
    path = tmp_path / "from-workbook.yaml"
    path.write_text(form.download(), encoding="utf-8")
    assert given(load_answers(path).answers) == given(load_answers(cafe).answers)
