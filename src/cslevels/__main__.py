"""``python -m cslevels`` and the ``cslevels`` command.

Ctrl-C, SIGTERM and SIGHUP are held from the first moment: while the modules load
(a tenth of a second) a signal is only noted, then :func:`cslevels.cli.main` ends
the run with one line and exit code 128 + signo, never a traceback.

A command line that asks for a PDF starts the browser here, before the command line
module loads (typer and cslevels' commands take a fifth of a second), so that the
browser gets ready while cslevels loads, scores and renders.
"""

import sys
from collections.abc import Sequence


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
    if writes_pdf(sys.argv[1:]):
        import os

        from cslevels.files.browser import start_early

        start_early(os.environ)  # never raises; cli's browser_early then finds it running
    from cslevels.cli import main

    main(pending)


def writes_pdf(args: Sequence[str]) -> bool:
    """Whether this command line asks for a PDF, read before typer parses it.

    Only a head start: the command decides for itself (``FormatRegistry.choose``, asked
    here too), so a wrong guess costs a browser started for nothing, stopped at exit, or
    one started a little later.  --format/-f and --output/-o are read in their spellings
    ``--format pdf``, ``--format=pdf``, ``-fpdf``; the first word must be a command that
    makes PDFs.
    """
    from cslevels.errors import CslevelsError
    from cslevels.reporting.formats import (
        COMPARE_FORMATS,
        SCORE_FORMATS,
        SHOW_FORMATS,
        SUMMARY_FORMATS,
    )

    registries = {r.kind: r for r in (SCORE_FORMATS, COMPARE_FORMATS, SUMMARY_FORMATS,
                                      SHOW_FORMATS)}
    registry = registries.get(args[0]) if args else None
    if registry is None:
        return False
    found: dict[str, str] = {}
    words = iter(args[1:])
    for word in words:
        if word == "--":
            break
        for key, long, short in (("format", "--format", "-f"), ("output", "--output", "-o")):
            if word in (long, short):
                found[key] = next(words, "")
            elif word.startswith(long + "="):
                found[key] = word[len(long) + 1:]
            elif word.startswith(short) and not word.startswith("--") and len(word) > 2:
                found[key] = word[2:]
    try:
        chosen = registry.choose(found["format"].lower() if "format" in found else None,
                                 found.get("output"))
    except CslevelsError:
        return False
    return chosen == "pdf"


if __name__ == "__main__":
    run()
