"""A per-user cache of validated rubrics, so start-up does not redo the same work.

Loading a rubric means parsing its YAML with positions, building pydantic's
validator for the rubric model, validating and running the cross-document checks:
about 15 ms of every ``cslevels score``, for a file that rarely changes.  The
outcome of a successful load is kept as JSON (data only: a cache file is never
code, so it is never pickled) under a name that hashes everything the outcome
depends on: the rubric's exact bytes, the path it was named by (messages quote
it), the limits in force, and the code that judges it (cslevels' own modules,
PyYAML, pydantic, Python).  An edited rubric, an upgrade or an edit of cslevels
itself is therefore never served stale.

Trust: an entry is believed without validation, so the folder is used only when
it belongs to the user running cslevels and nobody else may write to it; every
entry carries a checksum against accidental damage.  Whoever can write the
folder can change results, exactly as whoever can write your rubrics can.

``CSLEVELS_CACHE_DIR`` picks the folder (entries go in its ``rubrics``
subfolder; default ``$XDG_CACHE_HOME/cslevels``, else ``~/.cache/cslevels``);
``CSLEVELS_NO_CACHE=1`` turns the cache off.  A cache that cannot be used, read
or written, or a damaged entry, only means the rubric is loaded afresh: the cache
never turns a good rubric into an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, cast, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic.version import VERSION as PYDANTIC_VERSION

import cslevels
from cslevels.core.checks import capped, check_rubric
from cslevels.core.documents import LoadedRubric
from cslevels.core.locations import Loc, Position
from cslevels.core.models import Level, Option, Question, Rubric, Scale, Source
from cslevels.errors import Finding
from cslevels.files.output import write_then_rename
from cslevels.files.yamlio import LOADER_NAME, max_expanded_chars, max_nodes

CACHE_DIR_ENV = "CSLEVELS_CACHE_DIR"
NO_CACHE_ENV = "CSLEVELS_NO_CACHE"
FORMAT = "cslevels-rubric-cache/1"
MAX_ENTRIES = 200  # rubrics are small (a few KB each); past this the oldest half goes
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # above any rubric within the default limits; never
# written larger, since an entry that is never read back would be rewritten on every run
STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a killed process
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.json")  # the only files the cache reads or prunes
_TEMP_PREFIX = ".entry."


def cache_dir() -> Path | None:
    """Where rubric cache entries live, or None when the cache is off."""
    if os.environ.get(NO_CACHE_ENV, "").strip().lower() not in ("", "0", "false", "no"):
        return None
    chosen = os.path.expanduser(os.environ.get(CACHE_DIR_ENV, ""))
    if chosen:
        # A relative folder would mean one cache per working folder, and files left in
        # each: the cache is off instead.
        return Path(chosen) / "rubrics" if os.path.isabs(chosen) else None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative, which the XDG spec says to ignore
        home = os.path.expanduser("~")
        if not os.path.isabs(home) or home == os.sep:  # no home folder (HOME="" gives "/")
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "cslevels" / "rubrics"


def _private(folder: Path) -> bool:
    """Whether ``folder`` is a real folder of this user's that no one else may write."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and owner_ok and not info.st_mode & 0o022


def entry_path(path: Path, raw: bytes) -> Path | None:
    """The cache file for loading ``raw`` as the rubric ``path``; None: do not cache."""
    folder = cache_dir()
    if folder is None:
        return None
    return folder / f"{cache_key(str(path), raw)}.json"


def cache_key(name: str, raw: bytes) -> str:
    """The hash of everything a rubric's loaded form depends on."""
    head = "\0".join([_code_fingerprint(), str(max_nodes()), str(max_expanded_chars()), name])
    return hashlib.sha256(head.encode("utf-8", "surrogateescape") + b"\0" + raw).hexdigest()


@functools.cache
def _code_fingerprint() -> str:
    """The versions of the code that judges rubrics, fixed for the life of a process."""
    parts = [FORMAT, cslevels.__version__, PYDANTIC_VERSION, yaml.__version__, LOADER_NAME,
             sys.version]
    # Every module of cslevels, sub-packages included, by size and time: an edit in a
    # checkout or an editable install (where the version number stays the same) must
    # empty the cache, wherever in the package it is.
    package = Path(cslevels.__file__).parent
    for path, info in _package_modules(package):
        parts.append(f"{path}:{info.st_mtime_ns}:{info.st_size}")
    return "\0".join(parts)


def _package_modules(package: Path) -> list[tuple[str, os.stat_result]]:
    """Every ``.py`` file below ``package`` (relative name, stat), in a stable order."""
    found: list[tuple[str, os.stat_result]] = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                full = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    found.append((os.path.relpath(full, package), os.stat(full)))
    return found


def load(entry: Path, path: Path) -> LoadedRubric | None:
    """The cached outcome of loading the rubric ``path``, if ``entry`` holds a good one."""
    if not _private(entry.parent):
        return None
    try:
        text = _read_entry(entry)
        check, _, payload = text.partition("\n")
        if hashlib.sha256(payload.encode("utf-8")).hexdigest() != check:
            return None  # damaged: load afresh, and the store afterwards replaces it
        loaded = _loaded_from(json.loads(payload), path)
        with contextlib.suppress(OSError):
            os.utime(entry)  # recently used: pruning takes the least recently used first
        return loaded
    except Exception:  # any surprise in a cache entry (even a RecursionError): a fresh load
        return None


def _read_entry(entry: Path) -> str:
    """An entry's text: a regular file, not followed through a link, of bounded size."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(entry, flags)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
            raise ValueError("not a cache entry")
        return handle.read(MAX_ENTRY_BYTES + 1).decode("utf-8")


def store(entry: Path, loaded: LoadedRubric) -> None:
    """Keep a successful load for next time; failing to is not an error."""
    payload = json.dumps({
        "format": FORMAT,
        "digest": loaded.digest,
        "warnings": [asdict(f) for f in loaded.warnings],
        "rubric": loaded.rubric.model_dump(exclude_unset=True),
    }, ensure_ascii=False, separators=(",", ":"))
    raw = payload.encode("utf-8")
    text = (hashlib.sha256(raw).hexdigest() + "\n").encode("ascii") + raw
    if len(text) > MAX_ENTRY_BYTES:
        return  # load() would refuse it: a fresh load each time is all it could give
    folder = entry.parent
    with contextlib.suppress(OSError, ValueError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return  # someone else's, or open to others: never write (or read) there
        write_then_rename(entry, text, durable=False)
        _prune(folder)


def _prune(folder: Path) -> None:
    """Keep the cache small: drop the least recently used entries and stale temp files."""
    entries: list[tuple[int, Path]] = []
    now = time.time()
    with os.scandir(folder) as found:
        for item in found:
            with contextlib.suppress(OSError):
                if _ENTRY_NAME.fullmatch(item.name):
                    entries.append((item.stat(follow_symlinks=False).st_mtime_ns,
                                    Path(item.path)))
                elif (item.name.startswith(_TEMP_PREFIX) and item.name.endswith(".tmp")
                      and now - item.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS):
                    os.unlink(item.path)
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort()
    for _, old in entries[: len(entries) - MAX_ENTRIES // 2]:
        with contextlib.suppress(OSError):
            old.unlink()


def _loaded_from(data: dict[str, Any], path: Path) -> LoadedRubric:
    """The entry's load, or ValueError when it is not exactly what ``store`` writes.

    An entry is believed without pydantic's validation (building the validator is
    what the cache saves), but not blindly: its rubric must fit the models' fields,
    types and bounds (:func:`conforms`), and the cross-document checks, run again on
    it, must find no error and the same warnings.  Anything else is a miss, never a
    traceback or a wrong score later.
    """
    if not isinstance(data, dict) or set(data) != {"format", "digest", "warnings", "rubric"}:
        raise ValueError("not a cache entry")
    if data["format"] != FORMAT:
        raise ValueError("another cache format")
    digest, dump, stored = data["digest"], data["rubric"], data["warnings"]
    if not (isinstance(digest, str) and re.fullmatch("[0-9a-f]{64}", digest)
            and conforms(dump, Rubric) and isinstance(stored, list)):
        raise ValueError("does not match the rubric model")
    warnings = tuple(_finding(w) for w in stored)
    rubric = rubric_from_dump(dump)
    if [_wording(f) for f in capped(check_rubric(rubric, _Unplaced(str(path), dump)))] != [
            _wording(f) for f in warnings]:
        raise ValueError("the checks find something else")
    return LoadedRubric(rubric=rubric, path=path, digest=digest, warnings=warnings)


_OPTIONAL_INT = (int, type(None))
_OPTIONAL_STR = (str, type(None))
_FINDING_TYPES: dict[str, type | tuple[type, ...]] = {
    "path": str, "message": str, "line": _OPTIONAL_INT, "column": _OPTIONAL_INT,
    "severity": str, "code": str, "hint": _OPTIONAL_STR, "cell": _OPTIONAL_STR}


def _finding(data: Any) -> Finding:
    if not (isinstance(data, dict) and set(data) == set(_FINDING_TYPES) and all(
            isinstance(data[k], t) and not isinstance(data[k], bool)
            for k, t in _FINDING_TYPES.items()) and data["severity"] == "warning"):
        raise ValueError("not a warning")
    return Finding(**data)


def _wording(finding: Finding) -> tuple[str, str, str, str | None]:
    return finding.severity, finding.code, finding.message, finding.hint


class _Unplaced:
    """A document with no positions: the checks' findings, compared by wording only."""

    def __init__(self, path: str, data: Any) -> None:
        self.path = path
        self.data = data

    def locate(self, loc: Loc, *, prefer_key: bool = False) -> Position:
        return Position()

    def raw_plain_scalar(self, loc: Loc) -> str | None:
        return None


def conforms(value: Any, annotation: Any) -> bool:
    """Whether ``value`` (JSON data) is what validating against ``annotation`` accepts.

    Covers what the rubric models use: models (no unknown field, every required one),
    ``str``/``int``/``float``/``bool`` (strictly: no ``True`` for a number), ``None``,
    ``Literal``, unions, ``list``, ``dict`` and ``Annotated`` bounds (length, range,
    pattern).  Anything else is a mismatch: the cache then loads afresh.
    """
    return _checker(annotation, ())(value)


Check = Callable[[Any], bool]


@functools.cache
def _checker(annotation: Any, constraints: tuple[Any, ...]) -> Check:
    """A test for ``annotation``, built once per annotation and field."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return _checker(base, (*constraints, *extra))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_checker(annotation)
    if origin is Union or origin is UnionType:
        members = [_checker(arg, constraints) for arg in get_args(annotation)]
        return lambda v: any(test(v) for test in members)
    if origin is Literal:
        allowed = get_args(annotation)
        return lambda v: any(type(v) is type(a) and v == a for a in allowed)
    if annotation is type(None) or annotation is None:
        return lambda v: v is None
    within = _bounds(constraints)
    if origin is list:
        (item_type,) = get_args(annotation)
        item = _checker(item_type, ())
        return lambda v: type(v) is list and within(v) and all(map(item, v))
    if origin is dict:
        key_type, item_type = get_args(annotation)
        key, item = _checker(key_type, ()), _checker(item_type, ())
        return lambda v: (type(v) is dict and within(v) and all(map(key, v))
                          and all(map(item, v.values())))
    types = {bool: (bool,), int: (int,), float: (int, float), str: (str,)}.get(annotation)
    if types is None:
        return lambda v: False
    return lambda v: type(v) in types and within(v)


def _model_checker(model: type[BaseModel]) -> Check:
    fields = model.model_fields
    names = frozenset(fields)
    required = frozenset(name for name, info in fields.items() if info.is_required())
    tests: dict[str, Check] = {}  # filled on first use: a model may refer to itself

    def check(value: Any) -> bool:
        if type(value) is not dict or not required <= value.keys() <= names:
            return False
        if not tests:
            tests.update((name, _checker(cast(Any, info.annotation), tuple(info.metadata)))
                         for name, info in fields.items())
        return all(tests[name](item) for name, item in value.items())
    return check


def _bounds(constraints: tuple[Any, ...]) -> Check:
    """The bounds pydantic's field metadata (possibly nested in a ``FieldInfo``) sets,
    as one test; a NaN meets no numeric bound."""
    tests: list[tuple[Callable[[Any, Any], bool], Any]] = []
    todo = list(constraints)
    while todo:
        item = todo.pop()
        nested = getattr(item, "metadata", None)
        if isinstance(nested, list):
            todo += nested
        for name, test in _BOUNDS.items():
            bound = getattr(item, name, None)
            if bound is not None:
                tests.append((test, bound))
    if not tests:
        return lambda v: True
    return lambda v: all(test(v, bound) for test, bound in tests)


_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda v, b: v > b, "ge": lambda v, b: v >= b,
    "lt": lambda v, b: v < b, "le": lambda v, b: v <= b,
    "min_length": lambda v, b: len(v) >= b, "max_length": lambda v, b: len(v) <= b,
    "pattern": lambda v, b: re.fullmatch(b, v) is not None,
}


# Every field of the rubric models that holds other models, as rubric_from_dump rebuilds
# them; a test compares this with the models, so a new nested field cannot be forgotten.
NESTED_FIELDS = {(Rubric, "scales"), (Rubric, "levels"), (Rubric, "source"),
                 (Scale, "options"), (Level, "questions")}


def rubric_from_dump(data: dict[str, Any]) -> Rubric:
    """Rebuild a rubric from its own ``model_dump(exclude_unset=True)``, unvalidated.

    ``model_construct`` skips validation, which is the point: the dump came from a
    validated rubric.  Building each nested model by hand keeps the fields that were
    set exactly as they were, so the result equals the rubric that was dumped.
    """
    fields = dict(data)
    fields["scales"] = {
        name: Scale.model_construct(**{**scale, "options": [
            Option.model_construct(**option) for option in scale["options"]]})
        for name, scale in data["scales"].items()
    }
    fields["levels"] = [
        Level.model_construct(**{**level, "questions": [
            Question.model_construct(**question) for question in level["questions"]]})
        for level in data["levels"]
    ]
    if data.get("source") is not None:
        fields["source"] = Source.model_construct(**data["source"])
    return Rubric.model_construct(**fields)
