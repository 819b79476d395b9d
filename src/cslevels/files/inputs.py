"""Reading a user's file: bounded, never blocking for good, and remembered as an input.

Every file cslevels reads goes through :func:`read_limited`, which records it, so
that no report, template or schema is ever written over a file the same run read
(:func:`cslevels.files.output.refuse_inputs` asks :func:`was_read`): an answers file,
a rubric found by id in a folder or through ``CSLEVELS_RUBRICS_PATH``, anything.

A regular file is read whole (its size was checked first).  A FIFO, a terminal or
a device is opened without blocking and read in small steps up to the limit; when
it gives nothing for :data:`STREAM_IDLE_SECONDS`, reading stops with an error
instead of waiting for ever.
"""

from __future__ import annotations

import errno
import os
import select
from pathlib import Path

STREAM_IDLE_SECONDS = 5.0  # a pipe or device silent this long is given up on
_CHUNK = 64 * 1024

_READ: set[tuple[int, int]] = set()  # (device, inode) of every file read so far


class StreamIdle(OSError):
    """A pipe or device gave no data for :data:`STREAM_IDLE_SECONDS`."""


def remember(info: os.stat_result) -> None:
    """Count a file as an input of this run (by device and inode)."""
    _READ.add((info.st_dev, info.st_ino))


def forget_all() -> None:
    """Start a new run: no file counts as read yet."""
    _READ.clear()


def was_read(path: Path) -> bool:
    """Whether ``path`` (after symlinks) is a file this run has read."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return False
    return (info.st_dev, info.st_ino) in _READ


def open_for_reading(path: Path) -> tuple[int, os.stat_result]:
    """Open ``path`` without blocking (a FIFO with no writer would block ``open``)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise
    return fd, info


def read_limited(fd: int, info: os.stat_result, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of an open file, never allocating ``limit`` up front.

    Raises ``StreamIdle`` when a stream stays silent; other failures are ``OSError``.
    """
    remember(info)
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        want = min(_CHUNK, limit + 1 - total)
        try:
            chunk = os.read(fd, want)
        except BlockingIOError:
            if not _wait_readable(fd):
                raise StreamIdle(errno.ETIMEDOUT,
                                 f"no data for {STREAM_IDLE_SECONDS:g} seconds") from None
            continue
        if not chunk:  # the end of the file, or a FIFO with no writer (left)
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)



def _wait_readable(fd: int) -> bool:
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(int(STREAM_IDLE_SECONDS * 1000)))
    ready, _, _ = select.select([fd], [], [], STREAM_IDLE_SECONDS)  # pragma: no cover
    return bool(ready)
