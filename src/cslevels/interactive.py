"""``cslevels assess``: the self-assessment questionnaire that never loses an answer.

Three parts, kept apart so each can be tested on its own:

- :class:`Questionnaire` is the state machine: where we are, what a typed line
  means, what to show.  It does no I/O; it changes an ``AnswersDraft``.
- :class:`Saver` writes the draft after every change (atomically, with Ctrl-C and
  hang-ups held back while it writes) and refuses to overwrite a file that
  something else changed meanwhile.
- :func:`run_assess` is the terminal driver: it reads lines, prints screens and
  turns every way of stopping into a message saying how to continue.

Exit codes: 0 finished or ``q``; 1 end of input (Ctrl-D), or a user error (bad
rubric, an existing file that is not an answers file for this rubric, a failed
save); 2 stdin is not a terminal and ``--no-tty`` was not given; 129 the terminal
was closed (SIGHUP); 130 Ctrl-C; 143 SIGTERM.  In every case each answer given
so far is already in the file.
"""

from __future__ import annotations

import datetime as dt
import shlex
import signal
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TextIO

from cslevels.answers_io import (
    AnswersDraft,
    ExistingAnswers,
    keep_copy,
    read_answers_for,
    save_answers,
)
from cslevels.errors import CslevelsError, InputError, OutputError
from cslevels.formats import RenderOptions
from cslevels.loading import LoadedRubric, RubricLibrary
from cslevels.models import NA, Level, Option, Question, Rubric, Scale
from cslevels.text import clean, clean_line

EXIT_DONE = 0
EXIT_EOF = 1
EXIT_NOT_A_TTY = 2
MAX_NOTE = 10_000
MAX_NAME = 1_000


# ---------------------------------------------------------------- options and keys


@dataclass(frozen=True)
class AssessOptions:
    """What ``cslevels assess`` was asked to do."""

    rubric: str
    output: Path
    subject: str | None = None
    assessor: str | None = None
    review: bool = False
    no_tty: bool = False
    rubrics_dirs: tuple[Path, ...] = ()

    def command(self) -> str:
        """The command line that continues this assessment."""
        parts = ["cslevels", "assess", self.rubric, "-o", str(self.output)]
        for folder in self.rubrics_dirs:
            parts += ["--rubrics-dir", str(folder)]
        return shlex.join(parts)

    def score_commands(self, rubric_id: str) -> list[str]:
        """Command lines that write the HTML and Markdown reports of the file."""
        extra: list[str] = []
        if self.rubric != rubric_id:  # given as a path: `score` cannot find it by id
            extra += ["--rubric", self.rubric]
        for folder in self.rubrics_dirs:
            extra += ["--rubrics-dir", str(folder)]
        out = self.output
        base = ["cslevels", "score", str(out), *extra]
        return [
            shlex.join([*base, "-o", str(out.with_name(out.stem + ".html"))]),
            shlex.join([*base, "--format", "markdown", "-o", str(out.with_name(out.stem + ".md"))]),
        ]


def option_keys(scale: Scale) -> list[tuple[str, Option]]:
    """What to type for each option.

    When every value is a number the value itself is the key (so "3" can only
    mean value 3); otherwise options are numbered 1, 2, ... and a value may also
    be typed as it is written.
    """
    if all(isinstance(o.value, int) for o in scale.options):
        return [(str(o.value), o) for o in scale.options]
    return [(str(n), o) for n, o in enumerate(scale.options, 1)]


def match_option(scale: Scale, typed: str) -> Option | None:
    """The option ``typed`` names (key, exact value, or value in any case)."""
    keys = option_keys(scale)
    for key, option in keys:
        if typed == key:
            return option
    for _key, option in keys:
        if isinstance(option.value, str) and option.value == typed:
            return option
    folded = [o for _k, o in keys if isinstance(o.value, str) and o.value.lower() == typed.lower()]
    return folded[0] if len(folded) == 1 else None


def typed_text(line: str) -> str:
    """A line the user typed, as it may be stored: one line, no control characters."""
    return clean_line(line)


# ---------------------------------------------------------------- the state machine


@dataclass(frozen=True)
class Item:
    """One question with where it sits in the rubric."""

    index: int
    rank: int
    level: Level
    question: Question
    key: str
    in_level: int  # 1-based position within its level


@dataclass
class Step:
    """What handling one typed line did: lines to show; whether the draft changed."""

    messages: list[str] = field(default_factory=list)
    changed: bool = False


class Questionnaire:
    """Where the questionnaire is and what each typed line means; no I/O here.

    Phases: "answer" (waiting for an option or a command), "note" (an optional
    note for the answer just given), "done" (every question visited), "quit".
    Normally the next question is the next unanswered one; in review mode every
    question is visited with its current answer pre-selected.
    """

    def __init__(self, rubric: Rubric, draft: AnswersDraft, *, review: bool = False) -> None:
        self.rubric = rubric
        self.draft = draft
        self.review = review
        self.items: list[Item] = []
        for rank, level in enumerate(rubric.levels, 1):
            for n, question in enumerate(level.questions, 1):
                self.items.append(Item(len(self.items), rank, level, question,
                                       f"{level.id}.{question.id}", n))
        self.index = 0 if review else self._next_unanswered(-1)
        self.phase = "answer" if self.index < len(self.items) else "done"
        self.shown_level: str | None = None
        self.needs_screen = True

    # -- state

    @property
    def finished(self) -> bool:
        return self.phase in ("done", "quit")

    @property
    def item(self) -> Item:
        return self.items[self.index]

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]

    def answered_count(self, level: Level | None = None) -> int:
        return sum(1 for i in self.items
                   if (level is None or i.level is level) and self.draft.answered(i.key))

    def unanswered(self) -> list[str]:
        return [i.key for i in self.items if not self.draft.answered(i.key)]

    def start_review(self) -> None:
        self.review = True
        self.index = 0
        self.phase = "answer" if self.items else "done"
        self.needs_screen = True

    def _next_unanswered(self, after: int) -> int:
        for item in self.items[after + 1:]:
            if not self.draft.answered(item.key):
                return item.index
        return len(self.items)

    def _advance(self) -> None:
        self.index = self.index + 1 if self.review else self._next_unanswered(self.index)
        self.phase = "answer" if self.index < len(self.items) else "done"
        self.needs_screen = True

    # -- what to show

    def describe(self, key: str) -> str:
        """A question's current answer, e.g. "2 (Sometimes)" or "n/a"."""
        value = self.draft.value(key)
        if value is None:
            return "not answered"
        if value == NA:
            return "n/a"
        found = self.rubric.find(key)
        option = self.rubric.scales[found[1].scale].option(value) if found else None
        return f"{value} ({clean_line(option.label)})" if option else clean_line(value)

    def screen(self, width: int = 100) -> str:
        """The question as shown when arriving at it (with its level's header)."""
        self.needs_screen = False
        item = self.item
        level, question = item.level, item.question
        scale = self.rubric.scales[question.scale]
        wrap = _wrapper(width)
        lines: list[str] = [""]
        if self.shown_level != level.id:
            self.shown_level = level.id
            title = f"== Level {item.rank} of {len(self.rubric.levels)}: {clean_line(level.name)} "
            lines.append(title + "=" * max(3, min(width, 80) - len(title)))
            if level.summary:
                lines += wrap(clean(level.summary))
            lines.append("")
        lines.append(
            f"Question {item.index + 1} of {len(self.items)} · level {item.rank} "
            f"({clean_line(level.name)}), question {item.in_level} of {len(level.questions)} · "
            f"{self.answered_count()} of {len(self.items)} answered")
        lines += wrap(clean(question.text))
        lines.append(f"  ({clean_line(scale.label)})")
        for key, option in option_keys(scale):
            shown = "" if str(option.value) == key else f"  [{clean_line(option.value)}]"
            lines.append(f"  {key:>3}  {clean_line(option.label)}{shown}")
        if question.allow_na:
            lines.append("    n  n/a (does not apply here)")
        if question.required:
            lines.append("  Required: the level needs this answer at or above its threshold.")
        if self.draft.answered(item.key):
            lines.append(f"Current answer: {self.describe(item.key)} (press Enter to keep it)")
        return "\n".join(lines) + "\n"

    def prompt(self) -> str:
        if self.phase == "note":
            if self.draft.note(self.item.key) is not None:
                return "Note (Enter keeps the current note, - removes it): "
            return "Note (Enter for none): "
        scale = self.rubric.scales[self.item.question.scale]
        keys = [k for k, _o in option_keys(scale)]
        choices = "/".join(keys) if len(keys) <= 7 else f"{keys[0]}-{keys[-1]}"
        na = ", n = n/a" if self.item.question.allow_na else ""
        return f"Answer ({choices}{na}, ? = guidance, b = back, s = skip, q = quit): "

    # -- what a typed line does

    def handle(self, line: str) -> Step:
        if self.phase == "note":
            return self._handle_note(line)
        if self.phase != "answer":
            raise RuntimeError(f"no question is waiting for an answer (phase {self.phase})")
        return self._handle_answer(line.strip())

    def _handle_answer(self, typed: str) -> Step:
        item = self.item
        question = item.question
        command = typed.lower()
        if typed == "":
            if self.draft.answered(item.key):
                self.phase = "note"
                return Step()
            return Step(["Type one of the options (or s to skip, ? for guidance)."])
        if command == "?":
            text = question.guidance or "This question has no guidance."
            return Step(["Guidance: " + clean(text)])
        if command == "b":
            if self.index == 0:
                return Step(["This is the first question."])
            self.index -= 1
            self.needs_screen = True
            return Step()
        if command == "s":
            self._advance()
            return Step([] if self.draft.answered(item.key)
                        else ["Skipped: it stays unanswered (missing)."])
        if command == "q":
            self.phase = "quit"
            return Step()
        if command in ("n", NA):
            if not question.allow_na:
                return Step(["This question does not allow n/a: choose one of the options "
                             "(or s to skip)."])
            changed = self.draft.set_value(item.key, NA)
            self.phase = "note"
            return Step(changed=changed)
        option = match_option(self.rubric.scales[question.scale], typed)
        if option is None:
            return Step([f"Not an answer: {clean_line(typed)[:40]!r}. {self._choices_hint()}"])
        changed = self.draft.set_value(item.key, option.value)
        self.phase = "note"
        return Step(changed=changed)

    def _choices_hint(self) -> str:
        scale = self.rubric.scales[self.item.question.scale]
        keys = ", ".join(k for k, _o in option_keys(scale))
        na = ", n for n/a" if self.item.question.allow_na else ""
        return f"Type one of {keys}{na}; ? for guidance, b, s or q."

    def _handle_note(self, line: str) -> Step:
        key = self.item.key
        text = typed_text(line)
        if text == "":
            self._advance()
            return Step()
        if text == "-":
            changed = self.draft.set_note(key, None)
            self._advance()
            return Step(["Note removed."] if changed else [], changed=changed)
        if len(text) > MAX_NOTE:
            return Step([f"That note is longer than {MAX_NOTE:,} characters; shorten it."])
        changed = self.draft.set_note(key, text)
        self._advance()
        return Step(changed=changed)


def _wrapper(width: int) -> Callable[[str], list[str]]:
    def wrap(text: str) -> list[str]:
        out: list[str] = []
        for paragraph in text.split("\n"):
            out += textwrap.wrap(paragraph, width=max(40, min(width, 100))) or [""]
        return out

    return wrap


# ---------------------------------------------------------------- signals and saving


class TerminalLost(Exception):
    """Reading from or writing to the terminal failed (it was closed)."""


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


# ---------------------------------------------------------------- terminal I/O


class LineIO:
    """Prompts and lines on a terminal, or plain lines on a pipe (``--no-tty``)."""

    def __init__(self, stdin: TextIO, stdout: TextIO, stderr: TextIO, *, tty: bool,
                 width: int = 100) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.tty = tty
        self.width = width

    def write(self, text: str) -> None:
        try:
            self.stdout.write(text)
            self.stdout.flush()
        except OSError as exc:
            raise TerminalLost(str(exc)) from None

    def say(self, text: str) -> None:
        self.write(text + "\n")

    def error(self, text: str) -> None:
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def read(self, prompt: str) -> str:
        """One line (without its newline); EOFError at end of input."""
        self.write(prompt if self.tty else prompt + "\n")
        try:
            line = self.stdin.readline()
        except OSError as exc:
            raise TerminalLost(str(exc)) from None
        if line == "":
            raise EOFError
        return line.rstrip("\r\n")


def _ask_name(io: LineIO, prompt: str, *, required: bool, limit: int) -> str | None:
    while True:
        text = typed_text(io.read(prompt))
        if not text:
            if not required:
                return None
            io.say("This is needed: type a name.")
        elif len(text) > limit:
            io.say(f"That is longer than {limit:,} characters.")
        else:
            return text


# ---------------------------------------------------------------- the command


@dataclass
class _Run:
    options: AssessOptions
    io: LineIO
    guard: SignalGuard
    saver: Saver | None = None
    machine: Questionnaire | None = None

    def saved_line(self) -> str:
        out = self.options.output
        if self.saver is None or not self.saver.exists:
            return f"Nothing was saved; {out} was not created."
        total = len(self.machine.items) if self.machine else 0
        return f"{self.saver.answered} of {total} questions answered, saved in {out}."

    def stop_message(self, why: str) -> str:
        lines = [f"{why} {self.saved_line()}"]
        lines.append(f"To continue: {self.options.command()}")
        return "\n".join(lines)


def _stdin_is_tty(stdin: TextIO) -> bool:
    try:
        return stdin.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def run_assess(options: AssessOptions, render: RenderOptions | None = None, *,
               stdin: TextIO | None = None, stdout: TextIO | None = None,
               stderr: TextIO | None = None, today: dt.date | None = None) -> int:
    """Run the questionnaire; returns the exit code (user errors are raised)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    render = render or RenderOptions()
    if not options.no_tty and not _stdin_is_tty(stdin):
        stderr.write("error: cslevels assess is interactive, but its input is not a terminal; "
                     "run it in a terminal, or add --no-tty to read answers line by line from "
                     "stdin\n")
        return EXIT_NOT_A_TTY
    reconfigure = getattr(stdin, "reconfigure", None)
    if reconfigure is not None:
        with suppress(Exception):
            reconfigure(errors="replace")  # a stray invalid byte must not crash the session
    io = LineIO(stdin, stdout, stderr, tty=not options.no_tty, width=render.width)
    guard = SignalGuard()
    run = _Run(options, io, guard)
    with guard:
        try:
            return _assess(run, guard, render, today or dt.date.today())
        except KeyboardInterrupt:
            _quietly(io, "\n" + run.stop_message("Interrupted."))
            return 130
        except EOFError:
            _quietly(io, "\n" + run.stop_message("End of input."))
            return EXIT_EOF
        except Stopped as stop:
            guard.ignore_all()
            _detach_terminal(stop.signum)
            why = ("The terminal was closed." if stop.signum == getattr(signal, "SIGHUP", None)
                   else f"Stopped by signal {stop.signum}.")
            _quietly(io, "\n" + run.stop_message(why))
            return 128 + stop.signum
        except TerminalLost:  # the terminal went away under a read or a write
            guard.ignore_all()
            _detach_terminal(signal.SIGHUP)
            _quietly(io, "\n" + run.stop_message("The terminal was lost."))
            return 128 + signal.SIGHUP
        except CslevelsError:
            raise
        except Exception:
            _quietly(io, "\ncslevels assess stopped on an unexpected error (a bug). "
                     + run.stop_message(""))
            raise


def _quietly(io: LineIO, text: str) -> None:
    with suppress(OSError, ValueError):
        io.error(text)


def _detach_terminal(signum: int) -> None:
    """After a hang-up, writes to the dead terminal would fail: send them nowhere."""
    if signum != getattr(signal, "SIGHUP", None):
        return
    import os

    with suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            with suppress(OSError):
                if os.isatty(fd):
                    os.dup2(devnull, fd)


def _assess(run: _Run, guard: SignalGuard, render: RenderOptions, today: dt.date) -> int:
    options, io = run.options, run.io
    library = RubricLibrary(options.rubrics_dirs)
    loaded = library.resolve(options.rubric)
    rubric = loaded.rubric
    path = options.output
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write: folder {str(folder)!r} does not exist", path=str(path),
                          code="no-folder")
    existing: ExistingAnswers | None = None
    if path.exists() or path.is_symlink():
        existing = read_answers_for(path, loaded, library)
    keys = rubric.question_keys()
    io.say(f"{clean_line(rubric.title)} ({rubric.id} {clean_line(rubric.version)}): "
           f"{len(rubric.levels)} levels, {len(keys)} questions.")
    if existing is None:
        draft = _new_draft(run, rubric, today)
        run.saver = Saver(path, keys, guard)
        run.machine = Questionnaire(rubric, draft, review=options.review)
        run.saver.save(draft)
        io.say(f"Saving to {path} after every answer. Ctrl-C or q stops; the same command "
               "continues.")
    else:
        draft = existing.draft
        _check_metadata(run, draft, today)
        for finding in existing.warnings:
            io.say(f"Note: {clean_line(finding.message)}")
        run.saver = Saver(path, keys, guard, existing)
        run.machine = Questionnaire(rubric, draft, review=options.review)
        if not _resume(run, loaded):
            return _quit(run)
    return _loop(run, render, loaded)


def _new_draft(run: _Run, rubric: Rubric, today: dt.date) -> AnswersDraft:
    options, io = run.options, run.io
    subject = options.subject
    if subject is not None:
        subject = typed_text(subject)
        if not subject or len(subject) > MAX_NAME:
            raise InputError("--subject must be a name of 1 to 1,000 characters",
                             code="bad-subject")
    else:
        subject = _ask_name(io, f"Subject (the {clean_line(rubric.subject)} assessed): ",
                            required=True, limit=MAX_NAME)
    assessor = options.assessor
    if assessor is not None:
        assessor = typed_text(assessor) or None
        if assessor is not None and len(assessor) > MAX_NAME:
            raise InputError("--assessor is longer than 1,000 characters", code="bad-assessor")
    else:
        assessor = _ask_name(io, "Assessor (your name; Enter to leave it out): ",
                             required=False, limit=MAX_NAME)
    assert subject is not None
    return AnswersDraft.new(rubric, subject, assessor, today)


def _check_metadata(run: _Run, draft: AnswersDraft, today: dt.date) -> None:
    """An existing file keeps its subject, assessor and date; a clash is refused."""
    options = run.options
    path = str(options.output)
    if options.subject is not None and typed_text(options.subject) != draft.subject:
        raise InputError(
            f"this file assesses {draft.subject!r}, not {typed_text(options.subject)!r}; "
            "it was left untouched", path=path, code="subject-mismatch",
            hint="leave out --subject to continue it, or choose another -o file")
    if options.assessor is not None:
        assessor = typed_text(options.assessor) or None
        if draft.assessor is None:
            draft.assessor = assessor  # saved with the next answer
        elif assessor != draft.assessor:
            run.io.say(f"Note: keeping the file's assessor {clean_line(draft.assessor)!r}.")
    if draft.date is None:
        draft.date = today


def _resume(run: _Run, loaded: LoadedRubric) -> bool:
    """Show what is already answered and offer a review; False to quit now."""
    io, machine = run.io, run.machine
    assert machine is not None
    draft = machine.draft
    total = len(machine.items)
    who = f", assessed by {clean_line(draft.assessor)}" if draft.assessor else ""
    when = f" on {draft.date.isoformat()}" if draft.date else ""
    io.say(f"Continuing {run.options.output}: {clean_line(draft.subject)}{who}{when}.")
    io.say(f"{machine.answered_count()} of {total} questions answered:")
    for rank, level in enumerate(loaded.rubric.levels, 1):
        io.say(f"  Level {rank} {clean_line(level.name)}: {machine.answered_count(level)} of "
               f"{len(level.questions)}")
        for question in level.questions:
            key = f"{level.id}.{question.id}"
            if draft.answered(key):
                io.say(f"    {question.id}: {machine.describe(key)}")
    if run.options.review or not io.tty:
        return True
    left = machine.unanswered()
    while True:
        if left:
            first = machine.item.index + 1
            prompt = (f"Enter = continue with question {first} of {total}, r = review every "
                      "answer from the start, q = quit: ")
        else:
            prompt = "Every question is answered. Enter = see the result, r = review, q = quit: "
        choice = io.read(prompt).strip().lower()
        if choice == "":
            return True
        if choice == "r":
            machine.start_review()
            return True
        if choice == "q":
            return False
        io.say("Type Enter, r or q.")


def _loop(run: _Run, render: RenderOptions, loaded: LoadedRubric) -> int:
    io, machine, saver = run.io, run.machine, run.saver
    assert machine is not None and saver is not None
    while not machine.finished:
        if machine.needs_screen and machine.phase == "answer":
            io.write(machine.screen(io.width))
        line = io.read(machine.prompt())
        key = machine.item.key
        with run.guard.deferred():  # the change and its save happen together, or neither
            step = machine.handle(line)
            if step.changed:
                saver.save(machine.draft, unsaved=f"the answer to {key}")
            if saver.copy is not None and saver.saves == 1:
                io.say(f"(The original file was kept as {saver.copy}: its comments and layout "
                       "are not carried over.)")
        for message in step.messages:
            io.say(message)
    if machine.phase == "quit":
        return _quit(run)
    return _finish(run, render, loaded)


def _quit(run: _Run) -> int:
    run.io.say("")
    run.io.say(run.stop_message("Stopped."))
    return EXIT_DONE


def _finish(run: _Run, render: RenderOptions, loaded: LoadedRubric) -> int:
    from cslevels.assessment import score_loaded
    from cslevels.formats import SCORE_FORMATS
    from cslevels.loading import load_answers

    io, machine, options = run.io, run.machine, run.options
    assert machine is not None
    left = machine.unanswered()
    io.say("")
    io.say(f"Done: {run.saved_line()}")
    if left:
        io.say(f"{len(left)} question(s) left unanswered (missing, never counted as zero); "
               f"to answer them: {options.command()}")
    if run.saver is not None and not run.saver.exists:  # nothing to score
        return EXIT_DONE
    answers = load_answers(options.output, RubricLibrary(options.rubrics_dirs), loaded)
    result = score_loaded(answers)
    io.write("\n" + SCORE_FORMATS.render("terminal", [result], render))
    io.say("")
    io.say("Reports:")
    for command in options.score_commands(loaded.rubric.id):
        io.say(f"  {command}")
    return EXIT_DONE
