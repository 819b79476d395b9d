"""``summary``'s rows, file by file, streaming; and its rubric library.

:func:`summarise_file` turns one file into a :class:`~cslevels.core.portfolio.Row`
(fast path first), a :class:`~cslevels.core.portfolio.Failure` or, for a rubric
file, the rubric it holds; :func:`iter_rows` chains them, so memory grows with the
rows only.  Rubric files met among the paths are used for ids the library does
not know; answers files met before their rubric file are retried at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from cslevels.commands.summary_fast import UNRESOLVED, fast_result
from cslevels.core.documents import (
    LoadedRubric,
    judge_document,
)
from cslevels.core.portfolio import Failure, Row, RubricInfo, row_from_result, rubric_info
from cslevels.core.scoring import score_loaded
from cslevels.errors import CslevelsError, Finding, RubricNotFoundError
from cslevels.files.library import RubricLibrary
from cslevels.files.readers import read_document

MAX_FINDINGS = 5  # per failed file: enough to act on, small enough to keep many


class PortfolioLibrary(RubricLibrary):
    """The rubric library, plus rubric files met among the summarised paths.

    Those are consulted only for ids the library cannot resolve, so a stray copy
    of a built-in rubric in a client folder does not silently replace it.
    """

    def __init__(self, base: RubricLibrary) -> None:
        super().__init__(())
        self.dirs = base.dirs
        self.found: dict[str, LoadedRubric] = {}
        self.from_workers: dict[str, RubricInfo] = {}  # rubrics that worker processes used
        self._resolved: dict[str, LoadedRubric] = {}
        self._unknown: dict[str, str | None] = {}  # id -> the library's hint

    def add(self, loaded: LoadedRubric) -> None:
        self.found.setdefault(loaded.rubric.id, loaded)

    def used(self) -> list[LoadedRubric]:
        """Every rubric resolved so far, then those found among the paths."""
        return [*self._resolved.values(), *self.found.values()]

    def infos(self) -> dict[str, RubricInfo]:
        """The facts of every rubric used, here or in worker processes, by id."""
        out: dict[str, RubricInfo] = {}
        for loaded in self.used():
            out.setdefault(loaded.rubric.id, rubric_info(loaded))
        for info in self.from_workers.values():
            out.setdefault(info.id, info)
        return out

    def resolve(self, ref: str) -> LoadedRubric:
        if ref in self._resolved:
            return self._resolved[ref]
        if ref not in self._unknown:
            try:
                loaded = super().resolve(ref)
            except RubricNotFoundError as exc:
                self._unknown[ref] = exc.hint
            else:
                self._resolved[ref] = loaded
                return loaded
        if ref in self.found:
            return self.found[ref]
        # The library's hint ("did you mean ...? available: ...") first, as validate gives it.
        hint = "give its folder with --rubrics-dir, or include the rubric file among the paths"
        raise RubricNotFoundError(f"unknown rubric {ref!r}", code="rubric-not-found",
                                  hint=f"{self._unknown[ref]}; or {hint}"
                                  if self._unknown[ref] else hint)


Item = Row | Failure | LoadedRubric


def summarise_file(path: Path | str, library: PortfolioLibrary, *, fast: bool = True,
                   defer: bool = False) -> Item:
    """One file as a row, a failure, or (for a rubric file) the rubric it holds.

    With ``defer``, an answers file whose rubric is not known yet gets a bare
    "rubric-not-found" failure, without the full path's work: the caller tries
    the file again once it has seen every rubric file.
    """
    path = Path(path)  # rows and messages spell the file as str(Path) does
    if fast:
        row = fast_result(str(path), library)
        if isinstance(row, Row):
            return row
        if row is UNRESOLVED and defer:
            return Failure(str(path), (Finding(str(path), "rubric not known yet",
                                               code="rubric-not-found"),))
    try:
        judged = judge_document(read_document(path), path, library)
    except CslevelsError as exc:
        return Failure(str(path), tuple(exc.to_findings()[:MAX_FINDINGS]))
    if judged.loaded is None:
        return Failure(str(path), _errors(judged.findings))
    if isinstance(judged.loaded, LoadedRubric):
        return judged.loaded
    return row_from_result(score_loaded(judged.loaded))


def _errors(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    errors = [f for f in findings if f.severity == "error"] or list(findings)
    return tuple(errors[:MAX_FINDINGS])


def rubric_missing(item: Item) -> bool:
    return isinstance(item, Failure) and item.first.code == "rubric-not-found"


def iter_rows(files: Iterable[Path | str], library: PortfolioLibrary) -> Iterator[Item]:
    """Every file's row or failure, streaming; rubric files are yielded as they are met.

    An answers file whose rubric is not known yet is held back (its path only)
    and retried once every file has been seen.
    """
    deferred: list[Path | str] = []
    yield from first_pass(files, library, deferred)
    for path in deferred:
        yield summarise_file(path, library)


def first_pass(files: Iterable[Path | str], library: PortfolioLibrary,
                deferred: list[Path | str]) -> Iterator[Item]:
    """Each file's item as it is met; answers whose rubric is not known yet go to ``deferred``."""
    for path in files:
        yield from settle(path, summarise_file(path, library, defer=True), library, deferred)


def settle(path: Path | str, item: Item, library: PortfolioLibrary,
            deferred: list[Path | str]) -> Iterator[Item]:
    if isinstance(item, LoadedRubric):
        library.add(item)
    if rubric_missing(item):
        deferred.append(path)
    else:
        yield item


