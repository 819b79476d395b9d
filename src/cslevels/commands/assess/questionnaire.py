"""``cslevels assess``: the questionnaire's state machine, with no I/O at all.

:class:`Questionnaire` knows where we are, what a typed line means and what to
show; it changes an ``AnswersDraft`` and nothing else, so it is tested without a
terminal.  The session (``session.py``) drives it; saving is ``saving.py``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from cslevels.core.models import (
    NA,
    NOTE_MAX_CHARS,
    Level,
    Option,
    Question,
    Rubric,
    Scale,
    question_key,
)
from cslevels.core.scoring import profile
from cslevels.files.drafts import AnswersDraft
from cslevels.reporting.views import REQUIRED_NOTE, STATUS_LABELS, percent
from cslevels.text import clean, clean_line

MAX_NOTE = NOTE_MAX_CHARS


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
    if len(folded) == 1:
        return folded[0]
    wanted = " ".join(typed.casefold().split())  # an option's label, in any case
    labelled = [o for _k, o in keys if " ".join(o.label.casefold().split()) == wanted]
    return labelled[0] if len(labelled) == 1 else None


def typed_text(line: str) -> str:
    """A line the user typed, as it may be stored: one line, no control characters."""
    return clean_line(line)


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
                                       question_key(level, question), n))
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

    def _advance(self) -> list[str]:
        """Move on; at the end of a level, one line on how it stands."""
        left = self.item
        self.index = self.index + 1 if self.review else self._next_unanswered(self.index)
        self.phase = "answer" if self.index < len(self.items) else "done"
        self.needs_screen = True
        if self.phase == "answer" and self.item.level is left.level:
            return []
        return [self.level_feedback(left.rank)]

    def level_feedback(self, rank: int) -> str:
        """How complete a level is and how it stands, by the scoring rules."""
        scores: dict[str, float | None] = {}
        for item in self.items:
            value = self.draft.value(item.key)
            if value is None:
                continue
            if value == NA:
                scores[item.key] = None
                continue
            option = self.rubric.scales[item.question.scale].option(value)
            if option is not None:
                scores[item.key] = option.score
        level = self.rubric.levels[rank - 1]
        level_score, _coverage, status = profile(self.rubric, scores).levels[rank - 1]
        answered = self.answered_count(level)
        threshold = self.rubric.level_threshold(level)
        standing = ("no score yet" if level_score is None else
                    f"score {percent(level_score)}, threshold {percent(threshold)}")
        return (f"Level {rank} ({clean_line(level.name)}): {answered} of "
                f"{len(level.questions)} answered; {STATUS_LABELS[status]} ({standing}).")

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
            rule = min(width, 80) - len(title)
            lines += [title + "=" * rule] if rule >= 3 else wrap(title.rstrip())
            if level.summary:
                lines += wrap(clean(level.summary))
            lines.append("")
        lines += wrap(
            f"Question {item.index + 1} of {len(self.items)} · level {item.rank} "
            f"({clean_line(level.name)}), question {item.in_level} of {len(level.questions)} · "
            f"{self.answered_count()} of {len(self.items)} answered")
        lines += wrap(clean(question.text))
        lines += _wrapper(width, "   ")(f"  ({clean_line(scale.label)})")
        option_wrap = _wrapper(width, " " * 7)
        for key, option in option_keys(scale):
            shown = "" if str(option.value) == key else f"  [{clean_line(option.value)}]"
            lines += option_wrap(f"  {key:>3}  {clean_line(option.label)}{shown}")
        if question.allow_na:
            lines.append("    n  n/a (does not apply here)")
        if question.required:
            lines += _wrapper(width, "  ")(f"  {REQUIRED_NOTE[0].upper()}{REQUIRED_NOTE[1:]}.")
        if self.draft.answered(item.key):
            lines += wrap(f"Current answer: {self.describe(item.key)} (press Enter to keep it)")
        return "\n".join(lines) + "\n"

    def prompt(self, width: int = 100) -> str:
        if self.phase == "note":
            if self.draft.note(self.item.key) is not None:
                return "Note (Enter keeps the current note, - removes it): "
            return "Note (Enter for none): "
        scale = self.rubric.scales[self.item.question.scale]
        keys = [k for k, _o in option_keys(scale)]
        choices = "/".join(keys) if len(keys) <= 7 else f"{keys[0]}-{keys[-1]}"
        na = ", n = n/a" if self.item.question.allow_na else ""
        full = f"Answer ({choices}{na}, ? = guidance, b = back, s = skip, q = quit): "
        if len(full) < width:
            return full
        return f"Answer ({choices}{', n' if na else ''}, ?, b, s, q): "  # the keys, shown above

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
            feedback = self._advance()
            return Step(([] if self.draft.answered(item.key)
                         else ["Skipped: it stays unanswered (missing)."]) + feedback)
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
            return Step(self._advance())
        if text == "-":
            changed = self.draft.set_note(key, None)
            feedback = self._advance()
            return Step((["Note removed."] if changed else []) + feedback, changed=changed)
        if len(text) > MAX_NOTE:
            return Step([f"That note is longer than {MAX_NOTE:,} characters; shorten it."])
        changed = self.draft.set_note(key, text)
        return Step(self._advance(), changed=changed)


def line_width(width: int) -> int:
    """How wide the questionnaire's lines are: the terminal's, at most 100 (easier to
    read), at least 20."""
    return max(20, min(width, 100))


def _wrapper(width: int, indent: str = "") -> Callable[[str], list[str]]:
    """Lines that fit the terminal, broken between words only (a word longer than the
    line stays whole rather than being cut); continuation lines start with ``indent``."""
    def wrap(text: str) -> list[str]:
        out: list[str] = []
        for paragraph in text.split("\n"):
            out += textwrap.wrap(paragraph, width=line_width(width),
                                 subsequent_indent=indent, break_long_words=False,
                                 break_on_hyphens=False) or [""]
        return out

    return wrap


def fit(text: str, width: int, indent: str = "") -> str:
    """``text`` wrapped to the terminal as the screens are (see :func:`_wrapper`)."""
    return "\n".join(_wrapper(width, indent)(text))


def command_lines(lead: str, command: str, width: int) -> str:
    """``lead`` then a command line to copy: on one line when it fits, else the command
    on a line of its own, indented and never broken (a broken command would run half)."""
    if len(lead) + 1 + len(command) <= line_width(width):
        return f"{lead} {command}"
    return f"{fit(lead, width)}\n  {command}"
