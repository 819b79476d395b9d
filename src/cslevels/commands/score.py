"""``cslevels score``: load, check and score answers files.

Loads each file, checks it against its rubric (each rubric loaded once), scores
it and keeps going past broken files so one bad file does not hide the rest.
With ``--combine`` the files are several raters' answers for one subject, and
every file is needed (:func:`combine_files`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from cslevels.core.documents import LoadedAnswers
from cslevels.core.scoring import Result, score_loaded
from cslevels.errors import CslevelsError, Finding
from cslevels.files.library import RubricLibrary
from cslevels.files.loading import load_all_answers, load_answers


@dataclass
class ScoredBatch:
    results: list[Result] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


def target_beyond(loaded: LoadedAnswers, target: int | None) -> Finding | None:
    """The error for a ``--target`` level the file's rubric does not have, if it is one."""
    rubric = loaded.rubric.rubric
    if target is None or target <= len(rubric.levels):
        return None
    return Finding(str(loaded.path), f"--target {target} is beyond the {len(rubric.levels)} "
                   f"levels of {rubric.id}", code="bad-target")


def _folder_hint(finding: Finding) -> Finding:
    """A folder given to score: say how to score what it holds."""
    if finding.code != "not-a-file":
        return finding
    folder = finding.path.rstrip("/")
    return replace(finding, hint=f"score takes answers files: give `{folder}/*.yaml` to score "
                   f"each file in it, or `cslevels summary {folder}` for a portfolio of them")


def score_files(
    paths: Sequence[Path],
    library: RubricLibrary | None = None,
    *,
    rubric: str | None = None,
    target: int | None = None,
) -> ScoredBatch:
    library = library or RubricLibrary()
    override = library.override(rubric)
    batch = ScoredBatch()
    for path in paths:
        try:
            loaded = load_answers(path, library, override)
        except CslevelsError as exc:
            batch.errors += [_folder_hint(f) for f in exc.to_findings()]
            continue
        batch.warnings += loaded.warnings
        beyond = target_beyond(loaded, target)
        if beyond is not None:
            batch.errors.append(beyond)
            continue
        batch.results.append(score_loaded(loaded, target=target))
    return batch


def combine_files(
    paths: Sequence[Path],
    library: RubricLibrary | None = None,
    *,
    rubric: str | None = None,
    target: int | None = None,
) -> ScoredBatch:
    """Several raters' answers files of one subject and rubric as one combined result."""
    from cslevels.core.combine import Rater, rater_names, score_combined  # only for --combine

    library = library or RubricLibrary()
    override = library.override(rubric)
    loaded, errors, warnings = load_all_answers(paths, library, override)
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
    beyond = target_beyond(loaded[0], target)
    if beyond is not None:
        batch.errors.append(beyond)
    if batch.errors:
        return batch
    names = rater_names([(item.answers, str(item.path)) for item in loaded])
    raters = [Rater(name, item.answers, str(item.path))
              for name, item in zip(names, loaded, strict=True)]
    batch.results.append(score_combined(
        first, raters, target=target, rubric_digest=loaded[0].rubric.digest))
    return batch
