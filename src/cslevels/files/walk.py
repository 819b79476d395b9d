"""The one folder walk: which files under a folder cslevels reads.

Every command that takes folders (``summary``, ``validate``) finds files here, by
the same rule: regular files whose suffix a reader exists for
(:func:`cslevels.files.readers.answers_suffixes`), hidden files and folders
skipped, each file once however it was named, in a stable sorted order.  Only
regular files: a FIFO or device named ``*.yaml`` in a folder would block a read.  A
symlink to nothing is yielded too, so every command reports it as a broken link.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from cslevels.files.readers import answers_suffixes


class FolderWalk:
    """Files under the paths given, each yielded once across every call."""

    def __init__(self, suffixes: tuple[str, ...] | None = None) -> None:
        self.suffixes = answers_suffixes() if suffixes is None else suffixes
        self._seen: set[str] = set()

    def _first_time(self, name: str) -> bool:
        key = os.path.normcase(os.path.abspath(name))
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def names(self, path: Path) -> Iterator[str]:
        """``path`` itself when it is not a folder, else the readable files under it.

        Names are spelled as ``str(Path(folder) / name)`` would spell them; strings,
        not Paths, because a list of 100,000 of them then takes a fraction of the memory.
        """
        if not path.is_dir():
            if self._first_time(str(path)):
                yield str(path)
            return
        yield from self._walk(str(Path(path)))

    def _walk(self, folder: str) -> Iterator[str]:
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError:
            return
        prefix = "" if folder == "." else folder
        subfolders = []
        for entry in entries:
            if entry.name.startswith((".", "~$")):  # "~$x.xlsx": Excel's lock of an open file
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.name)
                    continue
                wanted = entry.name.lower().endswith(self.suffixes) and (
                    entry.is_file() or _dangling(entry))
            except OSError:  # a symlink loop, say: reading it reports the loop
                wanted = entry.name.lower().endswith(self.suffixes) and entry.is_symlink()
            name = os.path.join(prefix, entry.name) if prefix else entry.name
            if wanted and self._first_time(name):
                yield name
        for sub in subfolders:
            yield from self._walk(os.path.join(prefix, sub) if prefix else sub)


def _dangling(entry: os.DirEntry[str]) -> bool:
    """A symlink to nothing: yielded, so that reading it reports the broken link
    rather than the walk skipping a file the user expects to be read."""
    return entry.is_symlink() and not os.path.exists(entry.path)


def iter_file_names(paths: Iterable[Path]) -> Iterator[str]:
    """Every file to read under ``paths`` (files as given, folders walked), each once."""
    walk = FolderWalk()
    for path in paths:
        yield from walk.names(path)
