"""``summary`` over several processes: the same items as one process, in the same order.

Large inputs are spread over worker processes that send back plain row tuples;
the parent settles rubric files and answers whose rubric a worker did not know.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from cslevels.commands.summary_rows import (
    Item,
    PortfolioLibrary,
    first_pass,
    rubric_missing,
    settle,
    summarise_file,
)
from cslevels.core.documents import LoadedRubric
from cslevels.core.portfolio import Failure, Row, RubricInfo
from cslevels.files.library import RubricLibrary

WORKERS_ENV = "CSLEVELS_WORKERS"  # worker processes; 1 turns parallel reading off
PARALLEL_MIN_FILES_ENV = "CSLEVELS_PARALLEL_MIN_FILES"
# Below these, starting workers costs more than it saves (measured on 2 cores: forked
# workers start in ~20 ms, spawned ones, which import cslevels afresh, in ~0.5 s).
DEFAULT_PARALLEL_MIN_FILES = 200
DEFAULT_PARALLEL_MIN_FILES_SPAWN = 2000
MAX_CHUNK = 250  # files per task sent to a worker


def worker_count(files: int, workers: int | None = None, min_files: int | None = None,
                 start_method: str | None = None) -> int:
    """How many processes to read ``files`` files with: 1 unless the input is large.

    ``CSLEVELS_WORKERS`` and ``CSLEVELS_PARALLEL_MIN_FILES`` override the defaults
    (the CPUs this process may use, and a threshold that depends on how fast
    workers start).
    """
    if workers is None:
        workers = _env_int(WORKERS_ENV)
    if workers is None:
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not on Linux
            workers = os.cpu_count() or 1
    if min_files is None:
        min_files = _env_int(PARALLEL_MIN_FILES_ENV)
    if min_files is None:
        if workers <= 1 or files < DEFAULT_PARALLEL_MIN_FILES:
            return 1  # without importing multiprocessing
        forked = _mp_context(start_method).get_start_method() == "fork"
        min_files = DEFAULT_PARALLEL_MIN_FILES if forked else DEFAULT_PARALLEL_MIN_FILES_SPAWN
    return max(1, workers) if files >= max(min_files, 2) else 1


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


_WORKER: dict[str, Any] = {}  # in a worker: its library, whether to defer, rubrics sent
RowFields = tuple[Any, ...]
ChunkResult = tuple[list["RowFields | Failure | None"], list[RubricInfo]]


def _start_worker(base: RubricLibrary, found: dict[str, LoadedRubric], defer: bool,
                  parent: int) -> None:
    """In each worker: a library like the parent's, no Ctrl-C (the parent stops the
    pool), the default SIGTERM and SIGHUP (not the parent's handlers, which a fork
    copies), and an end when the parent ends, however it ends."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in STOP_SIGNALS[1:]:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # forked with them held (_stop_signals_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {getattr(signal, name) for name in
                                                    STOP_SIGNALS if hasattr(signal, name)})
    _end_with_parent(parent)
    library = PortfolioLibrary(base)
    for loaded in found.values():
        library.add(loaded)
    _WORKER.update(library=library, defer=defer, sent=set())


WATCH_SECONDS = 0.5  # without PR_SET_PDEATHSIG: how often a worker looks for its parent


def _end_with_parent(parent: int) -> None:
    """Make this worker die with ``parent``: a parent killed outright (SIGKILL) cannot
    stop its pool, and a worker waiting for work would otherwise wait for good.

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``);
    elsewhere a thread checks the parent every WATCH_SECONDS.  A parent that died
    before either was in place is seen at once.
    """
    import sys

    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0  # PR_SET_PDEATHSIG
        except (OSError, AttributeError, ImportError):  # pragma: no cover - no prctl here
            armed = False
    if os.getppid() != parent:
        os._exit(1)
    if not armed:  # pragma: no cover - exercised off Linux
        import threading

        def watch() -> None:
            while os.getppid() == parent:
                threading.Event().wait(WATCH_SECONDS)
            os._exit(1)

        threading.Thread(target=watch, name="cslevels-parent-watch", daemon=True).start()


STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


@contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP back while workers are forked, delivering them
    after: a handler that ran inside ``fork``'s own callbacks would have its exception
    printed and dropped, and the run would go on as if never stopped.  The workers
    start with them held too, and let them through once their handlers are set."""
    import signal

    held = {getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)}
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _stop_workers(executor: Any) -> None:
    """Kill the pool's processes now: their results are no longer wanted."""
    processes: dict[int, Any] = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        with suppress(Exception):
            process.kill()


def _summarise_chunk(paths: list[str]) -> ChunkResult:
    """In a worker: each file's row fields (a plain tuple), failure, or None for a rubric
    file; and the rubrics used for the first time, for the portfolio's distribution."""
    library: PortfolioLibrary = _WORKER["library"]
    out: list[RowFields | Failure | None] = []
    for path in paths:
        item = summarise_file(path, library, defer=_WORKER["defer"])
        if isinstance(item, Row):
            out.append(tuple(getattr(item, name) for name in Row.__slots__))
        elif isinstance(item, Failure):
            out.append(item)
        else:
            out.append(None)
    sent: set[str] = _WORKER["sent"]
    infos = [info for info in library.infos().values() if info.id not in sent]
    sent.update(info.id for info in infos)
    return out, infos


def _chunks(files: Sequence[str], workers: int) -> list[list[str]]:
    """Enough chunks to keep every worker busy to the end, none too big."""
    size = max(1, min(MAX_CHUNK, -(-len(files) // (workers * 4))))
    return [list(files[i:i + size]) for i in range(0, len(files), size)]


def _pooled(names: list[str], library: PortfolioLibrary, base: RubricLibrary, workers: int,
            start_method: str | None, *, defer: bool
            ) -> Iterator[tuple[str, RowFields | Failure | None]]:
    """Each file's result from worker processes, in order.

    The workers' library holds the rubric files ``library`` has found so far.
    Stops early, without an error, when the processes cannot start or one dies:
    the caller reads the rest itself.
    """
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    chunks = _chunks(names, workers)
    try:
        executor = ProcessPoolExecutor(
            max_workers=min(workers, len(chunks)), mp_context=_mp_context(start_method),
            initializer=_start_worker, initargs=(base, dict(library.found), defer, os.getpid()))
    except (OSError, ValueError, ImportError, NotImplementedError):  # e.g. no semaphores
        return
    try:
        with _stop_signals_held():  # the workers are forked here
            results_of_chunks = executor.map(_summarise_chunk, chunks)
        for chunk, (results, infos) in zip(chunks, results_of_chunks, strict=True):
            for info in infos:
                library.from_workers.setdefault(info.id, info)
            yield from zip(chunk, results, strict=True)
    except (BrokenProcessPool, OSError):  # a worker died, or could not be started
        return
    except BaseException:  # Ctrl-C, SIGTERM or SIGHUP (cli.Signalled), or the reader stopped
        _stop_workers(executor)
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def iter_rows_parallel(
    files: Sequence[Path | str],
    library: PortfolioLibrary,
    base: RubricLibrary,
    workers: int,
    *,
    start_method: str | None = None,
    min_files: int = 2,
) -> Iterator[Item]:
    """:func:`iter_rows` over ``workers`` processes: the same items, in the same order.

    Workers send back row tuples; the rest is settled here, in file order, with
    this process's library, so rubric files among the paths work as in one
    process: a rubric file, and an answers file whose rubric a worker did not
    know, are redone here.  Files held back for a rubric met later go to workers
    again (``min_files`` of them or more), now with every rubric file found.
    If the processes cannot start, or one dies, the rest is read here.
    """
    names = [str(path) for path in files]
    deferred: list[Path | str] = []
    done = 0
    for name, result in _pooled(names, library, base, workers, start_method, defer=True):
        item: Item
        if isinstance(result, tuple):
            item = Row(*result)
        elif result is None or (rubric_missing(result) and library.found):
            item = summarise_file(name, library, defer=True)
        else:
            item = result
        done += 1
        yield from settle(name, item, library, deferred)
    yield from first_pass(names[done:], library, deferred)
    retry = [str(path) for path in deferred]
    done = 0
    if len(retry) >= max(min_files, 2):
        for _name, result in _pooled(retry, library, base, workers, start_method, defer=False):
            assert result is not None, "only answers files are held back"
            done += 1
            yield Row(*result) if isinstance(result, tuple) else result
    for name in retry[done:]:
        yield summarise_file(name, library)


def _mp_context(start_method: str | None) -> Any:
    """Fork where it exists on Linux (workers start in milliseconds and share the
    loaded rubrics); elsewhere the platform's default, which re-imports cslevels."""
    import multiprocessing
    import sys

    if start_method is None and sys.platform.startswith("linux"):
        start_method = "fork"
    return multiprocessing.get_context(start_method)


