"""Every command that reads files, over a corpus of bad inputs: one clear message, no traceback.

The corpus is tests/data/bad/ (written for this test) plus tests/data/negative/ (the
validate examples, whose positions tests/test_validate.py pins).  Each file has an
expected exit code, a fragment of the expected message and, where the problem has
one, the line and column it must be reported at; positions were counted by hand in
the files.  Inputs that would be silly to commit (binary data, a 50 MB file, a
folder, a missing or unreadable path) are made in tmp_path by the test.

Every case runs through every command that reads that kind of file, in process with
``catch_exceptions=False``: any exception other than the CLI's own exit fails the test.
"""

from __future__ import annotations

import builtins
import os
import shutil
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, EXAMPLES, Invoke
from test_validate import EXPECTED as NEGATIVE_EXPECTED

BAD = DATA / "bad"
NEGATIVE = DATA / "negative"
GOOD = str(EXAMPLES / "riverside-cafe.yaml")  # seven-levels, subject Riverside Cafe

# ---------------------------------------------------------------- the commands

Command = Callable[[str, str], list[str]]  # (file, the folder it is in) -> arguments
COMMANDS: dict[str, Command] = {
    "validate": lambda f, d: ["validate", f],
    "score": lambda f, d: ["score", f],
    "score-combine": lambda f, d: ["score", "--combine", f, GOOD],
    "compare": lambda f, d: ["compare", GOOD, f],
    "summary": lambda f, d: ["summary", f],
    "show": lambda f, d: ["show", f],
    "show-html": lambda f, d: ["show", "--format", "html", f],
    "template": lambda f, d: ["template", f],
    "score-rubric": lambda f, d: ["score", "--rubric", f, GOOD],
    "list": lambda f, d: ["list", "--rubrics-dir", d],
    "score-brand": lambda f, d: ["score", GOOD, "--format", "html", "--brand", f],
}
ANSWERS_COMMANDS = ("validate", "score", "score-combine", "compare", "summary")
RUBRIC_COMMANDS = ("validate", "show", "show-html", "template", "score-rubric", "list", "summary")
BRAND_COMMANDS = ("validate", "score-brand")
ANY_COMMANDS = tuple(COMMANDS)  # the file fails before cslevels can tell what it is
BY_KIND = {"answers": ANSWERS_COMMANDS, "rubric": RUBRIC_COMMANDS, "brand": BRAND_COMMANDS,
           "any": ANY_COMMANDS}


@dataclass(frozen=True)
class Case:
    """What every command must say about one bad input."""

    kind: str  # "answers", "rubric", "brand" or "any": which commands read it
    fragment: str | dict[str, str]  # in the message; per command where they differ
    where: tuple[int, ...] | None = None  # (line, column) or (line,) of the first error
    exit: int = 1
    only: tuple[str, ...] | None = None  # a subset of the kind's commands
    make: Callable[[Path], None] | None = None  # builds a generated input at this path

    @property
    def commands(self) -> tuple[str, ...]:
        return self.only or BY_KIND[self.kind]

    def fragment_for(self, command: str) -> str:
        if isinstance(self.fragment, str):
            return self.fragment
        return self.fragment.get(command, self.fragment["*"])


NOT_A_MAPPING = "not a cslevels file: the document is"

# ---------------------------------------------------------------- tests/data/bad/

BAD_CASES: dict[str, Case] = {
    # -- broken YAML, wrong encodings, things that are not one mapping
    "yaml-unclosed-bracket.yaml": Case("any", "the '[' at line 6, column 34 is never closed",
                                       (7, 1)),
    "yaml-unclosed-quote.yaml": Case("any", "while scanning a quoted scalar that starts at line 4",
                                     (7, 1)),
    "yaml-tab-indent.yaml": Case("any", "indent with spaces, not tabs", (7, 1)),
    "yaml-bad-indent.yaml": Case("any", "YAML syntax error: did not find expected key", (8, 2)),
    "yaml-empty.yaml": Case("any", "file is empty (no YAML document)"),
    "yaml-only-comments.yaml": Case("any", "file is empty (no YAML document)"),
    "yaml-top-level-list.yaml": Case("any", f"{NOT_A_MAPPING} a list, not a mapping", (2, 1)),
    "yaml-top-level-scalar.yaml": Case("any", f"{NOT_A_MAPPING} the text 'seven-levels'", (2, 1)),
    "yaml-top-level-number.yaml": Case("any", f"{NOT_A_MAPPING} the number 42", (1, 1)),
    "yaml-multiple-documents.yaml": Case("any", "holds more than one YAML document", (5, 1)),
    "yaml-latin1.yaml": Case("any", "not valid UTF-8 (byte 0xe9)", (1, 25)),
    "yaml-utf16.yaml": Case("any", "saved as UTF-16, not UTF-8"),
    "yaml-cyclic-alias.yaml": Case("any", "an alias refers to itself (cyclic alias)", (6, 10)),
    # 5 + 11 + 111 + 1,111 + 11,111 values, a4's list, then 8 of its *a3 (11,111 each)
    "yaml-alias-bomb-answers.yaml": Case("any", "document expands to more than 100,000 values",
                                         (10, 45)),
    # keys and values before it: 6 + 19 + 6 + 12 + 7 + 11 + 4 + 2,000 + 6 = 2,071
    # characters; each *t adds 2,000, and the 4,194th passes 8,388,608 (4 x 2 MiB)
    "yaml-alias-characters-answers.yaml": Case(
        "any", "aliases expand the document to more than 8,388,608 characters",
        (6, 10 + 4 * 4193)),
    "yaml-python-object-tag.yaml": Case(
        "any", "YAML tag !!python/object/apply:os.system is not allowed", (7, 26)),
    "yaml-python-name-tag.yaml": Case("any", "YAML tag !!python/name:os.system is not allowed",
                                      (6, 14)),
    "yaml-custom-tag.yaml": Case("any", "YAML tag !include is not allowed", (6, 10)),
    "yaml-set-tag.yaml": Case("any", "YAML tag !!set is not allowed", (6, 10)),
    "yaml-complex-key.yaml": Case("any", "a key must be a plain value", (7, 5)),
    "yaml-deep-nesting.yaml": Case("any", "nested deeper than 64 levels", (6, 96)),
    "yaml-merge-key-answers.yaml": Case("any", "YAML merge keys (<<) are not supported", (8, 3)),
    "yaml-invalid-date.yaml": Case("any", "invalid date '2026-02-30': day is out of range",
                                   (6, 7)),
    "yaml-huge-integer.yaml": Case("any", "5,000 characters is too long for a number", (6, 9)),
    # -- duplicate keys, at every depth
    "answers-duplicate-top-key.yaml": Case("any", "duplicate key 'subject' (first at line 4)",
                                           (5, 1)),
    "answers-duplicate-entry-field.yaml": Case("any", "duplicate key 'value' (first at line 6)",
                                               (6, 50)),
    "answers-duplicate-flow-key.yaml": Case(
        "any", "duplicate key 'availability.channels' (first at line 5)", (5, 37)),
    "rubric-duplicate-scale-name.yaml": Case("any", "duplicate key 'yes-no' (first at line 6)",
                                             (11, 3)),
    "rubric-duplicate-option-field.yaml": Case("any", "duplicate key 'label' (first at line 9)",
                                               (9, 48)),
    "rubric-duplicate-question-field.yaml": Case(
        "any", "duplicate key 'text' (first at line 16)", (18, 9)),
    "rubric-duplicate-level-field.yaml": Case("any", "duplicate key 'name' (first at line 13)",
                                              (20, 5)),
    "rubric-duplicate-source-field.yaml": Case("any", "duplicate key 'title' (first at line 6)",
                                               (7, 3)),
    # -- rubric: wrong types, YAML 1.1 surprises, NaN and infinity, unknown fields
    "rubric-levels-mapping.yaml": Case("rubric", "levels: expected a list, got a mapping",
                                       (12, 3)),
    "rubric-questions-text.yaml": Case("rubric", "levels[0].questions: expected a list, got the "
                                       "text 'Are opening hours posted?'", (14, 16)),
    "rubric-options-scalar.yaml": Case("rubric", "scales.yes-no.options: expected a list",
                                       (8, 14)),
    "rubric-scales-list.yaml": Case("rubric", "scales: expected a mapping, got a list", (6, 3)),
    "rubric-weight-text.yaml": Case("rubric", "weight: expected a number, got the text 'heavy'",
                                    (20, 17)),
    "rubric-weight-infinite.yaml": Case("rubric", "weight: expected a finite number, got the "
                                        "number inf", (20, 17)),
    "rubric-threshold-nan.yaml": Case("rubric", "threshold: expected a finite number, got the "
                                      "number nan", (5, 12)),
    "rubric-score-nan.yaml": Case("rubric", "options[0].score: expected a finite number",
                                  (9, 43)),
    "rubric-method-unknown.yaml": Case("rubric", "method: must be 'staged' or "
                                       "'continuous', got the text 'ladder'", (5, 9)),
    "rubric-question-text-null.yaml": Case("rubric", "questions[0].text: expected text, got "
                                           "nothing (null)", (16, 14)),
    "rubric-yaml11-label-off.yaml": Case("rubric", 'got the boolean false (YAML read Off as the '
                                         'boolean false; put it in quotes: "Off")', (9, 27)),
    "rubric-yaml11-name-date.yaml": Case("rubric", "levels[0].name: expected text, got the date "
                                         "2026-01-01", (13, 11)),
    "rubric-yaml11-version-octal.yaml": Case("rubric", 'YAML 1.1 reads 010 as an octal number, '
                                             '8 (write the number plainly (8), or put it in '
                                             'quotes to keep it as text: "010")', (3, 10)),
    "rubric-option-value-boolean.yaml": Case("rubric", "expected a whole number or text, got the "
                                             "boolean false", (9, 17)),
    "rubric-unknown-level-field.yaml": Case("rubric", "unknown field 'sumary' (did you mean "
                                            "'summary'?)", (14, 5)),
    "rubric-one-option-scale.yaml": Case("rubric", "options: needs at least 2 item(s), got 1",
                                         (9, 7)),
    "rubric-never-achievable.yaml": Case("rubric", "level 'reachable' can never be achieved: its "
                                         "best possible score 0.50 is below its threshold 0.75",
                                         (14, 9)),
    # -- answers: wrong types, YAML 1.1 surprises, values off the scale, unknown ids
    "answers-answers-list.yaml": Case("answers", "answers: expected a mapping, got a list",
                                      (6, 3)),
    "answers-evidence-text.yaml": Case("answers", "evidence: expected a list, got the text",
                                       (6, 47)),
    "answers-evidence-mapping.yaml": Case("answers", "evidence[0]: expected text, got a mapping",
                                          (9, 9)),
    "answers-note-list.yaml": Case("answers", "note: expected text, got a list", (6, 43)),
    "answers-subject-yes.yaml": Case("answers", 'subject: expected text, got the boolean true '
                                     '(YAML read yes as the boolean true', (3, 10)),
    "answers-subject-null.yaml": Case("answers", "subject: expected text, got nothing (null)",
                                      (3, 9)),
    "answers-assessor-date.yaml": Case("answers", "assessor: expected text, got the date "
                                       "2026-01-01", (5, 11)),
    "answers-version-octal.yaml": Case("answers", 'YAML 1.1 reads 010 as an octal number, 8',
                                       (3, 17)),
    "answers-date-text.yaml": Case("answers", "date: expected a date (YYYY-MM-DD), got the text "
                                   "'last tuesday'", (5, 7)),
    "answers-target-zero.yaml": Case("answers", "target: must be at least 1, got the number 0",
                                     (5, 9)),
    "answers-target-text.yaml": Case("answers", "target: expected a whole number, got the text "
                                     "'the top'", (5, 9)),
    "answers-unknown-level.yaml": Case("answers", "unknown question 'service.channels' for rubric "
                                       "seven-levels", (7, 3)),
    "answers-key-three-parts.yaml": Case("answers", "answer key 'availability.channels.phone' "
                                         "must be <level-id>.<question-id>", (6, 3)),
    "answers-key-integer.yaml": Case("answers", "answer key 12 must be <level-id>.<question-id>",
                                     (6, 3)),
    "answers-value-float.yaml": Case("answers", "expected an option value, n/a, or a mapping "
                                     "with value/note/evidence, got the number 2.5", (6, 26)),
    "answers-value-negative.yaml": Case("answers", "availability.channels: -1 is not an option of "
                                        "scale 'practice'", (6, 26)),
    "answers-value-huge.yaml": Case("answers", "99999999999999999999999999 is not an option of "
                                    "scale 'practice'", (6, 26)),
    "answers-value-nan.yaml": Case("answers", "got the number nan", (6, 26)),
    "answers-value-text-off-scale.yaml": Case("answers", "'always' is not an option of scale "
                                              "'practice' (choose one of: 0 (Not in place)",
                                              (6, 26)),
    "answers-value-list.yaml": Case("answers", "answer to availability.channels: expected an "
                                    "option value", (6, 26)),
    "answers-na-long-form.yaml": Case("answers", "availability.channels does not allow n/a",
                                      (6, 34)),
    "answers-rubric-is-list.yaml": Case("answers", "rubric: expected text, got a list", (2, 9)),
    "answers-schema-missing.yaml": Case("any", "not a cslevels file: it has no `schema:` field",
                                        (1, 1)),
    # -- brand files (--brand): wrong fields, colours and logos; a brand where answers go
    "brand-unknown-field.yaml": Case("brand", "unknown field 'colour'", (4, 1)),
    "brand-accent-unquoted.yaml": Case("brand", 'accent: no colour given (quote it, as in '
                                       'accent: "#1f5f8b"', (3, 8)),
    "brand-accent-not-hex.yaml": Case("brand", "accent: 'rgb(31, 95, 139)' is not a colour: "
                                      "write it as #rrggbb", (3, 9)),
    "brand-firm-list.yaml": Case("brand", "firm: expected text, got a list", (3, 3)),
    "brand-logo-missing.yaml": Case("brand", "logo no-such-logo.png: no such file", (3, 7)),
    "brand-logo-not-a-picture.yaml": Case(  # refused by its name: the file is never opened
        "brand", "logo ../../../../etc/passwd: cslevels embeds PNG, JPEG or SVG logos", (2, 7)),
    "brand-as-answers.yaml": Case("any", "this is a brand file, not a", only=(
        "score", "score-combine", "compare", "summary", "show", "show-html", "template",
        "score-rubric")),
    # -- issue 13: numbers YAML 1.1 spells otherwise, keys that are not text
    "answers-value-hex.yaml": Case("any", "YAML 1.1 reads 0x2 as a hexadecimal number, 2 "
                                   "(write the number plainly (2)", (6, 26)),
    "answers-value-octal.yaml": Case("any", "YAML 1.1 reads 010 as an octal number, 8", (6, 26)),
    "answers-value-binary.yaml": Case("any", "YAML 1.1 reads 0b10 as a binary number, 2",
                                      (6, 34)),
    "answers-value-base60.yaml": Case("any", "YAML 1.1 reads 1:30 as a base-60 number, 90",
                                      (6, 26)),
    "rubric-weight-separators.yaml": Case("any", "YAML 1.1 reads 1_0 as a number with _ "
                                          "separators, 10", (20, 17)),
    "answers-key-number-top.yaml": Case("answers", "a key must be text, got the number 1 (put "
                                        "the key in quotes to make it text)", (7, 1)),
    "answers-key-null-top.yaml": Case("answers", "a key must be text, got nothing (null)",
                                      (5, 1)),
    "answers-key-boolean-entry.yaml": Case("answers", "a key must be text, got the boolean true "
                                           "in answers.availability.channels", (6, 37)),
    # -- issue 13: rubrics the schema allowed but scoring could not honour
    "rubric-weight-underflow.yaml": Case("rubric", "levels[0].questions[0].weight: must be at "
                                         "least 0.001, got the number 5e-324", (20, 17)),
    "rubric-threshold-tiny.yaml": Case("rubric", "threshold: must be at least 0.01, got the "
                                       "number 1e-09", (5, 12)),
    "rubric-min-coverage-tiny.yaml": Case("rubric", "min_coverage: must be 0 (no minimum) or at "
                                          "least 0.01, got the number 0.001", (5, 15)),
    "rubric-option-value-na.yaml": Case("rubric", "option value 'n/a' in scale 'yes-no' is "
                                        "reserved: an answer n/a means not applicable", (9, 17)),
    # -- accepted: a BOM, Windows line endings
    "ok-rubric-bom.yaml": Case(
        "rubric", {"validate": "ok (rubric)", "*": "Corner shop service",
                   "template": "rubric: bad-corner", "list": "bad-corner"},
        exit=0, only=("validate", "show", "show-html", "template", "list")),
    "ok-rubric-crlf.yaml": Case(
        "rubric", {"validate": "ok (rubric)", "*": "Corner shop service",
                   "template": "rubric: bad-corner", "list": "bad-corner"},
        exit=0, only=("validate", "show", "show-html", "template", "list")),
    "ok-answers-bom.yaml": Case(
        "answers", {"validate": "ok (answers)", "*": "Riverside Cafe"}, exit=0),
}

# ---------------------------------------------------------------- tests/data/negative/


def _negative_case(name: str, line: int, column: int, fragments: tuple[str, ...]) -> Case:
    # Files that break before cslevels can tell a rubric from an answers file fail alike
    # for every command; the others go to the commands that read their kind.
    any_kind = {"answers-not-a-mapping.yaml", "answers-duplicate-key.yaml",
                "answers-bad-date.yaml", "rubric-unknown-schema.yaml"}
    kind = "any" if name in any_kind else ("rubric" if name.startswith("rubric") else "answers")
    if name.startswith("rubric") and any(
        tag in name for tag in ("duplicate-key", "python-tag", "alias-bomb", "yaml-syntax",
                                "tab-indent", "merge-key")):
        kind = "any"
    return Case(kind, fragments[0], (line, column))


NEGATIVE_CASES = {
    name: _negative_case(name, *expected) for name, expected in NEGATIVE_EXPECTED.items()
}

# ---------------------------------------------------------------- made by the test

FIFTY_MB = 50 * 1024 * 1024


def _sparse(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(FIFTY_MB)  # no data written: sparse where the file system allows


def _binary(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))


def _folder(path: Path) -> None:
    path.mkdir()


def _missing(path: Path) -> None:
    pass


def _unreadable(path: Path) -> None:
    shutil.copy(EXAMPLES / "riverside-cafe.yaml", path)
    path.chmod(0)


def _fifo(path: Path) -> None:
    os.mkfifo(path)  # no writer: read as an empty file, never waited on


def _naming(rubric: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        text = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
        path.write_text(text.replace("rubric: seven-levels", f"rubric: {rubric}", 1),
                        encoding="utf-8")
    return make


def _naming_rubric_without_suffix(path: Path) -> None:
    rubric = path.parent / "model"  # a valid rubric whose name does not end in .yaml
    shutil.copy(EXAMPLES.parent / "rubrics" / "seven-levels.yaml", rubric)
    _naming(str(rubric))(path)


NOT_AN_ID = "is neither a rubric id nor a .yaml file"
MISSING = {"*": "no such file", "list": "--rubrics-dir: no such folder"}
MADE_CASES: dict[str, Case] = {
    "made-binary.yaml": Case("any", "binary data (a NUL byte), not a YAML text file", (3,),
                             make=_binary),
    "made-50mb.yaml": Case("any", "file is 52,428,800 bytes, over the 2,097,152-byte limit",
                           make=_sparse),
    "made-folder.yaml": Case(
        "any", {"*": "is a folder, not a file",
                "validate": "no .yaml, .yml, .xlsx or .xlsm files in this folder"},
        make=_folder, only=tuple(c for c in ANY_COMMANDS if c not in {"list", "summary"})),
    "made-missing.yaml": Case("any", MISSING, make=_missing),
    "made-unreadable.yaml": Case("any", "permission denied", make=_unreadable,
                                 only=ANSWERS_COMMANDS),
    # a FIFO in a folder is skipped (tests/test_attack.py); named directly it is read
    "made-fifo.yaml": Case("any", "file is empty (no YAML document)", make=_fifo,
                           only=tuple(c for c in ANY_COMMANDS if c != "list")),
    # a broken symlink, named or in a folder (tests/test_attack_inputs.py), is reported
    "made-broken-link.yaml": Case("any", "broken symbolic link: 'nowhere.yaml' does not exist",
                                  make=lambda path: path.symlink_to("nowhere.yaml"),
                                  only=tuple(c for c in ANY_COMMANDS if c != "list")),
    # an answers file someone sent: its rubric: must not open what it names
    "made-rubric-dev-stdin.yaml": Case("answers", NOT_AN_ID, (2, 9),
                                       make=_naming("/dev/stdin")),
    "made-rubric-etc-shadow.yaml": Case("answers", NOT_AN_ID, (2, 9),
                                        make=_naming("/etc/shadow")),
    "made-rubric-no-suffix.yaml": Case("answers", NOT_AN_ID, (2, 9),
                                       make=_naming_rubric_without_suffix),
}

CASES: dict[str, Case] = {**BAD_CASES, **NEGATIVE_CASES, **MADE_CASES}
SOURCES = {**{n: BAD / n for n in BAD_CASES}, **{n: NEGATIVE / n for n in NEGATIVE_CASES}}
PARAMS = [(name, command) for name, case in CASES.items() for command in case.commands]


def test_every_corpus_file_has_an_expectation() -> None:
    on_disk = {p.name for p in BAD.iterdir()}
    assert on_disk == set(BAD_CASES), (
        f"without expectation: {sorted(on_disk - set(BAD_CASES))}; "
        f"missing: {sorted(set(BAD_CASES) - on_disk)}")
    assert len(on_disk) >= 40
    assert all(c in COMMANDS for case in CASES.values() for c in case.commands)


def materialize(name: str, case: Case, folder: Path) -> Path:
    """The input at ``folder/name``: a copy of the committed file, or made here."""
    folder.mkdir()
    path = folder / name
    if case.make is not None:
        case.make(path)
    else:
        shutil.copyfile(SOURCES[name], path)
    return path


def check(result, case: Case, command: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    """The shared promises: exit code, no traceback, the message, the file, the place."""
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    assert result.exit_code == case.exit, output
    fragment = case.fragment_for(command)
    if case.exit == 0:
        assert fragment in output
        return
    assert fragment in result.stderr, result.stderr
    assert shown in result.stderr, f"the message does not name {shown}:\n{result.stderr}"
    if case.where is not None:
        place = ":".join(str(n) for n in case.where)
        assert f"{shown}:{place}: error: " in result.stderr, result.stderr
    for line in result.stderr.splitlines():  # every error names the file first
        if " error: " in line:
            assert line.startswith(shown), line


@pytest.mark.parametrize(("name", "command"), PARAMS, ids=[f"{n}-{c}" for n, c in PARAMS])
def test_bad_input(invoke: Invoke, tmp_path: Path, name: str, command: str) -> None:
    case = CASES[name]
    if case.make is _unreadable and os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode; "
                    "test_unreadable_file_in_process covers this case")
    folder = tmp_path / "in"
    path = materialize(name, case, folder)
    # list reads a folder: the missing path stands in for a mistyped --rubrics-dir
    in_folder = str(path) if case.make is _missing else str(folder)
    result = invoke(*COMMANDS[command](str(path), in_folder))
    check(result, case, command, str(path))


@pytest.mark.parametrize("command", ANY_COMMANDS)
def test_unreadable_file_in_process(invoke: Invoke, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    """A file the user may not read, as root in CI sees it: Path.read_bytes refuses."""
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "locked.yaml"
    shutil.copyfile(EXAMPLES / "riverside-cafe.yaml" if command in ANSWERS_COMMANDS
                    else DATA / "bad" / "ok-rubric-bom.yaml", path)
    real_read_bytes, real_open = Path.read_bytes, builtins.open

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    def open_(file: object, *args: Any, **kwargs: Any) -> Any:  # a faster path may use open()
        if str(file).endswith("locked.yaml"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    real_os_open = os.open

    def os_open(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:  # the fd reader
        if str(file).endswith("locked.yaml"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_os_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(os, "open", os_open)
    result = invoke(*COMMANDS[command](str(path), str(folder)))
    check(result, Case("any", "permission denied"), command, str(path))


# ---------------------------------------------------------------- limits, cheaply enforced


def test_a_huge_file_is_refused_before_it_is_read(invoke: Invoke, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.yaml"
    _sparse(path)

    def no_reading(self: Path) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert "over the 2,097,152-byte limit" in result.stderr


def test_size_limit_follows_the_environment(invoke: Invoke, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes((EXAMPLES / "riverside-cafe.yaml").read_bytes())
    size = big.stat().st_size
    small = invoke("score", str(big), env={"CSLEVELS_MAX_FILE_BYTES": str(size - 1)})
    assert small.exit_code == 1
    assert f"over the {size - 1:,}-byte limit" in small.stderr
    assert "CSLEVELS_MAX_FILE_BYTES" in small.stderr
    assert invoke("score", str(big), env={"CSLEVELS_MAX_FILE_BYTES": str(size)}).exit_code == 0


def test_a_stream_without_a_size_is_read_only_up_to_the_limit(invoke: Invoke) -> None:
    """/dev/zero never ends: reading it whole would never return."""
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    result = invoke("score", "/dev/zero", env={"CSLEVELS_MAX_FILE_BYTES": "4096"})
    assert result.exit_code == 1  # it returned at all: reading it whole never would
    assert "/dev/zero: error: file is over the 4,096-byte limit" in result.stderr


def test_alias_bomb_is_refused_fast_with_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    from cslevels.errors import InputError
    from cslevels.files import yamlio

    built = 0
    build = yamlio._Builder.build

    def counting(self: yamlio._Builder, node: object, loc: tuple[object, ...]) -> object:
        nonlocal built
        built += 1
        return build(self, node, loc)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlio._Builder, "build", counting)
    events = 0
    parse_events = yamlio.yaml.parse

    def counted_events(*args: Any, **kwargs: Any) -> Iterator[object]:
        nonlocal events
        for event in parse_events(*args, **kwargs):
            events += 1
            yield event

    monkeypatch.setattr(yamlio.yaml, "parse", counted_events)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="more than 100,000 values"):
            yamlio.load_path(BAD / "yaml-alias-bomb-answers.yaml")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Work, counted rather than timed: expanded, it would be 10**9 values.  Measured on
    # the parser's events (each alias once, however much it stands for), nothing is built.
    assert built == 0
    assert events < 200
    assert peak < 64 * 1024 * 1024


def test_alias_limit_follows_the_environment(invoke: Invoke) -> None:
    path = str(BAD / "yaml-alias-bomb-answers.yaml")
    result = invoke("validate", path, env={"CSLEVELS_MAX_NODES": "50"})
    # 5 + 11 values, a1's list, then 3 of its *a0 (11 each): the fourth goes over
    assert f"{path}:7:25: error: document expands to more than 50 values" in result.stderr


def test_an_answers_file_cannot_make_cslevels_read_any_file(invoke: Invoke,
                                                            tmp_path: Path) -> None:
    """`rubric:` is an id or a .yaml file: never /etc/passwd, /proc/self/environ or /dev/zero."""
    for target in ("/etc/passwd", "/proc/self/environ", "/dev/zero"):
        path = tmp_path / "sent.yaml"
        path.write_text(f"schema: cslevels/answers/v1\nrubric: {target}\nsubject: X\n")
        for command in ("score", "validate", "summary"):
            result = invoke(command, str(path))
            assert result.exit_code == 1
            assert (f"{path}:2:9: error: rubric: '{target}' is neither a rubric id nor a .yaml "
                    "file") in result.stderr
            assert "root:" not in result.stdout + result.stderr


# ---------------------------------------------------------------- command-line values


@pytest.mark.parametrize("args", [
    ("show", "nope"),
    ("template", "nope"),
    ("score", "--rubric", "nope", GOOD),
    ("compare", "--rubric", "nope", GOOD, GOOD),
    ("assess", "nope", "-o", "never-written.yaml", "--no-tty"),
])
def test_unknown_rubric_on_the_command_line_names_no_fake_file(
        invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        args: tuple[str, ...]) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*args, input="")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: unknown rubric 'nope' (available: five-grades, seven-levels, six-levels)")
    assert "<input>" not in result.stderr
    assert not (tmp_path / "never-written.yaml").exists()


def test_a_missing_rubrics_dir_is_an_error_not_ignored(invoke: Invoke, tmp_path: Path) -> None:
    missing = tmp_path / "rubircs"
    for args in (("list",), ("show", "seven-levels"), ("score", GOOD)):
        result = invoke(*args, "--rubrics-dir", str(missing))
        assert result.exit_code == 1
        assert result.stderr == f"{missing}: error: --rubrics-dir: no such folder\n"



def test_thousands_of_problems_are_listed_up_to_a_bound_quickly(
        invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "typos.yaml"
    lines = [f"  availability.chanel{i}: 1" for i in range(5000)]
    # one right key, so the file reads as seven-levels answers with typos (not as another
    # rubric's answers, which gets one diagnosis)
    path.write_text("schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: X\nanswers:\n"
                    + "\n".join(lines) + "\n  availability.channels: 1\n")
    from cslevels.core import checks

    searches = 0
    close_matches = checks.difflib.get_close_matches

    def counted(*args: object, **kwargs: object) -> list[str]:
        nonlocal searches
        searches += 1
        return close_matches(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checks.difflib, "get_close_matches", counted)
    result = invoke("validate", str(path))
    # "did you mean" for all 5,000 keys took minutes: work counted, not timed
    assert searches <= checks.MAX_HINTS
    errors = [line for line in result.stderr.splitlines() if " error: " in line]
    assert len(errors) == 201
    assert errors[0] == (f"{path}:5:3: error: unknown question 'availability.chanel0' for rubric "
                         "seven-levels (did you mean 'availability.channels'?)")
    assert errors[-1] == (f"{path}: error: 4,800 more error(s) not listed "
                          "(fix the ones above and check again)")


def test_the_pure_python_parser_cannot_smuggle_invalid_text(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Where libyaml is missing, PyYAML's own parser accepts a lone surrogate escape."""
    import yaml

    from cslevels.errors import InputError
    from cslevels.files import yamlio

    monkeypatch.setattr(yamlio, "_Loader", yaml.SafeLoader)
    with pytest.raises(InputError, match="lone surrogate") as info:
        yamlio.parse('subject: "x\\ud800y"\n', "a.yaml")
    assert (info.value.line, info.value.column) == (1, 10)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('rubric: seven-levels\nsubject: !!bool "maybe"\n', "invalid bool"),
        ('rubric: "x\\0.yaml"\nsubject: s\n', "neither a rubric id nor a .yaml file"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "score", "summary"])
def test_odd_scalars_are_reported_not_crashed(
    invoke: Invoke, tmp_path: Path, text: str, fragment: str, command: str
) -> None:
    """A tagged bool that is not one, and a NUL in a rubric path, once crashed."""
    path = tmp_path / "odd.yaml"
    path.write_text("schema: cslevels/answers/v1\n" + text, encoding="utf-8")
    result = invoke(command, str(path))
    assert result.exit_code == 1
    assert f"{path}:3:" in result.stderr or f"{path}:2:" in result.stderr
    assert fragment in result.stderr
