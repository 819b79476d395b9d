"""How fast is cslevels?  One run prints every number side by side.

    python benchmarks/bench.py            # 10,000 answers files, 7 start-up runs each
    python benchmarks/bench.py --quick    # 300 files, 5 runs: a smoke test in ~15 s

Three questions, each against a floor that cslevels cannot beat:

* throughput: ``cslevels summary FOLDER --format json`` over N synthetic answers
  files, against reading and parsing the same files with PyYAML's C loader alone;
* start-up: ``cslevels --version`` / ``--help`` / ``validate`` / ``score --format
  json``, against ``python -c pass`` and a bare one-command typer app (the
  cheapest program a typer CLI can be);
* the HTML report: scoring an example and rendering it, in-process;
* the browser form (``template RUBRIC -o survey.html``) of a 500-question rubric:
  its file size (target under 1 MB) and its time to usable in headless Chromium
  (target under 300 ms): from navigation start until the first questions take
  clicks and keys (the page builds the rest a chunk at a time, yielding between
  chunks), or the first paint if that is later.  ``--form-only`` runs just this;
* the PDF report (``score EXAMPLE -o r.pdf``, printed by the system's headless Chromium):
  its wall time (target under 2 s), against ``score EXAMPLE -o r.html`` as the floor, the
  same page without the browser.  ``--pdf-only`` runs just this;
* workbooks (``.xlsx``), each against the same data in YAML: ``template -o x.xlsx``
  of the largest built-in rubric, reading one workbook (``score --format json``,
  and in-process), and ``summary`` over 1,000 workbooks.

Wall times are medians of runs taken round-robin after one warm-up, so a machine
busy with other work slows every row alike; the CPU time of each child process
is printed next to it because it is much less sensitive to such load, and so is the
best (fastest) run, the nearest thing to an idle machine.
The subprocesses run with bytecode caching on (in a temporary
``PYTHONPYCACHEPREFIX``) even when ``PYTHONDONTWRITEBYTECODE`` is set, because
an installed package always has its ``.pyc`` files; ``--env-as-is`` turns that off.

This is a tool for people, not a test: nothing in the test suite is timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "riverside-cafe.yaml"
BUILTIN_RUBRICS = ("seven-levels", "six-levels", "five-grades")

BARE_TYPER_APP = '''\
"""The cheapest typer CLI: one command, one option."""
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    print(f"hello {name}")


if __name__ == "__main__":
    app()
'''

NOTES = (
    "Seen on the visit; the owner agreed.",
    "Checked against last month's records.",
    "Two of five staff asked knew the procedure.",
    "Better than at the last visit, not yet consistent.",
    "Customer reviews mention this often.",
)
EVIDENCE = ("Observation on the visit day", "Ticket log, last 30 days", "Staff interviews (3)")
TOWNS = ("Riverside", "Harbor", "Northwind", "Maple", "Cedar", "Lakeside", "Hilltop", "Old Town")
TRADES = ("Cafe", "Hardware", "Dental", "Bakery", "Bike Shop", "Books", "Pharmacy", "Garage")


# ---------------------------------------------------------------- synthetic answers files


@dataclass(frozen=True)
class RubricShape:
    """What a generator needs of a rubric: its id, version and questions' choices."""

    id: str
    version: str
    questions: tuple[tuple[str, tuple[Any, ...], bool], ...]  # key, option values, allow_na


def rubric_shapes() -> list[RubricShape]:
    """The built-in rubrics, read through cslevels itself so the files stay valid."""
    from cslevels.files.library import RubricLibrary

    library = RubricLibrary()
    shapes = []
    for rubric_id in BUILTIN_RUBRICS:
        rubric = library.resolve(rubric_id).rubric
        questions = tuple(
            (f"{level.id}.{q.id}", tuple(o.value for o in rubric.scales[q.scale].options),
             q.allow_na)
            for level, q in rubric.questions()
        )
        shapes.append(RubricShape(rubric.id, rubric.version, questions))
    return shapes


def answers_document(shape: RubricShape, number: int, rng: random.Random) -> dict[str, Any]:
    """One plausible assessment: every question answered, some n/a, notes on some."""
    answers: dict[str, Any] = {}
    for key, values, allow_na in shape.questions:
        value: Any = "n/a" if allow_na and rng.random() < 0.15 else rng.choice(values)
        roll = rng.random()
        if roll < 0.10:
            answers[key] = {"value": value, "note": rng.choice(NOTES),
                            "evidence": rng.sample(EVIDENCE, k=rng.randint(1, 2))}
        elif roll < 0.25:
            answers[key] = {"value": value, "note": rng.choice(NOTES)}
        else:
            answers[key] = value
    return {
        "schema": "cslevels/answers/v1",
        "rubric": shape.id,
        "rubric_version": shape.version,
        "subject": f"{rng.choice(TOWNS)} {rng.choice(TRADES)} #{number:05d}",
        "assessor": rng.choice(("J. Moreno", "A. Okafor", "L. Chen", "S. Novak")),
        "date": dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365)),
        "answers": answers,
    }


def write_answers_files(folder: Path, count: int, seed: int = 8) -> list[Path]:
    """``count`` answers files in ``folder``, the built-in rubrics taken in turn."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    shapes = rubric_shapes()
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    paths = []
    for number in range(1, count + 1):
        shape = shapes[(number - 1) % len(shapes)]
        path = folder / f"{number:05d}-{shape.id}.yaml"
        text = yaml.dump(answers_document(shape, number, rng), Dumper=dumper, sort_keys=False,
                         allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# ---------------------------------------------------------------- measuring


def yaml_floor(paths: Sequence[Path]) -> tuple[float, float]:
    """(wall, CPU) seconds to read and parse every file with the C YAML loader alone."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    cpu = time.process_time()
    start = time.perf_counter()
    for path in paths:
        yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # a safe loader
    return time.perf_counter() - start, time.process_time() - cpu


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    wall: float
    cpu: float
    returncode: int
    stdout: bytes
    stderr: bytes


def run(command: Sequence[str], env: dict[str, str]) -> Run:
    cpu = children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - start
    return Run(wall, children_cpu() - cpu, done.returncode, done.stdout, done.stderr)


@dataclass
class Row:
    label: str
    command: list[str]
    walls: list[float]
    cpus: list[float]
    error: str | None = None


def startup_rows(commands: dict[str, list[str]], runs: int, env: dict[str, str],
                 env_of: dict[str, dict[str, str]] | None = None) -> list[Row]:
    """Each command ``runs`` times, round-robin, after one untimed warm-up round.

    ``env_of`` adds variables for some rows (by label) on top of ``env``.
    """
    rows = [Row(label, command, [], []) for label, command in commands.items()]
    envs = {row.label: {**env, **(env_of or {}).get(row.label, {})} for row in rows}
    for round_number in range(runs + 1):
        for row in rows:
            if row.error:
                continue
            result = run(row.command, envs[row.label])
            if result.returncode != 0:
                tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
                row.error = f"exit {result.returncode}: {' '.join(tail)}"
            elif round_number:  # round 0 is the warm-up (and writes the .pyc files)
                row.walls.append(result.wall)
                row.cpus.append(result.cpu)
    return rows


def median_time(function: Callable[[], object], runs: int) -> tuple[float, float]:
    """(first call, median of ``runs`` later calls), in seconds."""
    start = time.perf_counter()
    function()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return first, statistics.median(times)


def write_workbooks(yaml_paths: Sequence[Path], folder: Path) -> list[Path]:
    """The same assessments as workbooks, written by cslevels from the YAML files."""
    from cslevels.files.library import RubricLibrary
    from cslevels.files.loading import load_answers
    from cslevels.reporting.template.xlsx import render_workbook

    folder.mkdir(parents=True, exist_ok=True)
    library = RubricLibrary()
    out = []
    for path in yaml_paths:
        loaded = load_answers(path, library)
        target = folder / f"{path.stem}.xlsx"
        target.write_bytes(render_workbook(loaded.rubric.rubric, loaded.rubric.digest,
                                           loaded.answers))
        out.append(target)
    return out


def largest_rubric() -> str:
    from cslevels.files.library import RubricLibrary

    library = RubricLibrary()
    return max(BUILTIN_RUBRICS, key=lambda r: len(library.resolve(r).rubric.questions()))


def html_report_once() -> str:
    from cslevels.commands.score import score_files
    from cslevels.reporting.formats import SCORE_FORMATS, RenderOptions

    batch = score_files([EXAMPLE])
    return SCORE_FORMATS.render("html", batch.results, RenderOptions())


def cslevels_command() -> list[str]:
    """The installed console script, run by this interpreter (no shell shims in between)."""
    script = Path(sys.executable).parent / "cslevels"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "cslevels"]


def has_summary(cslevels: list[str], env: dict[str, str]) -> bool:
    return run([*cslevels, "summary", "--help"], env).returncode == 0


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in ("cslevels", "typer", "pydantic", "PyYAML", "jinja2", "rich"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} -")
    return ", ".join(parts)


# ---------------------------------------------------------------- the browser form

FORM_QUESTIONS = 500
FORM_TARGET_MS = 300.0
FORM_TARGET_BYTES = 1_000_000


def big_rubric(questions: int = FORM_QUESTIONS, levels: int = 10) -> dict[str, Any]:
    """A rubric of ``questions`` questions with texts as long as the built-in ones'."""
    rng = random.Random(16)
    words = ("customer", "staff", "record", "visit", "reply", "queue", "counter", "phone",
             "sample", "complaint", "follow-up", "owner", "log", "week", "answer", "ticket")

    def sentence(count: int) -> str:
        return " ".join(rng.choice(words) for _ in range(count)).capitalize()

    scales = {
        "frequency": {"label": "How often is this seen in the contacts sampled?", "options": [
            {"value": i, "label": label, "score": i / 4}
            for i, label in enumerate(("Never", "Rarely", "Sometimes", "Usually", "Always"))]},
        "practice": {"label": "How far is this practice in place?", "options": [
            {"value": v, "label": label, "score": score} for v, label, score in (
                ("no", "Not in place", 0.0), ("informal", "Informal or ad hoc", 0.4),
                ("uneven", "In place but applied unevenly", 0.7),
                ("yes", "In place and applied consistently", 1.0))]},
    }
    per_level = questions // levels
    return {
        "schema": "cslevels/rubric/v1", "id": "bench-form", "version": "1.0",
        "title": "Benchmark rubric for the browser form", "subject": "business",
        "scales": scales,
        "levels": [{
            "id": f"level-{n}", "name": f"Level {n + 1} " + sentence(2),
            "summary": sentence(25),
            "questions": [{
                "id": f"q-{k}", "text": sentence(22) + "?",
                "scale": "frequency" if k % 2 else "practice", "allow_na": k % 5 == 0,
                "guidance": sentence(30), "recommendation": sentence(20),
            } for k in range(per_level)],
        } for n in range(levels)],
    }


FIRST_PAINT = """() => new Promise(resolve => {
    const look = () => {
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        paint ? resolve(paint.startTime) : setTimeout(look, 10);
    };
    look();
})"""


def form_report(work: Path, runs: int) -> None:
    from cslevels.files.loading import load_rubric
    from cslevels.reporting.template.form import render_form

    path = work / "bench-form.yaml"
    path.write_text(yaml.safe_dump(big_rubric(), sort_keys=False), encoding="utf-8")
    loaded = load_rubric(path)
    count = len(loaded.rubric.questions())
    start = time.perf_counter()
    page = render_form(loaded.rubric, loaded.digest)
    rendered = time.perf_counter() - start
    survey = work / "survey.html"
    survey.write_text(page, encoding="utf-8")
    size = survey.stat().st_size
    print(f"Browser form of a {count}-question rubric (template -o survey.html)")
    print(f"  {'file size':52} {size / 1000:8.1f} kB  (target < {FORM_TARGET_BYTES / 1000:.0f} kB"
          f"{'' if size < FORM_TARGET_BYTES else ', MISSED'})")
    print(f"  {'render, in-process (first call)':52} {ms(rendered)} ms")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("  time to usable in Chromium: skipped (playwright is not installed)")
        return
    chromium = next((c for c in (os.environ.get("CSLEVELS_CHROMIUM"), "/usr/bin/chromium",
                                 shutil.which("chromium"), shutil.which("chromium-browser"))
                     if c and os.access(c, os.X_OK)), None)
    if chromium is None:
        print("  time to usable in Chromium: skipped (no Chromium found)")
        return
    usable: list[float] = []
    painted: list[float] = []
    ready: list[float] = []
    loaded_at: list[float] = []
    floor: list[float] = []
    report_page = work / "report.html"
    report_page.write_text(html_report_once(), encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            for run_number in range(runs + 1):  # the first is a warm-up
                context = browser.new_context(offline=True)
                tab = context.new_page()
                tab.goto(survey.as_uri(), wait_until="load")
                tab.wait_for_selector("html[data-ready]")
                tab.locator("input[name='a0']").first.click()  # usable: a click counts
                assert tab.text_content("#progress-text") == f"1 of {count} answered"
                painted_at = tab.evaluate(FIRST_PAINT)
                marks = tab.evaluate("""() => [
                    performance.getEntriesByName('cslevels-form-usable')[0].startTime,
                    performance.getEntriesByName('cslevels-form-ready')[0].startTime,
                    performance.getEntriesByType('navigation')[0].loadEventEnd]""")
                marks.insert(1, painted_at)
                context.close()
                context = browser.new_context(offline=True)  # the floor, the same way
                tab = context.new_page()
                tab.goto(report_page.as_uri(), wait_until="load")
                floor_paint = tab.evaluate(FIRST_PAINT)
                context.close()
                if run_number:
                    floor.append(floor_paint / 1000)
                    usable.append(max(marks[0], marks[1]) / 1000)
                    painted.append(marks[1] / 1000)
                    ready.append(marks[2] / 1000)
                    loaded_at.append(marks[3] / 1000)
        finally:
            browser.close()
    median = statistics.median(usable)
    print(f"  {'floor: first paint of the HTML report (no script)':52} "
          f"{ms(statistics.median(floor))} ms")
    missed = "" if median * 1000 < FORM_TARGET_MS else ", MISSED"
    print(f"  {f'time to usable in Chromium, median of {runs}':52} {ms(median)} ms  "
          f"(target < {FORM_TARGET_MS:.0f} ms{missed})")
    print(f"  {'  best run':52} {ms(min(usable))} ms")
    print(f"  {'  first contentful paint, median':52} {ms(statistics.median(painted))} ms")
    print(f"  {'  every question built, median':52} {ms(statistics.median(ready))} ms")
    print(f"  {'  load event end, median':52} {ms(statistics.median(loaded_at))} ms")
    print("  (from navigation start; usable = the first questions take input and are painted;"
          " fresh storage)")


# ---------------------------------------------------------------- report


PDF_TARGET_SECONDS = 2.0


def pdf_report(work: Path, runs: int, env: dict[str, str]) -> None:
    """``score EXAMPLE -o r.pdf`` against ``-o r.html``: what printing in the browser costs.

    Timed with the browser cslevels picks (a headless shell when there is one) and, when
    that is a shell and a whole browser is installed too, with the whole browser as well:
    what a user with only Chromium or Chrome waits."""
    from cslevels.errors import CslevelsError
    from cslevels.files.browser import COMMAND_NAMES, find_browser

    print(f"PDF report of {EXAMPLE.name} (score -o r.pdf, headless Chromium)")
    try:
        browser = find_browser(env)
    except CslevelsError as exc:
        print(f"  skipped: {exc.message}")
        return
    browsers = [browser]
    if "headless-shell" in Path(browser).name:
        whole = next((found for name in COMMAND_NAMES if "headless-shell" not in name
                      if (found := shutil.which(name, path=env.get("PATH")))), None)
        if whole:
            browsers.append(whole)
    for each in browsers:
        version = subprocess.run([each, "--version"], capture_output=True, text=True,
                                 check=False).stdout.strip()
        print(f"  browser: {each} ({version or 'version unknown'})")
    cslevels = cslevels_command()
    out = work / "pdf-out"
    out.mkdir(exist_ok=True)
    commands = {"floor: score EXAMPLE -o r.html": [*cslevels, "score", str(EXAMPLE), "-o",
                                                   str(out / "r.html")]}
    env_of: dict[str, dict[str, str]] = {}
    for number, each in enumerate(browsers):
        label = f"score EXAMPLE -o r.pdf ({Path(each).name})"
        commands[label] = [*cslevels, "score", str(EXAMPLE), "-o", str(out / f"r{number}.pdf")]
        env_of[label] = {"CSLEVELS_BROWSER": each}
    rows = startup_rows(commands, runs, env, env_of)
    print(f"  median of {runs} runs each, round-robin, after one warm-up")
    width = max(len(row.label) for row in rows)
    print(f"  {'':{width}} {'wall ms':>8} {'x html':>7}  {'cpu ms':>8} {'x html':>7}  "
          f"{'best ms':>8}")
    floor, pdf = rows[0], rows[1]
    for row in rows:
        if row.error:
            print(f"  {row.label:{width}} failed ({row.error})")
    if floor.error or pdf.error:
        return
    base_wall, base_cpu = statistics.median(floor.walls), statistics.median(floor.cpus)
    for row in rows:
        if row.error:
            continue
        wall, cpu = statistics.median(row.walls), statistics.median(row.cpus)
        print(f"  {row.label:{width}} {ms(wall)} {wall / base_wall:7.2f}  {ms(cpu)} "
              f"{cpu / base_cpu:7.2f}  {ms(min(row.walls))}")
    wall = statistics.median(pdf.walls)
    verdict = "met" if wall <= PDF_TARGET_SECONDS else "MISSED"
    size = (out / "r0.pdf").stat().st_size
    print(f"  target: PDF in under {PDF_TARGET_SECONDS:.0f} s with the browser cslevels picks: "
          f"{verdict} (median {wall:.2f} s, best {min(pdf.walls):.2f} s); the PDF is "
          f"{size / 1000:.0f} kB")
    print("  (cpu ms: cslevels and the browser's main process; the helper processes it starts"
          " end with it, unreaped by cslevels, and are not counted)")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def print_header(pycache: Path | None) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print("cslevels benchmark")
    print(f"  machine: {os.cpu_count()} CPUs, {platform.platform()}, {platform.machine()}")
    print(f"  python:  {platform.python_implementation()} {platform.python_version()} "
          f"({sys.executable})")
    print(f"  versions: {versions()}")
    print(f"  load average at start: {load}")
    if pycache is not None:
        print(f"  bytecode: cached under {pycache} (as for an installed package)")
    else:
        print("  bytecode: environment as is"
              + (" (PYTHONDONTWRITEBYTECODE set: sources recompiled every run)"
                 if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""))
    print()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=None,
                        help="synthetic answers files for the throughput rows (default 10000)")
    parser.add_argument("--runs", type=int, default=None,
                        help="timed runs per start-up row after one warm-up (default 7)")
    parser.add_argument("--workbooks", type=int, default=None,
                        help="workbooks for the summary row of the workbook group (default "
                        "1000; 0 skips the group)")
    parser.add_argument("--quick", action="store_true", help="300 files, 100 workbooks, 5 runs")
    parser.add_argument("--seed", type=int, default=8, help="random seed of the answers files")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--form-only", action="store_true",
                        help="only the browser form rows (file size, time to usable)")
    parser.add_argument("--pdf-only", action="store_true",
                        help="only the PDF rows (score -o r.pdf against -o r.html)")
    parser.add_argument("--env-as-is", action="store_true",
                        help="do not turn bytecode caching on for the subprocesses")
    args = parser.parse_args(argv)
    files = args.files if args.files is not None else (300 if args.quick else 10_000)
    runs = args.runs if args.runs is not None else (5 if args.quick else 7)
    workbooks = args.workbooks if args.workbooks is not None else (100 if args.quick else 1000)
    if files < 1 or runs < 1 or workbooks < 0:
        parser.error("--files and --runs must be at least 1, --workbooks at least 0")

    work = Path(tempfile.mkdtemp(prefix="cslevels-bench-"))
    env = dict(os.environ, NO_COLOR="1", CSLEVELS_CACHE_DIR=str(work / "cache"))
    env.pop("CSLEVELS_NO_CACHE", None)
    pycache: Path | None = None
    if not args.env_as_is:
        pycache = work / "pycache"
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    try:
        print_header(pycache)
        if args.form_only:
            form_report(work, max(runs, 5))
        elif args.pdf_only:
            pdf_report(work, runs, env)
        else:
            report(work, files, runs, args.seed, env)
            if workbooks:
                workbook_report(work, workbooks, runs, args.seed, env)
    finally:
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def report(work: Path, files: int, runs: int, seed: int, env: dict[str, str]) -> None:
    cslevels = cslevels_command()
    bare = work / "bare_typer_app.py"
    bare.write_text(BARE_TYPER_APP, encoding="utf-8")

    # -- throughput
    folder = work / "answers"
    start = time.perf_counter()
    paths = write_answers_files(folder, files, seed)
    written = time.perf_counter() - start
    size = sum(p.stat().st_size for p in paths)
    print(f"Throughput: {files:,} synthetic answers files ({len(BUILTIN_RUBRICS)} built-in "
          f"rubrics in turn, {size / 1e6:.1f} MB), written in {written:.1f} s")
    floor, floor_cpu = yaml_floor(paths)
    print(f"  {'':46} {'wall s':>8} {'files/s':>9} {'x floor':>8}  {'cpu s':>7} {'x floor':>8}")
    print(f"  {'floor: read + yaml.CSafeLoader, in-process':46} {floor:8.2f} "
          f"{files / floor:9,.0f} {1.0:8.2f}  {floor_cpu:7.2f} {1.0:8.2f}")
    label = "cslevels summary FOLDER --format json"
    if not has_summary(cslevels, env):
        print(f"  {label:46} skipped: this cslevels has no summary command")
    else:
        result = run([*cslevels, "summary", str(folder), "--format", "json"], env)
        count = None
        if result.stdout:
            try:
                count = json.loads(result.stdout).get("count")
            except (ValueError, AttributeError):
                count = None
        note = f"(exit {result.returncode}, {count} rows)" if count != files or \
            result.returncode else ""
        print(f"  {label:46} {result.wall:8.2f} {files / result.wall:9,.0f} "
              f"{result.wall / floor:8.2f}  {result.cpu:7.2f} {result.cpu / floor_cpu:8.2f} "
              f"{note}")
        print("  (cpu s: CPU time of every process involved, summed: workers included)")
    print()

    # -- start-up
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "bare typer app, one command": [sys.executable, str(bare), "--name", "x"],
        "cslevels --version": [*cslevels, "--version"],
        "cslevels --help": [*cslevels, "--help"],
        "cslevels validate rubrics/": [*cslevels, "validate", str(ROOT / "rubrics")],
        "cslevels score EXAMPLE --format json": [*cslevels, "score", str(EXAMPLE), "--format",
                                                 "json"],
        "  the same, rubric cache off": [*cslevels, "score", str(EXAMPLE), "--format", "json"],
    }
    # The rubric cache (cslevels.files.rubric_cache) lives in the temp folder: the warm-up round
    # fills it, as the first command for a rubric does; the last row runs without it.
    env_of = {"  the same, rubric cache off": {"CSLEVELS_NO_CACHE": "1"}}
    print(f"Start-up: median of {runs} runs each, round-robin, after one warm-up "
          f"(EXAMPLE = {EXAMPLE.name})")
    print(f"  {'':38} {'wall ms':>8} {'x bare':>7}  {'cpu ms':>8} {'x bare':>7}  "
          f"{'best ms':>8} {'x bare':>7}")
    rows = startup_rows(commands, runs, env, env_of)
    base = rows[1]
    nan = float("nan")
    base_wall = statistics.median(base.walls) if base.walls else nan
    base_cpu = statistics.median(base.cpus) if base.cpus else nan
    base_best = min(base.walls) if base.walls else nan
    for row in rows:
        if row.error:
            print(f"  {row.label:38} failed ({row.error})")
            continue
        wall, cpu, best = statistics.median(row.walls), statistics.median(row.cpus), min(row.walls)
        print(f"  {row.label:38} {ms(wall)} {wall / base_wall:7.2f}  {ms(cpu)} "
              f"{cpu / base_cpu:7.2f}  {ms(best)} {best / base_best:7.2f}")
    print("  (wall and cpu: medians; best: the fastest wall time, nearest to an idle machine)")
    print()

    # -- HTML report
    render_runs = max(runs, 5)
    first, warm = median_time(html_report_once, render_runs)
    print(f"HTML report of {EXAMPLE.name}, in-process (score + render)")
    print(f"  {'first call (imports jinja2, compiles templates)':52} {ms(first)} ms")
    print(f"  {f'median of {render_runs} later calls':52} {ms(warm)} ms")
    print()
    form_report(work, render_runs)
    print()
    pdf_report(work, runs, env)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"\nload average at end: {load}")


def workbook_report(work: Path, count: int, runs: int, seed: int, env: dict[str, str]) -> None:
    """Workbooks against YAML holding the same data: writing, reading one, a portfolio."""
    cslevels = cslevels_command()
    if run([*cslevels, "template", "--help"], env).stdout.find(b"xlsx") < 0:
        print("Workbooks: skipped: this cslevels writes no workbooks")
        return
    from cslevels.files.workbook import read_workbook
    from cslevels.files.yamlio import load_path

    yaml_folder = work / "wb-yaml"
    start = time.perf_counter()
    yaml_paths = write_answers_files(yaml_folder, count, seed)
    xlsx_paths = write_workbooks(yaml_paths, work / "wb-xlsx")
    written = time.perf_counter() - start
    size_yaml = sum(p.stat().st_size for p in yaml_paths)
    size_xlsx = sum(p.stat().st_size for p in xlsx_paths)
    rubric = largest_rubric()
    print(f"Workbooks: {count:,} assessments as .xlsx ({size_xlsx / 1e6:.1f} MB) and as .yaml "
          f"({size_yaml / 1e6:.1f} MB), the same data, written in {written:.1f} s")
    out = work / "wb-out"
    out.mkdir()
    one_yaml, one_xlsx = yaml_paths[0], xlsx_paths[0]
    pairs = {
        f"template {rubric} -o x.xlsx": [*cslevels, "template", rubric, "-o",
                                         str(out / "x.xlsx"), "--force"],
        f"template {rubric} -o x.yaml": [*cslevels, "template", rubric, "-o",
                                         str(out / "x.yaml"), "--force"],
        "score ONE.xlsx --format json": [*cslevels, "score", str(one_xlsx), "--format", "json"],
        "score ONE.yaml --format json": [*cslevels, "score", str(one_yaml), "--format", "json"],
    }
    rows = startup_rows(pairs, runs, env)
    print(f"  median of {runs} runs each, round-robin, after one warm-up")
    print(f"  {'':44} {'wall ms':>8} {'x yaml':>7}  {'cpu ms':>8} {'x yaml':>7}")
    for xlsx_row, yaml_row in zip(rows[::2], rows[1::2], strict=True):
        for row in (xlsx_row, yaml_row):
            if row.error:
                print(f"  {row.label:44} failed ({row.error})")
        if xlsx_row.error or yaml_row.error:
            continue
        wall_x, wall_y = statistics.median(xlsx_row.walls), statistics.median(yaml_row.walls)
        cpu_x, cpu_y = statistics.median(xlsx_row.cpus), statistics.median(yaml_row.cpus)
        print(f"  {xlsx_row.label:44} {ms(wall_x)} {wall_x / wall_y:7.2f}  {ms(cpu_x)} "
              f"{cpu_x / cpu_y:7.2f}")
        print(f"  {yaml_row.label:44} {ms(wall_y)} {1.0:7.2f}  {ms(cpu_y)} {1.0:7.2f}")
    reads = max(runs, 5)
    _first, warm_x = median_time(lambda: read_workbook(one_xlsx), reads)
    _first, warm_y = median_time(lambda: load_path(one_yaml), reads)
    print(f"  {'in-process read of ONE.xlsx (read_workbook)':44} {ms(warm_x)} "
          f"{warm_x / warm_y:7.2f}")
    print(f"  {'in-process read of ONE.yaml (load_path)':44} {ms(warm_y)} {1.0:7.2f}")
    walls: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for kind, folder in (("xlsx", work / "wb-xlsx"), ("yaml", yaml_folder)):
        result = run([*cslevels, "summary", str(folder), "--format", "json"], env)
        try:
            rows_seen = json.loads(result.stdout).get("count")
        except (ValueError, AttributeError):
            rows_seen = None
        walls[kind], cpus[kind] = result.wall, result.cpu
        note = "" if rows_seen == count and not result.returncode else \
            f" (exit {result.returncode}, {rows_seen} rows)"
        label = f"summary {count:,} x .{kind} --format json"
        print(f"  {label:44} {result.wall * 1000:8.0f} {'':7}  {result.cpu * 1000:8.0f}{note}")
    print(f"  {'  summary: .xlsx / .yaml':44} {'':8} {walls['xlsx'] / walls['yaml']:7.2f}  "
          f"{'':8} {cpus['xlsx'] / cpus['yaml']:7.2f}")
    print(f"  ({count / walls['xlsx']:,.0f} workbooks/s against {count / walls['yaml']:,.0f} "
          "YAML files/s; cpu ms sums the worker processes)")


if __name__ == "__main__":
    sys.exit(main())
