"""The portfolio: one small row per assessment, over many files and folders.

Built to stream: :func:`iter_files` walks the paths, :func:`summarise_file`
turns one file into a :class:`Row` (a few fields, not the full result) or a
:class:`Failure`, and :func:`iter_rows` chains them, so a later version can
spread the files over processes with bounded memory.  Rubrics come from the
library (``loading.load_rubric`` caches them by file), and rubric files found
among the paths are used for the ids the library does not know; answers files
met before their rubric file are retried at the end.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cslevels.errors import CslevelsError, Finding, RubricNotFoundError
from cslevels.loading import (
    LoadedRubric,
    RubricLibrary,
    answers_from_document,
    document_kind,
    rubric_from_document,
)
from cslevels.scoring import Result

SortKey = Literal["subject", "date", "level", "index"]
SORT_KEYS: tuple[SortKey, ...] = ("subject", "date", "level", "index")
SUFFIXES = (".yaml", ".yml")
MAX_FINDINGS = 5  # per failed file: enough to act on, small enough to keep many


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
        """The achieved level, or for continuous rubrics how many levels are achieved."""
        return self.achieved_level if self.achieved_level is not None else self.levels_achieved


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
        levels_achieved=sum(1 for lv in result.levels if lv.achieved),
        level_count=len(result.levels),
        index=result.index,
        weakest=None if weakest is None else weakest.name,
        weakest_score=None if weakest is None else weakest.score,
    )


def rubric_info(loaded: LoadedRubric) -> RubricInfo:
    r = loaded.rubric
    return RubricInfo(r.id, r.version, r.title, loaded.digest, r.method,
                      tuple(lv.name for lv in r.levels))


# ---------------------------------------------------------------- finding and reading files


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and every *.yaml / *.yml under folders (hidden ones skipped), sorted."""
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(SUFFIXES) and not name.startswith("."):
                        candidate = Path(folder) / name
                        key = os.path.normcase(os.path.abspath(candidate))
                        if key not in seen:
                            seen.add(key)
                            yield candidate
        else:
            key = os.path.normcase(os.path.abspath(path))
            if key not in seen:
                seen.add(key)
                yield path


class PortfolioLibrary(RubricLibrary):
    """The rubric library, plus rubric files met among the summarised paths.

    Those are consulted only for ids the library cannot resolve, so a stray copy
    of a built-in rubric in a client folder does not silently replace it.
    """

    def __init__(self, base: RubricLibrary) -> None:
        super().__init__(())
        self.dirs = base.dirs
        self.found: dict[str, LoadedRubric] = {}
        self._resolved: dict[str, LoadedRubric] = {}
        self._unknown: set[str] = set()

    def add(self, loaded: LoadedRubric) -> None:
        self.found.setdefault(loaded.rubric.id, loaded)

    def used(self) -> list[LoadedRubric]:
        """Every rubric resolved so far, then those found among the paths."""
        return [*self._resolved.values(), *self.found.values()]

    def resolve(self, ref: str) -> LoadedRubric:
        if ref in self._resolved:
            return self._resolved[ref]
        if ref not in self._unknown:
            try:
                loaded = super().resolve(ref)
            except RubricNotFoundError:
                self._unknown.add(ref)
            else:
                self._resolved[ref] = loaded
                return loaded
        if ref in self.found:
            return self.found[ref]
        raise RubricNotFoundError(f"unknown rubric {ref!r}", code="rubric-not-found",
                                  hint="give its folder with --rubrics-dir, or include the "
                                  "rubric file among the paths")


Item = Row | Failure | LoadedRubric


def summarise_file(path: Path, library: PortfolioLibrary) -> Item:
    """One file as a row, a failure, or (for a rubric file) the rubric it holds."""
    from cslevels.assessment import score_loaded
    from cslevels.yamlio import load_path

    try:
        doc = load_path(path)
        kind = document_kind(doc)
    except CslevelsError as exc:
        return Failure(str(path), tuple(exc.to_findings()[:MAX_FINDINGS]))
    if kind == "rubric":
        loaded_rubric, findings = rubric_from_document(doc, path)
        if loaded_rubric is None:
            return Failure(str(path), _errors(findings))
        return loaded_rubric
    loaded, findings = answers_from_document(doc, path, library, None)
    if loaded is None:
        return Failure(str(path), _errors(findings))
    return row_from_result(score_loaded(loaded))


def _errors(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    errors = [f for f in findings if f.severity == "error"] or list(findings)
    return tuple(errors[:MAX_FINDINGS])


def _rubric_missing(item: Item) -> bool:
    return isinstance(item, Failure) and item.first.code == "rubric-not-found"


def iter_rows(files: Iterable[Path], library: PortfolioLibrary) -> Iterator[Item]:
    """Every file's row or failure, streaming; rubric files are yielded as they are met.

    An answers file whose rubric is not known yet is held back (its path only)
    and retried once every file has been seen.
    """
    deferred: list[Path] = []
    for path in files:
        item = summarise_file(path, library)
        if isinstance(item, LoadedRubric):
            library.add(item)
        if _rubric_missing(item):
            deferred.append(path)
            continue
        yield item
    for path in deferred:
        yield summarise_file(path, library)


# ---------------------------------------------------------------- the portfolio


@dataclass
class Portfolio:
    rows: list[Row] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    rubrics: dict[str, RubricInfo] = field(default_factory=dict)
    rubric_files: list[str] = field(default_factory=list)
    sort: SortKey = "subject"
    rubric_filter: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.failures)

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


def build_portfolio(
    paths: Sequence[Path],
    library: RubricLibrary | None = None,
    *,
    sort: SortKey = "subject",
    rubric_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Portfolio:
    """Summarise every answers file under ``paths``: rows, failures and rubric facts."""
    if sort not in SORT_KEYS:
        raise CslevelsError(f"unknown sort key {sort!r}: use one of {', '.join(SORT_KEYS)}")
    portfolio_library = PortfolioLibrary(library or RubricLibrary())
    files = list(iter_files(paths))
    portfolio = Portfolio(sort=sort, rubric_filter=rubric_id)
    for done, item in enumerate(iter_rows(files, portfolio_library), 1):
        if isinstance(item, Row):
            if rubric_id is None or item.rubric_id == rubric_id:
                portfolio.rows.append(item)
        elif isinstance(item, Failure):
            portfolio.failures.append(item)
        else:
            portfolio.rubric_files.append(str(item.path))
        if progress is not None:
            progress(done, len(files))
    for loaded in portfolio_library.used():
        portfolio.rubrics.setdefault(loaded.rubric.id, rubric_info(loaded))
    portfolio.rows.sort(key=sort_key(sort))
    return portfolio
