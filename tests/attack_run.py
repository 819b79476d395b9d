"""An attack run: every command that reads files, over mutated and hostile inputs.

    python tests/attack_run.py --runs 10000          # the full run (two processes)
    python tests/attack_run.py --runs 300 --jobs 1   # what tests/test_attack_run.py does

Each process builds a corpus in a temporary folder: the built-in rubrics and the
examples, mutated byte-wise (bytes flipped, cut, repeated, inserted) and
structurally (keys deleted, renamed, values replaced by other types), plus hostile
files: control characters, escape sequences and bidi controls in every text and in
file names, formula and markup look-alikes, huge numbers, aliases (small, and bombs
of values and of characters), deep nesting, FIFOs, devices, symlinks (to a file, a
loop, nowhere).  Then it runs commands chosen at random (``score`` with
``--combine``/``--target``/``--rubric``, ``compare``, ``summary`` with
``--all-visits``, ``validate`` in every format, ``show``, ``template --from``,
``list --rubrics-dir``, ``assess --no-tty`` with scripted answers), in every output
format, to stdout or to special targets (``/dev/null``, ``/dev/full``, a FIFO, a
symlink, a folder, a missing folder, an input file).

Most runs are in-process (typer's runner, state reset between runs); a sample runs
as real subprocesses, also with stdout full (``/dev/full``), closed, or ASCII-only,
huge limits in the environment, and Ctrl-C, SIGTERM or SIGHUP at a random moment.
Every run is checked for:

* a traceback: an exception other than the CLI's own exit, or "Traceback" in its output;
* a hang: a run over 10 seconds;
* a write over an input: the files a run was given (and the rubric folder) hash the same after;
* raw control characters on stdout in any format: none but newline and tab (colour is off);
* an exit code other than 0, 1 and 2 (and 128 + signo for a signalled subprocess).

The figures of the last full run are in docs/performance.md ("Attack run").
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = ROOT / "rubrics"
EXAMPLES = ROOT / "examples"
HANG_SECONDS = 10.0
# C0 and C1 controls and DEL; newline and tab are the only ones a report may hold.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

HOSTILE_TEXT = [
    "\x1b[31mred\x1b[0m", "\x1b]0;owned\x07", "\x1b]52;c;ZXZpbA==\x07", "\x1b]8;;http://x\x1b\\l",
    "\x9b31m", "\x85next", "a\rb", "bell\x07", "back\x08space", "\x00nul", "\x7fdel",
    "\u202eevil\u202c", "\u2066iso\u2069", "zero\u200bwidth", "\ufeffbom", "\u2028line",
    "=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\uff1d1+1", " =1", "\n=1", "\u200b=1",
    "[bold]x[/bold]", "[link=http://x]y[/link]", "<script>alert(1)</script>", "</td><b>",
    "](javascript:alert(1))", "http://evil.example/x", "www.evil.example", "me@evil.example",
    "$x^2$", "`code`", "|a|b|", "*emph* _u_", "# head", "{{ 7*7 }}", "{% raw %}", "%s%n%x",
    "\\", "&amp;&#x41;", "n/a", "yes", "no", "on", "off", "~", "null", "010", "0x2", "0b10",
    "0_1", "1e400", ".nan", "-.inf", "2026-02-30", "", " ", "x" * 3000, "\u00e9\u4e2d\U0001f600",
]
HOSTILE_NUMBERS: list[Any] = [float("nan"), float("inf"), -float("inf"), 10**30, 2**63, -1, 0,
                              1, 2, 0.5, 1e-300, 5e-324, 1e-9, -0.0, 10**400, 1000, 1001]
FILE_NAMES = ["plain", "evil\x1b[31m", "new\nline", "tab\there", "\u202eevil", "sp ace",
              "-dash", "=formula", "[bold]b[red]", "quote'\"", "percent%s", "\u00e9t\u00e9"]


# ---------------------------------------------------------------- mutations


def _paths(doc: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*here, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found += _paths(value, (*here, i))
    return found


def _hostile_value(rnd: random.Random) -> Any:
    pick = rnd.random()
    if pick < 0.5:
        return rnd.choice(HOSTILE_TEXT)
    if pick < 0.75:
        return rnd.choice(HOSTILE_NUMBERS)
    if pick < 0.85:
        return rnd.choice([None, True, False, [], {}, [rnd.choice(HOSTILE_TEXT)]])
    return {rnd.choice(["value", "note", "evidence", "x"]): rnd.choice(HOSTILE_TEXT)}


def mutate_structure(data: Any, rnd: random.Random) -> Any:
    """``data`` after one to four changes: deleted, renamed, replaced, wrapped, tweaked."""
    doc = copy.deepcopy(data)
    for _ in range(rnd.randint(1, 4)):
        places = [p for p in _paths(doc) if p]
        if not places:
            return _hostile_value(rnd)
        loc = rnd.choice(places)
        parent = doc
        for part in loc[:-1]:
            parent = parent[part]
        last = loc[-1]
        op = rnd.choice(["delete", "replace", "replace", "rename", "wrap", "text", "text"])
        if op == "delete":
            del parent[last]
        elif op == "replace":
            parent[last] = _hostile_value(rnd)
        elif op == "rename" and isinstance(parent, dict):
            parent[rnd.choice([*HOSTILE_TEXT[:20], 7, True, None])] = parent.pop(last)
        elif op == "wrap":
            parent[last] = [parent[last]]
        elif isinstance(parent[last], str):  # keep the type: hostile text inside a text
            value = parent[last]
            at = rnd.randint(0, len(value))
            parent[last] = value[:at] + rnd.choice(HOSTILE_TEXT) + value[at:]
    return doc


BYTE_DAMAGE = [b":", b"[", b"{", b"]", b"\t", b"&a ", b"*a ", b"!", b'"', b"'", b"- ", b"\n",
               b"#", b"%", b"@", b"`", b"|", b">", b"\x00", b"\xef\xbb\xbf", b"\xff", b"\xe9",
               b"\x1b", b"\r", b"\x85", b"!!python/object/apply:os.system ['true']", b"<<: *a",
               b"? ", b"--- ", b"...", b"\\", b"\xc2\x9b"]


def mutate_bytes(raw: bytes, rnd: random.Random) -> bytes:
    """``raw`` with one to three byte-level injuries."""
    data = bytearray(raw)
    for _ in range(rnd.randint(1, 3)):
        at = rnd.randint(0, len(data))
        op = rnd.choice(["flip", "cut", "insert", "insert", "repeat", "delete"])
        if op == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] ^= 1 << rnd.randint(0, 7)
        elif op == "cut":
            del data[at:]
        elif op == "insert":
            data[at:at] = rnd.choice(BYTE_DAMAGE)
        elif op == "repeat":
            lines = bytes(data).splitlines(keepends=True)
            if lines:
                i = rnd.randrange(len(lines))
                data = bytearray(b"".join([*lines[: i + 1], lines[i] * rnd.randint(1, 50),
                                           *lines[i + 1:]]))
        else:
            del data[at:at + rnd.randint(1, 40)]
    return bytes(data)


# ---------------------------------------------------------------- the corpus


@dataclass
class Corpus:
    root: Path
    answers: list[Path] = field(default_factory=list)
    rubrics: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    specials: list[Path] = field(default_factory=list)  # FIFOs, links, devices: read directly
    rubric_dir: Path = Path()
    portfolio: Path = Path()


def _dump(data: Any) -> bytes:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def build_corpus(root: Path, rnd: random.Random, size: int = 60) -> Corpus:
    """Mutated and hostile rubrics and answers files, folders of them, special files."""
    import yaml

    corpus = Corpus(root=root)
    rubric_dir = root / "R"
    rubric_dir.mkdir()
    corpus.rubric_dir = rubric_dir
    originals = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
                 for p in sorted(RUBRICS.glob("*.yaml"))}
    for stem, data in originals.items():  # folder rubrics under other ids, some broken
        good = dict(data, id=f"r-{stem}")
        (rubric_dir / f"r-{stem}.yaml").write_bytes(_dump(good))
        (rubric_dir / f"m-{stem}.yaml").write_bytes(_dump(mutate_structure(good, rnd)))
    examples = [p for p in sorted(EXAMPLES.rglob("*.yaml"))]
    for i in range(size):
        source = rnd.choice(examples)
        raw = source.read_bytes()
        kind = rnd.random()
        if kind < 0.15:
            data = raw
        elif kind < 0.45:
            data = mutate_bytes(raw, rnd)
        elif kind < 0.9:
            data = _dump(mutate_structure(yaml.safe_load(raw), rnd))
        else:
            rubric = rnd.choice(sorted(rubric_dir.glob("r-*.yaml")))
            data = yaml.safe_load(raw)
            data["rubric"] = rnd.choice([str(rubric), rubric.stem, "/dev/stdin", "/etc/passwd",
                                         str(rubric_dir / "nope.yaml"), "r-" + "x" * 300])
            data = _dump(data)
        name = rnd.choice(FILE_NAMES) + f"-{i}" + rnd.choice([".yaml", ".yaml", ".yml", ".YAML"])
        path = root / name
        path.write_bytes(data)
        corpus.answers.append(path)
    for stem, data in originals.items():  # rubrics given by path
        for j in range(4):
            mutated = (mutate_bytes(_dump(data), rnd) if j % 2 else
                       _dump(mutate_structure(data, rnd)))
            path = root / f"rubric-{stem}-{j}.yaml"
            path.write_bytes(mutated)
            corpus.rubrics.append(path)
        corpus.rubrics.append(RUBRICS / f"{stem}.yaml")
    corpus.answers += _hostile_files(root, rubric_dir)
    corpus.answers += _workbooks(root, rnd)
    portfolio = root / "portfolio"
    portfolio.mkdir()
    for path in rnd.sample(corpus.answers, min(25, len(corpus.answers))):
        shutil.copy(path, portfolio / path.name)
    (portfolio / "sub").mkdir()
    shutil.copy(EXAMPLES / "riverside-cafe.yaml", portfolio / "sub" / "again.yaml")
    os.mkfifo(portfolio / "pipe.yaml")
    (portfolio / "broken.yaml").symlink_to(root / "missing.yaml")
    (portfolio / "loop.yaml").symlink_to(portfolio / "loop.yaml")
    (portfolio / "up").symlink_to(portfolio)  # a folder loop
    corpus.portfolio = portfolio
    corpus.folders = [portfolio, EXAMPLES, rubric_dir, root / "empty"]
    (root / "empty").mkdir()
    fifo = root / "fifo.yaml"
    os.mkfifo(fifo)
    link = root / "link.yaml"
    link.symlink_to(EXAMPLES / "riverside-cafe.yaml")
    corpus.specials = [fifo, link, portfolio / "broken.yaml", portfolio / "loop.yaml",
                       Path("/dev/null"), Path("/dev/zero"), root / "missing.yaml", root]
    return corpus


def _workbooks(root: Path, rnd: random.Random) -> list[Path]:
    """A filled-in workbook (``template --from``) and damaged copies of it."""
    from typer.testing import CliRunner

    from cslevels.cli import app

    good = root / "visit.xlsx"
    CliRunner().invoke(app, ["template", "seven-levels", "--from",
                             str(EXAMPLES / "riverside-cafe.yaml"), "-o", str(good)])
    if not good.exists():  # pragma: no cover - openpyxl missing
        return []
    raw = good.read_bytes()
    out = [good]
    for i in range(6):
        path = root / f"damaged-{i}.xlsx"
        path.write_bytes(mutate_bytes(raw, rnd) if i % 3 else raw[: rnd.randint(0, len(raw))])
        out.append(path)
    return out


def _hostile_files(root: Path, rubric_dir: Path) -> list[Path]:
    """Files that attack a limit: aliases, nesting, sizes, encodings."""
    base = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
    lines = base.splitlines(keepends=True)
    files: dict[str, str | bytes] = {
        "bomb-values.yaml": base + "x0: &a0 [" + ", ".join(["x"] * 10) + "]\n" + "".join(
            f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9)),
        "bomb-chars.yaml": "".join(lines[:12]) + '    evidence: [&t "' + "y" * 2000 + '"'
                           + ", *t" * 60_000 + "]\n" + "".join(lines[15:]),
        "aliases-fine.yaml": "".join(lines[:12]) + '    evidence: [&t "seen", *t, *t]\n'
                             + "".join(lines[15:]),
        "deep-flow.yaml": "schema: cslevels/answers/v1\nx: " + "[" * 5000 + "]" * 5000 + "\n",
        "deep-block.yaml": "schema: cslevels/answers/v1\n" + "".join(
            " " * i + f"k{i}:\n" for i in range(200)),
        "huge-int.yaml": base.replace("value: 2", "value: " + "9" * 5000, 1),
        "many-values.yaml": "schema: cslevels/answers/v1\nx: [" + ",".join(["1"] * 150_000)
                            + "]\n",
        "bidi-subject.yaml": base.replace("Riverside Cafe", '"\\u202eefac\\u202c \\e]0;x\\a"'),
        "escapes.yaml": base.replace("J. Moreno", '"\\e[2J\\e[31mJ\\x9b\\r\\b\\0"'),
        "utf16.yaml": base.encode("utf-16"),
        "latin1.yaml": base.replace("Cafe", "Caf\u00e9").encode("latin-1"),
        "binary.yaml": b"\x00\x01\x02" * 100,
        "empty.yaml": "",
        "comments.yaml": "# nothing\n",
        "tags.yaml": base + "x: !!python/object/apply:os.system ['echo owned']\n",
        "merge.yaml": base + "base: &b {a: 1}\nother:\n  <<: *b\n",
        "multi.yaml": base + "---\n" + base,
        "crlf.yaml": base.replace("\n", "\r\n"),
        "cr-only.yaml": base.replace("\n", "\r"),
        "bom.yaml": "\ufeff" + base,
        "target.yaml": base.replace("date:", "target: 99\ndate:", 1),
        "rubric-path.yaml": base.replace("rubric: seven-levels",
                                         f"rubric: {rubric_dir / 'r-seven-levels.yaml'}", 1),
    }
    out = []
    for name, text in files.items():
        path = root / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        out.append(path)
    big = root / "big.yaml"  # over the size limit
    with open(big, "wb") as handle:
        handle.write(base.encode())
        handle.write(b"# " + b"x" * (3 * 1024 * 1024) + b"\n")
    out.append(big)
    return out


# ---------------------------------------------------------------- commands


def _output_target(corpus: Corpus, rnd: random.Random, suffix: str, inputs: list[Path]) -> str:
    root = corpus.root
    choice = rnd.random()
    if choice < 0.35 or not inputs:
        return str(root / "out" / f"r{rnd.randint(0, 9)}{suffix}")
    options = [
        "/dev/null", "/dev/full", str(root / "nofolder" / f"x{suffix}"), str(root / "out"),
        str(inputs[0]), str(corpus.rubric_dir / "r-seven-levels.yaml"),
        str(root / "out" / f"link{suffix}"), str(root / "out" / f"fifo{suffix}"),
        str(root / "out" / ("l" * 250 + suffix)), str(root / "out" / f"\x1b[31m{suffix}"),
    ]
    return rnd.choice(options)


def random_command(corpus: Corpus, rnd: random.Random) -> tuple[list[str], str | None, list[Path]]:
    """(arguments, stdin text, the input files to watch)."""
    answers = lambda k=1: rnd.sample(corpus.answers, k)  # noqa: E731
    rubric_ids = ["seven-levels", "six-levels", "five-grades", "r-seven-levels", "m-six-levels",
                  "nope", "", "../etc/passwd"]
    with_dir = ["--rubrics-dir", str(corpus.rubric_dir)] if rnd.random() < 0.6 else []
    command = rnd.choice(["score"] * 5 + ["validate"] * 4 + ["summary"] * 4 + ["compare"] * 2
                         + ["show"] * 2 + ["template"] * 2 + ["list", "assess"])
    stdin = None
    if command == "score":
        files = answers(rnd.choice([1, 1, 1, 2, 3]))
        if rnd.random() < 0.15:
            files = [rnd.choice(corpus.specials)]
        fmt = rnd.choice(["terminal", "json", "markdown", "html"])
        args = ["score", *map(str, files), "--format", fmt, *with_dir]
        if rnd.random() < 0.3:
            args.append("--combine")
        if rnd.random() < 0.3:
            args += ["--target", str(rnd.choice([1, 2, 3, 7, 8, 0, 99]))]
        if rnd.random() < 0.2:
            args += ["--rubric", rnd.choice([*map(str, corpus.rubrics), *rubric_ids])]
        if rnd.random() < 0.15:
            args += ["--fail-under", str(rnd.randint(0, 8))]
        if rnd.random() < 0.1:
            args += ["--min-coverage", str(rnd.choice([0, 50, 100, 101, -1]))]
        inputs = files
        suffix = {"terminal": ".txt", "json": ".json", "markdown": ".md", "html": ".html"}[fmt]
    elif command == "compare":
        files = answers(rnd.choice([2, 2, 3]))
        fmt = rnd.choice(["terminal", "json", "markdown", "html"])
        args = ["compare", *map(str, files), "--format", fmt, *with_dir]
        if rnd.random() < 0.5:
            args.append("--allow-different-subjects")
        if rnd.random() < 0.2:
            args += ["--fail-on-regression", "--tolerance", str(rnd.choice([0, 5, 100]))]
        if rnd.random() < 0.15:
            args += ["--rubric", rnd.choice(rubric_ids)]
        inputs = files
        suffix = {"terminal": ".txt", "json": ".json", "markdown": ".md", "html": ".html"}[fmt]
    elif command == "summary":
        targets: list[Path] = (rnd.sample(corpus.folders, rnd.randint(1, 2))
                               if rnd.random() < 0.6 else answers(rnd.randint(1, 6)))
        fmt = rnd.choice(["terminal", "json", "csv", "html"])
        args = ["summary", *map(str, targets), "--format", fmt, *with_dir]
        if rnd.random() < 0.4:
            args.append("--all-visits")
        if rnd.random() < 0.3:
            args += ["--sort", rnd.choice(["subject", "date", "level", "index"])]
        if rnd.random() < 0.15:
            args += ["--rubric", rnd.choice(rubric_ids)]
        inputs = targets
        suffix = {"terminal": ".txt", "json": ".json", "csv": ".csv", "html": ".html"}[fmt]
    elif command == "validate":
        pool = corpus.answers + corpus.rubrics + corpus.folders + corpus.specials
        targets = rnd.sample(pool, rnd.randint(1, 4))
        fmt = rnd.choice(["text", "json", "github", "sarif"])
        args = ["validate", *map(str, targets), "--format", fmt, *with_dir]
        if rnd.random() < 0.3:
            args.append("--strict")
        return args, stdin, targets
    elif command == "show":
        rubric = rnd.choice([*map(str, corpus.rubrics), *rubric_ids, str(corpus.specials[0])])
        fmt = rnd.choice(["terminal", "markdown", "html"])
        args = ["show", rubric, "--format", fmt, *with_dir]
        inputs = [Path(rubric)] if os.sep in rubric else []
        suffix = {"terminal": ".txt", "markdown": ".md", "html": ".html"}[fmt]
    elif command == "template":
        rubric = rnd.choice([*map(str, corpus.rubrics[-3:]), *rubric_ids[:5]])
        fmt = rnd.choice(["yaml", "yaml", "form", "xlsx"])
        args = ["template", rubric, "--format", fmt, *with_dir]
        inputs = []
        if rnd.random() < 0.6:
            source = rnd.choice(corpus.answers)
            args += ["--from", str(source)]
            inputs.append(source)
        if rnd.random() < 0.3:
            args.append("--force")
        suffix = {"yaml": ".yaml", "form": ".html", "xlsx": ".xlsx"}[fmt]
        if fmt == "xlsx" or rnd.random() < 0.7:
            args += ["-o", str(corpus.root / "out" / f"t{rnd.randint(0, 99)}{suffix}")]
        return args, stdin, inputs
    elif command == "list":
        fmt = rnd.choice(["terminal", "json"])
        folder = rnd.choice([*corpus.folders, corpus.root / "missing", corpus.specials[0]])
        return ["list", "--format", fmt, "--rubrics-dir", str(folder)], stdin, [folder]
    else:  # assess, scripted
        rubric = rnd.choice(["seven-levels", "five-grades", str(corpus.rubrics[0]), "nope"])
        target = rnd.choice([corpus.root / "out" / f"a{rnd.randint(0, 5)}.yaml",
                             rnd.choice(corpus.answers), corpus.specials[0]])
        lines = [rnd.choice(["Cafe", "", "1", "2", "n/a", "?", "b", "q", "9", "x" * 50,
                             rnd.choice(HOSTILE_TEXT).replace("\n", " ")])
                 for _ in range(rnd.randint(0, 12))]
        args = ["assess", rubric, "-o", str(target), "--no-tty", *with_dir]
        if rnd.random() < 0.3:
            args += ["--subject", rnd.choice(HOSTILE_TEXT[:30]).replace("\n", " ") or "S"]
        # assess continues the file it is given (a write, not an overwrite), or, when it
        # cannot, must leave it untouched: watched only then (see _judge)
        watched = [] if target.parent == corpus.root / "out" else [target]
        return args, "\n".join(lines) + "\n", watched
    if rnd.random() < 0.35:
        args += ["-o", _output_target(corpus, rnd, suffix, inputs)]
    return args, stdin, inputs


# ---------------------------------------------------------------- checks


def _fingerprint(paths: list[Path], corpus: Corpus) -> dict[str, str]:
    """Hashes of the regular files among ``paths`` (folders: their files) and the rubrics."""
    seen: dict[str, str] = {}
    todo = [*paths, corpus.rubric_dir]
    for path in todo:
        with contextlib.suppress(OSError, ValueError):
            info = os.lstat(path)
            if stat.S_ISDIR(info.st_mode):
                todo += [p for p in Path(path).iterdir() if not p.is_symlink()]
            elif stat.S_ISREG(info.st_mode) and str(path).startswith((str(corpus.root),
                                                                       str(ROOT))):
                seen[str(path)] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return seen


@dataclass
class Tally:
    runs: int = 0
    in_process: int = 0
    subprocesses: int = 0
    per_command: Counter[str] = field(default_factory=Counter)
    seconds_per_command: Counter[str] = field(default_factory=Counter)
    exit_codes: Counter[str] = field(default_factory=Counter)
    tracebacks: int = 0
    hangs: int = 0
    overwrites: int = 0
    raw_control: int = 0
    bad_exit: int = 0
    bidi_on_stdout: int = 0  # format characters, not controls: counted, not failed
    harness_errors: int = 0
    slowest: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)
    bidi_formats: Counter[str] = field(default_factory=Counter)  # command and format

    def merge(self, other: Tally) -> None:
        for name in ("runs", "in_process", "subprocesses", "tracebacks", "hangs", "overwrites",
                     "raw_control", "bad_exit", "bidi_on_stdout", "harness_errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.per_command.update(other.per_command)
        self.seconds_per_command.update(other.seconds_per_command)
        self.exit_codes.update(other.exit_codes)
        self.slowest = max(self.slowest, other.slowest)
        self.failures += other.failures
        self.bidi_formats.update(other.bidi_formats)

    @property
    def failed(self) -> int:
        return (self.tracebacks + self.hangs + self.overwrites + self.raw_control
                + self.bad_exit + self.harness_errors)


def _judge(tally: Tally, args: list[str], code: int, stdout: str, stderr: str, seconds: float,
           before: dict[str, str], after: dict[str, str], traceback: str | None,
           allowed: set[int]) -> None:
    tally.runs += 1
    tally.per_command[args[0]] += 1
    tally.seconds_per_command[args[0]] += seconds
    tally.exit_codes[str(code)] += 1
    tally.slowest = max(tally.slowest, seconds)
    problems = []
    if traceback is not None or "Traceback (most recent call last)" in stdout + stderr:
        tally.tracebacks += 1
        problems.append("traceback")
    if seconds > HANG_SECONDS:
        tally.hangs += 1
        problems.append("hang")
    changed = sorted(k for k in before if after.get(k) != before[k])
    if args[0] == "assess" and code == 0:  # it continued the file: its own output
        changed = [k for k in changed if k != args[args.index("-o") + 1]]
    if changed:
        tally.overwrites += 1
        problems.append(f"overwrote {changed}")
    raw = RAW_CONTROL.search(stdout)
    if raw:
        tally.raw_control += 1
        problems.append(f"raw {raw.group()!r} on stdout")
    if BIDI.search(stdout):
        tally.bidi_on_stdout += 1
        fmt = args[args.index("--format") + 1] if "--format" in args else "default"
        tally.bidi_formats[f"{args[0]} {fmt}"] += 1
    if code not in allowed:
        tally.bad_exit += 1
        problems.append(f"exit {code}")
    if problems and len(tally.failures) < 50:
        at = raw.start() if raw else len(stdout)
        tally.failures.append({"args": args, "problems": problems, "code": code,
                               "stdout": stdout[max(0, at - 300):at + 200],
                               "stderr": stderr[-600:], "traceback": (traceback or "")[-1500:]})


class _Hang(BaseException):
    """Raised by the alarm in an in-process run that took too long."""


def _reset_state() -> None:
    """What one command leaves in the process: the in-memory caches a new run has not."""
    from cslevels.files import inputs, loading, output

    loading._RUBRIC_CACHE.clear()
    inputs.forget_all()
    output._CLEANED.clear()


def run_in_process(tally: Tally, args: list[str], stdin: str | None, watched: list[Path],
                   corpus: Corpus) -> None:
    import traceback as tb

    from typer.testing import CliRunner

    from cslevels.cli import app

    _reset_state()
    before = _fingerprint(watched, corpus)
    runner = CliRunner()
    env = {"COLUMNS": "100", "NO_COLOR": "1", "CSLEVELS_RUBRICS_PATH": "", "TERM": "dumb"}
    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _raise_hang)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS + 5)
    trace = None
    try:
        result = runner.invoke(app, args, input=stdin, env=env, catch_exceptions=True)
        code = result.exit_code
        stdout, stderr = result.stdout, result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            trace = "".join(tb.format_exception(result.exception))
    except _Hang:
        code, stdout, stderr, trace = -1, "", "", None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.monotonic() - start
    if code == -1:
        seconds = max(seconds, HANG_SECONDS + 1)
    tally.in_process += 1
    _judge(tally, args, code, stdout, stderr, seconds, before, _fingerprint(watched, corpus),
           trace, {0, 1, 2, 130})


def _raise_hang(signum: int, frame: object) -> None:
    raise _Hang()


SUBPROCESS_SETUPS = ["plain", "plain", "dev-full", "closed", "ascii", "huge-limits", "tiny-limits",
                     "SIGINT", "SIGTERM", "SIGHUP", "fifo-writer"]


def run_subprocess(tally: Tally, args: list[str], stdin: str | None, watched: list[Path],
                   corpus: Corpus, rnd: random.Random) -> None:
    setup = rnd.choice(SUBPROCESS_SETUPS)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100", "NO_COLOR": "1",
           "CSLEVELS_RUBRICS_PATH": "", "TERM": "dumb"}
    if setup == "ascii":
        env["PYTHONIOENCODING"] = "ascii"
    elif setup == "huge-limits":
        env.update(CSLEVELS_MAX_FILE_BYTES=str(10**20), CSLEVELS_MAX_NODES=str(10**30))
    elif setup == "tiny-limits":
        env.update(CSLEVELS_MAX_FILE_BYTES="2000", CSLEVELS_MAX_NODES="30")
    before = _fingerprint(watched, corpus)
    out_path = corpus.root.parent / f"{corpus.root.name}.stdout"  # outside what runs are given
    err_path = corpus.root.parent / f"{corpus.root.name}.stderr"
    writer = None
    if setup == "fifo-writer":  # a FIFO named directly, with a writer that never writes
        writer = os.open(corpus.specials[0], os.O_RDWR)
        args = [*args[:1], str(corpus.specials[0]), *args[1:]] if args[0] in (
            "score", "validate") else args
    with open(err_path, "w+b") as err, open(out_path, "w+b") as out:
        stdout_target: Any = out
        if setup == "dev-full":
            stdout_target = open("/dev/full", "wb")  # noqa: SIM115
        command = [sys.executable, "-m", "cslevels", *(a.replace("\0", "") for a in args)]
        start = time.monotonic()
        proc = subprocess.Popen(command, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL if setup == "closed" else stdout_target,
                                stderr=err, env=env, cwd=corpus.root,
                                pass_fds=(), close_fds=True,
                                preexec_fn=(lambda: os.close(1)) if setup == "closed" else None)
        try:
            if stdin and proc.stdin:
                with contextlib.suppress(OSError):
                    proc.stdin.write(stdin.encode("utf-8", "surrogateescape"))
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            allowed = {0, 1, 2, 130}
            if setup.startswith("SIG"):
                time.sleep(rnd.uniform(0.0, 0.6))
                with contextlib.suppress(OSError):
                    proc.send_signal(getattr(signal, setup))
                signum = int(getattr(signal, setup))
                allowed |= {128 + signum, -signum}
            try:
                code = proc.wait(timeout=HANG_SECONDS + 5)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
                seconds = HANG_SECONDS + 5
            else:
                seconds = time.monotonic() - start
        finally:
            if writer is not None:
                os.close(writer)
            if stdout_target is not out:
                stdout_target.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace") if setup not in ("dev-full", "closed") \
            else ""
        stderr = err.read().decode("utf-8", "replace")
    tally.subprocesses += 1
    _judge(tally, [*args, f"<{setup}>"], code, stdout, stderr, seconds, before,
           _fingerprint(watched, corpus), None, allowed)


def _prepare_outputs(corpus: Corpus) -> None:
    out = corpus.root / "out"
    out.mkdir(exist_ok=True)
    for suffix in (".txt", ".json", ".md", ".html", ".csv", ".yaml", ".xlsx"):
        link = out / f"link{suffix}"
        if not link.is_symlink():
            link.symlink_to(out / f"linked{suffix}")
        fifo = out / f"fifo{suffix}"
        if not fifo.exists():
            os.mkfifo(fifo)


def campaign(runs: int, seed: int, subprocess_share: float = 0.03,
             workdir: Path | None = None) -> Tally:
    """``runs`` command runs over a fresh corpus; deterministic for a seed."""
    rnd = random.Random(seed)
    tally = Tally()
    saved = {name: os.environ.get(name) for name in ("CSLEVELS_CACHE_DIR", "CSLEVELS_NO_CACHE")}
    try:
        with tempfile.TemporaryDirectory(prefix="cslevels-attack-", dir=workdir) as folder:
            _campaign_in(Path(folder), runs, rnd, subprocess_share, tally)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return tally


def _campaign_in(root: Path, runs: int, rnd: random.Random, subprocess_share: float,
                 tally: Tally) -> None:
    os.environ["CSLEVELS_CACHE_DIR"] = str(root / "cache")  # shared by the subprocesses
    os.environ.pop("CSLEVELS_NO_CACHE", None)
    corpus = build_corpus(root, rnd)
    _prepare_outputs(corpus)
    for _ in range(runs):
        args, stdin, watched = random_command(corpus, rnd)
        try:
            if rnd.random() < subprocess_share:
                run_subprocess(tally, args, stdin, watched, corpus, rnd)
            else:
                run_in_process(tally, args, stdin, watched, corpus)
        except Exception as exc:  # the harness's own failure: counted, never hidden
            tally.harness_errors += 1
            if len(tally.failures) < 50:
                tally.failures.append({"args": args, "problems": [f"harness: {exc!r}"]})
        if rnd.random() < 0.02:  # outputs pile up: start again now and then
            shutil.rmtree(corpus.root / "out", ignore_errors=True)
            _prepare_outputs(corpus)
    for name in (".stdout", ".stderr"):
        with contextlib.suppress(OSError):
            (root.parent / f"{root.name}{name}").unlink()


def _campaign_job(job: tuple[int, int, float]) -> Tally:
    runs, seed, share = job
    return campaign(runs, seed, share)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--jobs", type=int, default=2, help="processes (2 at most here)")
    parser.add_argument("--subprocess-share", type=float, default=0.03)
    parser.add_argument("--json", type=Path, help="write the tally here too")
    options = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    start = time.monotonic()
    jobs = max(1, options.jobs)
    shares = [options.runs // jobs + (1 if i < options.runs % jobs else 0) for i in range(jobs)]
    work = [(n, options.seed + i, options.subprocess_share) for i, n in enumerate(shares)]
    if jobs == 1:
        results = [_campaign_job(work[0])]
    else:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            results = pool.map(_campaign_job, work)
    total = Tally()
    for result in results:
        total.merge(result)
    wall = time.monotonic() - start
    summary = {
        "runs": total.runs, "in_process": total.in_process, "subprocesses": total.subprocesses,
        "per_command": dict(sorted(total.per_command.items())),
        "mean_seconds_per_command": {k: round(v / total.per_command[k], 3) for k, v in
                                     sorted(total.seconds_per_command.items())},
        "exit_codes": dict(sorted(total.exit_codes.items())),
        "tracebacks": total.tracebacks, "hangs_over_10_s": total.hangs,
        "writes_over_an_input": total.overwrites, "raw_control_on_stdout": total.raw_control,
        "unexpected_exit_codes": total.bad_exit, "harness_errors": total.harness_errors,
        "bidi_format_chars_on_stdout": total.bidi_on_stdout,
        "bidi_by_command_and_format": dict(sorted(total.bidi_formats.items())),
        "slowest_run_s": round(total.slowest, 2), "wall_s": round(wall, 1), "seed": options.seed,
        "jobs": jobs,
    }
    print(json.dumps(summary, indent=2))
    for failure in total.failures[:20]:
        print(json.dumps(failure, ensure_ascii=True), file=sys.stderr)
    if options.json:
        options.json.write_text(json.dumps({**summary, "failures": total.failures}, indent=2))
    return 1 if total.failed else 0


def iter_failures(tally: Tally) -> Iterator[str]:
    for failure in tally.failures:
        yield json.dumps(failure, ensure_ascii=True)


if __name__ == "__main__":
    sys.exit(main())
