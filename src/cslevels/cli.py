"""The ``cslevels`` command line: the edge where options become calls and errors exit codes.

Each command parses its options, calls its module in ``cslevels.commands`` (which
returns data), renders that with the chosen format from
``cslevels.reporting.formats`` and writes the report to stdout or ``-o FILE``;
diagnostics go to stderr.  Errors a user can cause (``CslevelsError``) become one
message per problem and exit code 1, never a traceback; usage errors exit 2.

No ``from __future__ import annotations`` here, on purpose: typer evaluates every
command's annotations on every run, and string annotations cost it an ``eval`` each
(about 7 ms of start-up).  Annotations must therefore be valid at import time.
"""

import dataclasses
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

from cslevels import __version__
from cslevels.core.paper import DEFAULT_PAPER_TEXT, PAPERS, locale_paper
from cslevels.errors import CslevelsError, Finding, OutputError
from cslevels.reporting.formats import (
    BRANDED_FORMATS,
    COMPARE_FORMATS,
    LIST_FORMATS,
    MAX_COLUMNS,
    PAGE_FORMATS,
    SCORE_FORMATS,
    SHOW_FORMATS,
    SUMMARY_FORMATS,
    TEMPLATE_FORMATS,
    VALIDATE_FORMATS,
    FormatRegistry,
    Rendered,
    RenderOptions,
)
from cslevels.text import clean_line

if TYPE_CHECKING:
    import datetime

    from cslevels.core.paper import Paper

EXIT_CODES = ("Exit codes: 0 success; 1 invalid input, findings, or a gate not met; "
              "2 a usage error.")

app = typer.Typer(
    name="cslevels",
    help="Assess how mature a business's customer service is, against YAML maturity models.",
    epilog=EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _choices(registry: FormatRegistry) -> type[Enum]:
    """The --format choices of one command, as typer wants them (an Enum of str)."""
    return Enum(f"{registry.kind.title()}Format", {n: n for n in registry}, type=str)  # type: ignore[return-value]


ListFormat = _choices(LIST_FORMATS)
ShowFormat = _choices(SHOW_FORMATS)
ValidateFormat = _choices(VALIDATE_FORMATS)
TemplateFormat = _choices(TEMPLATE_FORMATS)
ScoreFormat = _choices(SCORE_FORMATS)
CompareFormat = _choices(COMPARE_FORMATS)
SummaryFormat = _choices(SUMMARY_FORMATS)
SummarySort = Enum(  # type: ignore[misc]
    "SummarySort", {n: n for n in ("subject", "date", "level", "index")}, type=str)


class SchemaName(str, Enum):
    rubric = "rubric"
    answers = "answers"
    brand = "brand"


def _format_option(registry: FormatRegistry, implied: bool = True) -> typer.models.OptionInfo:
    """--format with its choices and default in the help, case-insensitive."""
    by_suffix = (f" (default {registry.default}, or what the -o file's suffix implies)"
                 if implied and registry.suffixes else f" (default {registry.default})")
    option: typer.models.OptionInfo = typer.Option(
        "--format", "-f", case_sensitive=False, metavar="FORMAT",
        help=f"One of: {', '.join(registry)}{by_suffix}.")
    return option


RubricsDirs = Annotated[
    Optional[list[Path]],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--rubrics-dir", metavar="DIR", file_okay=False,
        help="A folder of extra rubrics (repeatable); CSLEVELS_RUBRICS_PATH works too.",
    ),
]
OutputOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--output", "-o", metavar="FILE", dir_okay=False,
                 help="Write to FILE instead of stdout (atomically)."),
]
RubricArgument = Annotated[
    str, typer.Argument(metavar="RUBRIC", help="A rubric id or a path to a rubric file."),
]


def _named(value: str | None) -> str | None:
    """An option naming a rubric must name one: ``--rubric ''`` would quietly mean none."""
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be empty: name a rubric")
    return value


RubricOverride = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--rubric", metavar="RUBRIC", callback=_named,
                 help="Score against this rubric (an id or a file) instead of the one each "
                      "answers file names."),
]
BrandOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--brand", metavar="FILE",
                 help="Brand HTML and Markdown reports with this brand file (firm, logo, accent "
                      "colour, confidentiality line). Default: CSLEVELS_BRAND, else "
                      "~/.config/cslevels/brand.yaml when it exists."),
]
NoBrandOption = Annotated[
    bool, typer.Option("--no-brand", help="No branding, whatever CSLEVELS_BRAND or the "
                                          "per-user brand file say."),
]
PaperChoice = Enum("PaperChoice", {n: n for n in PAPERS}, type=str)  # type: ignore[misc]
PaperOption = Annotated[
    Optional[PaperChoice],  # noqa: UP045
    typer.Option("--paper", case_sensitive=False,
                 help="The paper PDFs and printed HTML pages are laid out for. Default: the "
                      f"brand file's paper, else {DEFAULT_PAPER_TEXT}."),
]


def _epilog(*examples: str, extra: str = "") -> str:
    """A command's help ends with examples and the exit codes (``\\b``: kept as written)."""
    lines = "\n".join(f"  cslevels {example}" for example in examples)
    return f"\b\nExamples:\n{lines}\n\n{extra or EXIT_CODES}"


# ---------------------------------------------------------------- helpers at the edge


def fail(findings: Sequence[Finding] | str, code: int = 1) -> NoReturn:
    lines = [findings] if isinstance(findings, str) else [str(f) for f in findings]
    for line in lines:
        sys.stderr.write(clean_line(line) + "\n")
    raise typer.Exit(code)


def warn(message: str) -> None:
    sys.stderr.write(clean_line(message) + "\n")


def deprecated(old: str, new: str) -> None:
    warn(f"warning: {old} is deprecated and will be removed; use {new}")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn every error a user can cause into a message and exit code 1."""
    try:
        yield
    except CslevelsError as exc:
        fail(exc.to_findings())
    except OSError as exc:  # a path the system refuses (too long, a link loop) where it was
        if exc.filename is None:  # only looked at; without a file, stdout's (see main)
            raise
        fail([path_error(exc)])


def path_error(exc: OSError) -> Finding:
    """An operating-system error about a named file, as a finding."""
    return Finding(path=os.fsdecode(exc.filename),
                   message=f"cannot use this path: {exc.strerror or exc}",
                   code="path-refused")


def render_options(output: Path | None = None, several: bool | None = None) -> RenderOptions:
    stream_is_tty = sys.stdout.isatty() and output is None
    color = stream_is_tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    if "FORCE_COLOR" in os.environ and output is None:
        color = True
    width = shutil.get_terminal_size((100, 24)).columns if stream_is_tty else 100
    if os.environ.get("COLUMNS", "").isdigit():
        width = int(os.environ["COLUMNS"])
    return RenderOptions(color=color, width=min(width, MAX_COLUMNS), several=several,
                         issued=issue_date())


def with_brand(options: RenderOptions, fmt: str, brand: Path | None,
               no_brand: bool) -> RenderOptions:
    """``options`` with the brand the format shows: --brand, else CSLEVELS_BRAND, else the
    per-user brand file; none with --no-brand or for a format without branding."""
    if brand is not None and no_brand:
        raise typer.BadParameter("--brand and --no-brand contradict each other; give one",
                                 param_hint="--brand")
    if fmt not in BRANDED_FORMATS:
        if brand is not None:
            warn(f"warning: --brand has no effect on --format {fmt}")
        return options
    from cslevels.files.brand import resolve_brand

    loaded = resolve_brand(brand, disabled=no_brand, environ=os.environ)
    return options if loaded is None else dataclasses.replace(options, brand=loaded)


def with_paper(options: RenderOptions, fmt: str, paper: Enum | None) -> RenderOptions:
    """``options`` with the paper printed pages are laid out for (HTML and PDF): --paper,
    else the brand's, else the locale's (core.paper)."""
    if fmt not in PAGE_FORMATS:
        if paper is not None:
            warn(f"warning: --paper has no effect on --format {fmt}")
        return options
    chosen = None if paper is None else paper_of(str(paper.value))
    if chosen is None and options.brand is not None:
        chosen = options.brand.brand.paper
    return dataclasses.replace(options, paper=chosen or locale_paper(os.environ))


def paper_of(name: str) -> "Paper":
    """A --paper choice (typer has checked it is one) as core.paper names it."""
    return next(p for p in PAPERS if p == name.lower())


def issue_date() -> "datetime.date":
    """The date of issue a report's cover gives: today, or the day of SOURCE_DATE_EPOCH
    (the reproducible-builds convention), so a report can be made again identically."""
    import datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        # a day past what dates can hold keeps today, as other settings keep their default
        with suppress(OverflowError, OSError, ValueError):
            return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
    return datetime.date.today()


def emit(report: Rendered, output: Path | None, *, overwrite: bool = True,
         inputs: Sequence[Path] = ()) -> None:
    """The report to stdout, or atomically to ``output`` (never over one of ``inputs``)."""
    if output is None:
        if isinstance(report, bytes):
            raise OutputError("this format is a binary file: give -o FILE to write it",
                              code="binary-to-stdout")
        sys.stdout.write(report)
        sys.stdout.flush()
        return
    from cslevels.files.output import atomic_write, refuse_inputs

    refuse_inputs(output, inputs)
    atomic_write(output, report, overwrite=overwrite)
    warn(f"wrote {output}")


def pick_format(requested: Enum | None, output: Path | None, registry: FormatRegistry) -> str:
    """The explicit --format, else the one the output file's suffix implies, else the
    default; an output suffix no format writes, or one that contradicts --format, is refused."""
    return registry.choose(None if requested is None else str(requested.value),
                           None if output is None else str(output))


@contextmanager
def browser_early(name: str) -> Iterator[None]:
    """For a PDF, the browser starts now: it gets ready while cslevels loads, scores and
    renders (its start-up is most of a PDF's time), and is stopped when the block ends,
    however it ends, if the print did not take it.  Meanwhile SIGTERM ends cslevels as an
    exit does (status 143), so that the browser's temporary folder goes too."""
    if name != "pdf":
        yield
        return
    import signal

    from cslevels.files.browser import start_early, stop_early

    previous = signal.getsignal(signal.SIGTERM)
    replaced = previous is signal.SIG_DFL
    if replaced:
        with suppress(ValueError):  # not the main thread: left as it is
            signal.signal(signal.SIGTERM, _terminated)
    start_early(os.environ)
    try:
        yield
    finally:
        stop_early()
        if replaced:
            with suppress(ValueError):
                signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, _frame: object) -> NoReturn:
    raise SystemExit(128 + signum)


def library(rubrics_dirs: Sequence[Path] | None):  # type: ignore[no-untyped-def]
    from cslevels.files.library import RubricLibrary

    return RubricLibrary(rubrics_dirs or ())


# ---------------------------------------------------------------- commands


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"cslevels {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Assess how mature a business's customer service is, against YAML maturity models."""
    from cslevels.files.inputs import forget_all

    forget_all()  # each command's inputs are its own (tests run many in one process)


@app.command("list", short_help="The rubrics available, built-in and from rubric folders.",
             epilog=_epilog("list", "list --format json --rubrics-dir my-rubrics/"))
def list_command(
    fmt: Annotated[Optional[ListFormat], _format_option(LIST_FORMATS)] = None,  # type: ignore[valid-type]  # noqa: UP045
    rubrics_dir: RubricsDirs = None,
    as_json: Annotated[bool, typer.Option("--json", hidden=True)] = False,
) -> None:
    """List the rubrics available (built-in and from rubric folders); exit 1 if one is broken."""
    from cslevels.commands.list import list_rubrics

    if as_json:
        deprecated("--json", "--format json")
    name = pick_format(fmt, None, LIST_FORMATS) if not as_json or fmt else "json"
    with user_errors():
        entries = list_rubrics(library(rubrics_dir))
    if name == "terminal":
        for entry in entries:
            if entry.rubric is None:
                warn(f"{entry.path}: cannot be used: {entry.error}")
    sys.stdout.write(LIST_FORMATS.render_text(name, entries, render_options()))
    if any(e.rubric is None for e in entries):
        raise typer.Exit(1)


@app.command(short_help="One rubric as a readable, printable questionnaire.",
             epilog=_epilog("show seven-levels",
                            "show five-grades -o questionnaire.html   # print it"))
def show(
    rubric: RubricArgument,
    fmt: Annotated[Optional[ShowFormat], _format_option(SHOW_FORMATS)] = None,  # type: ignore[valid-type]  # noqa: UP045
    output: OutputOption = None,
    rubrics_dir: RubricsDirs = None,
    brand: BrandOption = None,
    no_brand: NoBrandOption = False,
    paper: PaperOption = None,
) -> None:
    """Show a rubric as a readable, printable questionnaire."""
    from cslevels.commands.show import show_rubric

    with user_errors():
        loaded = show_rubric(rubric, library(rubrics_dir))
        name = pick_format(fmt, output, SHOW_FORMATS)
        with browser_early(name):
            options = with_paper(with_brand(render_options(output), name, brand, no_brand),
                                 name, paper)
            emit(SHOW_FORMATS.render(name, loaded.rubric, options), output, inputs=[loaded.path])


@app.command(short_help="Check rubric and answers files; exit 1 on findings.",
             epilog=_epilog("validate rubrics/ assessments/ --strict",
                            "validate rubrics/ --format github   # annotations in CI"))
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH", help="Rubric, answers or brand files, or folders."),
    ],
    fmt: Annotated[ValidateFormat, _format_option(VALIDATE_FORMATS, implied=False)] = "text",  # type: ignore[valid-type]
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    rubrics_dir: RubricsDirs = None,
) -> None:
    """Check rubric, answers and brand files (the kind is told by `schema:`); exit 1 on
    findings."""
    from cslevels.commands.validate import validate as run_validation

    name = str(fmt.value)  # type: ignore[attr-defined]
    with user_errors():
        report = run_validation(paths, library(rubrics_dir), strict=strict)
        text = VALIDATE_FORMATS.render_text(name, report, render_options())
    if name == "text" and report.failed:
        sys.stderr.write(text)
    else:
        sys.stdout.write(text)
    if report.failed:
        raise typer.Exit(1)


@app.command(short_help="The JSON Schema of the rubric, answers or brand file format.",
             epilog=_epilog("schema rubric -o rubric.schema.json"))
def schema(
    name: Annotated[SchemaName, typer.Argument(metavar="rubric|answers|brand",
                                               help="Which file format.")],
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema (draft-07) of the rubric, answers or brand file format."""
    from cslevels.commands.schema import schema as schema_of

    with user_errors():
        if output is not None and output.suffix.lower() not in ("", ".json"):
            raise OutputError(f"cslevels schema writes JSON, not {output.suffix}: name the "
                              "output with .json", path=str(output), code="unknown-suffix")
        emit(schema_of(name.value), output)


@app.command(short_help="A blank answers file, workbook or browser form to fill in.",
             epilog=_epilog("template seven-levels -o acme.yaml",
                            "template seven-levels -o survey.xlsx   # a workbook with dropdowns",
                            "template six-levels -o survey.html     # an offline browser form",
                            "template seven-levels --from survey.xlsx -o acme.yaml"))
def template(
    rubric: RubricArgument,
    fmt: Annotated[Optional[TemplateFormat], _format_option(TEMPLATE_FORMATS)] = None,  # type: ignore[valid-type]  # noqa: UP045
    output: OutputOption = None,
    from_: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--from", metavar="ANSWERS", dir_okay=False,
                     help="Pre-fill from this answers file or workbook (any medium)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    rubrics_dir: RubricsDirs = None,
) -> None:
    """Write a blank answers file (every question commented with its options), a workbook,
    or an offline HTML form (-o FILE.html) whose download is an answers file."""
    from cslevels.commands.template import template_source

    with user_errors():
        name = pick_format(fmt, output, TEMPLATE_FORMATS)  # before any work: the one rule
        source = template_source(rubric, library(rubrics_dir), from_)
        for finding in source.warnings:
            warn(str(finding))
        emit(TEMPLATE_FORMATS.render(name, source.rubric, source.answers), output,
             overwrite=force, inputs=[source.rubric.path, *([from_] if from_ else [])])


@app.command(short_help="Score answers files and report: level, gaps, next steps.",
             epilog=_epilog("score examples/riverside-cafe.yaml",
                            "score examples/riverside-cafe.yaml -o report.html --target 5",
                            "score assessments/*.yaml --fail-under 3   # a gate in CI"))
def score(
    answers: Annotated[
        list[Path], typer.Argument(metavar="ANSWERS", help="One or more answers files."),
    ],
    fmt: Annotated[Optional[ScoreFormat], _format_option(SCORE_FORMATS)] = None,  # type: ignore[valid-type]  # noqa: UP045
    output: OutputOption = None,
    fail_under: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--fail-under", min=0, metavar="N",
                     help="Exit 1 when the level reached is below N (for a continuous rubric: "
                          "the number of levels achieved)."),
    ] = None,
    min_coverage: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option("--min-coverage", min=0.0, max=100.0, metavar="PERCENT",
                     help="Exit 1 when a level is answered below PERCENT (0-100, weighted, "
                          "n/a counting as answered), naming the levels that fall short."),
    ] = None,
    target: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--target", min=1, metavar="N", help="Show the gap to level N."),
    ] = None,
    rubric: RubricOverride = None,
    rubrics_dir: RubricsDirs = None,
    combine: Annotated[
        bool,
        typer.Option("--combine", help="The files are several raters' answers for one subject: "
                     "report one combined result and where the raters disagree."),
    ] = False,
    brand: BrandOption = None,
    no_brand: NoBrandOption = False,
    paper: PaperOption = None,
) -> None:
    """Score answers files and print the report."""
    with user_errors():
        name = pick_format(fmt, output, SCORE_FORMATS)
        with browser_early(name):
            if combine:  # the combining code is imported only for --combine
                from cslevels.commands.score import combine_files as scorer
            else:
                from cslevels.commands.score import score_files as scorer
            # several: the JSON shape follows the arguments
            options = with_paper(
                with_brand(render_options(output, several=len(answers) > 1 and not combine),
                           name, brand, no_brand), name, paper)
            batch = scorer(answers, library(rubrics_dir), rubric=rubric, target=target)
            for finding in batch.warnings:
                warn(str(finding))
            for finding in batch.errors:
                warn(str(finding))
            if not batch.results:
                raise typer.Exit(1)
            emit(SCORE_FORMATS.render(name, batch.results, options), output,
                 inputs=[*answers, *([Path(rubric)] if rubric else [])])
    if batch.errors:
        raise typer.Exit(1)
    gate_failed = False
    if fail_under is not None:
        below = [r for r in batch.results if r.level_reached < fail_under]
        for r in below:
            reached = (f"achieved level {r.level_reached} is" if r.achieved_level is not None
                       else f"{r.level_reached} of {len(r.levels)} levels achieved,")
            warn(f"{r.source}: {reached} below --fail-under {fail_under}")
        if min_coverage is None:
            for r in batch.results:
                if r.partial and r not in below:
                    warn(f"warning: {r.source}: passes --fail-under {fail_under} on partial "
                         f"answers ({r.answered_count} of {r.question_count} questions); add "
                         "--min-coverage 100 to require every answer")
        gate_failed = bool(below)
    if min_coverage is not None:
        from cslevels.reporting.views import coverage_gate_text

        for r in batch.results:
            short = coverage_gate_text(r, min_coverage / 100)
            if short is not None:
                warn(f"{r.source}: {short}")
                gate_failed = True
    if gate_failed:
        raise typer.Exit(1)


@app.command(short_help="One subject over time: level and score changes, regressions.",
             epilog=_epilog("compare examples/riverside-cafe.yaml "
                            "examples/riverside-cafe-2027-05.yaml",
                            "compare visits/*.yaml --fail-on-regression   # a gate in CI"))
def compare(
    answers: Annotated[
        list[Path],
        typer.Argument(metavar="ANSWERS",
                       help="Two or more answers files of one subject (OLD NEW [MORE...]), in any "
                            "order: they are compared oldest first by their date."),
    ],
    fmt: Annotated[Optional[CompareFormat], _format_option(COMPARE_FORMATS)] = None,  # type: ignore[valid-type]  # noqa: UP045
    output: OutputOption = None,
    fail_on_regression: Annotated[
        bool,
        typer.Option("--fail-on-regression", help="Exit 1 when the newest assessment is below "
                     "the previous level or a level score dropped by more than --tolerance."),
    ] = False,
    tolerance: Annotated[
        float,
        typer.Option("--tolerance", min=0.0, max=100.0, metavar="POINTS",
                     help="The largest drop of a level score, in percentage points (0-100), "
                          "not counted as a regression."),
    ] = 5.0,  # cslevels.core.compare.DEFAULT_TOLERANCE in points, not imported (startup)
    allow_different_subjects: Annotated[
        bool,
        typer.Option("--allow-different-subjects",
                     help="Compare assessments whose subjects differ (refused otherwise)."),
    ] = False,
    rubric: RubricOverride = None,
    rubrics_dir: RubricsDirs = None,
    brand: BrandOption = None,
    no_brand: NoBrandOption = False,
    paper: PaperOption = None,
) -> None:
    """Follow one subject over time: level and score changes, regressions flagged."""
    from cslevels.commands.compare import compare_files

    if len(answers) < 2:
        raise typer.BadParameter("give at least two answers files: OLD NEW [MORE...]",
                                 param_hint="OLD NEW")
    with user_errors():
        name = pick_format(fmt, output, COMPARE_FORMATS)
        with browser_early(name):
            options = with_paper(with_brand(render_options(output), name, brand, no_brand),
                                 name, paper)
            if 0 < tolerance < 1:
                warn(f"warning: --tolerance is in points: {tolerance:g} means {tolerance:g} of a "
                     f"level's 100 points; for {tolerance * 100:g} points give --tolerance "
                     f"{tolerance * 100:g}")
            comparison, warnings = compare_files(answers, library(rubrics_dir), rubric=rubric,
                                                 tolerance=tolerance / 100,
                                                 allow_different_subjects=allow_different_subjects)
            for finding in warnings:
                warn(str(finding))
            for message in comparison.warnings:
                warn(f"warning: {message}")
            emit(COMPARE_FORMATS.render(name, comparison, options), output,
                 inputs=[*answers, *([Path(rubric)] if rubric else [])])
    if fail_on_regression and comparison.regressed:
        for regression in comparison.regressions:
            warn(f"regression: {regression.message}")
        raise typer.Exit(1)


ASSESS_EXIT_CODES = ("Exit codes: 0 done or q; 1 end of input (Ctrl-D) or an error; 2 stdin is "
                     "not a terminal (use --no-tty); 129 the terminal was closed; 130 Ctrl-C; "
                     "143 SIGTERM. Answers given are always saved.")


@app.command(short_help="Answer a rubric's questions in the terminal; saves every answer.",
             epilog=_epilog('assess six-levels -o team.yaml --subject "Harbor floor team"',
                            "assess six-levels -o team.yaml   # again: continues the file",
                            extra=ASSESS_EXIT_CODES))
def assess(
    rubric: RubricArgument,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE", dir_okay=False,
                     help="The answers file: created, or continued when it exists."),
    ],
    subject: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--subject", metavar="NAME",
                     help="Who or what is assessed (asked when not given)."),
    ] = None,
    assessor: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--assessor", metavar="NAME", help="Your name (asked when not given)."),
    ] = None,
    review: Annotated[
        bool, typer.Option("--review", help="Walk every question, current answers pre-selected.")
    ] = False,
    no_tty: Annotated[
        bool, typer.Option("--no-tty", help="Read answers line by line from stdin (scripts).")
    ] = False,
    rubrics_dir: RubricsDirs = None,
) -> None:
    """Answer a rubric's questions in the terminal; saves after every answer, resumes FILE."""
    from cslevels.commands.assess.session import AssessOptions, run_assess

    if output.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".ods"}:
        yaml_name = output.with_suffix(".yaml").name
        fail(f"{output}: error: assess saves YAML answers files, not workbooks (to continue "
             f"a workbook in the terminal: cslevels template {rubric} --from {output} -o "
             f"{yaml_name}, then cslevels assess {rubric} -o {yaml_name})")
    with user_errors():
        code = run_assess(
            AssessOptions(rubric, output, subject, assessor, review, no_tty,
                          tuple(rubrics_dir or ())),
            render_options(),
        )
    if code:
        raise typer.Exit(code)


@app.command(short_help="A portfolio: one row per assessment, the spread of levels.",
             epilog=_epilog("summary examples/", "summary clients/ -o portfolio.csv --sort level"))
def summary(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH",
                       help="Answers files, or folders searched for *.yaml, *.yml, *.xlsx."),
    ],
    fmt: Annotated[Optional[SummaryFormat], _format_option(SUMMARY_FORMATS)] = None,  # type: ignore[valid-type]  # noqa: UP045
    output: OutputOption = None,
    sort: Annotated[
        SummarySort,
        typer.Option("--sort", case_sensitive=False, metavar="KEY",
                     help="Order of the rows: subject, date, level or index (level and index: "
                          "lowest first)."),
    ] = "subject",  # type: ignore[assignment]
    rubric: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--rubric", metavar="RUBRIC", callback=_named,
                     help="Only assessments of this rubric id."),
    ] = None,
    rubric_id: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--rubric-id", hidden=True, callback=_named),
    ] = None,
    all_visits: Annotated[
        bool,
        typer.Option("--all-visits", help="One row per file: every visit of a subject "
                     "(by default, the latest assessment of each subject and rubric)."),
    ] = False,
    rubrics_dir: RubricsDirs = None,
    brand: BrandOption = None,
    no_brand: NoBrandOption = False,
    paper: PaperOption = None,
) -> None:
    """A portfolio: the latest assessment of each subject, the distribution of levels; exit 1
    if a file fails."""
    from cslevels.commands.summary import build_portfolio
    from cslevels.reporting.summary.terminal import progress_bar

    if rubric_id is not None:
        deprecated("--rubric-id", "--rubric")
        rubric = rubric or rubric_id
    with user_errors():
        name = pick_format(fmt, output, SUMMARY_FORMATS)
        with browser_early(name):
            options = with_paper(with_brand(render_options(output), name, brand, no_brand),
                                 name, paper)
            rubric_library = library(rubrics_dir)
            with progress_bar() as progress:
                portfolio = build_portfolio(paths, rubric_library, sort=sort.value,
                                            rubric_id=rubric, progress=progress,
                                            all_visits=all_visits)
            for failure in portfolio.failures:
                for finding in failure.findings:
                    warn(str(finding))
            # Worker processes read rubrics this process never sees: their folders count too.
            emit(SUMMARY_FORMATS.render(name, portfolio, options), output,
                 inputs=[*paths, *(folder for folder, _origin in rubric_library.dirs)])
    if portfolio.failed:
        raise typer.Exit(1)


class Signalled(BaseException):
    """The process was asked to stop (Ctrl-C, SIGTERM, SIGHUP).

    Not a KeyboardInterrupt, which typer turns into a silent exit: it unwinds like
    any exception (temporary files are removed, locks let go, worker processes
    stopped) up to :func:`main`, which says so in one line and exits 128 + signo.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


def signal_line(signum: int) -> str:
    """The one line a stopped run ends with."""
    import signal

    if signum == signal.SIGINT:
        return "cslevels: interrupted"
    return f"cslevels: stopped by {signal.Signals(signum).name}"


def _raise_signalled(signum: int, frame: object) -> None:
    raise Signalled(signum)


def _unraisable(unraisable: "sys.UnraisableHookArgs") -> None:
    """A stop signal that landed where Python cannot let an exception out (a ``__del__``,
    a callback of ``fork`` or the garbage collector) still stops the run, in one line."""
    stop = unraisable.exc_value
    if isinstance(stop, Signalled):
        _last_words(signal_line(stop.signum))
        os._exit(128 + stop.signum)
    sys.__unraisablehook__(unraisable)


def _exit_at_once(signum: int, frame: object) -> None:
    """After the work (interpreter shutdown): no unwinding left to do, and none wanted."""
    with suppress(OSError):
        os.write(2, (signal_line(signum) + "\n").encode())
    os._exit(128 + signum)


def _on_stop_signals(handler: object) -> None:
    """``handler`` for Ctrl-C, SIGTERM and SIGHUP, except those ignored (``nohup``)."""
    import signal

    for name in STOP_SIGNALS:
        signum = getattr(signal, name, None)
        if signum is None:  # pragma: no cover - not on this platform
            continue
        with suppress(ValueError, OSError, TypeError):  # ValueError: not the main thread
            if signal.getsignal(signum) is not signal.SIG_IGN:
                signal.signal(signum, handler)  # type: ignore[arg-type]


def main(pending: Sequence[int] = ()) -> None:
    """Console-script entry point; ``pending``: signals that came during start-up
    (``cslevels.__main__`` holds them back while the modules load)."""
    # pydantic looks for plugins (instrumentation hooks) by reading the entry points of
    # every installed distribution the first time a model is built: ~5-10 ms of each run
    # for nothing a command line uses.  A value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        sys.unraisablehook = _unraisable
        _on_stop_signals(_raise_signalled)
        if pending:
            raise Signalled(pending[0])
        _prepare_streams()
        app()
    except Signalled as stop:
        _last_words(signal_line(stop.signum))
        sys.exit(128 + stop.signum)
    except OutputError as exc:  # pragma: no cover - emit() runs inside user_errors
        fail(exc.to_findings())
    except BrokenPipeError:  # e.g. `cslevels show x | head`
        _quiet_stdout()
        sys.exit(1)
    except KeyboardInterrupt:  # Ctrl-C where the handler could not be set (a thread)
        _last_words(signal_line(2))
        sys.exit(130)
    except OSError as exc:
        if exc.filename is None:  # stdout full (> /dev/full), closed (>&-) ...
            _stdout_failed(exc)
        _last_words(clean_line(str(path_error(exc))))  # one outside user_errors
        sys.exit(1)
    except ValueError as exc:  # I/O on a closed stdout
        _stdout_failed(exc)
    finally:
        _on_stop_signals(_exit_at_once)


def _stdout_failed(exc: Exception) -> NoReturn:
    """stdout full (> /dev/full), closed (>&-), or not able to take the text."""
    _quiet_stdout()
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    _last_words(f"<stdout>: error: cannot write the output: {reason}")
    sys.exit(1)


def _prepare_streams() -> None:
    """Text that the output's encoding cannot hold is written as escapes, not a crash."""
    if sys.stdout is None:  # started with stdout closed (>&-)
        _last_words("<stdout>: error: cannot write the output: standard output is closed")
        sys.exit(1)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding != "utf8":
            with suppress(Exception):
                reconfigure(errors="backslashreplace")


def _quiet_stdout() -> None:
    with suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)


def _last_words(line: str) -> None:
    with suppress(OSError, ValueError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
