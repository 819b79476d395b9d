"""``python -m cslevels`` and the ``cslevels`` command.

Ctrl-C, SIGTERM and SIGHUP are held from the first moment: while the modules load
(a tenth of a second) a signal is only noted, then :func:`cslevels.cli.main` ends
the run with one line and exit code 128 + signo, never a traceback.
"""

import sys


def run() -> None:
    """The entry point: note stop signals, load the command line, run it."""
    pending: list[int] = []
    # The C module, already loaded by the interpreter: `import signal` takes ~10 ms
    # (it imports enum), a window in which Ctrl-C would still print a traceback.
    low = sys.modules.get("_signal")
    if low is not None:
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):
            signum = getattr(low, name, None)
            if signum is not None and low.getsignal(signum) is not low.SIG_IGN:
                low.signal(signum, lambda signum, frame: pending.append(signum))
    from cslevels.cli import main

    main(pending)


if __name__ == "__main__":
    run()
