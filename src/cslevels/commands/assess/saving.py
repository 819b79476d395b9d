"""``cslevels assess``: saving after every answer, never over a file that changed.

:class:`Saver` writes the draft after every change (atomically, with Ctrl-C and
hang-ups held back while it writes by a :class:`SignalGuard`) and refuses to
overwrite a file that something else changed meanwhile.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from cslevels.errors import OutputError
from cslevels.files.drafts import AnswersDraft, ExistingAnswers, keep_copy, save_answers


class Stopped(Exception):
    """The terminal was closed (SIGHUP) or the process was asked to stop (SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class SignalGuard:
    """Turns SIGINT/SIGHUP/SIGTERM into exceptions, held back while a save runs.

    A signal arriving in the middle of a save is delivered right after it, so an
    answer is either on disk or was never accepted, never half-written.
    """

    def __init__(self) -> None:
        self.pending: int | None = None
        self.depth = 0
        self.stopping = False
        self.previous: dict[int, object] = {}

    def __enter__(self) -> SignalGuard:
        for name in ("SIGINT", "SIGHUP", "SIGTERM"):
            signum = getattr(signal, name, None)
            if signum is None:
                continue
            try:
                current = signal.getsignal(signum)
                if current is signal.SIG_IGN:  # e.g. under nohup: respect it
                    continue
                self.previous[signum] = current
                signal.signal(signum, self._handler)
            except ValueError:  # not the main thread
                continue
        return self

    def __exit__(self, *exc: object) -> None:
        if self.stopping:  # a second hang-up or Ctrl-C must not kill the clean exit
            return
        for signum, handler in self.previous.items():
            with suppress(ValueError, TypeError):
                signal.signal(signum, handler)  # type: ignore[arg-type]

    def ignore_all(self) -> None:
        """Stop reacting: used while shutting down after the first signal."""
        self.stopping = True
        for signum in self.previous:
            with suppress(ValueError):
                signal.signal(signum, signal.SIG_IGN)

    @staticmethod
    def exception(signum: int) -> BaseException:
        if signum == signal.SIGINT:
            return KeyboardInterrupt()
        return Stopped(signum)

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        if self.depth:
            self.pending = self.pending or signum
            return
        raise self.exception(signum)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold signals back inside the block (blocks may nest)."""
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if self.depth == 0 and self.pending is not None:
            signum, self.pending = self.pending, None
            raise self.exception(signum)


class Saver:
    """Saves the draft after every change, and only over the file it last saw."""

    def __init__(self, path: Path, order: Sequence[str], guard: SignalGuard | None = None,
                 existing: ExistingAnswers | None = None) -> None:
        self.path = path
        self.order = list(order)
        self.guard = guard or SignalGuard()
        self.last_text: str | None = existing.text if existing else None
        self.original: str | None = existing.text if existing and existing.reformatted else None
        self.saves = 0
        self.copy: Path | None = None
        self.answered = (sum(1 for key in self.order if existing.draft.answered(key))
                         if existing else 0)

    @property
    def exists(self) -> bool:
        return self.last_text is not None

    def save(self, draft: AnswersDraft, unsaved: str = "") -> None:
        """Write ``draft`` now; ``unsaved`` names what is lost if this fails."""
        with self.guard.deferred():
            try:
                self._check_unchanged()
                if self.saves == 0 and self.original is not None:
                    self.copy = keep_copy(self.path, self.original)
                self.last_text = save_answers(self.path, draft, self.order,
                                              overwrite=self.last_text is not None)
                self.answered = sum(1 for key in self.order if draft.answered(key))
            except OutputError as exc:
                if unsaved:
                    exc.hint = f"{exc.hint}; not saved: {unsaved}" if exc.hint else (
                        f"not saved: {unsaved}")
                raise
            self.saves += 1

    def _check_unchanged(self) -> None:
        try:
            on_disk: str | None = self.path.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            on_disk = None
        except OSError:
            return  # unreadable: let the write itself report the problem
        if on_disk is not None and on_disk.lstrip("\ufeff") != (self.last_text or "").lstrip(
                "\ufeff"):
            raise OutputError(
                "the file changed on disk while `cslevels assess` was running; not "
                "overwriting it", path=str(self.path), code="changed-on-disk",
                hint="run the command again to continue from the file as it is now")
