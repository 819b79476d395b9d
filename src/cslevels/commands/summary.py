"""The portfolio: one small row per assessment, over many files and folders.

Built to stream: ``cslevels.files.walk`` walks the paths, ``summary_rows`` turns
each file into a row (a few fields, not the full result) or a failure, so memory
grows with the rows only.  Rubrics come from the library, and rubric files found
among the paths are used for the ids the library does not know.

Portfolios run to 100,000 files, so the common case is made cheap:

* a fast path (``summary_fast``) parses a valid answers file with libyaml's
  loader (no positions), validates it and computes only the level profile
  (``scoring.profile``, no gap analysis).  It accepts a file only when the full
  path would; anything else, or anything it is unsure of, goes to the full
  path (the registered reader and the usual checks), which reports errors with
  their file:line:column;
* large inputs are spread over worker processes (``summary_pool``)
  that send back plain row tuples, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from cslevels.commands.summary_pool import (
    DEFAULT_PARALLEL_MIN_FILES,
    iter_rows_parallel,
    worker_count,
)
from cslevels.commands.summary_rows import PortfolioLibrary, iter_rows
from cslevels.core.portfolio import SORT_KEYS, Failure, Portfolio, Row, SortKey, sort_key
from cslevels.errors import CslevelsError
from cslevels.files.library import RubricLibrary
from cslevels.files.walk import iter_file_names


def build_portfolio(
    paths: Sequence[Path],
    library: RubricLibrary | None = None,
    *,
    sort: SortKey = "subject",
    rubric_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    parallel_min_files: int | None = None,
    start_method: str | None = None,
    all_visits: bool = False,
) -> Portfolio:
    """Summarise every answers file under ``paths``: rows, failures and rubric facts.

    By default a row is the latest assessment of each subject and rubric (a portfolio
    counts businesses, not files); ``all_visits`` keeps every file's row.

    Large inputs are read by several processes (see :func:`worker_count`); the
    portfolio is the same either way.
    """
    if sort not in SORT_KEYS:
        raise CslevelsError(f"unknown sort key {sort!r}: use one of {', '.join(SORT_KEYS)}")
    base = library or RubricLibrary()
    portfolio_library = PortfolioLibrary(base)
    files = list(iter_file_names(paths))
    portfolio = Portfolio(sort=sort, rubric_filter=rubric_id)
    count = worker_count(len(files), workers, parallel_min_files, start_method)
    items = (iter_rows_parallel(files, portfolio_library, base, count, start_method=start_method,
                                min_files=parallel_min_files or DEFAULT_PARALLEL_MIN_FILES)
             if count > 1 else iter_rows(files, portfolio_library))
    for done, item in enumerate(items, 1):
        if isinstance(item, Row):
            if rubric_id is None or item.rubric_id == rubric_id:
                portfolio.rows.append(item)
        elif isinstance(item, Failure):
            portfolio.failures.append(item)
        else:
            portfolio.rubric_files.append(str(item.path))
        if progress is not None:
            progress(done, len(files))
    portfolio.rubrics.update(portfolio_library.infos())
    if not all_visits:
        portfolio.keep_latest_visits()
    portfolio.rows.sort(key=sort_key(sort))
    portfolio.earlier.sort(key=sort_key(sort))
    return portfolio
