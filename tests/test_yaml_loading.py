"""Safe, positioned YAML loading (cslevels.files.yamlio) and how its surprises are reported."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, Invoke
from cslevels.core.locations import Position
from cslevels.errors import InputError, InvalidDocumentError
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers, load_rubric
from cslevels.files.yamlio import load_path, parse


def error_of(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        parse(text, "doc.yaml")
    return info.value


# ---------------------------------------------------------------- positions


def test_positions_of_values_and_keys() -> None:
    doc = parse("a: 1\nb:\n  - x\n  - {c: 2, d: [3, 4]}\n", "doc.yaml")
    assert doc.data == {"a": 1, "b": ["x", {"c": 2, "d": [3, 4]}]}
    assert doc.positions[("a",)] == (1, 4)
    assert doc.positions[("b", 0)] == (3, 5)
    assert doc.positions[("b", 1, "c")] == (4, 9)
    assert doc.positions[("b", 1, "d", 1)] == (4, 19)
    assert doc.key_positions[("b", 1, "d")] == (4, 12)
    # a place that does not exist falls back to its nearest ancestor
    assert doc.locate(("b", 1, "missing")) == Position(4, 5)
    assert doc.locate(("b", 1, "d"), prefer_key=True) == Position(4, 12)


def test_comment_lines_and_bom_do_not_shift_positions(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbf# comment\nkey: value\n")
    doc = load_path(path)
    assert doc.data == {"key": "value"}
    assert doc.positions[("key",)] == (2, 6)


# ---------------------------------------------------------------- refused input


def test_duplicate_keys_are_refused() -> None:
    exc = error_of("a: 1\nb: 2\na: 3\n")
    assert (exc.line, exc.column, exc.code) == (3, 1, "duplicate-key")
    assert exc.message == "duplicate key 'a' (first at line 1)"


def test_duplicate_keys_in_nested_and_flow_mappings() -> None:
    exc = error_of("outer:\n  inner: {x: 1, x: 2}\n")
    assert (exc.line, exc.column) == (2, 17)
    assert "duplicate key 'x'" in exc.message


@pytest.mark.parametrize(
    "text, shown",
    [
        ('x: !!python/object/apply:os.system ["echo hi"]\n', "!!python/object/apply:os.system"),
        ("x: !!python/name:os.system\n", "!!python/name:os.system"),
        ("x: !custom 1\n", "!custom"),
        ("x: !!binary aGVsbG8=\n", "!!binary"),
        ("x: !!set {a, b}\n", "!!set"),
        ("x: !!omap [a: 1]\n", "!!omap"),
    ],
)
def test_non_standard_tags_are_refused(text: str, shown: str) -> None:
    exc = error_of(text)
    assert exc.code == "yaml-tag"
    assert (exc.line, exc.column) == (1, 4)
    assert f"YAML tag {shown} is not allowed" in exc.message


def test_standard_tags_are_plain_data() -> None:
    doc = parse("a: !!str 1.10\nb: !!int '7'\nc: !!float 1\n", "doc.yaml")
    assert doc.data == {"a": "1.10", "b": 7, "c": 1.0}


def test_merge_keys_are_refused_with_an_explanation() -> None:
    exc = error_of("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert (exc.line, exc.column) == (3, 3)
    assert "merge keys (<<) are not supported" in exc.message


def test_small_aliases_are_fine() -> None:
    doc = parse("a: &x [1, 2]\nb: *x\n", "doc.yaml")
    assert doc.data == {"a": [1, 2], "b": [1, 2]}


def test_alias_expansion_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: &a [1, 2, 3, 4]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"
    assert len(parse(text, "doc.yaml").data["c"]) == 4  # 1 + 5 + 21 + 85 values: under the default
    monkeypatch.setenv("CSLEVELS_MAX_NODES", "50")
    exc = error_of(text)
    assert exc.code == "yaml-too-many-values"
    assert "more than 50 values" in exc.message
    # 1 + 5 + 21 values, then c's list (28) and its first *b (49): the second *b goes over
    assert (exc.line, exc.column) == (3, 9)
    assert exc.hint == "set CSLEVELS_MAX_NODES to raise the limit"


def test_cyclic_alias_is_refused() -> None:
    exc = error_of("a: &x\n  b: *x\n")
    assert exc.code == "yaml-cyclic-alias"
    assert exc.line == 1


def test_deep_nesting_is_refused() -> None:
    exc = error_of("a: " + "[" * 100 + "]" * 100 + "\n")
    assert exc.code == "yaml-depth"
    assert exc.message == "nested deeper than 64 levels"
    assert exc.line == 1


def test_very_deep_nesting_does_not_crash_the_process(tmp_path: Path) -> None:
    # libyaml's composer recurses in C: 200,000 brackets (400 kB) used to end in a segfault.
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 200_000 + "]" * 200_000 + "\n")
    proc = subprocess.run([sys.executable, "-m", "cslevels", "validate", str(path)],
                          capture_output=True, text=True, timeout=120)
    # The behaviour, not a library's wording (PyYAML 6.0.4 stops first with its own
    # "exceeded maximum nesting depth"): one located error, exit 1, no traceback.
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, proc.stderr
    assert errors[0].startswith(f"{path}:1:")
    assert "nest" in errors[0]
    assert "Traceback" not in proc.stderr


def test_file_size_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 100 + "\n")
    assert load_path(path).data == {"a": "x" * 100}
    monkeypatch.setenv("CSLEVELS_MAX_FILE_BYTES", "50")
    with pytest.raises(InputError) as info:
        load_path(path)
    assert info.value.code == "too-large"
    assert info.value.message == "file is 104 bytes, over the 50-byte limit"
    assert info.value.hint == "set CSLEVELS_MAX_FILE_BYTES to raise the limit"


def test_default_size_limit_is_two_megabytes(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * (2 * 1024 * 1024) + "\na: 1\n")
    with pytest.raises(InputError, match="over the 2,097,152-byte limit"):
        load_path(path)


@pytest.mark.parametrize(
    "text, line, column, fragment, hint",
    [
        ("a: [1, 2\n", 2, 1, "did not find expected ',' or ']'", None),
        ("a:\n\tb: 1\n", 2, 1, "YAML syntax error", "indent with spaces, not tabs"),
        ("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document", None),
        ("a: 'open\n", 2, 1, "YAML syntax error", None),
        ("a:\n  b: 1\n c: 2\n", 3, 2, "YAML syntax error", None),
    ],
)
def test_syntax_errors_are_located(
    text: str, line: int, column: int, fragment: str, hint: str | None
) -> None:
    exc = error_of(text)
    assert (exc.line, exc.column) == (line, column), exc.message
    assert fragment in exc.message
    assert exc.hint == hint


def test_flow_mapping_error_names_where_it_started() -> None:
    exc = error_of("items:\n  - {a: 1\n  - {b: 2}\n")
    assert exc.line == 3
    assert "(while parsing a flow mapping that starts at line 2)" in exc.message


@pytest.mark.parametrize(
    "raw, code, fragment, position",
    [
        (b"a: 1\n\x00\n", "binary", "binary data", (2, None)),
        (b"a: 1\nb: caf\xe9\n", "encoding", "not valid UTF-8 (byte 0xe9)", (2, 7)),
        (b"", "empty", "file is empty", (None, None)),
        (b"# only a comment\n", "empty", "file is empty", (None, None)),
    ],
)
def test_files_that_are_not_yaml_text(
    tmp_path: Path, raw: bytes, code: str, fragment: str, position: tuple[int | None, int | None]
) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(raw)
    with pytest.raises(InputError) as info:
        load_path(path)
    assert info.value.code == code
    assert fragment in info.value.message
    assert (info.value.line, info.value.column) == position


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_path(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a folder, not a file"):
        load_path(tmp_path)


def test_invalid_date_is_reported_with_a_hint() -> None:
    exc = error_of("date: 2026-02-30\n")
    assert (exc.line, exc.column) == (1, 7)
    assert "invalid date '2026-02-30'" in exc.message
    assert exc.hint == "quote it to keep it as text"


# ---------------------------------------------------------------- YAML 1.1 surprises


def test_plain_scalars_remember_their_source_text() -> None:
    doc = parse("a: no\nb: 1.10\nc: 'no'\nd: \"1.10\"\ne: 2026-01-02\nf: text\n", "doc.yaml")
    assert doc.data["a"] is False
    assert doc.data["b"] == 1.1
    assert doc.data["e"] == dt.date(2026, 1, 2)
    assert doc.raw_plain_scalar(("a",)) == "no"
    assert doc.raw_plain_scalar(("b",)) == "1.10"
    assert doc.raw_plain_scalar(("e",)) == "2026-01-02"
    assert doc.raw_plain_scalar(("c",)) is None  # quoted: YAML kept it as text
    assert doc.raw_plain_scalar(("d",)) is None


RUBRIC = """schema: cslevels/rubric/v1
id: mini
version: {version}
title: Mini
scales:
  s:
    label: Is it so?
    options:
      - {{value: 0, label: {label}, score: 0.0}}
      - {{value: 1, label: "Yes", score: 1.0}}
levels:
  - id: one
    name: One
    questions:
      - id: q
        text: A question?
        scale: s
        allow_na: {allow_na}
        guidance: Look.
        recommendation: Act.
"""


@pytest.mark.parametrize(
    "version, label, message, hint",
    [
        ("1.10", '"No"', "version: expected text, got the number 1.1",
         'YAML read 1.10 as the number 1.1; put it in quotes: "1.10"'),
        ("2026-01-02", '"No"', "version: expected text, got the date 2026-01-02",
         'put it in quotes: "2026-01-02"'),
        ("'1.0'", "no", "label: expected text, got the boolean false",
         'YAML read no as the boolean false; put it in quotes: "no"'),
        ("'1.0'", "off", "label: expected text, got the boolean false", 'quotes: "off"'),
        ("'1.0'", "On", "label: expected text, got the boolean true", 'quotes: "On"'),
        ("'1.0'", "~", "label: expected text, got nothing (null)", None),
    ],
)
def test_yaml11_surprises_get_a_quote_hint(
    tmp_path: Path, version: str, label: str, message: str, hint: str | None
) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(RUBRIC.format(version=version, label=label, allow_na="false"))
    with pytest.raises(InvalidDocumentError) as info:
        load_rubric(path)
    [finding] = info.value.findings
    assert message in finding.message
    assert finding.hint == hint or (hint is not None and hint in (finding.hint or ""))


def test_yaml11_booleans_are_fine_where_a_boolean_is_wanted(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(RUBRIC.format(version="'1.0'", label='"No"', allow_na="yes"))
    assert load_rubric(path).rubric.levels[0].questions[0].allow_na is True


def test_boolean_target_is_not_level_one(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("schema: cslevels/answers/v1\nrubric: seven-levels\nsubject: x\n"
                    "target: yes\nanswers: {}\n")
    with pytest.raises(InvalidDocumentError) as info:
        load_answers(path, RubricLibrary())
    finding = info.value.findings[0]
    assert (finding.line, finding.column) == (4, 9)
    assert "target: expected a level number, got the boolean true" in finding.message


def test_range_errors_do_not_suggest_quotes(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(RUBRIC.format(version="'1.0'", label='"No"', allow_na="false")
                    .replace("score: 1.0", "score: 1.5"))
    with pytest.raises(InvalidDocumentError) as info:
        load_rubric(path)
    [finding] = info.value.findings
    assert finding.message == "scales.s.options[1].score: must be at most 1.0, got the number 1.5"
    assert finding.hint is None


def test_all_schema_errors_are_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    text = RUBRIC.format(version="1.10", label="no", allow_na="false")
    path.write_text(text.replace("    name: One\n", "    name: One\n    treshold: 0.5\n"))
    with pytest.raises(InvalidDocumentError) as info:
        load_rubric(path)
    assert [(f.line, f.column) for f in info.value.findings] == [(3, 10), (9, 27), (14, 5)]


def test_cli_prints_yaml_errors_without_traceback(invoke: Invoke) -> None:
    path = DATA / "negative" / "answers-duplicate-key.yaml"
    result = invoke("score", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{path}:10:3: error: duplicate key 'availability.channels' (first at line 8)")
