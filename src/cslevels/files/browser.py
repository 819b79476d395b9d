"""Printing an HTML page to PDF with the headless Chromium-family browser on the machine.

cslevels draws no PDF itself: the PDF is the HTML report as Chromium prints it, so
the page a client reads on screen and the one on paper are the same page.  The
browser is looked up in ``CSLEVELS_BROWSER`` (a path or a command name), then
under its usual command names on ``PATH`` (a headless shell first: it starts much
faster than a whole browser), then where the Chrome and Edge installers put it on
macOS and Windows.  Each print runs in a fresh temporary
profile with nothing but printing enabled, under a time limit, and leaves no file
behind however it ends.  Imported only when a PDF is asked for.

On POSIX the browser is driven over ``--remote-debugging-pipe`` (the DevTools
protocol: JSON messages ending in a NUL byte, read on its fd 3, answered on fd 4),
so that it can be started *before* the page exists: :func:`start_early` launches it
while cslevels still loads, scores and renders (Chromium's start-up is most of a
PDF's time), and :func:`print_pdf` hands it the page.  There is no second attempt
with ``--print-to-pdf`` when the pipe fails: every Chromium-family browser that
prints headless speaks the pipe, and a retry would double the wait on a broken one.
A browser that exits, says nothing or hangs is reported as it was before the pipe.
Elsewhere (Windows) the browser prints with ``--print-to-pdf`` as one run.
"""

from __future__ import annotations

import atexit
import base64
import binascii
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cslevels.errors import OutputError
from cslevels.text import clean_line, shorten

BROWSER_ENV = "CSLEVELS_BROWSER"
TIMEOUT_ENV = "CSLEVELS_BROWSER_TIMEOUT"
DEFAULT_TIMEOUT = 60.0  # seconds; a report prints in about one

# The headless shells first: Chromium's printing engine without the browser around it, they
# start in a quarter of the time (0.17 s against 0.6 s for Chromium 156 here) and print the
# same page.  Debian packages it as chromium-headless-shell; Chrome for Testing
# ships it as chrome-headless-shell.
COMMAND_NAMES = ("chromium-headless-shell", "chrome-headless-shell", "chromium",
                 "chromium-browser", "google-chrome", "google-chrome-stable",
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
INSTALL = ("install chromium (on Debian and Ubuntu: apt install chromium; on Debian, "
           "chromium-headless-shell prints faster), Google Chrome or Microsoft Edge, or set "
           f"{BROWSER_ENV} to one")

# A print and nothing else: no first-run pages, updates, sync or network chatter.
PRINT_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# For the one-shot --print-to-pdf run: no date, URL or title stamped in the page margins
# (the report has its own footer), and the headings as the PDF's outline (the contents
# panel of a PDF reader).  Over the pipe, Page.printToPDF's parameters say the same: the
# headless shell refuses to start with these options beside --remote-debugging-pipe.
ONE_SHOT_FLAGS = ("--no-pdf-header-footer", "--generate-pdf-document-outline")


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
    """Seconds a print may take (``CSLEVELS_BROWSER_TIMEOUT``, else a minute), from when
    the page is handed over: a browser started early is not charged for cslevels' work."""
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


def _flags(profile: Path) -> list[str]:
    flags = [*PRINT_FLAGS]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox
    return [*flags, f"--user-data-dir={profile}"]


def browser_command(browser: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """The command line that prints ``page`` to ``pdf`` in the throw-away ``profile``."""
    return [browser, *_flags(profile), *ONE_SHOT_FLAGS, f"--print-to-pdf={pdf}",
            page.as_uri()]


def pipe_command(browser: str, profile: Path) -> list[str]:
    """The command line of a browser that waits for DevTools commands on fds 3 and 4.

    ``--no-startup-window``: without it, the window headless Chromium opens at start
    takes down the renderer of the page printed later (seen with Chromium 156).
    """
    return [browser, *_flags(profile), "--remote-debugging-pipe", "--no-startup-window"]


def print_pdf(html: str, *, browser: str | None = None, timeout: float | None = None) -> bytes:
    """``html`` printed to PDF by the browser; an ``OutputError`` if it cannot be.

    The browser :func:`start_early` started is used when it is the one asked for.
    """
    browser = browser or find_browser()
    limit = print_timeout() if timeout is None else timeout
    if os.name != "posix":
        return _print_once(html, browser, limit)
    global _early
    session, _early = _early, None
    if session is not None and session.browser != browser:
        session.close()
        session = None
    try:
        if session is None:
            session = _Pipe.launch(browser)
        data = session.print(html, limit)
    finally:
        if session is not None:
            session.close()
    return _checked(data, browser)


def _checked(data: bytes, browser: str) -> bytes:
    if not data.startswith(b"%PDF-"):
        raise OutputError(f"the browser {browser} ran but wrote no PDF", code="browser-failed",
                          hint=f"check that it is a Chromium-family browser, or set {BROWSER_ENV}")
    return data


def _print_once(html: str, browser: str, limit: float) -> bytes:
    """One ``--print-to-pdf`` run of the browser (where there is no pipe to drive it)."""
    with tempfile.TemporaryDirectory(prefix="cslevels-pdf-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        page, pdf, profile = folder / "report.html", folder / "report.pdf", folder / "profile"
        page.write_text(html, encoding="utf-8")
        _run(browser_command(browser, page, pdf, profile), browser, limit)
        data = pdf.read_bytes() if pdf.is_file() else b""
    return _checked(data, browser)


# ---------------------------------------------------------------- starting early


_early: _Pipe | None = None
_at_exit = False


def start_early(environ: Mapping[str, str] | None = None) -> None:
    """Start the browser now, so that it is ready when the page is: cheap, never raises.

    A browser that cannot be found or started is left for :func:`print_pdf` to report,
    exactly as without this.  The browser is stopped by :func:`stop_early` (the command
    line calls it when the command ends, however it ends), and at exit in any case.
    """
    global _early, _at_exit
    if os.name != "posix" or _early is not None:
        return
    try:
        print_timeout(environ)  # a setting print_pdf will refuse: no browser for nothing
        _early = _Pipe.launch(find_browser(environ))
    except (OutputError, OSError):
        return
    if not _at_exit:
        atexit.register(stop_early)
        _at_exit = True


def stop_early() -> None:
    """Stop the browser :func:`start_early` started, if no print took it (idempotent)."""
    global _early
    session, _early = _early, None
    if session is not None:
        session.close()


# ---------------------------------------------------------------- the DevTools pipe


class _Gone(Exception):
    """The browser closed its end of the pipe (it exited, or is exiting)."""


class _Pipe:
    """A browser driven over ``--remote-debugging-pipe``, in a temporary folder of its own
    (its profile, the page, what it says on stderr), removed by :meth:`close`."""

    def __init__(self, browser: str, folder: tempfile.TemporaryDirectory[str],
                 process: subprocess.Popen[bytes], to_browser: int, from_browser: int) -> None:
        self.browser, self.folder, self.process = browser, folder, process
        self.to_browser, self.from_browser = to_browser, from_browser
        self.buffer = bytearray()
        self.events: list[dict[str, Any]] = []
        self.last_id = 0
        self.target = self.send("Target.createTarget", {"url": "about:blank"})  # meanwhile

    @classmethod
    def launch(cls, browser: str) -> _Pipe:
        folder = tempfile.TemporaryDirectory(prefix="cslevels-pdf-", ignore_cleanup_errors=True)
        path = Path(folder.name)
        their_in, to_browser = os.pipe()
        from_browser, their_out = os.pipe()

        def on_fds_3_and_4() -> None:  # in the child, before exec: only os calls
            read, write = os.dup(their_in), os.dup(their_out)  # above 4, whatever they were
            os.dup2(read, 3)
            os.dup2(write, 4)

        try:
            with open(path / "stderr", "wb") as err:
                process = subprocess.Popen(
                    pipe_command(browser, path / "profile"), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
                    pass_fds=(3, 4), preexec_fn=on_fds_3_and_4)
        except OSError as exc:
            for fd in (their_in, to_browser, from_browser, their_out):
                os.close(fd)
            folder.cleanup()
            raise OutputError(f"cannot start the browser {browser}: {exc.strerror or exc}",
                              code="browser-failed", hint=INSTALL) from None
        os.close(their_in)
        os.close(their_out)
        return cls(browser, folder, process, to_browser, from_browser)

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> int:
        """Send one command; its id.  A browser already gone is found out when reading."""
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        with contextlib.suppress(OSError):
            os.write(self.to_browser, json.dumps(message).encode("utf-8") + b"\0")
        return self.last_id

    def reply(self, number: int, deadline: float) -> dict[str, Any]:
        """The result of command ``number``; the events before it are kept."""
        while True:
            message = self.receive(deadline)
            if message.get("id") == number:
                if "error" in message:
                    error = message["error"]
                    said = error.get("message", "") if isinstance(error, dict) else ""
                    raise OutputError(f"the browser {self.browser} could not print the PDF"
                                      + (f": {clean_line(str(said))}" if said else ""),
                                      code="browser-failed")
                result = message.get("result")
                return result if isinstance(result, dict) else {}
            self.events.append(message)

    def call(self, method: str, deadline: float, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:
        return self.reply(self.send(method, params, session), deadline)

    def receive(self, deadline: float) -> dict[str, Any]:
        """The next message, within ``deadline`` (a ``time.monotonic`` instant)."""
        while True:
            end = self.buffer.find(b"\0")
            if end >= 0:
                raw = bytes(self.buffer[:end])
                del self.buffer[:end + 1]
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue  # not the protocol: said nothing
                if isinstance(message, dict):
                    return message
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.from_browser], [], [], left)
            if ready:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise _Gone
                self.buffer += chunk

    def print(self, html: str, limit: float) -> bytes:
        """``html`` printed, within ``limit`` seconds from now; b"" if the browser said
        nothing of a PDF.  The page is a file, as with ``--print-to-pdf``: same origin,
        same rules."""
        page = Path(self.folder.name) / "report.html"
        page.write_text(html, encoding="utf-8")
        deadline = time.monotonic() + limit
        try:
            target = self.reply(self.target, deadline).get("targetId")
            session = self.call("Target.attachToTarget", deadline,
                                {"targetId": target, "flatten": True}).get("sessionId")
            if not isinstance(session, str):
                return b""
            self.call("Page.enable", deadline, session=session)
            navigated = self.call("Page.navigate", deadline, {"url": page.as_uri()}, session)
            if navigated.get("errorText"):
                raise OutputError(f"the browser {self.browser} could not open the page to print: "
                                  f"{clean_line(str(navigated['errorText']))}",
                                  code="browser-failed")
            self.wait_for_load(session, deadline)
            printed = self.call("Page.printToPDF", deadline, {
                "printBackground": True, "preferCSSPageSize": True,
                "displayHeaderFooter": False, "generateDocumentOutline": True}, session)
        except TimeoutError:
            raise self.timed_out(limit) from None
        except _Gone:
            self.after_exit(deadline, limit)
            return b""
        try:
            data = base64.b64decode(str(printed.get("data", "")), validate=True)
        except (binascii.Error, ValueError):
            return b""
        return data

    def wait_for_load(self, session: str, deadline: float) -> None:
        """Until the page's load event (its fonts and images are in), or an error if
        the page's renderer died on the way."""
        while True:
            for event in self.events:
                method = event.get("method")
                if method == "Page.loadEventFired" and event.get("sessionId") == session:
                    self.events.clear()
                    return
                if method in ("Inspector.detached", "Target.detachedFromTarget",
                              "Inspector.targetCrashed"):
                    raise OutputError(f"the browser {self.browser} lost the page while "
                                      "printing the PDF", code="browser-failed")
            self.events.clear()
            self.events.append(self.receive(deadline))

    def after_exit(self, deadline: float, limit: float) -> None:
        """The browser hung up: an error if it failed, nothing if it just ended."""
        if not self.ended(deadline - time.monotonic()):
            raise self.timed_out(limit)
        self.stop()
        if self.process.returncode != 0:
            raise _exit_error(self.browser, self.process.returncode, self.said())

    def timed_out(self, limit: float) -> OutputError:
        return OutputError(f"the browser {self.browser} did not finish printing within "
                           f"{limit:g} s", code="browser-timeout",
                           hint=f"a larger {TIMEOUT_ENV} gives it longer")

    def said(self) -> bytes:
        try:
            return (Path(self.folder.name) / "stderr").read_bytes()[-65536:]
        except OSError:
            return b""

    def ended(self, seconds: float) -> bool:
        """Whether the browser exits within ``seconds``, without reaping it: while it is
        not reaped its id, which names its process group, is nobody else's."""
        waitid = getattr(os, "waitid", None)
        if waitid is None:  # macOS: reaped, its helpers are left to end on their own
            try:
                self.process.wait(timeout=max(0.0, seconds))
            except subprocess.TimeoutExpired:
                return False
            return True
        end = time.monotonic() + seconds
        while waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            if time.monotonic() >= end:
                return False
            time.sleep(0.005)
        return True

    def stop(self) -> None:
        """Kill what is left of the browser's process group, and reap the browser."""
        if self.process.returncode is None:
            _stop(self.process, posix=True)

    def close(self) -> None:
        """End the browser with the helpers it started, and remove its folder.  Safe to
        call twice.  Killed, not asked to close: its profile is thrown away anyway, and
        ``Browser.close`` takes it half a second on a busy machine."""
        self.stop()
        for fd in (self.to_browser, self.from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.to_browser = self.from_browser = -1
        self.folder.cleanup()


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
        raise _exit_error(browser, process.returncode, err)


def _exit_error(browser: str, returncode: int, err: bytes) -> OutputError:
    how = (f"was killed by signal {-returncode}" if returncode < 0
           else f"failed with exit code {returncode}")
    said = _last_line(err)
    return OutputError(f"the browser {browser} {how} while printing the PDF"
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
