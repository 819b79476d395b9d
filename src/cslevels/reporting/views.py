"""Plain-data views of results, shared by the JSON, Markdown and HTML reports."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cslevels.core.models import Brand, Option, Rubric
from cslevels.core.scoring import EPSILON, LevelGap, LevelResult, QuestionResult, Raise, Result

if TYPE_CHECKING:  # the combine code is imported only for --combine
    from cslevels.core.combine import QuestionSpread, RaterAnswer, RaterSpread
    from cslevels.core.compare import Comparison
    from cslevels.core.portfolio import Portfolio

def placeholder_subject(rubric: Rubric) -> str:
    """The subject a blank template carries until someone names the real one."""
    from cslevels.text import clean_line

    return f"(the {clean_line(rubric.subject)} assessed)"


def brand_prepared_text(brand: Brand) -> str:
    """"Prepared by Dana Reyes, Northlight · dana@example.com" (empty without either):
    the one wording of who prepared a report, in HTML and Markdown alike."""
    who = brand.prepared_by or brand.firm
    if brand.prepared_by and brand.firm:
        who = f"{brand.prepared_by}, {brand.firm}"
    parts = [f"Prepared by {who}" if who else "", brand.contact or ""]
    return " · ".join(part for part in parts if part)


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
    if level.status == "achieved":
        return f"score {score_percent(level)} reaches the threshold {percent(level.threshold)}"
    if level.score is None:
        if any(q.state == "na" for q in level.questions) and not level.missing:
            return "every question is answered n/a, so there is nothing to score"
        return "no applicable answer yet"
    unmet = level.unmet_required
    if level.status == "insufficient":
        unanswered = [q.key for q in unmet if q.state == "missing"]
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
    listed = [f"{q.key} ({percent(q.score)})" for q in unmet]
    named = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
    if level.score < level.threshold - EPSILON:
        noun = "is required question" if len(unmet) == 1 else "are required questions"
        return f"{below_threshold}, and so {noun} {named}"
    if len(unmet) == 1:
        return (f"required question {unmet[0].key} scores {percent(unmet[0].score)}, below the "
                f"threshold {percent(level.threshold)}")
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
        "ranked": [
            {"id": q.key, "gain": round(q.gain, 6), "score": q.score,
             "recommendation": q.question.recommendation}
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
        "warnings": list(result.warnings),
        **_raters_entry(result),
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


