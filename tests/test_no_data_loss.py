"""Nothing a user wrote is lost: every file cslevels writes is replaced atomically.

A write that fails half way (a full disk, a killed process) must leave the old file
exactly as it was and no temporary file behind; reports never go over an input;
``template`` and ``assess`` never overwrite an answers file without consent; and an
output path in a missing folder is one clear error.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import cslevels.files.output
from conftest import EXAMPLES, Invoke
from cslevels.errors import OutputError
from cslevels.files.output import atomic_write

OLD = EXAMPLES / "riverside-cafe.yaml"
NEW = EXAMPLES / "riverside-cafe-2027-05.yaml"

# Every command with -o: the arguments before "-o FILE", and a suffix for FILE.
WRITERS: dict[str, tuple[list[str], str]] = {
    "score": (["score", str(OLD)], ".html"),
    "score-combine": (["score", "--combine", str(OLD), str(NEW)], ".md"),
    "show": (["show", "seven-levels"], ".html"),
    "compare": (["compare", str(OLD), str(NEW)], ".md"),
    "summary": (["summary", str(OLD), str(NEW)], ".csv"),
    "schema": (["schema", "answers"], ".json"),
    "template": (["template", "seven-levels", "--force"], ".yaml"),
}
PRECIOUS = "# the user's own file: it must survive\nkeep: me\n"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---------------------------------------------------------------- atomic_write itself


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("old")
    atomic_write(path, "new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_a_failure_at_any_step_keeps_the_old_file(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  step: str) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(PRECIOUS)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if step == "write":  # the temporary file's handle fails half way through
        real_fdopen = os.fdopen

        def fdopen(fd: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
            handle = real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]

            class Failing:
                def __enter__(self):  # type: ignore[no-untyped-def]
                    return self

                def __exit__(self, *exc: object) -> None:
                    handle.close()

                def write(self, data: bytes) -> int:
                    handle.write(data[: len(data) // 2])
                    disk_full()
                    return 0  # pragma: no cover

                def __getattr__(self, name: str) -> object:
                    return getattr(handle, name)

            return Failing()

        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(os, step, disk_full)
    with pytest.raises(OutputError, match="No space left on device") as info:
        atomic_write(path, "half of a new file\n" * 1000)
    assert info.value.path == str(path)
    assert path.read_text() == PRECIOUS
    assert leftovers(tmp_path) == []


def test_an_interrupt_mid_write_keeps_the_old_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(PRECIOUS)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, "new")
    assert path.read_text() == PRECIOUS
    assert leftovers(tmp_path) == []


def test_refusing_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(PRECIOUS)
    with pytest.raises(OutputError, match="already exists"):
        atomic_write(path, "new", overwrite=False)
    assert path.read_text() == PRECIOUS


def test_file_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("old")
    path.chmod(0o640)
    atomic_write(path, "new")
    assert path.stat().st_mode & 0o777 == 0o640


# ---------------------------------------------------------------- every command with -o


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_output_goes_through_atomic_write(invoke: Invoke, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                name: str) -> None:
    args, suffix = WRITERS[name]
    out = tmp_path / f"out{suffix}"
    calls: list[Path] = []
    real: Callable[..., None] = cslevels.files.output.atomic_write

    def spy(path: Path, text: str, **kwargs: bool) -> None:
        calls.append(path)
        real(path, text, **kwargs)

    monkeypatch.setattr(cslevels.files.output, "atomic_write", spy)
    result = invoke(*args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert calls == [out]
    assert out.stat().st_size > 0
    assert result.stderr.strip().endswith(f"wrote {out}")


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_failed_write_keeps_the_existing_output(invoke: Invoke, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  name: str) -> None:
    """The disk fills up as the report is saved: the previous report is still whole."""
    args, suffix = WRITERS[name]
    out = tmp_path / f"previous{suffix}"
    out.write_text(PRECIOUS)

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    result = invoke(*args, "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"{out}: error: cannot write: No space left on device\n"
    assert out.read_text() == PRECIOUS
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", list(WRITERS))
def test_output_in_a_missing_folder_is_one_clear_error(invoke: Invoke, tmp_path: Path,
                                                       name: str) -> None:
    args, suffix = WRITERS[name]
    out = tmp_path / "no-such-folder" / f"report{suffix}"
    result = invoke(*args, "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == (f"{out}: error: cannot write: folder "
                             f"'{tmp_path / 'no-such-folder'}' does not exist\n")
    assert not out.parent.exists()


@pytest.mark.parametrize("args", [
    ["score", "{answers}", "-o", "{answers}"],
    ["score", "--format", "json", "{answers}", "-o", "{answers}"],
    ["compare", "{answers}", str(NEW), "-o", "{answers}"],
    ["summary", "{folder}", "-o", "{answers}"],
    ["show", "{rubric}", "-o", "{rubric}"],
    ["template", "{rubric}", "-o", "{rubric}", "--force"],
    ["score", "--rubric", "{rubric}", "{answers}", "-o", "{rubric}"],
])
def test_a_report_never_replaces_one_of_its_inputs(invoke: Invoke, tmp_path: Path,
                                                   args: list[str]) -> None:
    answers = tmp_path / "visit.yaml"
    answers.write_bytes(OLD.read_bytes())
    rubric = tmp_path / "model.yaml"
    rubric.write_bytes((EXAMPLES.parent / "rubrics" / "seven-levels.yaml").read_bytes())
    before = {p: p.read_bytes() for p in (answers, rubric)}
    filled = [a.format(answers=answers, rubric=rubric, folder=tmp_path) for a in args]
    result = invoke(*filled)
    assert result.exit_code == 1
    target = filled[filled.index("-o") + 1]
    # Refused as an input, or (a report named .yaml) because no report format is YAML.
    assert result.stderr.endswith(
        f"{target}: error: is one of the input files; not overwriting it "
        "(choose another output file)\n") or result.stderr.startswith(
        f"{target}: error: cslevels {args[0]} writes no .yaml file: ")
    assert {p: p.read_bytes() for p in (answers, rubric)} == before


# ---------------------------------------------------------------- answers files: consent


def test_template_never_overwrites_without_force(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    out.write_text(PRECIOUS)
    result = invoke("template", "seven-levels", "-o", str(out))
    assert result.exit_code == 1
    assert f"{out}: error: already exists; not overwriting it" in result.stderr
    assert out.read_text() == PRECIOUS
    assert invoke("template", "seven-levels", "-o", str(out), "--force").exit_code == 0
    assert out.read_text().startswith("# Answers for The 7 Levels of Customer Service")


@pytest.mark.parametrize("content", [
    PRECIOUS,
    "a: [unclosed\n",
    "\x00binary",
    (EXAMPLES.parent / "rubrics" / "six-levels.yaml").read_text(),
    OLD.read_text(),  # answers, but for another rubric than the one assessed
    "<html><body>a report</body></html>\n",
])
def test_assess_never_overwrites_a_file_it_cannot_continue(invoke: Invoke, tmp_path: Path,
                                                           content: str) -> None:
    out = tmp_path / "client.yaml"
    out.write_bytes(content.encode("utf-8"))
    result = invoke("assess", "six-levels", "-o", str(out), "--no-tty", "--subject", "X",
                    input="1\n\nq\n")
    assert result.exit_code == 1
    assert "left untouched" in result.stderr
    assert str(out) in result.stderr
    assert out.read_bytes() == content.encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client.yaml"]


def test_assess_keeps_earlier_answers_when_a_save_fails(invoke: Invoke, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "cafe.yaml"
    out.write_bytes(OLD.read_bytes())
    # a first session saves an answer (keeping the hand-written original as .orig)
    first = invoke("assess", "seven-levels", "-o", str(out), "--no-tty", "--review",
                   input="1\n\nq\n")
    assert first.exit_code == 0, first.stderr
    assert (tmp_path / "cafe.yaml.orig").read_bytes() == OLD.read_bytes()
    before = out.read_bytes()
    assert before != OLD.read_bytes()

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    result = invoke("assess", "seven-levels", "-o", str(out), "--no-tty", "--review",
                    input="3\n\nq\n")
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert "the file on disk still holds every earlier answer" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert out.read_bytes() == before
    assert leftovers(tmp_path) == []
