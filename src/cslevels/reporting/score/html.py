"""Self-contained HTML: the score report and the printable blank questionnaire.

Pages extend ``templates/base.html.j2`` (CSS, header, footer, print styles and
a Content-Security-Policy that forbids scripts and remote loads) and are
rendered through :func:`render_page`, which other HTML reports (compare,
summary) reuse.  Charts come from :mod:`cslevels.reporting.kit.svg`.  Everything
from rubrics and answers reaches the page through jinja2's autoescaping; this
module never marks user text safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from cslevels.core.plan import Plan, improvement_plan, overview
from cslevels.core.scoring import LevelResult, QuestionResult, Result
from cslevels.reporting.formats import RenderOptions
from cslevels.reporting.kit import svg
from cslevels.reporting.kit.html import render_page, status_icon, status_word
from cslevels.reporting.views import answer_text as reads_as
from cslevels.reporting.views import (
    blocker_text,
    completeness_text,
    executive_points,
    index_scope_text,
    level_label,
    method_facts,
    names_its_rank,
    nothing_answered_text,
    partial_mark,
    percent,
    plan_intro,
    points_text,
    provenance_facts,
    question_numbers,
    score_percent,
    stage_status_text,
    stage_title,
    status_reason,
    step_now_text,
)

REPORT_TEMPLATE = "report.html.j2"


def level_short(level: LevelResult) -> str:
    """A level's label for charts: its rank and name, the rank only once."""
    return level.name if names_its_rank(level.name, level.rank) else f"{level.rank}. {level.name}"


# ------------------------------------------------------------------ report


def answer_text(q: QuestionResult) -> str:
    """The answer as a reader of the HTML report sees it (one wording: views.answer_text)."""
    return reads_as(q.state, q.option, with_value=True, na="n/a (not applicable)",
                    missing="Not answered", unscaled="Combined score")


@dataclass(frozen=True)
class AssessmentView:
    """One assessment's section of the report."""

    result: Result
    anchor: str
    label: str
    summary: str | None
    radar: Markup | None
    bars: Markup
    blocker: str | None
    plan: Plan
    executive: tuple[str, ...]
    numbers: dict[str, str]
    provenance: tuple[tuple[str, str], ...]
    method: tuple[tuple[str, str], ...]
    answered: int
    total: int
    completeness: str = ""
    index_scope: str = ""
    nothing_answered: str | None = None


def _headline_summary(result: Result) -> str | None:
    if result.achieved is not None:
        return result.achieved.level.summary
    if result.achieved_level == 0 and result.levels:
        first = result.levels[0]
        return f"Level 1 ({first.name}) is not achieved yet: {status_reason(first)}."
    if result.achieved_level is None:
        return "Continuous model: each level is judged on its own, so no single level is awarded."
    return None


def _profile_description(result: Result) -> str:
    parts = []
    for lv in result.levels:
        score = "no score" if lv.score is None else score_percent(lv)
        parts.append(f"Level {lv.rank} {lv.name}: {score}, threshold {percent(lv.threshold)}, "
                     f"{status_word(lv.status)}")
    return "; ".join(parts) + "."


def assessment_view(result: Result, number: int) -> AssessmentView:
    anchor = f"a{number}"
    subject = result.answers.subject
    labels = [level_short(lv) for lv in result.levels]
    scores = [lv.score for lv in result.levels]
    thresholds = [lv.threshold for lv in result.levels]
    description = _profile_description(result)
    radar = None
    if len(result.levels) >= 3:
        radar = svg.radar_chart(
            labels, scores, thresholds=thresholds, id_prefix=f"{anchor}-radar",
            title=f"Level profile of {subject}", description=description,
        )
    bars = svg.bar_chart(
        labels, scores, thresholds=thresholds, id_prefix=f"{anchor}-bars",
        kinds=[lv.status for lv in result.levels],
        value_labels=[score_percent(lv) for lv in result.levels],
        annotations=[f"{status_icon(lv.status)} {status_word(lv.status)}" for lv in result.levels],
        title=f"Level scores of {subject} against their thresholds", description=description,
    )
    plan = improvement_plan(result)
    executive = () if result.nothing_answered else tuple(
        executive_points(result, overview(result), plan))
    questions = result.questions
    return AssessmentView(
        result=result,
        anchor=anchor,
        label=level_label(result) + partial_mark(result),
        completeness=completeness_text(result),
        index_scope=index_scope_text(result),
        nothing_answered=nothing_answered_text(result) if result.nothing_answered else None,
        summary=_headline_summary(result),
        radar=radar,
        bars=bars,
        blocker=blocker_text(result),
        plan=plan,
        executive=executive,
        numbers=question_numbers(result),
        provenance=tuple(provenance_facts(result)),
        method=tuple(method_facts(result)),
        answered=sum(1 for q in questions if q.state != "missing"),
        total=len(questions),
    )


def render_results(results: Sequence[Result], options: RenderOptions | None = None) -> str:
    """One page for one or several assessments, a section each."""
    views = [assessment_view(result, n) for n, result in enumerate(results, 1)]
    return render_page(REPORT_TEMPLATE, views=views, answer_text=answer_text,
                       status_reason=status_reason, plan_intro=plan_intro,
                       stage_title=stage_title, stage_status_text=stage_status_text,
                       step_now_text=step_now_text, points_text=points_text,
                       brand=options.brand if options else None)

