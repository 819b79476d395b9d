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
