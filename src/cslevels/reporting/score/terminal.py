"""Rich terminal output: the score report and the readable questionnaire.

Every string from a rubric or answers file goes through :func:`plain`, which
strips control characters and wraps it in ``Text`` so rich never reads it as
markup.  The layout stays readable without colour: status is always a word and
a symbol, bars are drawn with block characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cslevels.core.plan import Plan, PlanStep, improvement_plan, overview
from cslevels.core.scoring import LevelResult, Result
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit.terminal import (
    bar,
    capture,
    facts_grid,
    heading,
    id_table,
    plain,
    status_text,
)
from cslevels.reporting.views import (
    MAX_RATER_COLUMNS,
    blocker_text,
    completeness_text,
    executive_points,
    index_scope_text,
    level_label,
    method_facts,
    nothing_answered_text,
    paragraphs,
    partial_mark,
    percent,
    plan_intro,
    provenance_facts,
    question_numbers,
    rater_answer_text,
    rater_summary_line,
    score_percent,
    spread_text,
    stage_status_text,
    stage_title,
    step_change_text,
)
from cslevels.text import clean

if TYPE_CHECKING:  # the combine code is imported only for --combine
    from cslevels.core.combine import RaterSpread

TABLE_FIXED = 40  # '#', score, answered, status and the gaps between them, in cells
MAX_WIDTH = 110  # prose wider than this is hard to read, however wide the terminal


def _name_width(result: Result) -> int:
    return max(len(clean(lv.name)) for lv in result.levels) + 2  # + the '▶ ' marker


def fits_table(result: Result, width: int) -> bool:
    """Whether the levels table fits without breaking level names."""
    return width >= TABLE_FIXED + min(_name_width(result), 34)


def bar_width(result: Result, width: int) -> int:
    """Room for the score bar beside the other columns; 0 leaves it out."""
    if not fits_table(result, width):
        return 0
    room = width - TABLE_FIXED - _name_width(result) - 3
    return 0 if room < 8 else min(20, room)


def levels_table(result: Result, width: int = 100) -> RenderableType:
    """Every level's score, coverage and status, whatever the method (the profile)."""
    if not fits_table(result, width):
        return levels_list(result)
    bars = bar_width(result, width)
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False, show_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Level", overflow="fold")
    table.add_column("Score", justify="right", no_wrap=True)
    if bars:
        table.add_column("", no_wrap=True)
    table.add_column("Answered", justify="right", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for level in result.levels:
        cells: list[RenderableType] = [str(level.rank), level_name(result, level),
                                       score_percent(level)]
        if bars:
            cells.append(bar(level.score, level.threshold, bars))
        cells += [percent(level.coverage), status_text(level.status)]
        table.add_row(*cells)
    return table


def level_name(result: Result, level: LevelResult) -> Text:
    marker = Text("▶ ", style="bold") if result.achieved_level == level.rank else Text("")
    return marker + plain(level.name, "bold" if level.achieved else "")


def levels_list(result: Result) -> RenderableType:
    """The levels for a narrow terminal: name on one line, numbers under it."""
    rows: list[tuple[str, RenderableType]] = []
    for level in result.levels:
        body = level_name(result, level)
        body.append("\n")
        body.append_text(status_text(level.status))
        body.append(f" · score {score_percent(level)} · answered {percent(level.coverage)}")
        rows.append((f"{level.rank}.", body))
    return numbered(rows, indent=0)


def header(result: Result) -> Table:
    answers = result.answers
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("Subject", plain(answers.subject, "bold"))
    grid.add_row("Rubric", plain(result.rubric.title))
    if answers.assessor:
        grid.add_row("Assessor", plain(answers.assessor))
    if answers.prepared_for:
        grid.add_row("Prepared for", plain(answers.prepared_for))
    if answers.date:
        grid.add_row("Date", answers.date.isoformat())
    return grid


def headline(result: Result) -> Panel:
    """The achieved level, big and plain: the first thing a reader looks for."""
    total = len(result.levels)
    if result.achieved is not None:
        title = Text(f"Achieved level {result.achieved.rank} of {total}: ", style="bold")
        title.append_text(plain(result.achieved.name, "bold green"))
    elif result.achieved_level == 0:
        title = Text(f"No level achieved yet (level 0 of {total})", style="bold yellow")
    else:
        title = Text(clean(level_label(result)), style="bold")
    title.append(partial_mark(result), style="bold yellow")
    if result.achieved is not None and result.achieved.level.summary:
        title.append("\n")
        title.append(clean(result.achieved.level.summary), style="italic")
    index = "—" if result.index is None else f"{result.index:.1f}"
    title.append(f"\nIndex {index} / 100", style="bold")
    title.append(f"  ({index_scope_text(result)})", style="dim")
    return Panel(title, title="Result", title_align="left",
                 border_style="yellow" if result.partial else "green", expand=False,
                 padding=(0, 1))


def completeness_line(result: Result) -> Text:
    """The first thing under the header: how complete the answers are."""
    if result.partial:
        return plain("⚠ " + completeness_text(result) + ".", "bold yellow")
    return plain(completeness_text(result) + ".", "dim")


def numbered(rows: Sequence[tuple[str, RenderableType]], indent: int = 2,
             mark_width: int = 1) -> RenderableType:
    """A list whose wrapped lines stay indented under their own text."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(justify="right", no_wrap=True, min_width=mark_width)
    grid.add_column(overflow="fold")
    for mark, body in rows:
        grid.add_row(mark, body)
    return Padding(grid, (0, 0, 0, indent))


def step_body(step: PlanStep, number: str) -> Text:
    """One change of the plan: the question, where it stands and what it adds, the advice."""
    body = plain(step.text, "bold")
    body.append("\n")
    body.append_text(plain(f"{number} · {step_change_text(step)}", "dim"))
    if step.recommendation:
        body.append("\n")
        body.append_text(plain(step.recommendation, "italic"))
    return body


def plan_section(result: Result, plan: Plan) -> list[RenderableType]:
    """The improvement plan: every level still to achieve, in order, each with its changes."""
    out: list[RenderableType] = [heading("Improvement plan"), plain(plan_intro(result, plan))]
    numbers = question_numbers(result)
    for n, stage in enumerate(plan.stages):
        out.append(Text(""))
        title = plain(stage_title(result, plan, n), "bold")
        out.append(title)
        out.append(plain(stage_status_text(plan, n)))
        if stage.steps:
            out.append(numbered([(f"{i}.", step_body(step, numbers[step.key]))
                                 for i, step in enumerate(stage.steps, 1)]))
        if stage.more:
            out.append(plain("Also worth doing in this level:", "bold"))
            out.append(numbered([("•", step_body(step, numbers[step.key]))
                                 for step in stage.more]))
    return out


def executive_section(result: Result, plan: Plan) -> list[RenderableType]:
    """The assessor's own summary, then the summary derived from the result."""
    out: list[RenderableType] = []
    if result.answers.executive_summary:
        out.append(heading("Assessor's summary"))
        for n, paragraph in enumerate(paragraphs(result.answers.executive_summary)):
            out += [Text("")] if n else []
            out.append(plain(paragraph))
    if result.nothing_answered:
        return out
    if out:
        out.append(Text(""))
    points = executive_points(result, overview(result), plan)
    out += [heading("Executive summary"), numbered([("•", plain(p)) for p in points])]
    return out


def appendix_section(result: Result) -> list[RenderableType]:
    """Technical details: where the result comes from, how it was computed, question ids."""
    ids = id_table(question_numbers(result))
    return [heading("Technical details"),
            facts_grid([*provenance_facts(result), *method_facts(result), ("Question ids", ids)])]


def notes_section(result: Result) -> list[RenderableType]:
    noted = [q for q in result.questions if q.note or q.evidence]
    if not noted:
        return []
    out: list[RenderableType] = [heading("Notes and evidence")]
    numbers = question_numbers(result)
    for q in noted:
        out.append(plain(f"{numbers[q.key]} {q.question.text}", "bold"))
        rows: list[tuple[str, RenderableType]] = []
        if q.note:
            rows.append(("", plain(q.note)))
        rows += [("•", plain(item)) for item in q.evidence]
        out.append(numbered(rows, indent=1))
    return out


def spaced(sections: Sequence[Sequence[RenderableType]]) -> list[RenderableType]:
    """Sections one after another with a blank line between them."""
    out: list[RenderableType] = []
    for section in sections:
        if not section:
            continue
        if out:
            out.append(Text(""))
        out += section
    return out


def result_renderables(result: Result, width: int = 100) -> list[RenderableType]:
    plan = improvement_plan(result)
    sections: list[list[RenderableType]] = [
        [header(result)], [completeness_line(result)],
        executive_section(result, plan), [headline(result)],
        [heading("Levels"), levels_table(result, width),
         Text(f"{'Score bar: █ points, │ threshold. ' if bar_width(result, width) else ''}"
              "Answered: weighted share of questions answered (n/a included).", style="dim")],
    ]
    notices: list[RenderableType] = []
    blocker = blocker_text(result)
    if blocker:
        notices.append(plain("⚠ " + blocker, "yellow"))
    notices += [plain("⚠ " + warning, "yellow") for warning in result.warnings]
    sections.append(notices)
    if result.nothing_answered:
        sections.append([heading("Next step"), plain(nothing_answered_text(result))])
    else:
        sections.append(plan_section(result, plan))
    missing = result.missing
    if missing and not result.nothing_answered:
        numbers = question_numbers(result)
        sections.append([
            heading(f"Missing answers ({len(missing)})"),
            plain("Not scored and lowering coverage:"),
            numbered([(numbers[q.key], plain(q.question.text)) for q in missing]),
        ])
    raters = getattr(result, "raters", None)  # set by `score --combine`
    if raters is not None:

        sections.append(raters_renderables(raters))
    sections.append(notes_section(result))
    sections.append(appendix_section(result))
    return spaced(sections)


def render_results(results: Sequence[Result], options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    options = RenderOptions(color=options.color, width=min(options.width, MAX_WIDTH))
    parts: list[RenderableType] = []
    for n, result in enumerate(results):
        if n:
            parts += [Text(""), Text("═" * min(options.width, 80), style="dim"), Text("")]
        parts += result_renderables(result, options.width)
    return capture(parts, options)


# ---------------------------------------------------------------- the questionnaire


def raters_renderables(spread: RaterSpread) -> list[RenderableType]:
    """The terminal section; every rater-written string is shown literally."""
    out: list[RenderableType] = [Text("Rater disagreement", style="bold underline"),
                                 plain(rater_summary_line(spread))]
    per_rater = len(spread.raters) <= MAX_RATER_COLUMNS
    table = Table(box=box.SIMPLE, pad_edge=False)
    table.add_column("Question")
    if per_rater:
        for name in spread.names:
            table.add_column(plain(name))
    table.add_column("Mean", justify="right")
    table.add_column("Spread", justify="right")
    table.add_column("")
    for q in spread.questions:
        if not q.answers or all(a.state == "missing" for a in q.answers):
            continue
        cells = [plain(rater_answer_text(a)) for a in q.answers] if per_rater else []
        flag = Text("⚠ disagree", style="bold red") if q.disagreement else Text("")
        table.add_row(plain(q.key, "bold" if q.disagreement else ""), *cells,
                      percent(q.mean), spread_text(q), flag)
    out.append(table)
    return out
