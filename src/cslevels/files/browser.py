"""Printing an HTML page to PDF with the headless Chromium-family browser on the machine.

cslevels draws no PDF itself: the PDF is the HTML report as Chromium prints it, so
the page a client reads on screen and the one on paper are the same page.  The
browser is looked up in ``CSLEVELS_BROWSER`` (a path or a command name), then
under its usual command names on ``PATH``, then where the Chrome and Edge
installers put it on macOS and Windows.  Each print runs in a fresh temporary
profile with nothing but printing enabled, under a time limit, and leaves no file
behind however it ends.  Imported only when a PDF is asked for.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from cslevels.errors import OutputError
from cslevels.text import clean_line, shorten

BROWSER_ENV = "CSLEVELS_BROWSER"
TIMEOUT_ENV = "CSLEVELS_BROWSER_TIMEOUT"
DEFAULT_TIMEOUT = 60.0  # seconds; a report prints in about one

COMMAND_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                 "microsoft-edge", "msedge")
# Where installers put the browser when it is not on PATH (macOS apps, Windows).
KNOWN_PATHS = (
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
)
INSTALL = ("install chromium (on Debian and Ubuntu: apt install chromium), Google Chrome or "
           f"Microsoft Edge, or set {BROWSER_ENV} to one")

# A print and nothing else: no first-run pages, updates, sync or network chatter, and
# no date, URL or title stamped in the page margins (the report has its own footer).
PRINT_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_browser(environ: Mapping[str, str] | None = None) -> str:
    """The browser to print with, or an error that says what to install.

    A ``CSLEVELS_BROWSER`` that names nothing runnable is an error of its own rather
    than a reason to fall back to another browser: the user asked for that one.
    """
    env = os.environ if environ is None else environ
    path_var = env.get("PATH", os.defpath)
    chosen = env.get(BROWSER_ENV, "").strip()
    if chosen:
        found = chosen if _executable(chosen) else None
        if found is None and os.sep not in chosen and "/" not in chosen:
            found = shutil.which(chosen, path=path_var)
        if found is None:
            raise OutputError(
                f"no Chromium-family browser found: {BROWSER_ENV} is {chosen!r}, which is "
                "neither an executable file nor a command on PATH; set it to a Chromium, "
                "Chrome or Edge browser, or unset it to look for one on PATH",
                code="no-browser")
        return found
    for name in COMMAND_NAMES:
        found = shutil.which(name, path=path_var)
        if found:
            return found
    for known in KNOWN_PATHS:
        if _executable(known):
            return known
    raise OutputError(f"no Chromium-family browser found to print the PDF: {INSTALL}",
                      code="no-browser")


def print_timeout(environ: Mapping[str, str] | None = None) -> float:
    """Seconds a print may take (``CSLEVELS_BROWSER_TIMEOUT``, else a minute)."""
    raw = (os.environ if environ is None else environ).get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise OutputError(f"{TIMEOUT_ENV} must be a number of seconds above 0, not {raw!r}",
                          code="bad-timeout")
    return seconds


def browser_command(browser: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """The command line that prints ``page`` to ``pdf`` in the throw-away ``profile``."""
    flags = [*PRINT_FLAGS]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox
    return [browser, *flags, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
            page.as_uri()]


def print_pdf(html: str, *, browser: str | None = None, timeout: float | None = None) -> bytes:
    """``html`` printed to PDF by the browser; an ``OutputError`` if it cannot be."""
    browser = browser or find_browser()
    limit = print_timeout() if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="cslevels-pdf-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        page, pdf, profile = folder / "report.html", folder / "report.pdf", folder / "profile"
        page.write_text(html, encoding="utf-8")
        _run(browser_command(browser, page, pdf, profile), browser, limit)
        data = pdf.read_bytes() if pdf.is_file() else b""
    if not data.startswith(b"%PDF-"):
        raise OutputError(f"the browser {browser} ran but wrote no PDF", code="browser-failed",
                          hint=f"check that it is a Chromium-family browser, or set {BROWSER_ENV}")
    return data


def _run(command: Sequence[str], browser: str, limit: float) -> None:
    """Run the browser to the end, within ``limit`` seconds, and never leave it running."""
    posix = os.name == "posix"
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=posix)
    except OSError as exc:
        raise OutputError(f"cannot start the browser {browser}: {exc.strerror or exc}",
                          code="browser-failed", hint=INSTALL) from None
    try:
        _, err = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        raise OutputError(f"the browser {browser} did not finish printing within {limit:g} s",
                          code="browser-timeout",
                          hint=f"a larger {TIMEOUT_ENV} gives it longer") from None
    finally:
        if process.poll() is None:  # timed out or interrupted: it is still running
            _stop(process, posix)
    if process.returncode != 0:
        how = (f"was killed by signal {-process.returncode}" if process.returncode < 0
               else f"failed with exit code {process.returncode}")
        said = _last_line(err)
        raise OutputError(f"the browser {browser} {how} while printing the PDF"
                          + (f": {said}" if said else ""), code="browser-failed")


def _stop(process: subprocess.Popen[bytes], posix: bool) -> None:
    """End the browser and the helpers it started (its own process group on POSIX).

    Called only while the browser has not been reaped, so its id, which names the
    group, cannot belong to anyone else yet.
    """
    if posix:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()
    else:
        process.kill()
    process.communicate()


def _last_line(err: bytes) -> str:
    """What the browser said last on stderr, shortened and made safe to print."""
    lines = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
    return shorten(clean_line(lines[-1].strip()), 300) if lines else ""
