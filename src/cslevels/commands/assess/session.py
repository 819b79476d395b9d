"""``cslevels assess``: the terminal session of the questionnaire that never loses an answer.

Three parts, kept apart so each can be tested on its own:

- ``questionnaire.py``, the state machine: where we are, what a typed line
  means, what to show.  It does no I/O; it changes an ``AnswersDraft``.
- ``saving.py``: the draft written after every change, atomically, never over a
  file that something else changed meanwhile.
- here, :func:`run_assess`, the terminal driver: it reads lines, prints screens and
  turns every way of stopping into a message saying how to continue.

Exit codes: 0 finished or ``q``; 1 end of input (Ctrl-D), or a user error (bad
rubric, an existing file that is not an answers file for this rubric, a failed
save); 2 stdin is not a terminal and ``--no-tty`` was not given; 129 the terminal
was closed (SIGHUP); 130 Ctrl-C; 143 SIGTERM.  In every case each answer given
so far is already in the file.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cslevels.commands.assess.questionnaire import Questionnaire, command_lines, fit, typed_text
from cslevels.commands.assess.saving import Saver, SignalGuard, Stopped
from cslevels.core.documents import LoadedRubric
from cslevels.core.models import NAME_MAX_CHARS, Rubric, question_key
from cslevels.errors import CslevelsError, InputError, OutputError
from cslevels.files.drafts import (
    AnswersDraft,
    ExistingAnswers,
    read_answers_for,
)
from cslevels.files.library import RubricLibrary
from cslevels.files.locking import exclusive
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.views import placeholder_subject
from cslevels.text import clean, clean_line, shell_join

EXIT_DONE = 0
EXIT_EOF = 1
EXIT_NOT_A_TTY = 2
MAX_NAME = NAME_MAX_CHARS


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
        return shell_join(parts)

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
            shell_join([*base, "-o", str(out.with_name(out.stem + ".html"))]),
            shell_join([*base, "--format", "markdown", "-o", str(out.with_name(out.stem + ".md"))]),
        ]


# ---------------------------------------------------------------- the state machine


# ---------------------------------------------------------------- signals and saving


# ---------------------------------------------------------------- terminal I/O


class TerminalLost(Exception):
    """Reading from or writing to the terminal failed (it was closed)."""


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

    def say(self, text: str, indent: str = "") -> None:
        """``text`` as lines that fit the terminal (continued after ``indent``)."""
        self.write(fit(text, self.width, indent) + "\n")

    def error(self, text: str) -> None:
        """Already fitted text (see :meth:`_Run.stop_message`), on stderr."""
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def read(self, prompt: str) -> str:
        """One line (without its newline); EOFError at end of input.

        A prompt wider than the terminal is wrapped between words, the answer
        typed after its last line."""
        lead, _, last = fit(prompt.rstrip(" "), self.width).rpartition("\n")
        prompt = (lead + "\n" if lead else "") + last + prompt[len(prompt.rstrip(" ")):]
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
        out = clean(str(self.options.output))
        if self.saver is None or not self.saver.exists:
            return f"Nothing was saved; {out} was not created."
        total = len(self.machine.items) if self.machine else 0
        return f"{self.saver.answered} of {total} questions answered, saved in {out}."

    def stop_message(self, why: str) -> str:
        """Why it stopped, what is saved and the command that continues, fitted."""
        width = self.io.width
        return "\n".join([fit(f"{why} {self.saved_line()}".strip(), width),
                          command_lines("To continue:", self.options.command(), width)])


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
    options = run.options
    library = RubricLibrary(options.rubrics_dirs)
    loaded = library.resolve(options.rubric)
    path = options.output
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write: folder {str(folder)!r} does not exist", path=str(path),
                          code="no-folder")
    with exclusive(path):  # one assess per file: held from the read to the last save
        return _assess_locked(run, render, today, library, loaded)


def _assess_locked(run: _Run, render: RenderOptions, today: dt.date, library: RubricLibrary,
                   loaded: LoadedRubric) -> int:
    options, io, guard = run.options, run.io, run.guard
    rubric = loaded.rubric
    path = options.output
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
        io.say(f"Saving to {clean(str(path))} after every answer. Ctrl-C or q stops; the same "
               "command continues.")
    else:
        draft = existing.draft
        _check_metadata(run, draft, today, rubric)
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


def _check_metadata(run: _Run, draft: AnswersDraft, today: dt.date, rubric: Rubric) -> None:
    """An existing file keeps its subject, assessor and date; a clash is refused."""
    options = run.options
    path = str(options.output)
    if draft.subject == placeholder_subject(rubric):
        # a blank template's placeholder: ask for the real name (or take --subject)
        named = (typed_text(options.subject) if options.subject is not None
                 else _ask_name(run.io, "Subject (the template's placeholder "
                                f"{clean_line(draft.subject)} is not a name): ",
                                required=True, limit=MAX_NAME))
        assert named is not None
        draft.subject = named
        return _check_metadata(run, draft, today, rubric)
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
               f"{len(level.questions)}", indent="    ")
        for question in level.questions:
            key = question_key(level, question)
            if draft.answered(key):
                io.say(f"    {question.id}: {machine.describe(key)}", indent="      ")
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
        line = io.read(machine.prompt(io.width))
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
    run.io.write(run.stop_message("Stopped.") + "\n")
    if run.saver is not None and run.saver.exists and run.machine is not None \
            and run.machine.unanswered():
        extra = run.options.score_commands(run.machine.rubric.id)[0].split(" -o ")[0]
        run.io.write(command_lines("To score it as it is:", extra, run.io.width) + "\n")
        run.io.say("The result will be marked as a draft, resting on partial answers.")
    return EXIT_DONE


def _finish(run: _Run, render: RenderOptions, loaded: LoadedRubric) -> int:
    from cslevels.core.scoring import score_loaded
    from cslevels.files.loading import load_answers
    from cslevels.reporting.formats import SCORE_FORMATS

    io, machine, options = run.io, run.machine, run.options
    assert machine is not None
    left = machine.unanswered()
    io.say("")
    io.say(f"Done: {run.saved_line()}")
    if left:
        io.write(command_lines(f"{len(left)} question(s) left unanswered (missing, never "
                               "counted as zero); to answer them:", options.command(),
                               io.width) + "\n")
    if run.saver is not None and not run.saver.exists:  # nothing to score
        return EXIT_DONE
    answers = load_answers(options.output, RubricLibrary(options.rubrics_dirs), loaded)
    result = score_loaded(answers)
    io.write("\n" + SCORE_FORMATS.render_text("terminal", [result], render))
    io.say("")
    io.say("Reports:")
    for command in options.score_commands(loaded.rubric.id):
        io.write(f"  {command}\n")  # whole, to copy
    return EXIT_DONE
