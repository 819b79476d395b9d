"""One writer per answers file: a lock held beside it while ``assess`` continues it.

The lock is ``fcntl.flock`` on a hidden file beside the answers file
(``.<name>.lock``, in the folder of the file a symlink points to), held from before
the file is read until the session ends, so a second ``cslevels assess`` of the same
file is refused at once instead of saving over the first one's answers.  The lock
file is removed at the end; a stale one (after a kill) holds no lock and is reused.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from cslevels.errors import OutputError

NAME_MAX = 255


def lock_path(path: Path) -> Path:
    """The lock file of ``path``: beside the file it names, after symlinks."""
    target = path.resolve()
    name = f".{target.name}.lock"
    if len(os.fsencode(name)) > NAME_MAX:  # a long but legal name: a shorter lock name
        name = f".{hashlib.sha256(os.fsencode(target.name)).hexdigest()[:32]}.lock"
    return target.with_name(name)


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the lock of ``path`` inside the block; refuse when another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no lock to take
        yield
        return
    where = lock_path(path)
    while True:
        try:
            fd = os.open(where, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError:
            yield  # no lock file can be made here: the save itself will say why
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OutputError(
                "another `cslevels assess` is continuing this file; not opening it twice",
                path=str(path), code="locked",
                hint="finish or stop the other one first; the file was left untouched",
            ) from None
        try:  # the holder before us may have removed the file after we opened it
            same = os.path.samestat(os.fstat(fd), os.stat(where))
        except OSError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(where)
        os.close(fd)
