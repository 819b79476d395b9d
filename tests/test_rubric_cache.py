"""The on-disk rubric cache: a later command gets exactly what a fresh load gives.

The cache exists for start-up time (see docs/performance.md), so what matters to a
user is that it is invisible: the same rubric, the same warnings and hash, an edit
seen at once, and no error when the cache is damaged or cannot be written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, RUBRICS, Invoke
from cslevels.core.documents import LoadedRubric
from cslevels.core.models import Rubric
from cslevels.errors import InputError, InvalidDocumentError
from cslevels.files import loading, rubric_cache

WARNING_RUBRIC = DATA / "warnings" / "rubric-missing-guidance.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder, and no in-process memo hiding what the disk gives."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(rubric_cache.CACHE_DIR_ENV, str(folder))
    monkeypatch.delenv(rubric_cache.NO_CACHE_ENV, raising=False)
    monkeypatch.setattr(loading, "_RUBRIC_CACHE", {})
    return folder / "rubrics"


def fresh(path: Path, monkeypatch: pytest.MonkeyPatch) -> LoadedRubric:
    """Load ``path`` with the cache off: parse, validate and check from scratch."""
    with monkeypatch.context() as patch:
        patch.setenv(rubric_cache.NO_CACHE_ENV, "1")
        patch.setattr(loading, "_RUBRIC_CACHE", {})
        return loading.load_rubric(path)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def cached(path: Path) -> LoadedRubric | None:
    """What the cache holds for ``path`` as it is now, without loading it."""
    entry = rubric_cache.entry_path(path, path.read_bytes())
    assert entry is not None, "the cache is off"
    return rubric_cache.load(entry, path)


@pytest.mark.parametrize("path", [*sorted(RUBRICS.glob("*.yaml")), WARNING_RUBRIC],
                         ids=lambda p: p.name)
def test_a_cached_rubric_equals_a_fresh_load(path: Path, cache: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    first = loading.load_rubric(path)
    assert len(entries(cache)) == 1
    loading._RUBRIC_CACHE.clear()
    from_cache = cached(path)
    assert from_cache is not None
    expected = fresh(path, monkeypatch)
    assert from_cache == expected == first
    # the same fields set, so a dump of either (e.g. `show --format yaml`) is the same
    assert (from_cache.rubric.model_dump(exclude_unset=True)
            == expected.rubric.model_dump(exclude_unset=True))
    assert from_cache.warnings == expected.warnings  # warnings keep their line:column


def test_the_warnings_name_the_path_the_rubric_was_given_by(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(WARNING_RUBRIC.read_bytes())
    loading.load_rubric(WARNING_RUBRIC)
    loading._RUBRIC_CACHE.clear()
    again = loading.load_rubric(copy)
    assert again.path == copy
    assert [w.path for w in again.warnings] == [str(copy)]
    assert again.warnings == fresh(copy, monkeypatch).warnings


def test_an_edit_is_seen_even_when_size_and_time_stay_the_same(
        cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "edited.yaml"
    text = (RUBRICS / "five-grades.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    before = loading.load_rubric(path)
    stat = path.stat()
    edited = text.replace("threshold: 0.75", "threshold: 0.65", 1)
    assert edited != text and len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    loading._RUBRIC_CACHE.clear()  # a new command: only the disk cache is left
    after = loading.load_rubric(path)
    assert after.rubric.threshold == 0.65 and before.rubric.threshold == 0.75
    assert after.digest != before.digest


@pytest.mark.parametrize("damage", ["truncated", "edited", "not json", "empty", "other format"])
def test_a_damaged_entry_is_ignored_and_replaced(damage: str, cache: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = RUBRICS / "six-levels.yaml"
    loading.load_rubric(path)
    (entry,) = entries(cache)
    text = entry.read_text(encoding="utf-8")
    check, _, payload = text.partition("\n")
    if damage == "truncated":
        broken = text[: len(text) // 2]
    elif damage == "edited":  # valid JSON, but not what was written
        broken = check + "\n" + payload.replace('"threshold":0.75', '"threshold":0.05')
        assert broken != text
    elif damage == "not json":
        broken = "not json at all"
    elif damage == "empty":
        broken = ""
    else:  # a well-formed entry of a format this version does not read
        data = json.loads(payload)
        data["format"] = "cslevels-rubric-cache/0"
        import hashlib

        payload = json.dumps(data)
        broken = hashlib.sha256(payload.encode()).hexdigest() + "\n" + payload
    entry.write_text(broken, encoding="utf-8")
    loading._RUBRIC_CACHE.clear()
    assert loading.load_rubric(path) == fresh(path, monkeypatch)
    assert entry.read_text(encoding="utf-8") == text  # rewritten


def test_an_unusable_cache_folder_is_not_an_error(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(rubric_cache.CACHE_DIR_ENV, str(blocker))
    monkeypatch.setattr(loading, "_RUBRIC_CACHE", {})
    path = RUBRICS / "seven-levels.yaml"
    assert loading.load_rubric(path) == fresh(path, monkeypatch)
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_no_cache_writes_nothing(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(rubric_cache.NO_CACHE_ENV, "1")
    loading.load_rubric(RUBRICS / "seven-levels.yaml")
    assert not cache.parent.exists()


def test_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(rubric_cache.CACHE_DIR_ENV, raising=False)
    monkeypatch.delenv(rubric_cache.NO_CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert rubric_cache.cache_dir() == tmp_path / "cslevels" / "rubrics"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # not absolute: ~/.cache instead
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert rubric_cache.cache_dir() == tmp_path / "home" / ".cache" / "cslevels" / "rubrics"


def test_a_broken_rubric_is_never_cached(cache: Path) -> None:
    broken = DATA / "negative" / "rubric-duplicate-level-id.yaml"
    for _ in range(2):
        with pytest.raises(InvalidDocumentError):
            loading.load_rubric(broken)
        loading._RUBRIC_CACHE.clear()
    assert entries(cache) == []


def test_the_least_recently_used_entries_are_pruned(cache: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rubric_cache, "MAX_ENTRIES", 4)
    text = (RUBRICS / "five-grades.yaml").read_text(encoding="utf-8")
    paths = [tmp_path / f"r{n}.yaml" for n in range(5)]
    for n, path in enumerate(paths[:4]):
        path.write_text(text, encoding="utf-8")
        loading.load_rubric(path)
        entry = rubric_cache.entry_path(path, path.read_bytes())
        assert entry is not None
        os.utime(entry, (1_000_000 + n, 1_000_000 + n))  # r0 oldest ... r3 newest
    assert cached(paths[0]) is not None  # a hit makes r0 the most recently used
    foreign = cache / "notes.json"  # not an entry's name: never touched
    foreign.write_text("{}", encoding="utf-8")
    stale = cache / ".entry.abc.tmp"  # left by a killed process
    stale.write_text("x", encoding="utf-8")
    os.utime(stale, (1_000_000, 1_000_000))
    paths[4].write_text(text, encoding="utf-8")
    loading.load_rubric(paths[4])  # a fifth entry: over the limit, down to half
    kept = {p.name for p in paths if cached(p) is not None}
    assert kept == {"r0.yaml", "r4.yaml"}
    assert foreign.exists() and not stale.exists()


def test_a_later_command_skips_parsing_and_validation(tmp_path: Path) -> None:
    """The point of the cache: the second run builds no rubric validator at all."""
    env = {**os.environ, rubric_cache.CACHE_DIR_ENV: str(tmp_path / "cache")}
    env.pop(rubric_cache.NO_CACHE_ENV, None)
    code = ("import sys; from cslevels.files.library import RubricLibrary; "
            "from cslevels.core.models import Rubric; "
            "RubricLibrary().resolve('seven-levels'); "
            "print(Rubric.__pydantic_complete__, 'cslevels.files.yamlio' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.split() for _ in range(2)]
    assert runs[0] == ["True", "True"]  # first: parsed and validated
    assert runs[1][0] == "False"  # then: from the cache, the validator never built


# ---------------------------------------------------------------- trust and failure


def write_forged_entry(path: Path, payload: str) -> Path:
    """An entry for ``path`` holding ``payload`` with a correct checksum."""
    import hashlib

    entry = rubric_cache.entry_path(path, path.read_bytes())
    assert entry is not None
    entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    entry.write_text(hashlib.sha256(payload.encode()).hexdigest() + "\n" + payload,
                     encoding="utf-8")
    return entry


def test_a_folder_others_may_write_is_never_used(cache: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = RUBRICS / "six-levels.yaml"
    loading.load_rubric(path)
    (entry,) = entries(cache)
    assert cached(path) is not None
    cache.chmod(0o777)  # e.g. a shared /tmp folder: another user could plant entries
    assert cached(path) is None
    entry.unlink()
    loading._RUBRIC_CACHE.clear()
    assert loading.load_rubric(path) == fresh(path, monkeypatch)
    assert entries(cache) == []  # and nothing is written there either


@pytest.mark.skipif(not hasattr(os, "chown") or os.geteuid() != 0,
                    reason="needs root to give a folder to another user")
def test_a_folder_of_another_user_is_never_used(cache: Path) -> None:
    path = RUBRICS / "six-levels.yaml"
    loading.load_rubric(path)
    assert cached(path) is not None
    os.chown(cache, 65534, 65534)
    assert cached(path) is None


@pytest.mark.parametrize("kind", ["symlink", "fifo", "deep", "huge"])
def test_strange_entries_mean_a_fresh_load(kind: str, cache: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = RUBRICS / "five-grades.yaml"
    entry = rubric_cache.entry_path(path, path.read_bytes())
    assert entry is not None
    cache.mkdir(mode=0o700, parents=True)
    if kind == "symlink":
        entry.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(entry)  # nobody writes to it: reading must not wait
    elif kind == "deep":
        write_forged_entry(path, "[" * 100_000 + "]" * 100_000)  # RecursionError in json
    else:
        monkeypatch.setattr(rubric_cache, "MAX_ENTRY_BYTES", 1000)
        write_forged_entry(path, json.dumps({"format": rubric_cache.FORMAT, "x": "y" * 2000}))
    assert cached(path) is None
    assert loading.load_rubric(path) == fresh(path, monkeypatch)


def test_a_failed_write_is_not_an_error(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    path = RUBRICS / "seven-levels.yaml"
    assert loading.load_rubric(path) == fresh(path, monkeypatch)
    assert entries(cache) == [] and list(cache.iterdir()) == []  # no temporary file left


def test_a_lower_node_limit_is_not_bypassed_by_the_cache(cache: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = RUBRICS / "five-grades.yaml"
    loading.load_rubric(path)  # cached under the default limit
    loading._RUBRIC_CACHE.clear()
    monkeypatch.setenv("CSLEVELS_MAX_NODES", "50")
    with pytest.raises(InputError):
        loading.load_rubric(path)


@pytest.mark.parametrize(("variable", "value", "on"), [
    (rubric_cache.NO_CACHE_ENV, "0", True), (rubric_cache.NO_CACHE_ENV, "no", True),
    (rubric_cache.NO_CACHE_ENV, "1", False), (rubric_cache.NO_CACHE_ENV, "yes", False),
    (rubric_cache.CACHE_DIR_ENV, "relative/folder", False)])
def test_switches(variable: str, value: str, on: bool, cache: Path,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, value)  # (the cache fixture turned the cache on)
    assert (rubric_cache.cache_dir() is not None) is on


def test_a_cache_dir_may_start_with_a_tilde(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.delenv(rubric_cache.NO_CACHE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(rubric_cache.CACHE_DIR_ENV, "~/my-cache")
    assert rubric_cache.cache_dir() == tmp_path / "my-cache" / "rubrics"


def test_no_home_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(rubric_cache.CACHE_DIR_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "")
    assert rubric_cache.cache_dir() is None


@pytest.mark.parametrize("args", [
    ["score", *map(str, sorted((RUBRICS.parent / "examples").glob("*.yaml"))), "--format", "json"],
    ["show", str(WARNING_RUBRIC)],
    ["validate", str(RUBRICS.parent / "examples")],
], ids=["score", "show-with-warnings", "validate-answers"])
def test_commands_print_the_same_with_or_without_the_cache(args: list[str], invoke: Invoke,
                                                           tmp_path: Path) -> None:
    outputs = []
    for env in ({rubric_cache.NO_CACHE_ENV: "1"},
                {rubric_cache.CACHE_DIR_ENV: str(tmp_path / "c"), rubric_cache.NO_CACHE_ENV: ""},
                {rubric_cache.CACHE_DIR_ENV: str(tmp_path / "c"), rubric_cache.NO_CACHE_ENV: ""}):
        # off, then cold (fills the cache), then warm
        loading._RUBRIC_CACHE.clear()
        result = invoke(*args, env=env)
        outputs.append((result.exit_code, result.stdout, result.stderr))
    assert outputs[0] == outputs[1] == outputs[2]
    assert entries(tmp_path / "c" / "rubrics")


def test_every_nested_model_field_is_rebuilt() -> None:
    """rubric_from_dump rebuilds nested models by hand: a new nested field must be added."""
    from pydantic import BaseModel

    from cslevels.core.schema_errors import _nested_models

    found, todo, seen = set(), [Rubric], set()
    while todo:
        model = todo.pop()
        seen.add(model)
        for name, info in model.model_fields.items():
            nested: list[type[BaseModel]] = list(_nested_models(info.annotation))
            if nested:
                found.add((model, name))
                todo += [m for m in nested if m not in seen]
    assert found == rubric_cache.NESTED_FIELDS


# ---------------------------------------------------------------- property

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
               max_size=30)
SHARE = st.floats(0.01, 1.0)
WEIGHT = st.floats(0.1, 1000.0)


@st.composite
def rubric_data(draw: st.DrawFn) -> dict[str, Any]:
    """A valid rubric's data with every optional field sometimes present."""
    def maybe(key: str, strategy: st.SearchStrategy[Any]) -> dict[str, Any]:
        return {key: draw(strategy)} if draw(st.booleans()) else {}

    scales: dict[str, Any] = {}
    for n in range(draw(st.integers(1, 3))):
        values = draw(st.lists(st.integers(-5, 99) | st.text("abcxyz", min_size=1, max_size=8),
                               min_size=2, max_size=5, unique_by=lambda v: (type(v), v)))
        scales[draw(TEXT) + str(n)] = {"label": draw(TEXT), "options": [
            {"value": v, "label": draw(TEXT), "score": draw(st.floats(0, 1))} for v in values]}
    levels = []
    for n in range(draw(st.integers(1, 3))):
        questions = [{"id": f"q{m}", "text": draw(TEXT), "scale": draw(st.sampled_from(
            sorted(scales))), **maybe("weight", WEIGHT), **maybe("allow_na", st.booleans()),
            **maybe("guidance", TEXT), **maybe("recommendation", TEXT)}
            for m in range(draw(st.integers(1, 3)))]
        levels.append({"id": f"l{n}", "name": draw(TEXT), "questions": questions,
                       **maybe("summary", TEXT), **maybe("threshold", SHARE),
                       **maybe("weight", WEIGHT)})
    return {"schema": "cslevels/rubric/v1", "id": "random", "version": draw(TEXT),
            "title": draw(TEXT), "scales": scales, "levels": levels,
            **maybe("description", TEXT), **maybe("subject", TEXT),
            **maybe("source", st.fixed_dictionaries({"title": TEXT}, optional={
                "note": TEXT, "url": TEXT})),
            **maybe("method", st.sampled_from(["staged", "continuous"])),
            **maybe("threshold", SHARE), **maybe("min_coverage", st.just(0.0) | st.floats(0.01, 1))}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubric_data())
def test_any_rubric_survives_the_cache_round_trip(data: dict[str, Any]) -> None:
    rubric = Rubric.model_validate(data, strict=True)
    dump = json.loads(json.dumps(rubric.model_dump(exclude_unset=True), ensure_ascii=False))
    assert rubric_cache.conforms(dump, Rubric)  # what the cache believes without pydantic
    rebuilt = rubric_cache.rubric_from_dump(dump)
    assert rebuilt == rubric
    assert rebuilt.model_dump(exclude_unset=True) == rubric.model_dump(exclude_unset=True)
    for mine, theirs in zip(rebuilt.levels, rubric.levels, strict=True):
        for q1, q2 in zip(mine.questions, theirs.questions, strict=True):
            assert q1.model_fields_set == q2.model_fields_set


def test_editing_a_nested_module_of_cslevels_empties_the_cache(tmp_path: Path) -> None:
    """The code fingerprint covers sub-packages (core/, files/...), not only the top level:
    an edited checkout must never be served a rubric judged by the code before the edit."""
    import shutil

    copy = tmp_path / "site"
    shutil.copytree(Path(rubric_cache.__file__).parents[1], copy / "cslevels",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(copy), "CSLEVELS_CACHE_DIR": str(tmp_path / "c"),
           "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop(rubric_cache.NO_CACHE_ENV, None)
    code = ("import cslevels, sys; from cslevels.files.loading import load_rubric; "
            "from pathlib import Path; assert cslevels.__file__.startswith(sys.argv[2]); "
            "load_rubric(Path(sys.argv[1]))")

    def load() -> set[str]:
        subprocess.run([sys.executable, "-c", code, str(RUBRICS / "five-grades.yaml"),
                        str(copy)], env=env, check=True, cwd=tmp_path)
        return {p.name for p in (tmp_path / "c" / "rubrics").glob("*.json")}

    first = load()
    assert len(first) == 1
    assert load() == first  # the same code: the same entry
    nested = copy / "cslevels" / "core" / "scoring.py"
    nested.write_text(nested.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert len(load() - first) == 1  # a new entry: the edit was seen
