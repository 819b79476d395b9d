"""A per-user cache of validated rubrics, so start-up does not redo the same work.

Loading a rubric means parsing its YAML with positions, building pydantic's
validator for the rubric model, validating and running the cross-document checks:
about 15 ms of every ``cslevels score``, for a file that rarely changes.  The
outcome of a successful load is kept as JSON (data only: a cache file is never
code, so it is never pickled) under a name that hashes everything the outcome
depends on: the rubric's exact bytes, the path it was named by (messages quote
it), the limits in force, and the code that judges rubrics.  An edited rubric,
an upgrade or an edit of cslevels itself is therefore never served stale.

``CSLEVELS_CACHE_DIR`` picks the folder (default ``$XDG_CACHE_HOME/cslevels``,
else ``~/.cache/cslevels``); ``CSLEVELS_NO_CACHE=1`` turns the cache off.  A
cache that cannot be read or written, or a damaged entry, only means the rubric
is loaded afresh: the cache never turns a good rubric into an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cslevels
from cslevels.errors import Finding
from cslevels.models import Level, Option, Question, Rubric, Scale, Source

if TYPE_CHECKING:
    from cslevels.loading import LoadedRubric

CACHE_DIR_ENV = "CSLEVELS_CACHE_DIR"
NO_CACHE_ENV = "CSLEVELS_NO_CACHE"
FORMAT = "cslevels-rubric-cache/1"
MAX_ENTRIES = 200  # rubrics are small (a few KB each); past this the oldest half goes

# The modules whose code decides whether a rubric is valid and what it means.  Their
# size and modification time are part of every key, so editing them (in a checkout or
# an editable install, where the version number stays the same) empties the cache.
_JUDGES = ("models.py", "checks.py", "loading.py", "yamlio.py", "rubric_cache.py")


def cache_dir() -> Path | None:
    """Where rubric cache entries live, or None when the cache is off."""
    if os.environ.get(NO_CACHE_ENV, "").strip().lower() not in ("", "0", "false", "no"):
        return None
    chosen = os.environ.get(CACHE_DIR_ENV)
    if chosen:
        return Path(chosen) / "rubrics"
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative, which the XDG spec says to ignore
        base = os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # no home folder: never litter the working folder
        return None
    return Path(base) / "cslevels" / "rubrics"


def cache_key(name: str, raw: bytes) -> str:
    """The hash of everything a rubric's loaded form depends on."""
    from pydantic.version import VERSION as PYDANTIC_VERSION

    from cslevels.yamlio import max_nodes

    package = Path(cslevels.__file__).parent
    judges = []
    for module in _JUDGES:
        try:
            info = (package / module).stat()
            judges.append(f"{module}:{info.st_mtime_ns}:{info.st_size}")
        except OSError:
            judges.append(f"{module}:-")
    head = "\0".join([FORMAT, cslevels.__version__, PYDANTIC_VERSION, *judges,
                      str(max_nodes()), name])
    return hashlib.sha256(head.encode("utf-8", "surrogateescape") + b"\0" + raw).hexdigest()


def load(path: Path, raw: bytes) -> LoadedRubric | None:
    """The cached outcome of loading ``raw`` as the rubric ``path``, if there is one."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        text = (folder / f"{cache_key(str(path), raw)}.json").read_text(encoding="utf-8")
        check, _, payload = text.partition("\n")
        if hashlib.sha256(payload.encode("utf-8")).hexdigest() != check:
            return None  # damaged: load afresh, and the store afterwards replaces it
        return _loaded_from(json.loads(payload), path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store(path: Path, raw: bytes, loaded: LoadedRubric) -> None:
    """Keep a successful load for next time; failing to is not an error."""
    folder = cache_dir()
    if folder is None:
        return
    payload = json.dumps({
        "format": FORMAT,
        "digest": loaded.digest,
        "warnings": [asdict(f) for f in loaded.warnings],
        "rubric": loaded.rubric.model_dump(exclude_unset=True),
    }, ensure_ascii=False, separators=(",", ":"))
    text = hashlib.sha256(payload.encode("utf-8")).hexdigest() + "\n" + payload
    with contextlib.suppress(OSError, ValueError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, folder / f"{cache_key(str(path), raw)}.json")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(folder)


def _prune(folder: Path) -> None:
    entries = list(folder.glob("*.json"))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime_ns)
    for old in entries[: len(entries) - MAX_ENTRIES // 2]:
        with contextlib.suppress(OSError):
            old.unlink()


def _loaded_from(data: dict[str, Any], path: Path) -> LoadedRubric:
    from cslevels.loading import LoadedRubric

    if data["format"] != FORMAT:
        raise ValueError("another cache format")
    return LoadedRubric(
        rubric=rubric_from_dump(data["rubric"]),
        path=path,
        digest=str(data["digest"]),
        warnings=tuple(Finding(**w) for w in data["warnings"]),
    )


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
