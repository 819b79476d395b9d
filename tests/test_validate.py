"""`cslevels validate`: every schema and semantic error at its exact file:line:column.

The negative examples live in tests/data/negative/, one file per error case; the table
below says, for each, where the first error must be reported and what it must say.
Positions were checked by hand against the files (line and column count from 1).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import DATA, EXAMPLES, ROOT, RUBRICS, Invoke

NEGATIVE = DATA / "negative"
POSITIVE = DATA / "positive"
WARNINGS = DATA / "warnings"

# file -> (line, column, fragments the first error message must contain)
EXPECTED: dict[str, tuple[int, int, tuple[str, ...]]] = {
    # ---- rubric: schema
    "rubric-unknown-field-treshold.yaml": (15, 5, ("unknown field 'treshold'",
                                                   "did you mean 'threshold'?")),
    "rubric-missing-required-field.yaml": (13, 5, ("missing required field 'name'",)),
    "rubric-yaml11-no.yaml": (10, 27, ("label: expected text, got the boolean false",
                                       'put it in quotes: "no"')),
    "rubric-yaml11-version.yaml": (4, 10, ("version: expected text, got the number 1.1",
                                           'put it in quotes: "1.10"')),
    "rubric-yaml11-threshold-yes.yaml": (6, 12, ("threshold: expected a number, got the "
                                                 "boolean true", "unquoted yes")),
    "rubric-threshold-zero.yaml": (15, 16, ("levels[0].threshold: must be at least 0.01, got "
                                            "the number 0",)),
    "rubric-threshold-above-one.yaml": (6, 12, ("threshold: must be at most 1",)),
    "rubric-weight-zero.yaml": (19, 17, ("levels[0].questions[0].weight: must be at least 0.001",)),
    "rubric-score-above-one.yaml": (11, 45, ("options[1].score: must be at most 1",)),
    "rubric-score-negative.yaml": (10, 43, ("options[0].score: must be at least 0",)),
    "rubric-bad-id.yaml": (13, 9, ("'Reachable_Level' is not a valid id",)),
    "rubric-no-levels.yaml": (12, 9, ("levels: needs at least 1 item",)),
    "rubric-unknown-schema.yaml": (2, 9, ("unknown schema 'cslevels/rubric/v9'",)),
    # ---- rubric: YAML safety
    "rubric-duplicate-key.yaml": (6, 1, ("duplicate key 'title' (first at line 5)",)),
    "rubric-python-tag.yaml": (5, 8, ("YAML tag !!python/object/apply:os.system is not allowed",)),
    # 16 + 111 + 1,111 + 11,111 values, e's list, then 8 of its *d (11,111 each)
    "rubric-alias-bomb.yaml": (10, 36, ("more than 100,000 values",)),
    "rubric-yaml-syntax-error.yaml": (11, 9, ("YAML syntax error",
                                              "flow mapping that starts at line 10")),
    "rubric-tab-indent.yaml": (14, 1, ("YAML syntax error", "indent with spaces, not tabs")),
    "rubric-merge-key.yaml": (13, 5, ("merge keys (<<) are not supported",)),
    # ---- rubric: semantic checks
    "rubric-duplicate-level-id.yaml": (21, 9, ("duplicate level id 'reachable' "
                                               "(first at line 13)",)),
    "rubric-duplicate-question-id.yaml": (21, 13, ("duplicate question id 'hours-posted' in level "
                                                   "'reachable' (first at line 16)",)),
    "rubric-unknown-scale.yaml": (18, 16, ("uses scale 'yes-on', which is not defined",
                                           "did you mean 'yes-no'?")),
    "rubric-duplicate-option-value.yaml": (11, 17, ("duplicate option value 'no' in scale "
                                                    "'yes-no'",)),
    "rubric-empty-level.yaml": (23, 16, ("level 'helpful' has no questions",)),
    "rubric-unreachable-level.yaml": (15, 9, ("level 'reachable' can never be achieved",
                                              "best possible score 0.70", "threshold 0.75")),
    "rubric-required-unreachable.yaml": (27, 19, ("level 'reachable' can never be achieved",
                                                  "required question 'hours-posted' scores at "
                                                  "most 0.70", "threshold 0.75")),
    # ---- answers
    "answers-unknown-question.yaml": (8, 3, ("unknown question 'availability.channel'",
                                             "did you mean 'availability.channels'?")),
    "answers-value-off-scale.yaml": (9, 26, ("availability.channels: 7 is not an option of scale "
                                             "'practice'", "choose one of: 0 (Not in place)")),
    "answers-value-off-scale-long-form.yaml": (9, 12, ("5 is not an option of scale 'practice'",)),
    "answers-na-not-allowed.yaml": (9, 26, ("availability.channels does not allow n/a",)),
    "answers-duplicate-key.yaml": (10, 3, ("duplicate key 'availability.channels' "
                                           "(first at line 8)",)),
    "answers-unknown-rubric.yaml": (3, 9, ("unknown rubric 'seven-level'",
                                           "did you mean 'seven-levels'?")),
    "answers-unknown-field.yaml": (7, 1, ("unknown field 'asessor'", "did you mean 'assessor'?")),
    "answers-entry-unknown-field.yaml": (8, 27, ("unknown field 'valeu'", "did you mean 'value'?")),
    "answers-bad-key.yaml": (8, 3, ("answer key 'channels' must be <level-id>.<question-id>",)),
    "answers-yaml11-version.yaml": (4, 17, ("rubric_version: expected text, got the number 1.0",
                                            'put it in quotes: "1.0"')),
    "answers-yaml11-value-yes.yaml": (8, 26, ("got the boolean true",
                                              "the value of one of the question's options")),
    "answers-target-too-high.yaml": (7, 9, ("target level 9 does not exist",)),
    "answers-bad-date.yaml": (5, 7, ("invalid date '2026-13-01'",)),
    "answers-missing-subject.yaml": (2, 1, ("missing required field 'subject'",)),
    "answers-not-a-mapping.yaml": (2, 1, ("not a cslevels file", "not a mapping")),
}

LOCATED = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.*)$"
)


def first_error(text: str) -> re.Match[str]:
    for line in text.splitlines():
        match = LOCATED.match(line)
        if match and match["sev"] == "error":
            return match
    raise AssertionError(f"no located error in:\n{text}")


def test_every_negative_file_has_an_expectation() -> None:
    on_disk = {p.name for p in NEGATIVE.glob("*.yaml")}
    assert on_disk == set(EXPECTED), (
        f"without expectation: {sorted(on_disk - set(EXPECTED))}; "
        f"missing files: {sorted(set(EXPECTED) - on_disk)}"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_negative_example_reports_exact_position(invoke: Invoke, name: str) -> None:
    line, column, fragments = EXPECTED[name]
    path = NEGATIVE / name
    result = invoke("validate", str(path))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    match = first_error(result.stderr)
    assert match["path"] == str(path)
    assert (int(match["line"]), int(match["col"])) == (line, column), match.group(0)
    for fragment in fragments:
        assert fragment in match["msg"], match.group(0)
    assert result.stderr.rstrip().splitlines()[-1].startswith("failed: 1 file(s) checked")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_negative_example_json_position(invoke: Invoke, name: str) -> None:
    line, column, fragments = EXPECTED[name]
    result = invoke("validate", "--format", "json", str(NEGATIVE / name))
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    [file] = payload["files"]
    errors = [f for f in file["findings"] if f["severity"] == "error"]
    assert (errors[0]["line"], errors[0]["column"]) == (line, column)
    text = errors[0]["message"] + (f" ({errors[0]['hint']})" if errors[0]["hint"] else "")
    assert all(fragment in text for fragment in fragments), text


def test_the_whole_negative_folder_checks_every_file(invoke: Invoke) -> None:
    result = invoke("validate", "--format", "json", str(NEGATIVE))
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert [Path(f["path"]).name for f in payload["files"]] == sorted(EXPECTED)
    assert all(not f["ok"] for f in payload["files"])


def test_negative_folder_from_a_real_process_has_no_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cslevels", "validate", str(NEGATIVE)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    located = [line for line in proc.stderr.splitlines() if LOCATED.match(line)]
    assert {Path(LOCATED.match(x)["path"]).name for x in located} == set(EXPECTED)  # type: ignore[index]


# ---------------------------------------------------------------- clean files


def test_builtin_rubrics_and_examples_are_clean_in_strict_mode(invoke: Invoke) -> None:
    result = invoke("validate", "--strict", str(RUBRICS), str(EXAMPLES))
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.stdout
    for path in [*RUBRICS.glob("*.yaml"), *EXAMPLES.glob("*.yaml")]:
        assert f"{path}: ok (" in result.stdout


def test_positive_examples_pass_strict(invoke: Invoke) -> None:
    result = invoke("validate", "--strict", str(POSITIVE))
    assert result.exit_code == 0, result.output
    assert f"{POSITIVE / 'team-skills.yml'}: ok (rubric)" in result.stdout  # .yml is searched too
    assert f"{POSITIVE / 'corner-shop-2026-11.yaml'}: ok (answers)" in result.stdout
    assert "ok: 5 file(s) checked" in result.stdout


def test_answers_are_checked_against_a_rubric_given_beside_them(invoke: Invoke) -> None:
    # corner-shop is no built-in: it is found only because its file is validated too
    alone = invoke("validate", str(POSITIVE / "corner-shop-2026-11.yaml"))
    assert alone.exit_code == 1
    assert "unknown rubric 'corner-shop'" in alone.stderr
    together = invoke("validate", str(POSITIVE / "corner-shop.yaml"),
                      str(POSITIVE / "corner-shop-2026-11.yaml"))
    assert together.exit_code == 0, together.output
    with_dir = invoke("validate", "--rubrics-dir", str(POSITIVE),
                      str(POSITIVE / "corner-shop-2026-11.yaml"))
    assert with_dir.exit_code == 0, with_dir.output


def test_answers_for_a_broken_rubric_given_beside_them(invoke: Invoke, tmp_path: Path) -> None:
    rubric = tmp_path / "corner-shop.yaml"
    text = (POSITIVE / "corner-shop.yaml").read_text()
    rubric.write_text(text.replace("score: 1.0", "score: 0.5"))
    answers = tmp_path / "answers.yaml"
    answers.write_text((POSITIVE / "corner-shop-2026-11.yaml").read_text())
    result = invoke("validate", str(tmp_path))
    assert result.exit_code == 1
    assert f"{answers}:3:9: error: its rubric 'corner-shop' ({rubric}) has errors" in result.stderr


def test_one_bad_file_does_not_stop_the_others(invoke: Invoke) -> None:
    bad = NEGATIVE / "rubric-duplicate-level-id.yaml"
    missing = NEGATIVE / "no-such-file.yaml"
    good = RUBRICS / "six-levels.yaml"
    result = invoke("validate", str(bad), str(missing), str(good))
    assert result.exit_code == 1
    assert f"{missing}: error: no such file" in result.stderr
    assert f"{good}: ok (rubric)" in result.stderr
    assert "failed: 3 file(s) checked, 2 with problems, 2 error(s)" in result.stderr


def test_a_file_given_twice_is_checked_once(invoke: Invoke) -> None:
    path = RUBRICS / "six-levels.yaml"
    result = invoke("validate", str(path), str(path), str(RUBRICS))
    assert result.exit_code == 0
    assert "ok: 3 file(s) checked" in result.stdout


def test_folder_without_yaml_and_hidden_folders(invoke: Invoke, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("validate", str(empty))
    assert result.exit_code == 1
    assert f"{empty}: error: no .yaml, .yml, .xlsx or .xlsm files in this folder" in result.stderr
    hidden = tmp_path / "repo" / ".git"
    hidden.mkdir(parents=True)
    (hidden / "junk.yaml").write_text("not: [valid\n")
    (tmp_path / "repo" / "r.yaml").write_text((RUBRICS / "six-levels.yaml").read_text())
    result = invoke("validate", str(tmp_path / "repo"))
    assert result.exit_code == 0, result.output
    assert "junk" not in result.output


def test_untrusted_text_in_messages_is_shown_escaped(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    text = (NEGATIVE / "rubric-unknown-field-treshold.yaml").read_text()
    path.write_text(text.replace("    treshold: 0.5", '    "\\e[2J\\e]8;;http://x\\aevil": 1'))
    for fmt in ("text", "github"):
        result = invoke("validate", "--format", fmt, str(path))
        assert result.exit_code == 1
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "\\x1b[2J" in result.output


# ---------------------------------------------------------------- warnings and --strict

WARNING_CASES = {
    "rubric-unused-scale.yaml": (25, 3, "scale 'stars' is not used by any question"),
    "rubric-missing-guidance.yaml": (48, 9, "question helpful.greeting has no guidance"),
    "rubric-missing-recommendation.yaml": (30, 9,
                                           "question reachable.hours-posted has no recommendation"),
    "answers-version-mismatch.yaml": (4, 17, "made for seven-levels version 0.9, but the rubric "
                                             "is version 2.0.0"),
}


def test_every_warning_file_has_an_expectation() -> None:
    assert {p.name for p in WARNINGS.glob("*.yaml")} == set(WARNING_CASES)


@pytest.mark.parametrize("name", sorted(WARNING_CASES))
def test_warnings_pass_unless_strict(invoke: Invoke, name: str) -> None:
    line, column, fragment = WARNING_CASES[name]
    path = WARNINGS / name
    lenient = invoke("validate", str(path))
    assert lenient.exit_code == 0, lenient.output
    assert f"{path}:{line}:{column}: warning: " in lenient.stdout
    assert fragment in lenient.stdout
    strict = invoke("validate", "--strict", str(path))
    assert strict.exit_code == 1
    assert f"{path}:{line}:{column}: warning: " in strict.stderr
    assert "(--strict: warnings fail)" in strict.stderr
    github = invoke("validate", "--strict", "--format", "github", str(path))
    assert github.stdout.startswith(f"::error file={path},line={line},col={column}::")
    lenient_github = invoke("validate", "--format", "github", str(path))
    assert lenient_github.exit_code == 0
    assert lenient_github.stdout.startswith(f"::warning file={path},line={line},col={column}::")


# ---------------------------------------------------------------- output formats

GITHUB = re.compile(r"^::(error|warning) file=([^,:]+),line=(\d+),col=(\d+)::(.+)$")


def test_github_format(invoke: Invoke) -> None:
    result = invoke("validate", "--format", "github", str(NEGATIVE))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    annotations = [GITHUB.match(line) for line in lines[:-1]]
    assert all(annotations), [line for line in lines[:-1] if not GITHUB.match(line)]
    assert lines[-1].startswith("failed: ")
    by_file: dict[str, re.Match[str]] = {}
    for match in annotations:
        assert match is not None
        by_file.setdefault(Path(match[2]).name, match)
    for name, (line, column, _fragments) in EXPECTED.items():
        assert by_file[name][1] == "error"
        assert (int(by_file[name][3]), int(by_file[name][4])) == (line, column), name
    treshold = by_file["rubric-unknown-field-treshold.yaml"][5]
    assert "unknown field 'treshold' (did you mean 'threshold'?)" in treshold


def test_github_format_escapes_properties(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "a,b:c"
    folder.mkdir()
    (folder / "x.yaml").write_text("schema: cslevels/rubric/v1\nid: x\n")
    result = invoke("validate", "--format", "github", str(folder))
    first = result.stdout.splitlines()[0]
    assert "a%2Cb%3Ac" in first
    assert GITHUB.match(first)


def test_sarif_format(invoke: Invoke) -> None:
    result = invoke("validate", "--format", "sarif", str(NEGATIVE), str(WARNINGS))
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    assert "sarif-2.1.0" in sarif["$schema"]
    [run] = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cslevels"
    rule_ids = {rule["id"] for rule in driver["rules"]}
    results = run["results"]
    assert {Path(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).name
            for r in results} == set(EXPECTED) | set(WARNING_CASES)
    for r in results:
        assert r["ruleId"] in rule_ids
        assert r["level"] in {"error", "warning"}
        assert r["message"]["text"]
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    unreachable = [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]
                   ["uri"].endswith("rubric-unreachable-level.yaml")]
    assert unreachable[0]["ruleId"] == "unreachable-level"
    assert unreachable[0]["level"] == "error"
    assert unreachable[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 15, "startColumn": 9}
    assert {r["level"] for r in results if r["ruleId"] == "version-mismatch"} == {"warning"}


def test_sarif_is_valid_against_a_minimal_schema(invoke: Invoke) -> None:
    """The parts of the SARIF 2.1.0 schema that code-scanning uploads rely on."""
    import jsonschema

    location = {
        "type": "object", "required": ["physicalLocation"],
        "properties": {"physicalLocation": {
            "type": "object", "required": ["artifactLocation"],
            "properties": {
                "artifactLocation": {"type": "object", "required": ["uri"],
                                     "properties": {"uri": {"type": "string"}}},
                "region": {"type": "object", "properties": {
                    "startLine": {"type": "integer", "minimum": 1},
                    "startColumn": {"type": "integer", "minimum": 1}}},
            }}},
    }
    schema = {
        "type": "object", "required": ["version", "runs"],
        "properties": {
            "version": {"const": "2.1.0"},
            "runs": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["tool", "results"],
                "properties": {
                    "tool": {"type": "object", "required": ["driver"], "properties": {
                        "driver": {"type": "object", "required": ["name"]}}},
                    "results": {"type": "array", "items": {
                        "type": "object", "required": ["ruleId", "level", "message", "locations"],
                        "properties": {
                            "level": {"enum": ["none", "note", "warning", "error"]},
                            "message": {"type": "object", "required": ["text"]},
                            "locations": {"type": "array", "items": location},
                        }}},
                }}},
        },
    }
    sarif = json.loads(invoke("validate", "--format", "sarif", str(NEGATIVE)).stdout)
    jsonschema.Draft7Validator(schema).validate(sarif)


def test_sarif_when_clean_has_no_results(invoke: Invoke) -> None:
    result = invoke("validate", "--format", "sarif", str(RUBRICS))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["runs"][0]["results"] == []


def test_json_format_prints_only_json(invoke: Invoke) -> None:
    for paths in ([str(NEGATIVE)], [str(RUBRICS)], [str(WARNINGS)]):
        result = invoke("validate", "--format", "json", *paths)
        payload = json.loads(result.stdout)  # nothing else on stdout
        assert result.stderr == ""
        assert payload["ok"] is (result.exit_code == 0)
        for file in payload["files"]:
            assert set(file) == {"path", "kind", "ok", "findings"}
    clean = json.loads(invoke("validate", "--format", "json", str(RUBRICS / "five-grades.yaml"))
                       .stdout)
    assert clean["files"] == [{"path": str(RUBRICS / "five-grades.yaml"), "kind": "rubric",
                               "ok": True, "findings": []}]


def test_unknown_format_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("validate", "--format", "xml", str(RUBRICS))
    assert result.exit_code == 2


# ---------------------------------------------------------------- CI plumbing


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    [hook] = [h for h in hooks if h["id"] == "cslevels-validate"]
    assert hook["language"] == "python"
    assert hook["entry"] == "cslevels validate"
    assert hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    assert files.search("rubrics/my-model.yaml")
    assert files.search("assessments/client.yml")
    assert not files.search("README.md")
    assert not files.search("data.yaml.bak")


def test_ci_script_validates_the_projects_own_files_before_pytest() -> None:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    validate = [i for i, line in enumerate(lines) if "cslevels validate --strict" in line]
    pytest_line = [i for i, line in enumerate(lines) if re.match(r"python3? -m pytest", line)]
    assert validate and pytest_line and validate[0] < pytest_line[0]
    assert "rubrics/" in lines[validate[0]] and "examples/" in lines[validate[0]]
