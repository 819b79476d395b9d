"""Writing files without ever leaving one half-written.

A report, template or answers file is written to a temporary file in the same
folder, flushed to disk, then renamed over the target, so a crash, a full disk
or a killed process leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cslevels.errors import OutputError


def atomic_write(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Replace ``path`` with ``text`` atomically (refusing to overwrite if asked)."""
    name = str(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write: folder {str(folder)!r} does not exist", path=name,
                          code="no-folder")
    if path.is_dir():
        raise OutputError("cannot write: it is a folder", path=name, code="is-folder")
    if not overwrite and path.exists():
        raise OutputError("already exists; not overwriting it", path=name, code="exists",
                          hint="use --force to replace it, or choose another file")
    data = text.encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=name) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if not overwrite and path.exists():
            raise OutputError("already exists; not overwriting it", path=name, code="exists")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=name) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def refuse_inputs(path: Path, inputs: Iterable[Path]) -> None:
    """Refuse to write a report over a file it was made from.

    ``score visit.yaml -o visit.yaml`` would otherwise replace the answers with
    the report; for a folder given as input, the YAML files inside it count.
    """
    if not path.exists():
        return
    for source in inputs:
        try:
            if source.is_dir():
                same = (path.suffix.lower() in {".yaml", ".yml"}
                        and path.resolve().is_relative_to(source.resolve()))
            else:
                same = source.exists() and os.path.samefile(source, path)
        except (OSError, ValueError):
            continue
        if same:
            raise OutputError("is one of the input files; not overwriting it", path=str(path),
                              code="is-input", hint="choose another output file")


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
