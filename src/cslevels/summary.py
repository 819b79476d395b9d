"""The portfolio: one small row per assessment, over many files and folders.

Built to stream: :func:`iter_files` walks the paths, :func:`summarise_file`
turns one file into a :class:`Row` (a few fields, not the full result) or a
:class:`Failure`, and :func:`iter_rows` chains them, so memory grows with the
rows only.  Rubrics come from the library (``loading.load_rubric`` caches them
by file), and rubric files found among the paths are used for the ids the
library does not know; answers files met before their rubric file are retried
at the end.

Portfolios run to 100,000 files, so the common case is made cheap:

* a fast path (:func:`fast_row`) parses a valid answers file with libyaml's
  loader (no positions), validates it and computes only the level profile
  (``scoring.profile``, no gap analysis).  It accepts a file only when the full
  path would; anything else, or anything it is unsure of, goes to the full
  path (``yamlio.load_path`` and the usual checks), which reports errors with
  their file:line:column;
* large inputs are spread over worker processes (:func:`iter_rows_parallel`)
  that send back plain row tuples, in order.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cslevels.errors import CslevelsError, Finding, RubricNotFoundError
from cslevels.loading import (
    LoadedRubric,
    RubricLibrary,
    answers_from_document,
    document_kind,
    rubric_from_document,
)
from cslevels.models import ANSWERS_SCHEMA, NA, AnswerEntry, Answers
from cslevels.scoring import Result, profile
from cslevels.yamlio import decode, max_file_bytes, max_nodes

SortKey = Literal["subject", "date", "level", "index"]
SORT_KEYS: tuple[SortKey, ...] = ("subject", "date", "level", "index")
SUFFIXES = (".yaml", ".yml", ".xlsx")
WORKBOOK_SUFFIX = ".xlsx"  # read by cslevels.files.workbook, never by the fast path
MAX_FINDINGS = 5  # per failed file: enough to act on, small enough to keep many
WORKERS_ENV = "CSLEVELS_WORKERS"  # worker processes; 1 turns parallel reading off
PARALLEL_MIN_FILES_ENV = "CSLEVELS_PARALLEL_MIN_FILES"
# Below these, starting workers costs more than it saves (measured on 2 cores: forked
# workers start in ~20 ms, spawned ones, which import cslevels afresh, in ~0.5 s).
DEFAULT_PARALLEL_MIN_FILES = 200
DEFAULT_PARALLEL_MIN_FILES_SPAWN = 2000
MAX_CHUNK = 250  # files per task sent to a worker
FAST_MAX_NESTING = 2000  # far below the depth where libyaml's recursive composer crashes


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
    for name in iter_file_names(paths):
        yield Path(name)


def iter_file_names(paths: Iterable[Path]) -> Iterator[str]:
    """:func:`iter_files` as strings: a long list of them takes a fraction of the memory."""
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                base = str(Path(folder))  # spelled as Path(folder) / name would spell it
                absolute = os.path.abspath(folder)
                for name in sorted(files):
                    # "~$x.xlsx" is Excel's lock file of an open workbook
                    if name.endswith(SUFFIXES) and not name.startswith((".", "~$")):
                        key = os.path.normcase(os.path.join(absolute, name))
                        if key not in seen:
                            seen.add(key)
                            yield name if base == "." else os.path.join(base, name)
        else:
            key = os.path.normcase(os.path.abspath(path))
            if key not in seen:
                seen.add(key)
                yield str(path)


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


# ---------------------------------------------------------------- the fast path


@cache
def _fast_loader() -> Any:
    """libyaml's safe loader, narrowed to what the full path accepts (None without libyaml).

    The document is built straight from libyaml's nodes, as ``yamlio`` does but
    without positions: only plain scalars, lists and mappings with scalar keys;
    any other tag (``!!set``, ``!!binary``, merge keys ``<<``, custom tags) and
    any repeated key is an error.  Plain scalars are resolved through a small
    cache, since portfolios repeat the same keys and values in every file.
    """
    try:
        from yaml import CSafeLoader
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        return None
    from yaml.constructor import ConstructorError, SafeConstructor
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    prefix = "tag:yaml.org,2002:"
    text_tag, list_tag, map_tag = f"{prefix}str", f"{prefix}seq", f"{prefix}map"
    int_tag = f"{prefix}int"
    scalars = {f"{prefix}{name}": SafeConstructor.yaml_constructors[f"{prefix}{name}"]
               for name in ("null", "bool", "int", "float", "timestamp")}
    resolved: dict[str, str] = {}
    if CSafeLoader.yaml_path_resolvers:  # pragma: no cover - someone registered one
        return None

    class FastLoader(CSafeLoader):
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode and implicit[0]:  # plain: the tag depends on the text only
                if value in resolved:
                    return resolved[value]
                tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
                if len(value) <= 64 and len(resolved) < 10_000:
                    resolved[value] = tag
                return tag
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]

        # PyYAML's path resolvers are never registered here: skip their two calls a node.
        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

        def construct_document(self, node: Any) -> Any:
            return self.build(node)

        def build(self, node: Any) -> Any:
            kind, tag = node.__class__, node.tag
            if kind is ScalarNode:
                if tag == text_tag:
                    return node.value
                value = node.value
                if tag == int_tag and value.isascii() and value.isdigit() and (
                        value[0] != "0" or value == "0"):
                    return int(value)  # plain decimal, what the constructor would make of it
                if tag not in scalars:
                    raise ConstructorError(None, None, f"tag {tag}", node.start_mark)
                return scalars[tag](self, node)
            if kind is MappingNode and tag == map_tag:
                mapping: dict[Any, Any] = {}
                for key_node, value_node in node.value:
                    if key_node.__class__ is not ScalarNode:
                        raise ConstructorError(None, None, "complex key", key_node.start_mark)
                    key = self.build(key_node)
                    if key in mapping:
                        raise ConstructorError(None, None, "duplicate key", key_node.start_mark)
                    mapping[key] = self.build(value_node)
                return mapping
            if kind is SequenceNode and tag == list_tag:
                return [self.build(item) for item in node.value]
            raise ConstructorError(None, None, f"tag {tag}", node.start_mark)

    return FastLoader


# Where a line starts, what may come before a block collection on it: indentation and
# the indicators of compact collections ("- - a", "? - a", ": - a"), after any line break.
_BLOCK_PREFIX = re.compile("(?:^|[\r\n\x85\u2028\u2029])[ \t?:-]*")


def _nesting_bound(text: str) -> int:
    """An upper bound on how deeply ``text`` can nest, without parsing it.

    Flow collections need a bracket each.  Block collections need more
    indentation at least every second level, and begin a line or follow only
    indicators on it, so the longest such prefix of a line bounds them (the
    longest line, a quicker bound, often does).
    """
    flow = text.count("[") + text.count("{")
    quick = flow + 2 * max(map(len, text.split("\n"))) + 2
    if quick <= FAST_MAX_NESTING:
        return quick
    return flow + 2 * max(map(len, _BLOCK_PREFIX.findall(text))) + 2


@dataclass(frozen=True, slots=True)
class _Table:
    """A rubric compiled for the fast path: question key -> (allow n/a, option scores)."""

    loaded: LoadedRubric
    questions: dict[str, tuple[bool, dict[tuple[type, object], float]]]  # by (type, value)


_TABLES: dict[int, _Table] = {}


def _table(loaded: LoadedRubric) -> _Table:
    table = _TABLES.get(id(loaded))
    if table is None or table.loaded is not loaded:
        rubric = loaded.rubric
        questions: dict[str, tuple[bool, dict[tuple[type, object], float]]] = {}
        for level, q in rubric.questions():
            options: dict[tuple[type, object], float] = {
                (type(o.value), o.value): o.score for o in rubric.scales[q.scale].options}
            questions[f"{level.id}.{q.id}"] = (q.allow_na, options)
        table = _TABLES[id(loaded)] = _Table(loaded, questions)
    return table


class _Unresolved:
    """The fast path's answer for a valid answers file whose rubric is not known (yet)."""


UNRESOLVED = _Unresolved()


def fast_row(path: str, library: PortfolioLibrary) -> Row | None:
    """The row of a valid answers file, computed cheaply; None means "take the full path".

    Returns a row only when the full path would return the same row: the
    checks here are a stricter subset of the full path's (see
    tests/test_summary_batch.py).  Files that might expand aliases (``&``),
    exceed the value or size limits, or nest deeply are left to the full path.
    """
    row = _fast(path, library)
    return row if isinstance(row, Row) else None


def _fast(path: str, library: PortfolioLibrary) -> Row | _Unresolved | None:
    """:func:`fast_row`, also telling when the full path would only say "unknown rubric"."""
    loader = _fast_loader()
    if loader is None:  # pragma: no cover - depends on how PyYAML was built
        return None
    limit = max_file_bytes()
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError:
        return None
    if len(raw) > limit:
        return None
    try:
        text = decode(raw, path)
    except CslevelsError:
        return None
    # Without anchors every value takes at least one character, so a text shorter
    # than the value limit cannot exceed it.
    if "&" in text or len(text) >= max_nodes() or _nesting_bound(text) > FAST_MAX_NESTING:
        return None
    import yaml
    from pydantic import ValidationError

    try:
        data = yaml.load(text, Loader=loader)  # a narrowed safe loader, see above
    except Exception:  # whatever went wrong, the full path reports it
        return None
    if not isinstance(data, dict) or data.get("schema") != ANSWERS_SCHEMA:
        return None
    try:
        # Every field but the answers, which pydantic is slow to check one by one.
        answers = Answers.model_validate({**data, "answers": None})  # None reads as {}
    except ValidationError:
        return None
    try:
        loaded = library.resolve(answers.rubric)
    except RubricNotFoundError:
        try:
            Answers.model_validate(data)
        except ValidationError:
            return None
        return UNRESOLVED  # as answers_from_document: its schema is valid, its rubric unknown
    except CslevelsError:
        return None
    questions = _table(loaded).questions
    values = _plain_answers(data.get("answers"), questions)
    if values is None:  # not plainly valid: pydantic decides
        try:
            full = Answers.model_validate(data)
        except ValidationError:
            return None
        values = {key: given.value if isinstance(given, AnswerEntry) else given
                  for key, given in full.answers.items()}
    return _row_of(path, answers, values, data, loaded)


_ENTRY_LIMITS = {"value": 64, "note": 10_000}  # AnswerValue and AnswerEntry.note


def _plain_answers(raw: object, questions: dict[str, Any]) -> dict[str, object] | None:
    """Each answer's value (None when blank) when ``raw`` plainly passes the schema of
    ``Answers.answers``; None when pydantic has to look (and maybe explain).

    Plainly: known question keys, and values that are whole numbers, short texts,
    blank, or mappings of ``value`` / ``note`` / ``evidence`` of the right types
    and lengths, which are exactly what the models accept for them.
    """
    if raw is None:
        return {}
    if type(raw) is not dict:
        return None
    values: dict[str, object] = {}
    for key, given in raw.items():
        if type(key) is not str or key not in questions:
            return None
        kind = type(given)
        if given is None or kind is int or (kind is str and len(given) <= 64):
            values[key] = given
        elif kind is dict and _plain_entry(given):
            values[key] = given.get("value")
        else:
            return None
    return values


def _plain_entry(entry: dict[Any, Any]) -> bool:
    for name, item in entry.items():
        if name in _ENTRY_LIMITS:
            kind = type(item)
            if not (item is None or (kind is int and name == "value")
                    or (kind is str and len(item) <= _ENTRY_LIMITS[name])):
                return False
        elif name == "evidence":
            if type(item) is not list or not all(
                    type(text) is str and len(text) <= 2_000 for text in item):
                return False
        else:
            return False
    return True


def _row_of(path: str, answers: Answers, values: dict[str, object], data: dict[Any, Any],
            loaded: LoadedRubric) -> Row | None:
    """Score a schema-valid answers file, or None where ``check_answers`` finds an error."""
    rubric = loaded.rubric
    levels = rubric.levels
    if isinstance(data.get("target"), bool) or (
            answers.target is not None and answers.target > len(levels)):
        return None
    questions = _table(loaded).questions
    scores: dict[str, float | None] = {}
    for key, value in values.items():
        spec = questions.get(key)
        if spec is None:
            return None  # unknown question
        if value is None:
            continue  # left blank: missing
        allow_na, options = spec
        if value == NA:
            if not allow_na:
                return None
            scores[key] = None
            continue
        option_score = options.get((type(value), value))
        if option_score is None:
            return None  # off the scale
        scores[key] = option_score
    outcome = profile(rubric, scores)
    weakest: int | None = None  # the first level with the lowest score, as min() picks
    weakest_score = 0.0
    for n, (level_score, _, _) in enumerate(outcome.levels):
        if level_score is not None and (weakest is None or level_score < weakest_score):
            weakest, weakest_score = n, level_score
    achieved = outcome.achieved_level
    return Row(
        path=path,
        subject=answers.subject,
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        rubric_digest=loaded.digest,
        date=answers.date,
        method=rubric.method,
        achieved_level=achieved,
        achieved_name=levels[achieved - 1].name if achieved else None,
        levels_achieved=sum(1 for _, _, status in outcome.levels if status == "achieved"),
        level_count=len(levels),
        index=outcome.index,
        weakest=None if weakest is None else levels[weakest].name,
        weakest_score=None if weakest is None else weakest_score,
    )


# ---------------------------------------------------------------- one file


def summarise_file(path: Path | str, library: PortfolioLibrary, *, fast: bool = True,
                   defer: bool = False) -> Item:
    """One file as a row, a failure, or (for a rubric file) the rubric it holds.

    With ``defer``, an answers file whose rubric is not known yet gets a bare
    "rubric-not-found" failure, without the full path's work: the caller tries
    the file again once it has seen every rubric file.
    """
    from cslevels.assessment import score_loaded
    from cslevels.loading import load_document

    path = Path(path)  # rows and messages spell the file as str(Path) does
    if fast and not str(path).lower().endswith(WORKBOOK_SUFFIX):
        row = _fast(str(path), library)
        if isinstance(row, Row):
            return row
        if row is UNRESOLVED and defer:
            return Failure(str(path), (Finding(str(path), "rubric not known yet",
                                               code="rubric-not-found"),))
    try:
        doc = load_document(path)
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


def iter_rows(files: Iterable[Path | str], library: PortfolioLibrary) -> Iterator[Item]:
    """Every file's row or failure, streaming; rubric files are yielded as they are met.

    An answers file whose rubric is not known yet is held back (its path only)
    and retried once every file has been seen.
    """
    deferred: list[Path | str] = []
    yield from _first_pass(files, library, deferred)
    for path in deferred:
        yield summarise_file(path, library)


def _first_pass(files: Iterable[Path | str], library: PortfolioLibrary,
                deferred: list[Path | str]) -> Iterator[Item]:
    """Each file's item as it is met; answers whose rubric is not known yet go to ``deferred``."""
    for path in files:
        yield from _settle(path, summarise_file(path, library, defer=True), library, deferred)


def _settle(path: Path | str, item: Item, library: PortfolioLibrary,
            deferred: list[Path | str]) -> Iterator[Item]:
    if isinstance(item, LoadedRubric):
        library.add(item)
    if _rubric_missing(item):
        deferred.append(path)
    else:
        yield item


# ---------------------------------------------------------------- several processes


def worker_count(files: int, workers: int | None = None, min_files: int | None = None,
                 start_method: str | None = None) -> int:
    """How many processes to read ``files`` files with: 1 unless the input is large.

    ``CSLEVELS_WORKERS`` and ``CSLEVELS_PARALLEL_MIN_FILES`` override the defaults
    (the CPUs this process may use, and a threshold that depends on how fast
    workers start).
    """
    if workers is None:
        workers = _env_int(WORKERS_ENV)
    if workers is None:
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not on Linux
            workers = os.cpu_count() or 1
    if min_files is None:
        min_files = _env_int(PARALLEL_MIN_FILES_ENV)
    if min_files is None:
        if workers <= 1 or files < DEFAULT_PARALLEL_MIN_FILES:
            return 1  # without importing multiprocessing
        forked = _mp_context(start_method).get_start_method() == "fork"
        min_files = DEFAULT_PARALLEL_MIN_FILES if forked else DEFAULT_PARALLEL_MIN_FILES_SPAWN
    return max(1, workers) if files >= max(min_files, 2) else 1


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


_WORKER: dict[str, Any] = {}  # in a worker: its library, whether to defer, rubrics sent
RowFields = tuple[Any, ...]
ChunkResult = tuple[list["RowFields | Failure | None"], list[RubricInfo]]


def _start_worker(base: RubricLibrary, found: dict[str, LoadedRubric], defer: bool) -> None:
    """In each worker: a library like the parent's, and no Ctrl-C (the parent stops the pool)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    library = PortfolioLibrary(base)
    for loaded in found.values():
        library.add(loaded)
    _WORKER.update(library=library, defer=defer, sent=set())


def _summarise_chunk(paths: list[str]) -> ChunkResult:
    """In a worker: each file's row fields (a plain tuple), failure, or None for a rubric
    file; and the rubrics used for the first time, for the portfolio's distribution."""
    library: PortfolioLibrary = _WORKER["library"]
    out: list[RowFields | Failure | None] = []
    for path in paths:
        item = summarise_file(path, library, defer=_WORKER["defer"])
        if isinstance(item, Row):
            out.append(tuple(getattr(item, name) for name in Row.__slots__))
        elif isinstance(item, Failure):
            out.append(item)
        else:
            out.append(None)
    sent: set[str] = _WORKER["sent"]
    infos = [info for info in library.infos().values() if info.id not in sent]
    sent.update(info.id for info in infos)
    return out, infos


def _chunks(files: Sequence[str], workers: int) -> list[list[str]]:
    """Enough chunks to keep every worker busy to the end, none too big."""
    size = max(1, min(MAX_CHUNK, -(-len(files) // (workers * 4))))
    return [list(files[i:i + size]) for i in range(0, len(files), size)]


def _pooled(names: list[str], library: PortfolioLibrary, base: RubricLibrary, workers: int,
            start_method: str | None, *, defer: bool
            ) -> Iterator[tuple[str, RowFields | Failure | None]]:
    """Each file's result from worker processes, in order.

    The workers' library holds the rubric files ``library`` has found so far.
    Stops early, without an error, when the processes cannot start or one dies:
    the caller reads the rest itself.
    """
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    chunks = _chunks(names, workers)
    try:
        executor = ProcessPoolExecutor(
            max_workers=min(workers, len(chunks)), mp_context=_mp_context(start_method),
            initializer=_start_worker, initargs=(base, dict(library.found), defer))
    except (OSError, ValueError, ImportError, NotImplementedError):  # e.g. no semaphores
        return
    try:
        for chunk, (results, infos) in zip(chunks, executor.map(_summarise_chunk, chunks),
                                           strict=True):
            for info in infos:
                library.from_workers.setdefault(info.id, info)
            yield from zip(chunk, results, strict=True)
    except (BrokenProcessPool, OSError):  # a worker died, or could not be started
        return
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def iter_rows_parallel(
    files: Sequence[Path | str],
    library: PortfolioLibrary,
    base: RubricLibrary,
    workers: int,
    *,
    start_method: str | None = None,
    min_files: int = 2,
) -> Iterator[Item]:
    """:func:`iter_rows` over ``workers`` processes: the same items, in the same order.

    Workers send back row tuples; the rest is settled here, in file order, with
    this process's library, so rubric files among the paths work as in one
    process: a rubric file, and an answers file whose rubric a worker did not
    know, are redone here.  Files held back for a rubric met later go to workers
    again (``min_files`` of them or more), now with every rubric file found.
    If the processes cannot start, or one dies, the rest is read here.
    """
    names = [str(path) for path in files]
    deferred: list[Path | str] = []
    done = 0
    for name, result in _pooled(names, library, base, workers, start_method, defer=True):
        item: Item
        if isinstance(result, tuple):
            item = Row(*result)
        elif result is None or (_rubric_missing(result) and library.found):
            item = summarise_file(name, library, defer=True)
        else:
            item = result
        done += 1
        yield from _settle(name, item, library, deferred)
    yield from _first_pass(names[done:], library, deferred)
    retry = [str(path) for path in deferred]
    done = 0
    if len(retry) >= max(min_files, 2):
        for _name, result in _pooled(retry, library, base, workers, start_method, defer=False):
            assert result is not None, "only answers files are held back"
            done += 1
            yield Row(*result) if isinstance(result, tuple) else result
    for name in retry[done:]:
        yield summarise_file(name, library)


def _mp_context(start_method: str | None) -> Any:
    """Fork where it exists on Linux (workers start in milliseconds and share the
    loaded rubrics); elsewhere the platform's default, which re-imports cslevels."""
    import multiprocessing
    import sys

    if start_method is None and sys.platform.startswith("linux"):
        start_method = "fork"
    return multiprocessing.get_context(start_method)


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
    workers: int | None = None,
    parallel_min_files: int | None = None,
    start_method: str | None = None,
) -> Portfolio:
    """Summarise every answers file under ``paths``: rows, failures and rubric facts.

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
    portfolio.rows.sort(key=sort_key(sort))
    return portfolio
