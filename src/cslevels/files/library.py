"""The rubric library: where rubric ids are looked up, and the rubrics in it.

Folders are searched in order: ``--rubrics-dir`` folders, then those in
``CSLEVELS_RUBRICS_PATH``, then the built-in rubrics; an earlier folder shadows a
later one.  Rubric folders are read flat (no sub-folders), YAML files only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from cslevels.core.checks import did_you_mean
from cslevels.core.documents import RUBRIC_SUFFIXES, LoadedRubric
from cslevels.core.models import Rubric
from cslevels.errors import InputError, InvalidDocumentError, RubricNotFoundError
from cslevels.files.loading import load_rubric

RUBRICS_PATH_ENV = "CSLEVELS_RUBRICS_PATH"


def builtin_rubrics_dir() -> Path:
    """The rubrics shipped with cslevels (inside the wheel, or the source tree)."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "rubrics"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "rubrics"


class RubricEntry(NamedTuple):
    id: str
    path: Path
    origin: str
    rubric: LoadedRubric | None
    error: str | None = None


class RubricLibrary:
    """Where rubric ids are looked up: --rubrics-dir, CSLEVELS_RUBRICS_PATH, built-ins."""

    def __init__(self, extra_dirs: Sequence[Path] = ()) -> None:
        dirs: list[tuple[Path, str]] = [(Path(d), "--rubrics-dir") for d in extra_dirs]
        for folder, _origin in dirs:
            # A mistyped --rubrics-dir would otherwise be ignored in silence and its rubrics
            # reported as unknown; folders in CSLEVELS_RUBRICS_PATH may come and go.
            if not folder.is_dir():
                raise InputError("--rubrics-dir: no such folder", path=str(folder),
                                 code="not-found")
        env = os.environ.get(RUBRICS_PATH_ENV, "")
        dirs += [(Path(p), RUBRICS_PATH_ENV) for p in env.split(os.pathsep) if p]
        dirs.append((builtin_rubrics_dir(), "built-in"))
        self.dirs = dirs

    def _files(self) -> Iterable[tuple[Path, str]]:
        for folder, origin in self.dirs:
            if folder.is_dir():
                for path in _rubric_files(folder):
                    yield path, origin

    def resolve(self, ref: str) -> LoadedRubric:
        """A rubric by path (when ``ref`` names a file) or by id."""
        as_path = Path(ref)
        if as_path.suffix in RUBRIC_SUFFIXES or "/" in ref or os.sep in ref or _is_regular(as_path):
            return load_rubric(as_path)
        for folder, _origin in self.dirs:  # folder by folder: an earlier one shadows later ones
            if not folder.is_dir():
                continue
            named = [folder / f"{ref}{suffix}" for suffix in RUBRIC_SUFFIXES]
            others = _rubric_files(folder)
            for path in [*named, *others]:  # a file named after the id is tried first
                if not _is_regular(path) and not (path in named and _broken_link(path)):
                    continue  # (a broken link named after the id is read: its error is said)
                try:
                    loaded = load_rubric(path)
                except (InputError, InvalidDocumentError) as exc:
                    if path in named and exc.code != "wrong-kind":
                        raise  # the file that should hold this rubric is broken: say why
                    continue  # another broken file: `cslevels list` reports it
                if loaded.rubric.id == ref:
                    return loaded
        ids = sorted({e.id for e in self.entries() if e.rubric is not None})
        hint = did_you_mean(ref, ids)
        available = f"available: {', '.join(ids)}" if ids else "no rubrics found"
        # No path: the id came from the command line (an answers file that names it adds
        # its own file:line:column), and a made-up path would only mislead.
        raise RubricNotFoundError(
            f"unknown rubric {ref!r}", code="rubric-not-found",
            hint=f"{hint} {available}" if hint else available,
        )

    def rubrics(self) -> list[Rubric]:
        """Every usable rubric in the library (core.documents.RubricCatalog)."""
        return [e.rubric.rubric for e in self.entries() if e.rubric is not None]

    def override(self, ref: str | None) -> LoadedRubric | None:
        """The rubric ``--rubric`` names (scored against instead of each file's own), if any."""
        return self.resolve(ref) if ref else None

    def entries(self) -> list[RubricEntry]:
        """Every rubric file in the library; broken ones carry their error."""
        found: list[RubricEntry] = []
        seen: set[str] = set()
        for path, origin in self._files():
            try:
                loaded = load_rubric(path)
            except (InputError, InvalidDocumentError) as exc:
                if exc.code == "wrong-kind":
                    continue  # an answers file kept beside the rubrics is not a broken rubric
                first = next((f for f in exc.to_findings() if f.severity == "error"),
                             exc.to_findings()[0])
                found.append(RubricEntry(path.stem, path, origin, None, str(first)))
                continue
            if loaded.rubric.id in seen:
                continue  # an earlier folder shadows it
            seen.add(loaded.rubric.id)
            found.append(RubricEntry(loaded.rubric.id, path, origin, loaded))
        return found


def _rubric_files(folder: Path) -> list[Path]:
    """The rubric files of one folder, sorted: regular YAML files, not hidden ones.

    Only regular files (symlinks to them included): a FIFO or device named ``*.yaml``
    in a folder is never opened.  A broken symlink (to nothing, or a loop) is kept, so
    that ``cslevels list`` reports it as it reports a broken rubric, as ``validate``
    and ``summary`` do, rather than leaving out a rubric the user expects to see.
    """
    found = []
    for suffix in RUBRIC_SUFFIXES:
        found += [p for p in folder.glob(f"*{suffix}")
                  if not p.name.startswith(".") and (_is_regular(p) or _broken_link(p))]
    return sorted(found)


def _broken_link(path: Path) -> bool:
    """A symlink that leads to no file: to nothing, or round in a loop."""
    try:
        return path.is_symlink() and not os.path.exists(path)
    except (OSError, ValueError):
        return False


def _is_regular(path: Path) -> bool:
    """Whether ``path`` is a file; a name no file could have (too long for the file
    system, ENAMETOOLONG, or holding a NUL) is simply not one."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False
