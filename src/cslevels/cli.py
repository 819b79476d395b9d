"""The ``cslevels`` command line: thin commands over the library.

Each command parses its options, calls one core function and prints the result
to stdout; diagnostics go to stderr.  Errors a user can cause (``CslevelsError``)
become one message per problem and exit code 1, never a traceback.

No ``from __future__ import annotations`` here, on purpose: typer evaluates every
command's annotations on every run, and string annotations cost it an ``eval`` each
(about 7 ms of start-up).  Annotations must therefore be valid at import time.
"""

import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from cslevels import __version__
from cslevels.errors import CslevelsError, Finding, OutputError
from cslevels.formats import (
    COMPARE_FORMATS,
    SCORE_FORMATS,
    SHOW_FORMATS,
    SUFFIX_FORMATS,
    SUMMARY_FORMATS,
    VALIDATE_FORMATS,
    RenderOptions,
)
from cslevels.text import clean_line

app = typer.Typer(
    name="cslevels",
    help="Assess how mature a business's customer service is, against YAML maturity models.",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ScoreFormat = Enum("ScoreFormat", {name: name for name in SCORE_FORMATS}, type=str)  # type: ignore[misc]
ShowFormat = Enum("ShowFormat", {name: name for name in SHOW_FORMATS}, type=str)  # type: ignore[misc]
ValidateFormat = Enum("ValidateFormat", {n: n for n in VALIDATE_FORMATS}, type=str)  # type: ignore[misc]


class SchemaName(str, Enum):
    rubric = "rubric"
    answers = "answers"


RubricsDirs = Annotated[
    Optional[list[Path]],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--rubrics-dir",
        help="A folder of extra rubrics (repeatable); CSLEVELS_RUBRICS_PATH works too.",
        file_okay=False,
    ),
]
OutputOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--output", "-o", help="Write to this file instead of stdout.", dir_okay=False),
]


# ---------------------------------------------------------------- helpers at the edge


def fail(findings: Sequence[Finding] | str, code: int = 1) -> NoReturn:
    lines = [findings] if isinstance(findings, str) else [str(f) for f in findings]
    for line in lines:
        sys.stderr.write(clean_line(line) + "\n")
    raise typer.Exit(code)


def warn(message: str) -> None:
    sys.stderr.write(clean_line(message) + "\n")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn every error a user can cause into a message and exit code 1."""
    try:
        yield
    except CslevelsError as exc:
        fail(exc.to_findings())


def render_options(output: Path | None = None) -> RenderOptions:
    stream_is_tty = sys.stdout.isatty() and output is None
    color = stream_is_tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    if "FORCE_COLOR" in os.environ and output is None:
        color = True
    width = shutil.get_terminal_size((100, 24)).columns if stream_is_tty else 100
    if os.environ.get("COLUMNS", "").isdigit():
        width = int(os.environ["COLUMNS"])
    return RenderOptions(color=color, width=width)


def emit(text: str | bytes, output: Path | None, *, overwrite: bool = True,
         inputs: Sequence[Path] = ()) -> None:
    """The report to stdout, or atomically to ``output`` (never over one of ``inputs``)."""
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
            return
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from cslevels.output import atomic_write, refuse_inputs

    refuse_inputs(output, inputs)
    atomic_write(output, text, overwrite=overwrite)
    warn(f"wrote {output}")


def pick_format(requested: str | None, output: Path | None, choices: Sequence[str],
                default: str) -> str:
    """The explicit --format, else the one the output file's suffix implies."""
    if requested is not None:
        return requested
    if output is not None:
        implied = SUFFIX_FORMATS.get(output.suffix.lower())
        if implied is not None and implied in choices:
            return implied
    return default


def library(rubrics_dirs: Sequence[Path] | None):  # type: ignore[no-untyped-def]
    from cslevels.loading import RubricLibrary

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


@app.command("list")
def list_command(
    rubrics_dir: RubricsDirs = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the rubrics available (built-in and from rubric folders)."""
    with user_errors():
        entries = library(rubrics_dir).entries()
    if as_json:
        import json

        rows = [
            {"id": e.id, "version": e.rubric.rubric.version if e.rubric else None,
             "title": e.rubric.rubric.title if e.rubric else None,
             "levels": len(e.rubric.rubric.levels) if e.rubric else None,
             "origin": e.origin, "path": str(e.path), "error": e.error}
            for e in entries
        ]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    else:
        for e in entries:
            if e.rubric is None:
                warn(f"{e.path}: cannot be used: {e.error}")
                continue
            r = e.rubric.rubric
            # clean each field, not the line: clean_line() would collapse the padding
            sys.stdout.write(
                f"{r.id:<16} {clean_line(r.version):<8} {len(r.levels)} levels  "
                f"{r.method:<10} {clean_line(r.title)}  [{e.origin}: {clean_line(e.path)}]\n")
    if any(e.rubric is None for e in entries):
        raise typer.Exit(1)


@app.command()
def show(
    rubric: Annotated[str, typer.Argument(help="A rubric id or a path to a rubric file.")],
    fmt: Annotated[Optional[ShowFormat], typer.Option("--format", "-f")] = None,  # noqa: UP045
    output: OutputOption = None,
    rubrics_dir: RubricsDirs = None,
) -> None:
    """Show a rubric as a readable, printable questionnaire."""
    with user_errors():
        loaded = library(rubrics_dir).resolve(rubric)
        name = pick_format(fmt.value if fmt else None, output, list(SHOW_FORMATS), "terminal")
        emit(SHOW_FORMATS.render(name, loaded.rubric, render_options(output)), output,
             inputs=[loaded.path])


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Rubric or answers files, or folders.")],
    fmt: Annotated[ValidateFormat, typer.Option("--format", "-f")] = "text",  # type: ignore[assignment]
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    rubrics_dir: RubricsDirs = None,
) -> None:
    """Check rubric and answers files (kind told by `schema:`); exit 1 on findings."""
    from cslevels.validation import validate as run_validation

    with user_errors():
        report = run_validation(paths, library(rubrics_dir), strict=strict)
        text = VALIDATE_FORMATS.render(fmt.value, report, render_options())
    if fmt.value == "text" and report.failed:
        sys.stderr.write(text)
    else:
        sys.stdout.write(text)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def schema(
    name: Annotated[SchemaName, typer.Argument(help="Which file format.")],
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema (draft-07) of the rubric or answers format."""
    from cslevels.schemas import schema_text

    with user_errors():
        emit(schema_text(name.value), output)


class TemplateFormat(str, Enum):
    yaml = "yaml"
    xlsx = "xlsx"


TEMPLATE_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx"}


@app.command()
def template(
    rubric: Annotated[str, typer.Argument(help="A rubric id or a path to a rubric file.")],
    output: OutputOption = None,
    fmt: Annotated[
        Optional[TemplateFormat],  # noqa: UP045
        typer.Option("--format", "-f", help="yaml, or xlsx (a workbook with dropdowns); "
                     "default: from the -o suffix, else yaml."),
    ] = None,
    from_: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--from", dir_okay=False,
                     help="Pre-fill from this answers file (YAML or .xlsx)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    rubrics_dir: RubricsDirs = None,
) -> None:
    """Write a blank answers file (every question commented with its options) or workbook."""
    implied = TEMPLATE_SUFFIXES.get(output.suffix.lower()) if output is not None else None
    if output is not None and implied is None and fmt is None:
        raise typer.BadParameter(f"{str(output)!r}: template writes .yaml, .yml or .xlsx "
                                 "files (or give --format)", param_hint="-o")
    name = fmt.value if fmt is not None else (implied or "yaml")
    if implied is not None and implied != name:
        raise typer.BadParameter(f"--format {name} does not match the suffix of "
                                 f"{str(output)!r}", param_hint="--format")
    if name == "xlsx" and output is None and sys.stdout.isatty():
        raise typer.BadParameter("a workbook is binary: give -o FILE.xlsx (or redirect "
                                 "stdout to a file)", param_hint="-o")
    with user_errors():
        lib = library(rubrics_dir)
        loaded = lib.resolve(rubric)
        answers = None
        if from_ is not None:
            from cslevels.template import answers_to_carry

            answers, warnings = answers_to_carry(from_, loaded, lib)
            for finding in warnings:
                warn(str(finding))
        if name == "xlsx":
            from cslevels.reporting.template.xlsx import render_workbook

            content: str | bytes = render_workbook(loaded.rubric, loaded.digest, answers)
        elif answers is not None:
            from cslevels.template import prefilled_yaml

            content = prefilled_yaml(loaded.rubric, answers, from_)
        else:
            from cslevels.template import answers_template

            content = answers_template(loaded.rubric)
        emit(content, output, overwrite=force,
             inputs=[loaded.path, *([from_] if from_ is not None else [])])


@app.command()
def score(
    answers: Annotated[list[Path], typer.Argument(help="One or more answers files.")],
    fmt: Annotated[Optional[ScoreFormat], typer.Option("--format", "-f")] = None,  # noqa: UP045
    output: OutputOption = None,
    fail_under: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--fail-under", min=0, help="Exit 1 when an achieved level is below N."),
    ] = None,
    target: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--target", min=1, help="Show the gap to this level."),
    ] = None,
    rubric: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--rubric", help="Score against this rubric file (or id)."),
    ] = None,
    rubrics_dir: RubricsDirs = None,
    combine: Annotated[
        bool,
        typer.Option("--combine", help="The files are several raters' answers for one subject: "
                     "report one combined result and where the raters disagree."),
    ] = False,
) -> None:
    """Score answers files and print the report."""
    if combine:  # cslevels.series pulls in the comparison code: only for --combine
        from cslevels.series import combine_files as scorer
    else:
        from cslevels.assessment import score_files as scorer

    with user_errors():
        name = pick_format(fmt.value if fmt else None, output, list(SCORE_FORMATS), "terminal")
        batch = scorer(answers, library(rubrics_dir), rubric=rubric, target=target)
        for finding in batch.warnings:
            warn(str(finding))
        for finding in batch.errors:
            warn(str(finding))
        if not batch.results:
            raise typer.Exit(1)
        emit(SCORE_FORMATS.render(name, batch.results, render_options(output)), output,
             inputs=[*answers, *([Path(rubric)] if rubric else [])])
    if batch.errors:
        raise typer.Exit(1)
    if fail_under is not None:
        below = [r for r in batch.results if gate_level(r) < fail_under]
        for r in below:
            warn(f"{r.source}: achieved level {gate_level(r)} is below --fail-under {fail_under}")
        if below:
            raise typer.Exit(1)


def gate_level(result) -> int:  # type: ignore[no-untyped-def]
    """The level --fail-under compares: for continuous rubrics, levels 1..N all achieved."""
    if result.achieved_level is not None:
        return int(result.achieved_level)
    count = 0
    for level in result.levels:
        if not level.achieved:
            break
        count += 1
    return count


CompareFormat = Enum("CompareFormat", {n: n for n in COMPARE_FORMATS}, type=str)  # type: ignore[misc]


@app.command()
def compare(
    answers: Annotated[
        list[Path],
        typer.Argument(help="Two or more answers files of one subject (OLD NEW [MORE...]), in "
                       "any order: they are compared oldest first by their date."),
    ],
    fmt: Annotated[Optional[CompareFormat], typer.Option("--format", "-f")] = None,  # noqa: UP045
    output: OutputOption = None,
    fail_on_regression: Annotated[
        bool,
        typer.Option("--fail-on-regression", help="Exit 1 when the newest assessment is below "
                     "the previous level or a level score dropped by more than --tolerance."),
    ] = False,
    tolerance: Annotated[
        float,
        typer.Option("--tolerance", min=0.0, max=1.0,
                     help="The largest drop of a level score (0-1) not counted as a regression."),
    ] = 0.05,  # cslevels.compare.DEFAULT_TOLERANCE, not imported to keep startup light
    rubric: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--rubric", help="Score against this rubric file (or id)."),
    ] = None,
    rubrics_dir: RubricsDirs = None,
) -> None:
    """Follow one subject over time: level and score changes, regressions flagged."""
    from cslevels.series import compare_files

    if len(answers) < 2:
        raise typer.BadParameter("give at least two answers files: OLD NEW [MORE...]",
                                 param_hint="OLD NEW")
    with user_errors():
        name = pick_format(fmt.value if fmt else None, output, list(COMPARE_FORMATS), "terminal")
        comparison, warnings = compare_files(answers, library(rubrics_dir), rubric=rubric,
                                             tolerance=tolerance)
        for finding in warnings:
            warn(str(finding))
        for message in comparison.warnings:
            warn(f"warning: {message}")
        emit(COMPARE_FORMATS.render(name, comparison, render_options(output)), output,
             inputs=[*answers, *([Path(rubric)] if rubric else [])])
    if fail_on_regression and comparison.regressed:
        for regression in comparison.regressions:
            warn(f"regression: {regression.message}")
        raise typer.Exit(1)


@app.command()
def assess(
    rubric: Annotated[str, typer.Argument(help="A rubric id or a path to a rubric file.")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", dir_okay=False,
                     help="The answers file: created, or continued when it exists."),
    ],
    subject: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--subject", help="Who or what is assessed (asked when not given)."),
    ] = None,
    assessor: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--assessor", help="Your name (asked when not given)."),
    ] = None,
    review: Annotated[
        bool, typer.Option("--review", help="Walk every question, current answers pre-selected.")
    ] = False,
    no_tty: Annotated[
        bool, typer.Option("--no-tty", help="Read answers line by line from stdin (scripts).")
    ] = False,
    rubrics_dir: RubricsDirs = None,
) -> None:
    """Answer a rubric's questions in the terminal; saves after every answer, resumes FILE.

    Exit codes: 0 done or q; 1 end of input or an error; 2 stdin is not a terminal
    (use --no-tty); 129 terminal closed; 130 Ctrl-C.  Answers given are always saved.
    """
    from cslevels.interactive import AssessOptions, run_assess

    if output.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".ods"}:
        fail(f"{output}: error: assess saves YAML answers files, not workbooks (to continue "
             f"a workbook in the terminal: cslevels template {rubric} --from {output} -o "
             f"{output.with_suffix('.yaml').name}, then cslevels assess {rubric} -o "
             f"{output.with_suffix('.yaml').name})")
    with user_errors():
        code = run_assess(
            AssessOptions(rubric, output, subject, assessor, review, no_tty,
                          tuple(rubrics_dir or ())),
            render_options(),
        )
    if code:
        raise typer.Exit(code)


SummaryFormat = Enum("SummaryFormat", {n: n for n in SUMMARY_FORMATS}, type=str)  # type: ignore[misc]


SummarySort = Enum(  # type: ignore[misc]
    "SummarySort", {n: n for n in ("subject", "date", "level", "index")}, type=str)


@app.command()
def summary(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Answers files, or folders searched for *.yaml, *.yml, *.xlsx."),
    ],
    fmt: Annotated[Optional[SummaryFormat], typer.Option("--format", "-f")] = None,  # noqa: UP045
    output: OutputOption = None,
    sort: Annotated[
        SummarySort,
        typer.Option("--sort", help="Order of the rows; level and index: lowest first."),
    ] = "subject",  # type: ignore[assignment]
    rubric_id: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--rubric-id", help="Only assessments of this rubric."),
    ] = None,
    rubrics_dir: RubricsDirs = None,
) -> None:
    """A portfolio: one row per assessment, the distribution of levels; exit 1 if a file fails."""
    from cslevels.reporting.summary_terminal import progress_bar
    from cslevels.summary import build_portfolio

    with user_errors():
        name = pick_format(fmt.value if fmt else None, output, list(SUMMARY_FORMATS), "terminal")
        if output is not None and fmt is None and output.suffix.lower() == ".csv":
            name = "csv"
        with progress_bar() as progress:
            portfolio = build_portfolio(paths, library(rubrics_dir), sort=sort.value,
                                        rubric_id=rubric_id, progress=progress)
        for failure in portfolio.failures:
            for finding in failure.findings:
                warn(str(finding))
        emit(SUMMARY_FORMATS.render(name, portfolio, render_options(output)), output,
             inputs=paths)
    if portfolio.failed:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    # pydantic looks for plugins (instrumentation hooks) by reading the entry points of
    # every installed distribution the first time a model is built: ~5-10 ms of each run
    # for nothing a command line uses.  A value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        app()
    except OutputError as exc:  # pragma: no cover - emit() runs inside user_errors
        fail(exc.to_findings())
    except BrokenPipeError:  # e.g. `cslevels show x | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
