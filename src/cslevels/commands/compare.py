"""Loading several answers files for ``compare`` and ``score --combine``.

The cores (:mod:`cslevels.core.compare`, :mod:`cslevels.core.combine`) are pure; this is
the thin layer that reads the files.  Unlike a plain ``score``, both need every
file: a comparison or a combination with one file silently missing would
mislead, so any file that fails to load fails the whole command.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cslevels.commands.score import ScoredBatch, score_loaded
from cslevels.core.compare import DEFAULT_TOLERANCE, Comparison, compare
from cslevels.core.documents import LoadedAnswers, LoadedRubric
from cslevels.errors import CslevelsError, Finding, InvalidDocumentError
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers


def load_all(
    paths: Sequence[Path], library: RubricLibrary | None = None, *, rubric: str | None = None
) -> tuple[list[LoadedAnswers], list[Finding], list[Finding]]:
    """Every file loaded, with every error and warning found along the way."""
    library = library or RubricLibrary()
    override: LoadedRubric | None = library.resolve(rubric) if rubric else None
    loaded: list[LoadedAnswers] = []
    errors: list[Finding] = []
    warnings: list[Finding] = []
    for path in paths:
        try:
            item = load_answers(path, library, override)
        except CslevelsError as exc:
            errors += exc.to_findings()
            continue
        warnings += item.warnings
        loaded.append(item)
    return loaded, errors, warnings


def compare_files(
    paths: Sequence[Path],
    library: RubricLibrary | None = None,
    *,
    rubric: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> tuple[Comparison, list[Finding]]:
    """Load, score and compare; raise with every error when any file is unusable."""
    loaded, errors, warnings = load_all(paths, library, rubric=rubric)
    if errors:
        raise InvalidDocumentError(errors)
    return compare([score_loaded(item) for item in loaded], tolerance=tolerance), warnings


def combine_files(
    paths: Sequence[Path],
    library: RubricLibrary | None = None,
    *,
    rubric: str | None = None,
    target: int | None = None,
) -> ScoredBatch:
    """Several raters' answers files of one subject and rubric as one combined result."""
    from cslevels.core.combine import Rater, rater_names, score_combined

    loaded, errors, warnings = load_all(paths, library, rubric=rubric)
    batch = ScoredBatch(errors=errors, warnings=warnings)
    if errors or not loaded:
        return batch
    first = loaded[0].rubric.rubric
    for item in loaded[1:]:
        if item.rubric.rubric.id != first.id or item.rubric.digest != loaded[0].rubric.digest:
            batch.errors.append(Finding(
                str(item.path), f"cannot combine raters of different rubrics: "
                f"{loaded[0].path} uses {first.id} {first.version}, this file uses "
                f"{item.rubric.rubric.id} {item.rubric.rubric.version}", code="rubric-mismatch"))
    if target is not None and target > len(first.levels):
        batch.errors.append(Finding(str(loaded[0].path), f"--target {target} is beyond the "
                                    f"{len(first.levels)} levels of {first.id}",
                                    code="bad-target"))
    if batch.errors:
        return batch
    names = rater_names([(item.answers, str(item.path)) for item in loaded])
    raters = [Rater(name, item.answers, str(item.path))
              for name, item in zip(names, loaded, strict=True)]
    batch.results.append(score_combined(
        first, raters, target=target, rubric_digest=loaded[0].rubric.digest))
    return batch
