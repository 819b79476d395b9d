"""Scoring answers files: the one core function behind ``cslevels score``.

Loads each file, checks it against its rubric (each rubric loaded once), scores
it and keeps going past broken files so one bad file does not hide the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cslevels.core.documents import LoadedAnswers, LoadedRubric
from cslevels.core.scoring import Result, score
from cslevels.errors import CslevelsError, Finding
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_answers


@dataclass
class ScoredBatch:
    results: list[Result] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


def score_loaded(loaded: LoadedAnswers, *, target: int | None = None) -> Result:
    return score(
        loaded.rubric.rubric,
        loaded.answers,
        target=target,
        rubric_digest=loaded.rubric.digest,
        source=str(loaded.path),
        warnings=[f.message for f in loaded.warnings],
    )


def score_files(
    paths: Sequence[Path],
    library: RubricLibrary | None = None,
    *,
    rubric: str | None = None,
    target: int | None = None,
) -> ScoredBatch:
    library = library or RubricLibrary()
    override: LoadedRubric | None = library.resolve(rubric) if rubric else None
    batch = ScoredBatch()
    for path in paths:
        try:
            loaded = load_answers(path, library, override)
        except CslevelsError as exc:
            batch.errors += exc.to_findings()
            continue
        batch.warnings += loaded.warnings
        if target is not None and target > len(loaded.rubric.rubric.levels):
            batch.errors.append(Finding(str(path), f"--target {target} is beyond the "
                                        f"{len(loaded.rubric.rubric.levels)} levels of "
                                        f"{loaded.rubric.rubric.id}", code="bad-target"))
            continue
        batch.results.append(score_loaded(loaded, target=target))
    return batch
