"""``compare`` in the terminal: the series, level changes, regressions first.

Untrusted text (subjects, notes, level names) goes through ``plain`` so it is
shown literally; status is always a word and a symbol, so the report reads
without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rich import box
from rich.cells import cell_len
from rich.console import RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cslevels.core.compare import Comparison, QuestionChange, Step, label
from cslevels.core.scoring import Result
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.terminal import capture, facts_grid, heading, id_table, plain
from cslevels.reporting.views import (
    CHANGE_TITLES,
    STATUS_LABELS,
    changed_question_ids,
    compared_answer_text,
    comparison_numbers,
    comparison_provenance,
    percent,
    result_short_level,
    signed,
    verdict_text,
)
from cslevels.text import clean

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None], top: float = 1.0) -> str:
    """One block per value on a fixed 0..top scale ('·' where there is none)."""
    out = []
    for value in values:
        if value is None or top <= 0:
            out.append("·")
            continue
        share = max(0.0, min(1.0, value / top))
        out.append(SPARKS[min(len(SPARKS) - 1, int(share * len(SPARKS)))])
    return "".join(out)



def header(comparison: Comparison) -> list[RenderableType]:
    newest = comparison.newest
    rubric = newest.rubric
    out: list[RenderableType] = [Text("Follow-up: ", style="bold")
                                 + plain(newest.answers.subject, "bold")]
    out.append(plain(f"Rubric: {rubric.title} ({rubric.id} {rubric.version})", "dim"))
    return out


def _level_cell(result: Result, previous: Result | None) -> Text:
    """The achieved level, with how it moved since the assessment before (the arrow and
    the number one word, so they never wrap apart)."""
    level = plain(result_short_level(result))
    if previous is not None and result.achieved_level is not None \
            and previous.achieved_level is not None:
        delta = result.achieved_level - previous.achieved_level
        if delta < 0:
            level += Text(f"  ▼{delta}", style="bold red")
        elif delta > 0:
            level += Text(f"  ▲+{delta}", style="green")
    return level


def _longest_word(texts: Sequence[str]) -> int:
    return max((cell_len(word) for text in texts for word in text.split()), default=1)


def assessments_table(comparison: Comparison) -> Table:
    """The assessments, one row each; every word stays whole (the answers files are in
    the technical details at the end)."""
    results = comparison.results
    previous: list[Result | None] = [None, *results[:-1]]
    levels = [_level_cell(result, before) for result, before in zip(results, previous,
                                                                     strict=True)]
    assessors = [clean(result.answers.assessor or "—") for result in results]
    table = Table(box=box.SIMPLE, title="Assessments, oldest first", title_justify="left",
                  pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("Date", no_wrap=True)
    table.add_column("Assessor", min_width=_longest_word(["Assessor", *assessors]))
    table.add_column("Achieved level",
                     min_width=_longest_word(["Achieved level",
                                              *(level.plain for level in levels)]))
    table.add_column("Index", justify="right")
    for n, result in enumerate(results):
        table.add_row(str(n + 1), label(result) if result.answers.date else "—",
                      plain(assessors[n]), levels[n],
                      "—" if result.index is None else f"{result.index:.1f}")
    return table


def trend(comparison: Comparison) -> Text:
    results = comparison.results
    levels = len(comparison.newest.levels)
    text = Text("Trend  ", style="bold")
    text.append("index ")
    text.append(sparkline([r.index for r in results], 100.0), style="cyan")
    if all(r.achieved_level is not None for r in results):
        text.append("   level ")
        text.append(sparkline([float(r.achieved_level or 0) for r in results], float(levels)),
                    style="cyan")
    first, last = results[0], results[-1]
    if first.index is not None and last.index is not None:
        text.append(f"   index {first.index:.1f} → {last.index:.1f} "
                    f"({signed(last.index - first.index, 1)})", style="dim")
    return text


def regression_panel(comparison: Comparison) -> Panel | None:
    if not comparison.regressed:
        return None
    step = comparison.latest
    body = Text()
    body.append(clean(f"{label(step.new)} is worse than {label(step.old)}:\n"), style="bold")
    for n, regression in enumerate(comparison.regressions):
        if n:
            body.append("\n")
        body.append("• ")
        body.append(plain(regression.message))
    return Panel(body, title="⚠ REGRESSION", title_align="left", border_style="bold red",
                 expand=False)


@dataclass(frozen=True)
class _Layout:
    """What the level table shows at a width (see :func:`_levels_layout`)."""

    shown: list[int]  # the assessments with a column
    trend: bool
    words: bool  # "✔ achieved" rather than "✔"
    compact: bool  # two spaces between columns, no edges (rather than box.SIMPLE's)
    longest_word: int


STATUS_WORDS = ("Status now", *STATUS_LABELS.values())  # the widest sets the column


def _levels_layout(comparison: Comparison, width: int) -> _Layout:
    """Which assessment columns, whether the trend and the status words fit: decoration
    goes first (the table's spacing, the trend, then the status words, then middle
    assessments), the level names never; they wrap between words.  The widths counted
    are the ones rich gives: each column its widest no-wrap cell, the level column its
    longest word, box.SIMPLE three cells between columns and one at each edge."""
    results = comparison.results
    shown = list(range(len(results)))
    max_columns = max(2, (width - 60) // 11)
    if len(shown) > max_columns:  # keep the first and the most recent ones
        shown = [0, *shown[-(max_columns - 1):]]
    names = [clean(name) for _id, name, _rank, _series in comparison.level_rows]
    longest_word = max((cell_len(w) for n in names for w in n.split()), default=5)
    rank_width = max(1, len(str(len(names))))
    status_width = max(map(cell_len, STATUS_WORDS))
    labels = [cell_len(clean(label(r))) for r in results]

    def need(layout: _Layout) -> int:
        cells = [rank_width, max(5, layout.longest_word),
                 *(max(4, labels[i]) for i in layout.shown), len("Change"),
                 *([max(5, len(results))] if layout.trend else []),
                 status_width if layout.words else len("Now")]
        spacing = 2 * (len(cells) - 1) if layout.compact else 3 * (len(cells) - 1) + 2
        return sum(cells) + spacing

    layout = _Layout(shown, True, True, False, longest_word)
    for change in ({"compact": True}, {"trend": False}, {"words": False}):
        if need(layout) <= width:
            return layout
        layout = replace(layout, **change)  # type: ignore[arg-type]
    while len(layout.shown) > 2 and need(layout) > width:
        layout = replace(layout, shown=[layout.shown[0], *layout.shown[2:]])
    return layout


def levels_table(comparison: Comparison, width: int) -> Table:
    results = comparison.results
    layout = _levels_layout(comparison, width)
    shown, trend, words = layout.shown, layout.trend, layout.words
    spacing = ({"show_edge": False, "padding": (0, 1, 0, 0)} if layout.compact
               else {"pad_edge": False})
    table = Table(box=box.SIMPLE, title="Level scores", title_justify="left",
                  **spacing)
    table.add_column("#", justify="right")
    table.add_column("Level", min_width=layout.longest_word)  # wraps between words, never cut
    for i in shown:
        table.add_column(clean(label(results[i])), justify="right", no_wrap=True)
    table.add_column("Change", justify="right", no_wrap=True)
    if trend:
        table.add_column("Trend", no_wrap=True)
    table.add_column("Status now" if words else "Now", no_wrap=True)
    latest = {c.id: c for c in comparison.latest.levels}
    for level_id, name, rank, series in comparison.level_rows:
        scores = [None if lv is None else lv.score for lv in series]
        change = latest.get(level_id)
        delta = None if change is None else change.delta
        dropped = change is not None and comparison.score_dropped(change)
        delta_text = Text(signed(None if delta is None else delta * 100),
                          style="bold red" if dropped else ("green" if (delta or 0) > 0 else ""))
        if dropped:
            delta_text.append(" ▼")
        now = series[-1]
        status = "—" if now is None else (STATUS_LABELS[now.status] if words
                                          else STATUS_LABELS[now.status].split()[0])
        trend_cells = [Text(sparkline(scores), style="cyan")] if trend else []
        table.add_row(str(rank), plain(name), *[percent(scores[i]) for i in shown], delta_text,
                      *trend_cells, status)
    return table


def _change_lines(change: QuestionChange, number: str) -> list[RenderableType]:
    """One changed answer: its points in a column of their own, and beside them, each
    wrapped under the other (never back to the left edge), the change, the question
    and the notes."""
    delta = change.delta
    style = {"improved": "green", "regressed": "red", "changed": "yellow"}[change.kind]
    points = "" if delta is None else f"{signed(delta * 100)} points"
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(width=13, justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    line = plain(number, "bold") + Text(": ")
    line += plain(f"{compared_answer_text(change.old)} → {compared_answer_text(change.new)}")
    grid.add_row(Text(points, style=style), line)
    grid.add_row("", plain(change.question.text, "dim"))
    if change.old.note and change.old.note != change.new.note:
        grid.add_row("", Text("before: ", style="dim") + plain(change.old.note))
    if change.new.note:
        grid.add_row("", Text("now: ", style="dim") + plain(change.new.note))
    return [grid]


def step_section(step: Step, latest: bool, numbers: dict[str, str]) -> list[RenderableType]:
    title = plain(f"{label(step.old)} → {label(step.new)}", "bold underline")
    out: list[RenderableType] = [Text(""), title]
    parts = []
    if step.old.achieved_level is not None and step.new.achieved_level is not None:
        parts.append(f"level {step.old.achieved_level} → {step.new.achieved_level} "
                     f"({signed(step.level_delta)})")
    if step.old.index is not None and step.new.index is not None:
        parts.append(f"index {step.old.index:.1f} → {step.new.index:.1f} "
                     f"({signed(step.index_delta, 1)})")
    if parts:
        out.append(Text(", ".join(parts)))
    if step.regressions and not latest:
        for regression in step.regressions:
            out.append(Text("⚠ regression: ", style="bold red") + plain(regression.message))
    groups = ((CHANGE_TITLES["regressed"], step.regressed, "bold red"),
              (CHANGE_TITLES["improved"], step.improved, "bold green"),
              (CHANGE_TITLES["changed"], step.changed, "bold yellow"))
    for title_text, changes, style in groups:
        if not changes:
            continue
        out.append(Text(f"{title_text} ({len(changes)})", style=style))
        for change in changes:
            out += _change_lines(change, numbers[change.key])
    if not (step.regressed or step.improved or step.changed):
        out.append(Text("No answer changed.", style="dim"))
    return out


def render_comparison(comparison: Comparison, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    out: list[RenderableType] = header(comparison)
    for warning in comparison.warnings:
        out.append(plain("⚠ " + warning, "yellow"))
    panel = regression_panel(comparison)
    if panel is not None:
        out.append(panel)
    out += [assessments_table(comparison), trend(comparison),
            levels_table(comparison, options.width)]
    numbers = comparison_numbers(comparison)
    for n, step in enumerate(comparison.steps):
        out += step_section(step, n == len(comparison.steps) - 1, numbers)
    if not comparison.regressed:
        out.append(Text(""))
        out.append(plain(verdict_text(comparison), "green"))
    out += [Text(""), *technical_details(comparison)]
    return capture(out, options)


def technical_details(comparison: Comparison) -> list[RenderableType]:
    """Where the follow-up comes from and the ids of the questions it numbers."""
    facts = comparison_provenance(comparison)
    ids = changed_question_ids(comparison)
    return [heading("Technical details"),
            facts_grid([*facts, *([("Question ids", id_table(ids))] if ids else [])])]
