"""The portfolio: one small row per assessment, the distribution of levels, sort orders.

Rows hold only what the portfolio reports show, so 100,000 of them fit in memory;
``cslevels.commands.summary`` builds them from files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from cslevels.core.compare import same_subject_key
from cslevels.core.documents import LoadedRubric
from cslevels.core.scoring import Result, level_reached
from cslevels.errors import Finding

SortKey = Literal["subject", "date", "level", "index"]
SORT_KEYS: tuple[SortKey, ...] = ("subject", "date", "level", "index")


@dataclass(frozen=True, slots=True)
class Row:
    """One assessment in the portfolio: only what the table shows."""

    path: str
    subject: str
    rubric_id: str
    rubric_version: str
    rubric_digest: str | None
    date: dt.date | None
    method: str
    achieved_level: int | None  # None for continuous rubrics
    achieved_name: str | None
    levels_achieved: int
    level_count: int
    index: float | None
    weakest: str | None  # the name of the level with the lowest score
    weakest_score: float | None

    @property
    def level(self) -> int:
        """The level this row stands at (:func:`cslevels.core.scoring.level_reached`)."""
        return level_reached(self.achieved_level, self.levels_achieved)


@dataclass(frozen=True, slots=True)
class Failure:
    """A file that could not be summarised, with its first few errors."""

    path: str
    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]


@dataclass(frozen=True, slots=True)
class RubricInfo:
    """What the distribution of one rubric needs: its names, version and hash."""

    id: str
    version: str
    title: str
    digest: str | None
    method: str
    level_names: tuple[str, ...]


def row_from_result(result: Result) -> Row:
    scored = [lv for lv in result.levels if lv.score is not None]
    weakest = min(scored, key=lambda lv: lv.score or 0.0) if scored else None
    return Row(
        path=result.source or "",
        subject=result.answers.subject,
        rubric_id=result.rubric.id,
        rubric_version=result.rubric.version,
        rubric_digest=result.rubric_digest,
        date=result.answers.date,
        method=result.rubric.method,
        achieved_level=result.achieved_level,
        achieved_name=None if result.achieved is None else result.achieved.name,
        levels_achieved=result.levels_achieved,
        level_count=len(result.levels),
        index=result.index,
        weakest=None if weakest is None else weakest.name,
        weakest_score=None if weakest is None else weakest.score,
    )


def rubric_info(loaded: LoadedRubric) -> RubricInfo:
    r = loaded.rubric
    return RubricInfo(r.id, r.version, r.title, loaded.digest, r.method,
                      tuple(lv.name for lv in r.levels))


@dataclass
class Portfolio:
    rows: list[Row] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    rubrics: dict[str, RubricInfo] = field(default_factory=dict)
    rubric_files: list[str] = field(default_factory=list)
    sort: SortKey = "subject"
    rubric_filter: str | None = None
    all_visits: bool = True  # False: rows hold the latest visit per subject and rubric
    earlier: list[Row] = field(default_factory=list)  # the visits left out, when not all

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    def keep_latest_visits(self) -> None:
        """Count businesses, not files: keep each subject's latest assessment per rubric."""
        self.rows, earlier = latest_visits(self.rows)
        self.earlier += earlier
        self.all_visits = False

    def distribution(self) -> list[tuple[RubricInfo, list[tuple[int, str, int]]]]:
        """Per rubric (by id): how many assessments reached each level, 0 included."""
        counts: dict[str, dict[int, int]] = {}
        for row in self.rows:
            counts.setdefault(row.rubric_id, {})
            counts[row.rubric_id][row.level] = counts[row.rubric_id].get(row.level, 0) + 1
        out = []
        for rubric_id in sorted(counts):
            info = self.rubrics[rubric_id]
            top = max([len(info.level_names), *counts[rubric_id]])
            buckets = []
            for level in range(top + 1):
                if info.method == "continuous":
                    name = f"{level} of {len(info.level_names)} levels achieved"
                elif level == 0:
                    name = "none"
                else:
                    name = info.level_names[level - 1] if level <= len(info.level_names) \
                        else f"level {level}"
                buckets.append((level, name, counts[rubric_id].get(level, 0)))
            out.append((info, buckets))
        return out


def latest_visits(rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """Per subject and rubric, the latest assessment, and the earlier ones.

    Subjects are the same as ``compare`` judges them (``same_subject_key``).  The latest
    is the one with the latest date (an undated one is older than any dated one); between
    equal dates, the file whose path sorts last.
    """
    latest: dict[tuple[str, str], Row] = {}

    def order(row: Row) -> tuple[bool, dt.date, str]:
        return (row.date is not None, row.date or dt.date.min, row.path)

    for row in rows:
        key = (same_subject_key(row.subject), row.rubric_id)
        kept = latest.get(key)
        if kept is None or order(row) > order(kept):
            latest[key] = row
    chosen = {id(row) for row in latest.values()}
    return ([row for row in rows if id(row) in chosen],
            [row for row in rows if id(row) not in chosen])


def sort_key(sort: SortKey) -> Callable[[Row], tuple[object, ...]]:
    """Ascending: subject A-Z, oldest first, lowest level / index first; unknowns last."""
    far = dt.date.max

    def subject(row: Row) -> tuple[object, ...]:
        return (row.subject.casefold(), row.date or far, row.path)

    keys: dict[SortKey, Callable[[Row], tuple[object, ...]]] = {
        "subject": subject,
        "date": lambda row: (row.date is None, row.date or far, *subject(row)),
        "level": lambda row: (row.level, row.index is None, row.index or 0.0, *subject(row)),
        "index": lambda row: (row.index is None, row.index or 0.0, *subject(row)),
    }
    return keys[sort]


