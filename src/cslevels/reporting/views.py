"""Plain-data views of results, shared by the JSON, Markdown and HTML reports."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cslevels.core.models import EPSILON, Brand, Option, Rubric
from cslevels.core.plan import Overview, Plan, PlanStage, PlanStep, improvement_plan, overview
from cslevels.core.scoring import (
    LevelGap,
    LevelResult,
    QuestionResult,
    Raise,
    Result,
    question_number,
)

if TYPE_CHECKING:  # the combine code is imported only for --combine
    from cslevels.core.combine import QuestionSpread, RaterAnswer, RaterSpread
    from cslevels.core.compare import Comparison
    from cslevels.core.portfolio import Portfolio

def placeholder_subject(rubric: Rubric) -> str:
    """The subject a blank template carries until someone names the real one."""
    from cslevels.text import clean_line

    return f"(the {clean_line(rubric.subject)} assessed)"


def brand_author(brand: Brand) -> str:
    """Who prepared a report: "Dana Reyes, Northlight Advisory", the one or the other, or
    empty; the one wording for HTML and Markdown alike."""
    return ", ".join(part for part in (brand.prepared_by, brand.firm) if part)


def brand_prepared_text(brand: Brand) -> str:
    """"Prepared by Dana Reyes, Northlight · dana@example.com" (empty without either)."""
    who = brand_author(brand)
    return " · ".join(part for part in (f"Prepared by {who}" if who else "", brand.contact or "")
                      if part)


# How questionnaires mark a required question (``required: true``).
REQUIRED_NOTE = "required: the level needs this answer at or above its threshold"

# How a status reads in the terminal and in Markdown: a symbol and a word, so colour is
# never the only signal (HTML shows icons and words of its own, in kit.html).
STATUS_LABELS = {"achieved": "✔ achieved", "not achieved": "✘ not achieved",
                 "insufficient": "? insufficient"}


def answer_text(state: str, option: Option | None, *, with_value: bool = False,
                na: str = "n/a", missing: str = "unanswered", unscaled: str | None = None,
                score: float | None = None) -> str:
    """How an answer reads in a report, in every format: its option's label (and value),
    n/a, or its absence; a combined answer between options reads as ``unscaled`` or,
    without one, as its score in percent."""
    if state == "na":
        return na
    if state == "missing":
        return missing
    if option is None:
        return unscaled if unscaled is not None else f"{(score or 0.0) * 100:.0f}%"
    return f"{option.label} ({option.value})" if with_value else option.label


def compared_answer_text(q: QuestionResult | None) -> str:
    """An answer in a comparison, where a question may be missing from one version."""
    if q is None:
        return "not in this rubric version"
    return answer_text(q.state, q.option, score=q.score)


# How compare titles the answers that changed, in every format: "regressed" is kept for
# what the comparison flags (a level), so an answer that fell is never called a regression.
CHANGE_TITLES = {"regressed": "Answers that fell", "improved": "Answers that rose",
                 "changed": "Answer state changed"}


def tolerance_points(comparison: Comparison) -> str:
    return f"{comparison.tolerance * 100:g}"


def regression_rule(comparison: Comparison) -> str:
    """What compare flags as a regression, in the words of every format."""
    fall = ("the achieved level falls" if comparison.newest.achieved_level is not None
            else "a level achieved before is no longer achieved")
    return (f"{fall}, or a level score drops by more than {tolerance_points(comparison)} "
            "points (--tolerance)")


def verdict_text(comparison: Comparison) -> str:
    """The one sentence on whether the newest assessment regressed, and what is not flagged."""
    from cslevels.core.compare import label  # compare's code only when comparing

    step = comparison.latest
    since = label(step.old)
    if comparison.regressed:
        found = "; ".join(r.message for r in comparison.regressions)
        return f"Regression since {since}: {found}."
    text = (f"No regression since {since}. A regression is flagged when "
            f"{regression_rule(comparison)}; neither happened.")
    fell = len(step.regressed)
    if fell:
        noun = "answer fell" if fell == 1 else "answers fell"
        text += (f" {fell} {noun} (see \u201c{CHANGE_TITLES['regressed']}\u201d): a lower answer "
                 "alone is not flagged.")
    return text


def _changed_keys(comparison: Comparison) -> dict[str, None]:
    """The ids of every question the follow-up shows a change of, in the order shown."""
    return dict.fromkeys(change.key for step in comparison.steps
                         for change in (*step.regressed, *step.improved, *step.changed))


def comparison_numbers(comparison: Comparison) -> dict[str, str]:
    """Question numbers ('4.2') in a follow-up, as the newest assessment's report numbers
    them: compare's body names a question by number and text, not by id.  One numbering
    for every step, even across rubric versions (a question moved between versions keeps
    one number); a changed question the newest version no longer has is named by its id.
    Every changed question has an entry."""
    return {**{key: key for key in _changed_keys(comparison)},
            **question_numbers(comparison.newest)}


def comparison_provenance(comparison: Comparison) -> list[tuple[str, str]]:
    """Where a follow-up comes from: the newest assessment's rubric and content hash, the
    rubric of any assessment made on another version or content, and each answers file
    (numbered as in the assessments table)."""
    newest = comparison.newest
    facts = [fact for fact in provenance_facts(newest) if fact[0] != ANSWERS_FILE]
    for n, result in enumerate(comparison.results, 1):
        if (result.rubric.version, result.rubric_digest) != (newest.rubric.version,
                                                             newest.rubric_digest):
            digest = f", hash {result.rubric_digest[:12]}" if result.rubric_digest else ""
            facts.append((f"Rubric of {ANSWERS_FILE.lower()} {n}",
                          f"{result.rubric.id} version {result.rubric.version}{digest}"))
    facts += [(f"{ANSWERS_FILE} {n}", result.source)
              for n, result in enumerate(comparison.results, 1) if result.source]
    return facts


def changed_question_ids(comparison: Comparison) -> dict[str, str]:
    """id -> number of every question the follow-up shows a change of, in number order
    (ids of questions the newest version no longer has last), shaped as question_numbers
    so that one id table serves both reports."""
    numbers = question_numbers(comparison.newest)
    keys = _changed_keys(comparison)
    numbered = sorted((key for key in keys if key in numbers),
                      key=lambda key: [int(part) for part in numbers[key].split(".")])
    return {**{key: numbers[key] for key in numbered},
            **{key: key for key in keys if key not in numbers}}


def portfolio_scope_text(portfolio: Portfolio) -> str:
    """What a portfolio counts, said in every format: businesses, or every visit."""
    if portfolio.all_visits:
        return ("Every visit counted (--all-visits): a subject assessed several times "
                "counts once per visit.")
    left = len(portfolio.earlier)
    text = "One row per subject and rubric: its latest assessment."
    if left:
        noun = "earlier visit is" if left == 1 else "earlier visits are"
        text += f" {left:,} {noun} left out; --all-visits keeps every visit."
    return text


def percent(value: float | None, decimals: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{decimals}f}%"


def signed(value: float | None, digits: int = 0) -> str:
    """A change with its sign (+3, -0.5), "±0" when it rounds to nothing."""
    if value is None:
        return "—"
    if abs(value) < 10 ** -(digits + 1):
        return "±0"
    return f"{value:+.{digits}f}"


def _decimals(level: LevelResult) -> int:
    """Decimals that keep a score that misses its threshold from reading as equal to it."""
    for decimals in range(4):
        if level.achieved or percent(level.score, decimals) != percent(level.threshold, decimals):
            return decimals
    return 4


def score_percent(level: LevelResult) -> str:
    """The level's score, with decimals when whole percents would hide which side of the
    threshold it is on (74.96% must not read as the threshold 75%)."""
    return percent(level.score, _decimals(level))


def names_its_rank(name: str, rank: int) -> bool:
    """True for names such as "Grade 3 — Established", which already say their rank."""
    return re.match(rf"^\w+\s+{rank}\b", name) is not None


def short_level(achieved: int | None, name: str | None, achieved_count: int, level_count: int,
                zero: str = "none") -> str:
    """A table cell: '3 — Name', '0 — none', or '2 of 7 achieved' for a continuous rubric."""
    if achieved is None:
        return f"{achieved_count} of {level_count} achieved"
    if achieved == 0:
        return f"0 — {zero}"
    return f"{achieved} — {name}"


def result_short_level(result: Result, zero: str = "none",
                       escape: Callable[[str], str] = str) -> str:
    """:func:`short_level` of a result; ``escape`` prepares the level name for the format."""
    achieved = result.achieved
    return short_level(result.achieved_level, escape(achieved.name) if achieved else None,
                       sum(1 for lv in result.levels if lv.achieved), len(result.levels), zero)


def level_label(result: Result) -> str:
    """'Level 3 — Listening and empathy', or a plain statement when none is achieved."""
    if result.achieved_level is None:
        achieved = sum(1 for lv in result.levels if lv.achieved)
        return f"{achieved} of {len(result.levels)} levels achieved"
    if result.achieved_level == 0:
        return "Level 0 — no level achieved yet"
    level = result.levels[result.achieved_level - 1]
    if names_its_rank(level.name, level.rank):
        return level.name
    return f"Level {level.rank} — {level.name}"


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def completeness_text(result: Result) -> str:
    """How complete the answers are, stated up front in every format."""
    answered, total = result.answered_count, result.question_count
    if result.nothing_answered:
        return f"0 of {total} questions answered — nothing answered yet"
    if result.partial:
        return (f"{answered} of {total} questions answered — draft: this result rests on "
                "partial answers and may change as the rest are answered")
    return f"All {total} questions answered"


def partial_mark(result: Result) -> str:
    """What follows the level in a headline when the result rests on partial answers."""
    return " (draft: partial answers)" if result.partial and not result.nothing_answered else ""


def nothing_answered_text(result: Result) -> str:
    """What a scored blank answers file says instead of a gap analysis."""
    rubric = result.rubric.id
    return ("Nothing answered yet, so there is no result to act on. Fill in the answers file: "
            "each question is a commented line under `answers:` listing its options; remove "
            "the `#` and give the option's value (or n/a where allowed). Or answer in the "
            f"terminal with `cslevels assess {rubric} -o FILE`. Then score it again.")


def index_scope_text(result: Result) -> str:
    """Which levels the index covers (a level without a score is left out, never taken as 0)."""
    covered, total = result.index_levels, len(result.levels)
    if not covered:
        return "no level has a score yet"
    if len(covered) == total:
        return f"weighted mean of all {total} level scores"
    ranks = and_list([str(lv.rank) for lv in covered])
    noun = "level" if len(covered) == 1 else "levels"
    left = total - len(covered)
    return (f"weighted mean of {noun} {ranks} only; {left} of {total} levels have no "
            "score yet and are left out")


def coverage_gate_text(result: Result, min_coverage: float) -> str | None:
    """Why ``score --min-coverage`` fails for this result, or None when it passes."""
    short = result.levels_below_coverage(min_coverage)
    if not short:
        return None
    listed = "; ".join(f"{lv.rank} {lv.name} ({percent(lv.coverage)} answered)" for lv in short)
    noun = "level falls" if len(short) == 1 else "levels fall"
    return f"{len(short)} {noun} short of --min-coverage {percent(min_coverage)}: {listed}"


def blocker_text(result: Result) -> str | None:
    blocker = result.blocker
    if blocker is None:
        return None
    blocked = ", ".join(f"{lv.rank} ({lv.name})" for lv in blocker.blocked)
    noun = "Level" if len(blocker.blocked) == 1 else "Levels"
    verb = "meets its own threshold" if len(blocker.blocked) == 1 else "meet their own thresholds"
    return (f"{noun} {blocked} {verb}, but level {blocker.level.rank} ({blocker.level.name}) "
            f"blocks it: {status_reason(blocker.level)}.")


def status_reason(level: LevelResult) -> str:
    """Why a level has its status, in plain words; questions named by their number."""
    if level.status == "achieved":
        return f"score {score_percent(level)} reaches the threshold {percent(level.threshold)}"
    if level.score is None:
        if any(q.state == "na" for q in level.questions) and not level.missing:
            return "every question is answered n/a, so there is nothing to score"
        return "no applicable answer yet"
    unmet = level.unmet_required
    if level.status == "insufficient":
        unanswered = [level.number(q) for q in unmet if q.state == "missing"]
        if unanswered:
            noun = "question" if len(unanswered) == 1 else "questions"
            verb = "is" if len(unanswered) == 1 else "are"
            return f"the required {noun} {', '.join(unanswered)} {verb} not answered yet"
        return f"only {percent(level.coverage)} of it is answered"
    decimals = _decimals(level)
    below_threshold = (f"score {percent(level.score, decimals)} is below the threshold "
                       f"{percent(level.threshold, decimals)}")
    if not unmet:
        return below_threshold
    listed = [f"{level.number(q)} ({percent(q.score)})" for q in unmet]
    named = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
    if level.score < level.threshold - EPSILON:
        noun = "is required question" if len(unmet) == 1 else "are required questions"
        return f"{below_threshold}, and so {noun} {named}"
    if len(unmet) == 1:
        return (f"required question {level.number(unmet[0])} scores "
                f"{percent(unmet[0].score)}, below the threshold {percent(level.threshold)}")
    return f"required questions {named} score below the threshold {percent(level.threshold)}"


def question_dict(q: QuestionResult) -> dict[str, Any]:
    return {
        "id": q.key,
        "text": q.question.text,
        "weight": q.question.weight,
        "required": q.question.required,
        "state": q.state,
        "value": None if q.option is None else q.option.value,
        "answer": "n/a" if q.state == "na" else (None if q.option is None else q.option.label),
        "score": q.score,
        "note": q.note,
        "evidence": list(q.evidence),
    }


def raise_dict(step: Raise) -> dict[str, Any]:
    return {
        "id": step.key,
        "from": None if step.from_option is None else step.from_option.value,
        "to": step.to_option.value,
        "to_label": step.to_option.label,
        "recommendation": step.question.recommendation,
    }


def gap_dict(gap: LevelGap) -> dict[str, Any]:
    return {
        "id": gap.level.id,
        "name": gap.level.name,
        "rank": gap.level.rank,
        "status": gap.level.status,
        "fastest_path": None if gap.fastest_path is None else [s.key for s in gap.fastest_path],
        "steps": None if gap.fastest_path is None else [raise_dict(s) for s in gap.fastest_path],
        "reason": gap.reason,
        # gain: weighted points (weight x score rise), kept for scripts that read it;
        # points: the same rise in points of the level's 0-100 score, as every report says
        "ranked": [
            {"id": q.key, "gain": round(q.gain, 6),
             "points": round(100 * q.gain / gap.level.applicable_weight, 2)
             if gap.level.applicable_weight > 0 else None,
             "score": q.score, "recommendation": q.question.recommendation}
            for q in gap.ranked
        ],
        "unanswered": [q.key for q in gap.unanswered],
    }


def result_dict(result: Result) -> dict[str, Any]:
    """The JSON report of one assessment (SPEC: ``score --format json``)."""
    answers = result.answers
    rubric = result.rubric
    target_path = result.target_path
    return {
        "subject": answers.subject,
        "assessor": answers.assessor,
        "prepared_for": answers.prepared_for,
        "executive_summary": answers.executive_summary,
        "date": None if answers.date is None else answers.date.isoformat(),
        "source": result.source,
        "rubric": {"id": rubric.id, "version": rubric.version, "title": rubric.title,
                   "digest": result.rubric_digest},
        "method": rubric.method,
        "achieved_level": result.achieved_level,
        "achieved_level_name": None if result.achieved is None else result.achieved.name,
        "index": result.index,
        "index_levels": [lv.id for lv in result.index_levels],
        "completeness": {
            "answered": result.answered_count,
            "questions": result.question_count,
            "partial": result.partial,
            "message": completeness_text(result),
            "hint": nothing_answered_text(result) if result.nothing_answered else None,
        },
        "levels": [
            {
                "id": lv.id,
                "name": lv.name,
                "rank": lv.rank,
                "score": None if lv.score is None else round(lv.score, 6),
                "coverage": round(lv.coverage, 6),
                "threshold": lv.threshold,
                "status": lv.status,
                "unmet_required": [q.key for q in lv.unmet_required],
                "questions": [question_dict(q) for q in lv.questions],
            }
            for lv in result.levels
        ],
        "missing": [q.key for q in result.missing],
        "next_level": (None if result.next_gap is None or result.nothing_answered
                       else gap_dict(result.next_gap)),
        "blocker": None if result.blocker is None else {
            "id": result.blocker.level.id,
            "blocked": [lv.id for lv in result.blocker.blocked],
            "message": blocker_text(result),
        },
        "target": None if result.target is None else {
            "level": result.target,
            "reached": not result.target_gaps,
            "fastest_path": None if target_path is None else [s.key for s in target_path],
            "gaps": [gap_dict(g) for g in result.target_gaps],
        },
        **_plan_entries(result),
        "warnings": list(result.warnings),
        **_raters_entry(result),
    }


def _step_dict(step: PlanStep) -> dict[str, Any]:
    option = step.question.option
    return {"id": step.key, "text": step.text,
            "from": None if option is None else option.value,
            "from_label": None if option is None else option.label,
            "to": step.question.best.value, "to_label": step.to_label,
            "points": None if step.points is None else round(step.points, 2),
            "recommendation": step.recommendation}


def _plan_entries(result: Result) -> dict[str, Any]:
    """``overview`` and ``plan``: the executive summary and the whole road, as data
    (points are of the level's 0-100 score, as in every other format)."""
    if result.nothing_answered:
        return {"overview": None, "plan": None}
    plan = improvement_plan(result)
    summary = overview(result)

    def level_entry(lv: LevelResult) -> dict[str, Any]:
        return {"id": lv.id, "name": lv.name, "rank": lv.rank,
                "score": None if lv.score is None else round(lv.score, 6)}

    return {
        "overview": {
            "summary": executive_points(result, summary, plan),
            "strengths": [level_entry(lv) for lv in summary.strengths],
            "weaknesses": [level_entry(lv) for lv in summary.weaknesses],
            "weakest_answers": [{"id": q.key, "text": q.question.text, "score": q.score}
                                for q in summary.weakest],
            "full_marks": summary.full_marks,
            "answered_with_option": summary.answered,
        },
        "plan": {
            "goal": plan.goal,
            "targeted": plan.targeted,
            "changes": plan.change_count,
            "reachable": plan.reachable,
            "stages": [
                {**level_entry(stage.level), "status": stage.level.status,
                 "threshold": stage.level.threshold,
                 "after": None if stage.after is None else round(stage.after, 6),
                 "points": None if stage.points is None else round(stage.points, 2),
                 "reason": stage.reason,
                 "steps": [_step_dict(step) for step in stage.steps],
                 "more": [_step_dict(step) for step in stage.more]}
                for stage in plan.stages
            ],
        },
    }


def _raters_entry(result: Result) -> dict[str, Any]:
    """``{"raters": ...}`` for a combined result (``score --combine``), else nothing."""
    raters = getattr(result, "raters", None)
    if raters is None:
        return {}

    return {"raters": raters_dict(raters)}


MAX_RATER_COLUMNS = 5  # beyond this, tables show the mean and spread only


def rater_answer_text(answer: RaterAnswer) -> str:
    return answer_text(answer.state, answer.option, with_value=True, missing="—")


def spread_text(q: QuestionSpread) -> str:
    return percent(q.spread)


def raters_dict(spread: RaterSpread) -> dict[str, Any]:
    """The JSON view: every rater, and every question with each rater's answer."""
    return {
        "raters": [
            {"name": r.name, "source": r.source, "assessor": r.answers.assessor,
             "date": None if r.answers.date is None else r.answers.date.isoformat()}
            for r in spread.raters
        ],
        "disagreement_threshold": spread.threshold,
        "disagreements": [q.key for q in spread.disagreements],
        "questions": [
            {
                "id": q.key,
                "mean": None if q.mean is None else round(q.mean, 6),
                "spread": None if q.spread is None else round(q.spread, 6),
                "disagreement": q.disagreement,
                "answers": [
                    {"rater": a.rater, "state": a.state,
                     "value": None if a.option is None else a.option.value,
                     "answer": None if a.option is None else a.option.label,
                     "score": a.score, "note": a.note}
                    for a in q.answers
                ],
            }
            for q in spread.questions
        ],
    }


def rater_summary_line(spread: RaterSpread) -> str:
    flagged = len(spread.disagreements)
    return (f"{len(spread.raters)} raters: {', '.join(spread.names)}. Combined score = mean of "
            f"the raters who gave an option (n/a answers left out). {flagged} question(s) "
            f"where the raters are {percent(spread.threshold)} of the scale or more apart.")




# --- The improvement plan and the executive summary (issue 14) -----------------------------
# Worth has one unit in every format: points of the level's 0-100 score.


def paragraphs(text: str) -> list[str]:
    """The assessor's summary as paragraphs: split at blank lines, as every format shows it."""
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]


def points_text(points: float | None) -> str:
    """'+21 points', '+1 point', '+<1 point': what a change adds to its level's score."""
    if points is None:
        return "—"
    if points <= EPSILON:
        return "+0 points"
    if points < 0.5:
        return "+<1 point"
    rounded = round(points)
    return f"+{rounded} point" if rounded == 1 else f"+{rounded} points"


def stage_title(result: Result, plan: Plan, n: int) -> str:
    """'To reach level 4 (Problem solving)', then 'Then level 5 (Responsiveness)'; a
    continuous rubric's levels stand alone: 'Level 2 (Attention)'."""
    level = plan.stages[n].level
    named = level.name if names_its_rank(level.name, level.rank) else (
        f"level {level.rank} ({level.name})")
    if result.method != "staged":
        return named[0].upper() + named[1:]
    return f"To reach {named}" if n == 0 else f"Then {named}"


def stage_summary(stage: PlanStage) -> str:
    """'2 changes take its score from 40% to 76% (+36 points)', or why no change can."""
    if stage.reason is not None:
        return f"Raising answers alone cannot achieve it: {stage.reason}."
    if stage.unassessed:
        total = len(stage.level.questions)
        return (f"None of its {total} question{'s' if total != 1 else ''} is answered yet: "
                "answer them, then score again to plan this level.")
    count = len(stage.steps)
    if stage.level.score is None:  # answered n/a so far: no score to raise, one to give
        noun = "change gives" if count == 1 else "changes give"
        return f"{count} {noun} it a score of {percent(stage.after)}."
    noun = "change takes" if count == 1 else "changes take"
    return (f"{count} {noun} its score from {score_percent(stage.level)} to "
            f"{percent(stage.after)} ({points_text(stage.points)}).")


def stage_status_text(plan: Plan, n: int) -> str:
    """A stage's first line in every format: where the level stands, what it takes, and
    (staged) the earlier level it cannot count without when the plan cannot deliver that."""
    stage = plan.stages[n]
    text = stage_summary(stage) if stage.unassessed else (
        f"{stage.level.status.capitalize()}: {status_reason(stage.level)}. "
        f"{stage_summary(stage)}")
    waits = plan.waits_for(n)
    if waits is not None:
        text += (f" It counts only once level {waits.level.rank} ({waits.level.name}) is "
                 "achieved.")
    return text


def step_now_text(step: PlanStep) -> str:
    """Where the answer stands today: its option's label, or 'not answered'."""
    option = step.question.option
    return "not answered" if option is None else option.label


def step_worth_text(step: PlanStep) -> str:
    """'+21 points'; for an unanswered question worth no points, why it is there."""
    if step.points is None:
        return "gives the level a score"
    worth = points_text(step.points)
    if step.unanswered and step.points < 0.5:
        worth += ", and it answers more of the level"
    return worth


def step_change_text(step: PlanStep) -> str:
    """'now 20-49%; aim for 95% or more · +21 points'."""
    verb = "answer it" if step.unanswered else f"now {step_now_text(step)}"
    return f"{verb}; aim for {step.to_label} · {step_worth_text(step)}"


def target_reached_text(result: Result, plan: Plan) -> str | None:
    """'The target, level 2 (Attention), is reached' when the plan goes beyond it."""
    if plan.target_reached is None:
        return None
    target = result.levels[plan.target_reached - 1]
    return f"The target, level {target.rank} ({target.name}), is reached"


def plan_intro(result: Result, plan: Plan) -> str:
    """The sentence above the plan: where it leads and how many changes it takes."""
    goal = result.levels[plan.goal - 1]
    where = f"level {goal.rank} ({goal.name})"
    target = target_reached_text(result, plan)
    reached = "" if target is None else target + ". "
    if not plan.stages:
        return reached + "Every level is achieved: nothing is left to raise."
    levels = len(plan.stages)
    noun = "level" if levels == 1 else "levels"
    if plan.targeted:
        lead = f"The road to the target, {where}"
    elif plan.staged:
        lead = f"The road to {where}"
    else:  # a continuous rubric's levels stand alone: no road leads to the top one
        lead = f"The {levels} {noun} not yet achieved"
    if not plan.reachable:
        blocked = next(s for s in plan.stages if not s.reachable)
        return (f"{reached}{lead}: level {blocked.level.rank} ({blocked.level.name}) cannot be "
                f"achieved by raising answers alone ({blocked.reason}).")
    unassessed = len(plan.unassessed)
    if unassessed == levels:
        none = "it has no answer" if levels == 1 else f"none of the {levels} has an answer"
        return f"{reached}{lead}: {none} yet; answer the questions, then score again for a plan."
    changes = plan.change_count
    change_noun = "change" if changes == 1 else "changes"
    waiting = ""
    if unassessed:
        which = "it has" if unassessed == 1 else "they have"
        waiting = (f" ({unassessed} of them cannot be planned yet: {which} no answers, so "
                   "answer those first)")
    over = "" if not plan.staged and not plan.targeted else (
        f" over {levels} {noun} not yet achieved")
    return (f"{reached}{lead}: {changes} {change_noun}{over}{waiting}, in the order below; "
            "each change names what to do and what it adds to its level's score.")


def executive_points(result: Result, summary: Overview, plan: Plan) -> list[str]:
    """The executive summary as sentences, derived from the result (no wording per format)."""
    lines: list[str] = []
    headline = f"Result: {level_label(result)}{partial_mark(result)}"
    if result.index is not None:
        headline += f", index {result.index:.1f} / 100"
    lines.append(headline + ".")
    if result.partial:
        lines.append(completeness_text(result) + ".")
    if summary.strengths:
        lines.append("Strengths: " + and_list(
            [f"{lv.name} ({score_percent(lv)})" for lv in summary.strengths]) + ".")
    else:
        lines.append("Strengths: no level is achieved yet.")
    if summary.answered:
        practices = "practice answered is" if summary.answered == 1 else "practices answered are"
        lines.append(f"{summary.full_marks} of {summary.answered} {practices} fully in place.")
    if summary.weaknesses:
        lines.append("Main weaknesses: " + and_list(
            [f"{lv.name} ({score_percent(lv)}, threshold {percent(lv.threshold)})"
             for lv in summary.weaknesses]) + ".")
    if plan.stages or plan.target_reached is not None:
        lines.append(plan_headline(result, plan))
    return lines


def plan_headline(result: Result, plan: Plan) -> str:
    """The plan in one sentence, for the executive summary."""
    reached = target_reached_text(result, plan) or ""
    if reached and not plan.stages:
        return reached + "."
    reached += "; " if reached else ""
    first = plan.stages[0]
    goal = result.levels[plan.goal - 1]
    aim = "the target, " if plan.targeted else ""
    if not plan.reachable:
        blocked = next(s for s in plan.stages if not s.reachable).level
        return (f"{reached}Level {blocked.rank} ({blocked.name}) cannot be achieved by raising "
                "answers alone.")
    count = len(first.steps)
    changes = f"{count} change" + ("" if count == 1 else "s")
    levels = len(plan.stages)
    unassessed = len(plan.unassessed)
    if first.unassessed:
        text = (f"next: answer the questions of level {first.level.rank} ({first.level.name}), "
                "none of which is answered yet")
    else:
        text = f"next: level {first.level.rank} ({first.level.name}) takes {changes}"
    if levels > 1 and not unassessed:
        whole = (f"the whole plan to {aim}level {goal.rank} ({goal.name})" if plan.staged
                 or plan.targeted else f"all {levels} levels not yet achieved")
        text += f"; {whole} takes {plan.change_count}"
    elif levels > 1 and unassessed == levels:
        text += f"; none of the {levels} levels still to achieve has answers yet"
    elif levels > 1:
        text += f"; {unassessed} of the {levels} levels still to achieve have no answers yet"
    text = reached + text
    return text[0].upper() + text[1:] + "."


def method_facts(result: Result) -> list[tuple[str, str]]:
    """How the result was computed, as (term, explanation): the technical appendix of every
    score report, so a reader can reproduce it."""
    rubric = result.rubric
    default = rubric.threshold
    overrides = [lv for lv in result.levels if abs(lv.threshold - default) > EPSILON]
    thresholds = f"{percent(default)} by default"
    if overrides:
        thresholds += "; " + "; ".join(f"{percent(lv.threshold)} for level {lv.rank} ({lv.name})"
                                       for lv in overrides)
    method = ("Staged: a level counts only when it and every level below it are achieved; the "
              "result is the highest such level." if rubric.method == "staged" else
              "Continuous: each level is judged on its own and no single level is awarded.")
    return [
        ("Method", method),
        ("Level score", "The weighted share of full marks over the level's answered questions."),
        ("Thresholds", f"A level is achieved when its score reaches its threshold: "
                       f"{thresholds}. A required question must itself score at least the "
                       "threshold."),
        ("Minimum coverage", f"At least {percent(rubric.min_coverage)} of a level's question "
                             "weight must be answered, otherwise the level is \"insufficient\" "
                             "rather than scored."),
        ("n/a answers", "Where a question allows n/a, that answer leaves it out of the level "
                        "score but counts as answered for coverage. Unanswered questions are "
                        "listed as missing, never scored as 0."),
        ("Index", "The weighted mean of the level scores on a 0-100 scale."),
        ("Points", "What a change adds to its level's score, in points of that 0-100 score: "
                   "the answer raised to its best option, all else unchanged."),
    ]


# Provenance terms whose texts are literal (a hash, a path): code in HTML.
RUBRIC_HASH = "Rubric content hash"
ANSWERS_FILE = "Answers file"


def literal_fact(term: str) -> bool:
    """Whether a provenance fact's text is to be shown as written (a hash or a path)."""
    return term == RUBRIC_HASH or term.startswith(ANSWERS_FILE)


def provenance_facts(result: Result) -> list[tuple[str, str]]:
    """Where the result comes from: answers file, rubric and its content hash."""
    rubric = result.rubric
    facts = [("Rubric", f"{rubric.title} ({rubric.id} version {rubric.version}, "
                        f"{rubric.method})")]
    if result.rubric_digest:
        facts.append((RUBRIC_HASH, result.rubric_digest[:12]))
    if rubric.source is not None:
        source = rubric.source.title + (f" ({rubric.source.url})" if rubric.source.url else "")
        facts.append(("Rubric source", source))
    if result.source:
        facts.append((ANSWERS_FILE, result.source))
    return facts


def question_numbers(result: Result) -> dict[str, str]:
    """Each question's number as the reports show it to a reader ('4.1': level 4, first
    question); the technical appendix maps the numbers to the ids answers files use."""
    return {q.key: question_number(level.rank, n) for level in result.levels
            for n, q in enumerate(level.questions, 1)}
