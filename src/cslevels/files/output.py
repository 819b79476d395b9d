"""Writing files without ever leaving one half-written.

A report, template or answers file is written to a temporary file in the same
folder, flushed to disk, then renamed over the target, so a crash, a full disk
or a killed process leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from cslevels.errors import OutputError


def atomic_write(path: Path, data: str | bytes, *, overwrite: bool = True) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8) atomically, refusing to
    overwrite if asked."""
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
    if path.exists():
        try:
            mode: int | None = path.stat().st_mode & 0o7777  # keep the file's permissions
        except OSError:
            mode = None
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask  # as open() would create it, not mkstemp's 0o600
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        write_then_rename(path, raw, durable=True, mode=mode, exclusive=not overwrite)
    except FileExistsError:
        raise OutputError("already exists; not overwriting it", path=name,
                          code="exists") from None
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=name) from None
    _fsync_folder(folder)


def write_then_rename(path: Path, data: bytes, *, durable: bool, mode: int | None = None,
                      exclusive: bool = False) -> None:
    """Write ``data`` to a new file beside ``path``, then rename it over ``path``.

    Readers see the old file or the new one, never a part.  ``durable`` flushes the
    data to disk first (a report, answers); a cache entry can do without.  With
    ``exclusive``, a ``path`` that appeared meanwhile raises ``FileExistsError``.
    Failures raise ``OSError`` and leave no temporary file behind.
    """
    import tempfile  # ~4 ms of imports (random, shutil) that most commands never need

    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(tmp, mode)
        if exclusive and path.exists():
            raise FileExistsError(str(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def refuse_inputs(path: Path, inputs: Iterable[Path]) -> None:
    """Refuse to write a report over a file it was made from.

    ``score visit.yaml -o visit.yaml`` would otherwise replace the answers with
    the report; for a folder given as input, the YAML files inside it count, and
    every file this run has read (a rubric found by id included) counts too.
    """
    from cslevels.files.inputs import was_read

    if not path.exists():
        return
    if was_read(path):
        raise OutputError("is one of the input files; not overwriting it",
                          path=str(path), code="is-input", hint="choose another output file")
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
