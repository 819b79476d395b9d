"""Workbooks through a real office suite: LibreOffice Calc, headless.

A workbook cslevels writes must open cleanly elsewhere and come back with the
same answers; a workbook whose answers were changed the way an edit in a
spreadsheet changes the file must be read as the person meant.  Without
LibreOffice these tests skip, except when CI is set: there they fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, find_tool, unavailable
from cslevels.core.documents import answers_from_document
from cslevels.core.models import Answers
from cslevels.files import workbook_layout as L
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers
from cslevels.files.workbook import read_workbook
from workbook_helpers import members, rezip, row_of, same_assessment, sheet_member, write_workbook

pytestmark = pytest.mark.slow


def find_soffice() -> str | None:
    return find_tool("CSLEVELS_SOFFICE", shutil.which("soffice"), shutil.which("libreoffice"),
                     "/usr/bin/soffice")


@pytest.fixture(scope="module")
def soffice(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    found = find_soffice()
    if found is None:
        unavailable("LibreOffice (soffice) is not installed", "LibreOffice")
    # a profile of its own: never the user's, never one another LibreOffice holds locked
    return found, tmp_path_factory.mktemp("lo-profile")


def convert(soffice: tuple[str, Path], source: Path, fmt: str, folder: Path) -> Path:
    program, profile = soffice
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(folder), str(source)],
        capture_output=True, text=True, timeout=180, check=False)
    out = folder / f"{source.stem}.{fmt}"
    assert done.returncode == 0 and out.is_file(), done.stdout + done.stderr
    return out


# The consultant's fields, hostile (quotes, colons, #, line breaks, ---, emoji, RTL) but
# without control characters, which .ods cannot hold.
CONSULTANT = {
    "prepared_for": "M. O'Brien: owner, \"Riverside\" # 2 ☕ שלום",
    "executive_summary": ("Summary: strong start.\n---\n# not a comment\n\n  - indented 🙂\n"
                          "مرحبا بالعالم (right to left) then back: \"done\" ... \n"),
}


def rich_answers(controls: bool = True) -> Answers:
    """The example visit, plus text that tests every escape: control characters, a
    formula-like note, multi-line and blank evidence, n/a."""
    example = load_answers(EXAMPLES / "riverside-cafe.yaml", RubricLibrary()).answers
    data = example.model_dump(by_alias=True)
    rubric = RubricLibrary().resolve("seven-levels").rubric
    na_key = next(f"{lv.id}.{q.id}" for lv, q in rubric.questions() if q.allow_na)
    data["answers"][na_key] = {"value": "n/a", "note": "=SUM(A1:A9) is not a formula here",
                               "evidence": ["line one\nline two", "", " padded "]}
    # Not a literal "_x0041_": LibreOffice reads Office's escape of it (_x005F_x0041_)
    # but writes it back unescaped, so any reader then sees "A" (a LibreOffice bug).
    # Nor control characters through .ods, which cannot hold them: LibreOffice drops
    # them there (a bell, a tab), whoever wrote the .xlsx.
    note = "bell\x07 tab\t end\r" if controls else "two\nlines, ünïcødé, emoji 🧾"
    data["answers"]["attention.greeting"] = {"value": 2, "note": note, "evidence": []}
    data["target"] = 5
    data["prepared_for"] = CONSULTANT["prepared_for"]
    data["executive_summary"] = CONSULTANT["executive_summary"]
    return Answers.model_validate(data)


def read(path: Path) -> Answers:
    loaded, findings = answers_from_document(read_workbook(path), path, RubricLibrary(), None)
    assert loaded is not None, [str(f) for f in findings]
    return loaded.answers


@pytest.mark.parametrize("via", ["xlsx", "ods"])
def test_libreoffice_round_trip_keeps_every_answer(
        soffice: tuple[str, Path], tmp_path: Path, via: str) -> None:
    original = rich_answers(controls=via == "xlsx")
    written = write_workbook(tmp_path / "visit.xlsx", original)
    step = convert(soffice, written, via, tmp_path / "step")
    back = step if via == "xlsx" else convert(soffice, step, "xlsx", tmp_path / "back")
    assert back.read_bytes() != written.read_bytes()  # LibreOffice wrote it anew
    assert same_assessment(read(back), original)


def test_blank_template_survives_libreoffice(soffice: tuple[str, Path], tmp_path: Path) -> None:
    for rubric_id in ("seven-levels", "six-levels", "five-grades"):
        written = write_workbook(tmp_path / f"{rubric_id}.xlsx", rubric_id=rubric_id)
        back = convert(soffice, written, "xlsx", tmp_path / "back")
        assert read_workbook(back).data == read_workbook(written).data


def _set_cell(xml: str, ref: str, inner: str, kind: str | None) -> str:
    """Replace cell ``ref`` (empty or not) as an edit would: keep its style, new value."""
    pattern = re.compile(rf'<c r="{ref}"((?: [a-z]+="[^"]*")*?)\s*(/>|>.*?</c>)', re.S)
    match = pattern.search(xml)
    assert match is not None, ref
    attributes = re.sub(r' t="[^"]*"', "", match.group(1))
    typed = f' t="{kind}"' if kind else ""
    new = f'<c r="{ref}"{attributes}{typed}/>' if inner == "" else \
        f'<c r="{ref}"{attributes}{typed}>{inner}</c>'
    return xml[:match.start()] + new + xml[match.end():]


def test_answers_changed_as_a_real_edit_changes_the_file(
        soffice: tuple[str, Path], tmp_path: Path) -> None:
    """A LibreOffice-written workbook, its XML changed as typing in the cells changes it
    (a label from the shared strings, a number typed, an inline string, a cleared
    cell), then saved by LibreOffice again and read."""
    original = load_answers(EXAMPLES / "riverside-cafe.yaml", RubricLibrary()).answers
    saved = convert(soffice, write_workbook(tmp_path / "visit.xlsx", original), "xlsx",
                    tmp_path / "lo")
    rows = {key: row_of(saved, key) for key in (
        "availability.channels", "availability.reachable-in-hours", "attention.greeting")}
    parts = members(saved)
    strings = parts["xl/sharedStrings.xml"].decode()
    count = len(re.findall(r"<si>", strings))
    typed_label = "in place and applied consistently"  # typed in lower case, not chosen
    strings = strings.replace("</sst>", f"<si><t>{typed_label}</t></si></sst>")
    strings = re.sub(r'uniqueCount="\d+"', f'uniqueCount="{count + 1}"', strings)
    parts["xl/sharedStrings.xml"] = strings.encode()
    name = sheet_member(saved, L.QUESTIONS_SHEET)
    xml = parts[name].decode()
    xml = _set_cell(xml, f"C{rows['availability.channels']}", f"<v>{count}</v>", "s")
    xml = _set_cell(xml, f"C{rows['availability.reachable-in-hours']}", "<v>1</v>", None)
    xml = _set_cell(xml, f"F{rows['attention.greeting']}",
                    "<is><t>Greeted within a minute\nby two of three staff</t></is>", "inlineStr")
    xml = _set_cell(xml, f"C{rows['attention.greeting']}", "", None)
    parts[name] = xml.encode()
    edited = rezip(tmp_path / "edited.xlsx", parts)
    final = convert(soffice, edited, "xlsx", tmp_path / "final")
    answers = read(final)
    assert answers.entry("availability.channels").value == 3  # type: ignore[union-attr]
    assert answers.entry("availability.reachable-in-hours").value == 1  # type: ignore[union-attr]
    greeting = answers.answers["attention.greeting"]
    assert answers.entry("attention.greeting") is None  # cleared: missing, not zero
    assert getattr(greeting, "note", None) == "Greeted within a minute\nby two of three staff"
    untouched = set(original.answers) - {
        "availability.channels", "availability.reachable-in-hours", "attention.greeting"}
    for key in untouched:
        assert answers.entry(key) == original.entry(key), key
