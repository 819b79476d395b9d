"""``cslevels compare``: one subject over time, oldest first.

The comparison itself is pure (:mod:`cslevels.core.compare`); this loads and
scores the files.  Every file is needed: a comparison with one file silently
missing would mislead, so any file that fails to load fails the whole command.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cslevels.core.compare import DEFAULT_TOLERANCE, Comparison, compare
from cslevels.core.scoring import score_loaded
from cslevels.errors import Finding, InvalidDocumentError
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_all_answers


def compare_files(
    paths: Sequence[Path],
    library: RubricLibrary | None = None,
    *,
    rubric: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    allow_different_subjects: bool = False,
) -> tuple[Comparison, list[Finding]]:
    """Load, score and compare; raise with every error when any file is unusable."""
    library = library or RubricLibrary()
    override = library.override(rubric)
    loaded, errors, warnings = load_all_answers(paths, library, override)
    if errors:
        raise InvalidDocumentError(errors)
    comparison = compare([score_loaded(item) for item in loaded], tolerance=tolerance,
                         allow_different_subjects=allow_different_subjects)
    return comparison, warnings


