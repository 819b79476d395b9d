"""Writing files without ever leaving one half-written.

A report, template or answers file is written to a temporary file in the same
folder, flushed to disk, then renamed over the target, so a crash, a full disk
or a killed process leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from cslevels.errors import OutputError

_CLEANED: set[Path] = set()


def atomic_write(path: Path, data: str | bytes, *, overwrite: bool = True) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8) atomically, refusing to
    overwrite if asked.

    A symlink is written through: its target is replaced atomically and the link
    stays.  A character device or FIFO (``/dev/stdout``, ``/dev/null``, a named
    pipe) is written in place, never replaced by a regular file; a block device or
    socket is refused.
    """
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
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        info: os.stat_result | None = os.stat(path)
    except (OSError, ValueError):
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_special(path, raw, info)
        return
    if path.is_symlink():  # replace what the link points to, keep the link
        path = Path(os.path.realpath(path))
        folder = path.parent
        if not folder.is_dir():
            raise OutputError(f"cannot write: the link points into a missing folder "
                              f"{str(folder)!r}", path=name, code="no-folder")
    if info is not None:
        mode: int | None = info.st_mode & 0o7777  # keep the file's permissions
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask  # as open() would create it, not mkstemp's 0o600
    try:
        write_then_rename(path, raw, durable=True, mode=mode, exclusive=not overwrite)
    except FileExistsError:
        raise OutputError("already exists; not overwriting it", path=name,
                          code="exists") from None
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=name) from None
    _fsync_folder(folder)
    if path not in _CLEANED:  # once per file and run: assess saves after every answer
        _CLEANED.add(path)
        remove_stale_temporaries(path)


def _write_special(path: Path, data: bytes, info: os.stat_result) -> None:
    """Write to a character device or FIFO in place; refuse other special files."""
    name = str(path)
    if not (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise OutputError("cannot write: it is a special file (a block device or socket), "
                          "not a regular file", path=name, code="special-file",
                          hint="choose a regular file")
    try:
        # Without blocking: a FIFO no one reads from is an error, not a wait for ever.
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError("cannot write: no process is reading from this FIFO", path=name,
                              code="no-reader") from None
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=name) from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=name) from None
    finally:
        os.close(fd)


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
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(tmp, mode)
        if exclusive:  # a hard link fails when the name exists: no check-then-rename race
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


NAME_MAX = 255
STALE_SECONDS = 24 * 3600  # a temporary file this old was left by a killed process


def temp_prefix(path: Path) -> str:
    """``.<name>.``, the temporary files' prefix; shorter for a long (but legal) name."""
    prefix = f".{path.name}."
    if len(os.fsencode(prefix)) + 8 + len(".tmp") > NAME_MAX:
        import hashlib

        prefix = f".cslevels-{hashlib.sha256(os.fsencode(path.name)).hexdigest()[:24]}."
    return prefix


def remove_stale_temporaries(path: Path) -> int:
    """Remove temporary files of ``path`` left by a killed process (older than a day).

    Only names of exactly the form :func:`write_then_rename` makes (the prefix, eight
    of ``tempfile``'s letters, ``.tmp``), only regular files (a link is never followed)
    and only this user's: ``.report.txt.backup.tmp`` is someone's file, not ours.
    """
    import re
    import time

    folder = path.parent if str(path.parent) else Path(".")
    pattern = re.compile(re.escape(temp_prefix(path)) + r"[a-z0-9_]{8}\.tmp")
    removed = 0
    cutoff = time.time() - STALE_SECONDS
    with contextlib.suppress(OSError):
        for candidate in folder.glob(f"{glob_escape(temp_prefix(path))}*.tmp"):
            if not pattern.fullmatch(candidate.name):
                continue
            with contextlib.suppress(OSError):
                info = os.lstat(candidate)
                if (stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff
                        and (not hasattr(os, "getuid") or info.st_uid == os.getuid())):
                    candidate.unlink()
                    removed += 1
    return removed


def glob_escape(text: str) -> str:
    import glob

    return glob.escape(text)


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
