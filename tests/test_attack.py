"""README's promises under attack (issue 13): each item reproduced, then kept.

Special files, files sent by someone else, two processes on one file, hostile
sizes: every test here failed on the code before the fix it names.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import EXAMPLES, RUBRICS, Invoke


def _rubric_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A rubric folder holding rubric ``rt`` and an answers file for it."""
    folder = tmp_path / "R"
    folder.mkdir()
    text = (RUBRICS / "seven-levels.yaml").read_text(encoding="utf-8")
    (folder / "rt.yaml").write_text(text.replace("id: seven-levels", "id: rt", 1),
                                    encoding="utf-8")
    answers = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
    lines = [line for line in answers.splitlines() if not line.startswith("rubric_version")]
    answers_path = tmp_path / "a.yaml"
    answers_path.write_text("\n".join(lines).replace("rubric: seven-levels", "rubric: rt")
                            + "\n", encoding="utf-8")
    return folder, answers_path


def _subprocess_env() -> dict[str, str]:
    """The environment of a cslevels subprocess running the cslevels under test."""
    import cslevels

    return {**os.environ, "PYTHONPATH": str(Path(cslevels.__file__).parents[1])}


# ---------------------------------------------------------------- 3: every file read is an input


@pytest.mark.parametrize("how", ["rubrics-dir", "env"])
@pytest.mark.parametrize("command", ["score", "compare", "summary"])
def test_a_report_never_replaces_the_rubric_it_read(invoke: Invoke, tmp_path: Path,
                                                     command: str, how: str) -> None:
    folder, answers = _rubric_folder(tmp_path)
    before = (folder / "rt.yaml").read_bytes()
    args = [command, str(answers)] + ([str(answers)] if command == "compare" else [])
    env = {}
    if how == "rubrics-dir":
        args += ["--rubrics-dir", str(folder)]
    else:
        env["CSLEVELS_RUBRICS_PATH"] = str(folder)
    result = invoke(*args, "-o", str(folder / "rt.yaml"), env=env)
    assert result.exit_code == 1
    # Two defences refuse it now: no report is written under a .yaml name (issue 18), and
    # the rubric read counts as an input; the second is checked on its own below.
    assert f"{folder / 'rt.yaml'}: error: " in result.stderr
    assert (folder / "rt.yaml").read_bytes() == before
    from cslevels.errors import OutputError
    from cslevels.files import inputs
    from cslevels.files.library import RubricLibrary
    from cslevels.files.output import refuse_inputs

    inputs.forget_all()  # a new run, which reads the rubric by its id
    RubricLibrary([folder]).resolve("rt")
    with pytest.raises(OutputError, match="is one of the input files"):
        refuse_inputs(folder / "rt.yaml", [])


# ---------------------------------------------------------------- 2: summary's fast path


def _answers_naming(tmp_path: Path, rubric: str) -> Path:
    text = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
    path = tmp_path / "sent.yaml"
    path.write_text(text.replace("rubric: seven-levels", f"rubric: {rubric}", 1),
                    encoding="utf-8")
    return path


def test_summary_refuses_a_rubric_path_without_yaml_as_validate_does(
        invoke: Invoke, tmp_path: Path) -> None:
    rubric = tmp_path / "model"  # a valid rubric, but not named .yaml
    rubric.write_bytes((RUBRICS / "seven-levels.yaml").read_bytes())
    answers = _answers_naming(tmp_path, str(rubric))
    validated = invoke("validate", str(answers))
    summarised = invoke("summary", str(answers), "--format", "json")
    assert validated.exit_code == summarised.exit_code == 1
    assert "is neither a rubric id nor a .yaml file" in validated.stdout + validated.stderr
    assert "is neither a rubric id nor a .yaml file" in summarised.stderr


def test_summary_never_opens_a_path_an_answers_file_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cslevels.commands import summary_fast
    from cslevels.commands.summary_rows import PortfolioLibrary
    from cslevels.files.library import RubricLibrary

    answers = _answers_naming(tmp_path, "/etc/shadow")
    opened: list[str] = []
    monkeypatch.setattr(RubricLibrary, "resolve", lambda self, ref: opened.append(ref))
    assert summary_fast.fast_row(str(answers), PortfolioLibrary(RubricLibrary())) is None
    assert opened == []


def test_summary_of_an_answers_file_naming_dev_stdin_does_not_wait(tmp_path: Path) -> None:
    import subprocess
    import sys

    answers = _answers_naming(tmp_path, "/dev/stdin")
    env = _subprocess_env()
    # stdin stays open and silent: reading it would wait for ever (the timeout is a guard).
    proc = subprocess.Popen([sys.executable, "-m", "cslevels", "summary", str(answers)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        proc.wait(timeout=60)
        err = proc.stderr.read() if proc.stderr else ""
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdin is not None
        proc.stdin.close()
    assert proc.returncode == 1
    assert "is neither a rubric id nor a .yaml file" in err


# ---------------------------------------------------------------- 1: FIFOs


def _run(args: list[str], cwd: Path, stdin: str = "") -> tuple[int, str]:
    """cslevels in a subprocess (a hang would hang the test run: the timeout is a guard)."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "cslevels", *args], input=stdin, cwd=cwd,
                          capture_output=True, text=True, env=_subprocess_env(), timeout=60)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("args", [
    ["list", "--rubrics-dir", "R"],
    ["show", "nope", "--rubrics-dir", "R"],
    ["summary", "R"],
    ["validate", "R"],
])
def test_a_fifo_in_a_folder_is_never_opened(tmp_path: Path, args: list[str]) -> None:
    folder, _answers = _rubric_folder(tmp_path)
    os.mkfifo(folder / "pipe.yaml")
    code, output = _run(args, tmp_path)
    assert "pipe.yaml" not in output
    assert "Traceback" not in output
    assert code in (0, 1)


def test_assess_onto_a_fifo_refuses_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    code, output = _run(["assess", "seven-levels", "-o", "fifo.yaml", "--no-tty"], tmp_path,
                        stdin="q\n")
    assert code == 1
    assert "fifo.yaml" in output and "left untouched" in output
    assert "Traceback" not in output


def test_a_device_is_read_only_up_to_the_limit(invoke: Invoke) -> None:
    result = invoke("validate", "/dev/zero", env={"CSLEVELS_MAX_FILE_BYTES": "1000"})
    assert result.exit_code == 1
    assert "/dev/zero: error: file is over the 1,000-byte limit" in result.stdout + result.stderr


def test_a_stream_that_stays_silent_is_given_up(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    from cslevels.errors import InputError
    from cslevels.files import inputs
    from cslevels.files.yamlio import read_bytes

    fifo = tmp_path / "slow.yaml"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # a writer that never writes
    waited: list[int] = []
    monkeypatch.setattr(inputs, "_wait_readable", lambda fd: waited.append(fd) or False)
    try:
        with pytest.raises(InputError, match="no data for"):
            read_bytes(fifo)
    finally:
        os.close(writer)
    assert len(waited) == 1


# ---------------------------------------------------------------- 4: two assess on one file


def test_a_second_assess_of_the_same_file_is_refused(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    command = [sys.executable, "-m", "cslevels", "assess", "seven-levels", "-o", "a.yaml",
               "--no-tty"]
    first = subprocess.Popen(command, cwd=tmp_path, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=_subprocess_env())
    try:
        assert first.stdin is not None
        first.stdin.write("Cafe\nAna\n")  # subject and assessor: the file is saved
        first.stdin.flush()
        for _ in range(600):  # wait for the first save (a guard, not a measure)
            if (tmp_path / "a.yaml").exists() or first.poll() is not None:
                break
            time.sleep(0.1)
        assert (tmp_path / "a.yaml").exists()
        code, output = _run(command[3:], tmp_path, stdin="1\n\n")
        assert code == 1
        assert "another `cslevels assess` is continuing this file" in output
        first.stdin.write("1\n\n")  # the first one's answer is kept
        first.stdin.close()
        first.wait(timeout=60)
    finally:
        first.kill()
        first.wait()
    text = (tmp_path / "a.yaml").read_text(encoding="utf-8")
    assert "availability." in text and "Cafe" in text
    assert not (tmp_path / ".a.yaml.lock").exists()


def test_the_lock_refuses_while_held_and_is_reused_when_stale(tmp_path: Path) -> None:
    from cslevels.errors import OutputError
    from cslevels.files.locking import exclusive, lock_path

    target = tmp_path / "a.yaml"
    lock_path(target).write_text("")  # left behind by a killed process: holds no lock
    with (exclusive(target), pytest.raises(OutputError, match="another `cslevels assess`"),
          exclusive(target)):
        pass  # pragma: no cover
    with exclusive(target):
        pass
    long = tmp_path / ("x" * 250 + ".yaml")
    assert len(lock_path(long).name) <= 255


# ---------------------------------------------------------------- 7: special files, symlinks


def test_writing_through_a_symlink_replaces_its_target_and_keeps_the_link(
        invoke: Invoke, tmp_path: Path) -> None:
    real = tmp_path / "real" / "report.md"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    result = invoke("score", str(EXAMPLES / "riverside-cafe.yaml"), "-o", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert "Riverside Cafe" in real.read_text(encoding="utf-8")
    assert [p.name for p in real.parent.iterdir()] == ["report.md"]  # no temporary left


def test_assess_through_a_symlink_keeps_saving_to_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "kept" / "a.yaml"
    real.parent.mkdir()
    _run(["assess", "seven-levels", "-o", str(real), "--no-tty"], tmp_path, stdin="Cafe\nAna\n")
    link = tmp_path / "a.yaml"
    link.symlink_to(real)
    code, output = _run(["assess", "seven-levels", "-o", "a.yaml", "--no-tty"], tmp_path,
                        stdin="1\n\n")
    assert "Traceback" not in output and "1 of 34 questions answered, saved" in output, code
    assert link.is_symlink()
    assert "availability." in real.read_text(encoding="utf-8")


def test_a_fifo_or_device_is_written_in_place_never_replaced(invoke: Invoke,
                                                              tmp_path: Path) -> None:
    fifo = tmp_path / "out.html"
    os.mkfifo(fifo)
    result = invoke("show", "seven-levels", "-o", str(fifo))  # no reader: refused at once
    assert result.exit_code == 1
    assert "no process is reading from this FIFO" in result.stderr
    import threading

    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    os.set_blocking(reader, True)
    received: list[bytes] = []

    done = threading.Event()

    def drain() -> None:  # the report is larger than a pipe holds
        while True:
            chunk = os.read(reader, 65536)  # b"" while no writer has it open
            if chunk:
                received.append(chunk)
            elif done.is_set():
                return
            else:
                done.wait(0.01)

    thread = threading.Thread(target=drain)
    thread.start()
    try:
        result = invoke("show", "seven-levels", "--format", "html", "-o", str(fifo))
        assert result.exit_code == 0, result.stderr
    finally:
        done.set()
        thread.join(timeout=60)
        os.close(reader)
    assert b"".join(received).lower().startswith(b"<!doctype html")
    assert os.path.exists(fifo) and not os.path.isfile(fifo)
    result = invoke("show", "seven-levels", "-o", "/dev/null")
    assert result.exit_code == 0
    assert not os.path.isfile("/dev/null")
    result = invoke("show", "seven-levels", "-o", "/dev/full")
    assert result.exit_code == 1
    assert "/dev/full: error: cannot write: No space left on device" in result.stderr


def test_a_long_but_legal_output_name_is_written(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / ("r" * 250 + ".html")  # 255 bytes: the longest legal name
    result = invoke("show", "seven-levels", "--format", "html", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert "<html" in target.read_text(encoding="utf-8")


def test_temporaries_left_by_a_killed_process_are_removed(invoke: Invoke,
                                                         tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    stale = tmp_path / ".report.txt.abcd1234.tmp"
    fresh = tmp_path / ".report.txt.efgh5678.tmp"  # perhaps another writer's, right now
    stale.write_text("half")
    fresh.write_text("half")
    os.utime(stale, (1_000_000, 1_000_000))
    result = invoke("show", "seven-levels", "-o", str(target))
    assert result.exit_code == 0
    assert not stale.exists() and fresh.exists()


# ---------------------------------------------------------------- 8: tracebacks


@pytest.mark.parametrize("shell", [
    "{cmd} > /dev/full", "{cmd} >&-", "PYTHONIOENCODING=ascii {cmd}",
    "CSLEVELS_MAX_FILE_BYTES=100000000000000000000 {cmd}",
])
def test_hostile_streams_and_limits_give_one_line_not_a_traceback(tmp_path: Path,
                                                                  shell: str) -> None:
    import shlex
    import subprocess
    import sys

    cmd = f"{shlex.quote(sys.executable)} -m cslevels show seven-levels"
    proc = subprocess.run(shell.format(cmd=cmd), shell=True, capture_output=True, text=True,
                          env=_subprocess_env(), cwd=tmp_path, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1)


# ---------------------------------------------------------------- 9: alias amplification


def test_aliases_are_bounded_by_the_characters_they_expand_to(
        invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cslevels.errors import InputError
    from cslevels.files.yamlio import parse

    # 1,413 bytes, 102 values: within both limits.  The budget is 4 x 10,000 characters;
    # "a" and its text make 1,001, "b" 1,002, then each *t adds 1,000: the 39th goes over.
    text = 'a: &t "' + "x" * 1000 + '"\nb: [' + ", ".join(["*t"] * 100) + "]\n"
    monkeypatch.setenv("CSLEVELS_MAX_FILE_BYTES", "10000")
    with pytest.raises(InputError) as caught:
        parse(text, "doc.yaml")
    error = caught.value
    assert (error.line, error.column) == (2, 5 + 4 * 38)
    assert error.code == "yaml-too-many-characters"
    assert "more than 40,000 characters" in error.message
    assert error.hint is not None and "4 times CSLEVELS_MAX_FILE_BYTES" in error.hint
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("validate", str(path), env={"CSLEVELS_MAX_FILE_BYTES": "10000"})
    assert f"{path}:2:157: error: aliases expand the document to more than 40,000 " in (
        result.stdout + result.stderr)
    monkeypatch.setenv("CSLEVELS_MAX_FILE_BYTES", "30000")  # 120,000: the same file is fine
    assert len(parse(text, "doc.yaml").data["b"]) == 100


def _aliased_answers(tmp_path: Path, aliases: int, length: int) -> Path:
    """riverside-cafe with its first evidence list made of one text and its aliases."""
    text = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    assert lines[12] == "    evidence:\n"
    lines[12:15] = ['    evidence: [&t "' + "y" * length + '"'
                    + "".join([", *t"] * aliases) + "]\n"]
    path = tmp_path / "sent" / "visit.yaml"
    path.parent.mkdir()
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_the_408_kb_answers_bomb_is_refused_before_anything_is_built(
        invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cslevels.files import yamlio

    path = _aliased_answers(tmp_path, 99_000, 2000)  # 198 million characters expanded
    assert len(path.read_bytes()) < yamlio.DEFAULT_MAX_FILE_BYTES
    built: list[object] = []
    monkeypatch.setattr(yamlio._Builder, "build", lambda *args: built.append(args))
    lines = []
    for command in ("score", "summary", "validate"):
        result = invoke(command, str(path))
        assert result.exit_code == 1
        assert result.stdout.count("\n") < 10  # no report of 198 million characters
        lines += [line for line in (result.stdout + result.stderr).splitlines()
                  if line.startswith(str(path))]
    assert built == []  # measured on the parser's events: nothing was expanded
    # score, summary (whose fast path leaves anchors to the full path) and validate agree
    prefix = f"{path}:13:"
    assert len(lines) == 3 and len(set(lines)) == 1 and lines[0].startswith(prefix), lines
    assert "more than 8,388,608 characters" in lines[0]
    column = int(lines[0][len(prefix):].split(":")[0])
    source = path.read_text(encoding="utf-8").splitlines()[12]
    assert source[column - 1:column + 1] == "*t"  # it names the alias that goes over


def _aliased_rubric(tmp_path: Path, questions: int, length: int) -> Path:
    """seven-levels with extra questions whose guidance and advice alias one text."""
    text = (RUBRICS / "seven-levels.yaml").read_text(encoding="utf-8")
    at = text.index("    questions:\n") + len("    questions:\n")
    extra = ["      - id: extra0\n        text: Extra\n        scale: practice\n"
             f'        guidance: &g "{"g" * length}"\n']
    extra += [f"      - id: extra{i}\n        text: Extra\n        scale: practice\n"
              "        guidance: *g\n        recommendation: *g\n" for i in range(1, questions)]
    path = tmp_path / "big.yaml"
    path.write_text(text[:at] + "".join(extra) + text[at:], encoding="utf-8")
    return path


def test_a_rubric_bomb_is_refused_and_never_cached(invoke: Invoke, tmp_path: Path) -> None:
    path = _aliased_rubric(tmp_path, 900, 10_000)  # 91 KB; 18 million characters expanded
    cache = tmp_path / "cache"
    result = invoke("show", str(path), env={"CSLEVELS_CACHE_DIR": str(cache)})
    assert result.exit_code == 1
    assert f"{path}:" in result.stderr and "more than 8,388,608 characters" in result.stderr
    assert not list(cache.rglob("*.json"))


def test_a_cache_entry_is_never_written_larger_than_it_is_read_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cslevels.files import loading, rubric_cache

    monkeypatch.setenv(rubric_cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    path = _aliased_rubric(tmp_path, 300, 10_000)  # within the limits: 6 million characters
    writes: list[Path] = []
    real = rubric_cache.write_then_rename
    monkeypatch.setattr(rubric_cache, "write_then_rename",
                        lambda target, *a, **k: (writes.append(target), real(target, *a, **k)))
    monkeypatch.setattr(rubric_cache, "MAX_ENTRY_BYTES", 1_000_000)
    for _ in range(2):
        loading._RUBRIC_CACHE.clear()
        assert len(loading.load_rubric(path).rubric.levels[0].questions) > 300
    assert writes == []  # too large to be read back: not written, so not rewritten each run
    monkeypatch.setattr(rubric_cache, "MAX_ENTRY_BYTES", 64 * 1024 * 1024)
    for _ in range(2):
        loading._RUBRIC_CACHE.clear()
        loading.load_rubric(path)
    assert len(writes) == 1  # written once, then read back


def test_a_lower_size_limit_is_not_bypassed_by_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cslevels.errors import InputError
    from cslevels.files import loading, rubric_cache

    monkeypatch.setenv(rubric_cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    path = _aliased_rubric(tmp_path, 10, 10_000)  # 31 KB, 190,000 characters expanded
    loading.load_rubric(path)  # cached under the default limits
    loading._RUBRIC_CACHE.clear()
    monkeypatch.setenv("CSLEVELS_MAX_FILE_BYTES", "45000")  # a budget of 180,000 characters
    with pytest.raises(InputError, match="more than 180,000 characters"):
        loading.load_rubric(path)


# ---------------------------------------------------------------- 8: a cache entry off the model


def _forge(entry: Path, change: str) -> None:
    """Rewrite a real cache entry with one change and a correct checksum."""
    import hashlib
    import json

    data = json.loads(entry.read_text(encoding="utf-8").partition("\n")[2])
    rubric = data["rubric"]
    question = rubric["levels"][0]["questions"][0]
    if change == "weight-text":
        question["weight"] = "x"
    elif change == "weight-true":
        question["weight"] = True
    elif change == "unknown-scale":
        question["scale"] = "nope"
    elif change == "levels-text":
        rubric["levels"] = "abc"
    elif change == "extra-field":
        question["bogus"] = 1
    elif change == "score-over-one":
        rubric["scales"]["practice"]["options"][0]["score"] = 7
    elif change == "threshold-nan":
        rubric["threshold"] = float("nan")
    elif change == "missing-id":
        del question["id"]
    elif change == "bad-id":
        question["id"] = "Not An Id"
    elif change == "warning-garbage":
        data["warnings"] = [{"a": 1}]
    elif change == "warning-dropped":
        data["warnings"] = []
    elif change == "digest":
        data["digest"] = 5
    payload = json.dumps(data)
    entry.write_text(hashlib.sha256(payload.encode()).hexdigest() + "\n" + payload,
                     encoding="utf-8")


@pytest.mark.parametrize("change", [
    "weight-text", "weight-true", "unknown-scale", "levels-text", "extra-field",
    "score-over-one", "threshold-nan", "missing-id", "bad-id", "warning-garbage",
    "warning-dropped", "digest"])
def test_a_cache_entry_that_does_not_match_the_model_is_a_miss(
        invoke: Invoke, tmp_path: Path, change: str) -> None:
    from cslevels.files import loading, rubric_cache

    cache = tmp_path / "cache"
    env = {rubric_cache.CACHE_DIR_ENV: str(cache), rubric_cache.NO_CACHE_ENV: ""}
    rubric = tmp_path / "rt.yaml"  # a rubric with a warning (an unused scale), kept too
    text = (RUBRICS / "seven-levels.yaml").read_text(encoding="utf-8")
    rubric.write_text(text.replace("scales:\n", "scales:\n  spare:\n    label: Spare\n"
                                   "    options: [{value: 0, label: Never, score: 0},"
                                   " {value: 1, label: Always, score: 1}]\n", 1), encoding="utf-8")
    answers = _answers_naming(tmp_path, str(rubric))
    args = ["score", str(answers), "--format", "json"]
    loading._RUBRIC_CACHE.clear()
    expected = invoke(*args, env={rubric_cache.NO_CACHE_ENV: "1"})
    loading._RUBRIC_CACHE.clear()
    assert invoke(*args, env=env).stdout == expected.stdout  # fills the cache
    (entry,) = cache.rglob("*.json")
    good = entry.read_bytes()
    loading._RUBRIC_CACHE.clear()
    assert rubric_cache.load(entry, rubric) is not None  # the real entry is a hit
    _forge(entry, change)
    assert rubric_cache.load(entry, rubric) is None
    loading._RUBRIC_CACHE.clear()
    result = invoke(*args, env=env)
    assert (result.exit_code, result.stdout, result.stderr) == (
        expected.exit_code, expected.stdout, expected.stderr)
    assert entry.read_bytes() == good  # rebuilt from the rubric


# ---------------------------------------------------------------- 10: workers end with their parent


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    return found


def _running(pid: int) -> bool:
    """Alive, and not a zombie waiting to be reaped (in a container PID 1 may never)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _command_line(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="finds workers through /proc")
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_pool_workers_end_with_their_parent(tmp_path: Path, signame: str) -> None:
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "visits"
    folder.mkdir()
    text = (EXAMPLES / "riverside-cafe.yaml").read_bytes()
    for i in range(3000):  # seconds of work for two workers: they are busy when signalled
        (folder / f"v{i}.yaml").write_bytes(text)
    env = {**_subprocess_env(), "CSLEVELS_WORKERS": "2", "CSLEVELS_PARALLEL_MIN_FILES": "2"}
    with open(tmp_path / "stderr", "w+b") as stderr:  # workers would hold a pipe open
        parent = subprocess.Popen([sys.executable, "-m", "cslevels", "summary", str(folder)],
                                  stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        workers: list[int] = []
        try:
            for _ in range(1000):  # until the pool is up (a guard, not a measure)
                workers = [c for c in _children(parent.pid)
                           if _command_line(c) == _command_line(parent.pid)]
                if len(workers) == 2 or parent.poll() is not None:
                    break
                time.sleep(0.01)
            assert len(workers) == 2, "the pool never started"
            os.kill(parent.pid, getattr(signal, signame))  # the parent alone, not its group
            code = parent.wait(timeout=60)
            deadline = time.monotonic() + 10
            while any(map(_running, workers)) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert [w for w in workers if _running(w)] == []
        finally:
            parent.kill()
            parent.wait()
            for worker in workers:  # never leave one behind, whatever failed above
                if _running(worker):
                    os.kill(worker, signal.SIGKILL)
        stderr.seek(0)
        said = stderr.read().decode("utf-8", "replace")
    signum = getattr(signal, signame)
    if signame == "SIGKILL":
        assert code == -signum
    else:
        assert code == 128 + signum
        assert said == f"cslevels: stopped by {signame}\n"


# ---------------------------------------------------------------- 8: Ctrl-C during start-up

_KICK = """\
import os, signal, sys
import importlib.abc
import cslevels.__main__ as entry

class Kick(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == {module!r}:  # while cslevels.cli loads its modules
            os.kill(os.getpid(), signal.{signame})
        return None

sys.meta_path.insert(0, Kick())
sys.argv = ["cslevels", "show", "seven-levels"]
entry.run()
"""


@pytest.mark.parametrize(("signame", "module"), [
    ("SIGINT", "typer"), ("SIGINT", "cslevels.reporting.formats"), ("SIGTERM", "typer")])
def test_a_signal_while_the_modules_load_gives_one_line(signame: str, module: str) -> None:
    import signal
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _KICK.format(signame=signame, module=module)],
                          capture_output=True, text=True, env=_subprocess_env(), timeout=60)
    line = "cslevels: interrupted" if signame == "SIGINT" else f"cslevels: stopped by {signame}"
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        128 + getattr(signal, signame), "", line + "\n")


_READY = """\
import os, sys
import cslevels.__main__ as entry
os.write(2, b"ready\\n")
sys.argv = ["cslevels", *sys.argv[1:]]
entry.run()
"""


def test_ctrl_c_at_random_early_moments_never_gives_a_traceback(tmp_path: Path) -> None:
    import random
    import signal
    import subprocess
    import sys
    import time

    chooser = random.Random(13)
    commands = [["--version"], ["show", "seven-levels"], ["list"],
                ["score", str(EXAMPLES / "riverside-cafe.yaml"), "--format", "json"],
                ["validate", str(EXAMPLES)], ["summary", str(EXAMPLES)]]
    seen = set()
    for _ in range(16):
        args = chooser.choice(commands)
        proc = subprocess.Popen([sys.executable, "-c", _READY, *args], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=_subprocess_env(), cwd=tmp_path)
        try:
            assert proc.stderr is not None
            assert proc.stderr.readline() == b"ready\n"  # the entry point is running
            time.sleep(chooser.uniform(0, 0.3))  # before, during and after the imports
            proc.send_signal(signal.SIGINT)
            said = proc.stderr.read().decode("utf-8", "replace")
            code = proc.wait(timeout=60)
        finally:
            proc.kill()
            proc.wait()
        # Done already (0), stopped (130 and the line), or stopped as the interpreter
        # shut down, after the work, when Python has put back the default action (-2).
        assert (code, said) in {(0, ""), (130, "cslevels: interrupted\n"), (-2, "")}, said
        seen.add(code)
    assert 130 in seen


# ---------------------------------------------------------------- 12: temporaries, long names


def test_only_this_projects_own_stale_temporaries_are_removed(invoke: Invoke,
                                                            tmp_path: Path) -> None:
    from cslevels.files.output import temp_prefix

    old = (1_000_000, 1_000_000)
    target = tmp_path / "report.txt"
    ours = tmp_path / ".report.txt.k3_x9q2a.tmp"  # what mkstemp makes: 8 letters
    others = [tmp_path / ".report.txt.backup.tmp", tmp_path / ".report.txt.abcd12345.tmp",
              tmp_path / ".report.txt.ABCD1234.tmp"]
    for path in [ours, *others]:
        path.write_text("kept?")
        os.utime(path, old)
    folder = tmp_path / ".report.txt.dir12345.tmp"
    folder.mkdir()
    os.utime(folder, old)
    kept = tmp_path / "kept.txt"
    kept.write_text("a file of the user's")
    link = tmp_path / ".report.txt.link1234.tmp"
    link.symlink_to(kept)
    os.utime(link, old, follow_symlinks=False)
    long_target = tmp_path / ("r" * 250 + ".txt")  # 254 bytes: its temporaries are hashed
    long_stale = tmp_path / f"{temp_prefix(long_target)}abcd1234.tmp"
    assert len(long_stale.name) <= 255 and long_target.name not in long_stale.name
    long_stale.write_text("half")
    os.utime(long_stale, old)
    for output in (target, long_target):
        result = invoke("show", "seven-levels", "-o", str(output))
        assert result.exit_code == 0, result.stderr
    assert not ours.exists() and not long_stale.exists()
    assert all(path.exists() for path in others) and folder.is_dir()
    assert link.is_symlink() and kept.read_text() == "a file of the user's"


# ---------------------------------------------------------------- found by the attack run


@pytest.mark.parametrize("args", [
    ["validate", "{long}.yaml"], ["summary", "{long}.yaml"], ["summary", "{long}"],
    ["list", "--rubrics-dir", "{long}"], ["score", "{example}", "-o", "{long}.txt"],
    ["score", "{answers}"], ["validate", "{answers}"],
])
def test_a_path_the_system_refuses_is_named_not_a_traceback(invoke: Invoke, tmp_path: Path,
                                                            args: list[str]) -> None:
    long = str(tmp_path / ("x" * 300))  # one name over NAME_MAX: ENAMETOOLONG
    answers = _answers_naming(tmp_path, "r-" + "x" * 300)  # an id too long to be a file
    values = {"long": long, "example": str(EXAMPLES / "riverside-cafe.yaml"),
              "answers": str(answers)}
    result = invoke(*[a.format(**values) for a in args])
    output = result.stdout + result.stderr
    assert result.exit_code == 1
    assert "Traceback" not in output and "<stdout>" not in output
    if "{answers}" in args:
        assert f"{answers}:2:9: error: unknown rubric 'r-xxx" in output
    else:
        assert ": error: cannot use this path: File name too long" in output
        assert long in output


def test_github_annotations_never_carry_raw_control_characters(invoke: Invoke,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b]0;owned\x07\r.yaml"
    path.write_text("schema: cslevels/answers/v1\nsubject: [\n", encoding="utf-8")
    result = invoke("validate", str(path), "--format", "github")
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\r" not in result.stdout and "%0D" not in result.stdout
    assert "file=" + str(tmp_path).replace(":", "%3A") + "/evil\\x1b]0;owned\\x07\\x0d.yaml" in (
        result.stdout)


def test_a_stream_that_outgrows_memory_under_a_huge_limit_is_one_message(
        invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    from cslevels.files import inputs

    def exhausted(*args: object) -> bytes:  # /dev/zero read with CSLEVELS_MAX_FILE_BYTES=1e20
        raise MemoryError

    monkeypatch.setattr(inputs, "read_limited", exhausted)
    result = invoke("validate", "/dev/zero",
                    env={"CSLEVELS_MAX_FILE_BYTES": "100000000000000000000"})
    assert result.exit_code == 1
    assert ("/dev/zero: error: ran out of memory reading it, under a "
            "100,000,000,000,000,000,000-byte limit (lower CSLEVELS_MAX_FILE_BYTES)") in (
        result.stdout + result.stderr)


@pytest.mark.parametrize("args", [
    ["score", "{answers}", "--format", "json"], ["summary", "{answers}", "--format", "json"],
    ["validate", "{answers}", "--format", "json"], ["validate", "{answers}", "--format", "sarif"],
    ["compare", "{answers}", "{answers}", "--format", "json"],
    ["list", "--rubrics-dir", "{folder}", "--format", "json"]])
def test_json_writes_terminal_controls_as_escapes_and_keeps_the_text(
        invoke: Invoke, tmp_path: Path, args: list[str]) -> None:
    import json

    hostile = "J\x9b2J\x7f\u202eefac\u202c\u2028"  # C1 CSI, DEL, bidi override, separator
    folder = tmp_path / f"d{hostile}"
    folder.mkdir()
    text = (EXAMPLES / "riverside-cafe.yaml").read_text(encoding="utf-8")
    answers = folder / f"a{hostile}.yaml"
    answers.write_text(text.replace("J. Moreno", json.dumps(hostile), 1)
                       .replace("subject: Riverside Cafe", "subject: x\n# \u202e", 1)
                       + "extra: 1\n" * ("validate" in args), encoding="utf-8")
    (folder / f"r{hostile}.yaml").write_text("schema: cslevels/rubric/v1\n", encoding="utf-8")
    result = invoke(*[a.format(answers=answers, folder=folder) for a in args])
    assert result.stdout.strip(), result.stderr
    for raw in ("\x9b", "\x7f", "\u202e", "\u2028"):
        assert raw not in result.stdout
    kept = json.dumps(json.loads(result.stdout), ensure_ascii=False)
    if "sarif" in args:  # SARIF names files by URI: percent-encoded
        assert "aJ%C2%9B2J%7F%E2%80%AEefac%E2%80%AC%E2%80%A8.yaml" in kept
    else:
        assert hostile in kept  # the text itself is kept exactly


_SWALLOWED = """\
import os, signal, sys
import cslevels.cli as cli
from cslevels.files import yamlio

class Dropped:
    def __del__(self):  # Python prints and drops an exception raised in here
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # bytecode: the handler runs inside __del__
            pass

real = yamlio.read_bytes
def read_bytes(path):
    Dropped()
    return real(path)

yamlio.read_bytes = read_bytes
sys.argv = ["cslevels", "validate", sys.argv[1]]
cli.main()
"""


def test_a_signal_inside_a_finalizer_still_stops_the_run_in_one_line() -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _SWALLOWED, str(EXAMPLES / "riverside-cafe.yaml")],
                          capture_output=True, text=True, env=_subprocess_env(), timeout=60)
    assert (proc.returncode, proc.stderr) == (143, "cslevels: stopped by SIGTERM\n")
