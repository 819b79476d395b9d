"""The layers, as the imports draw them: checked from the source, function-level imports too.

    core/       pure: models, rules, scoring, comparison; no I/O, no typer/rich/jinja2/yaml
    files/      everything that touches the disk
    reporting/  formats and views
    commands/   one module per command, returning data
    cli.py      the edge

A module may import its own layer and the layers below it, never one above, and no
two modules may import each other, however indirectly.  ``errors`` and ``text`` sit
under everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "cslevels"
LAYERS = {"errors": 0, "text": 0, "core": 1, "files": 2, "reporting": 3, "commands": 4,
          "cli": 5, "__main__": 6}
CORE_FORBIDDEN = {"typer", "rich", "jinja2", "markupsafe", "yaml", "os", "io", "shutil",
                  "tempfile", "subprocess", "multiprocessing", "concurrent"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (functions and TYPE_CHECKING too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from cslevels.reporting.kit import svg` imports the module kit.svg
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if f"{node.module}.{alias.name}" in MODULES)
    return found


def internal_imports(name: str) -> set[str]:
    return {m for m in imports_of(MODULES[name]) if m in MODULES and m != name} - {"cslevels"}


def layer(name: str) -> int | None:
    parts = name.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_every_module_has_a_layer() -> None:
    unplaced = [name for name in MODULES if name != "cslevels" and layer(name) is None]
    assert unplaced == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("cslevels.core")))
def test_core_is_pure(name: str) -> None:
    tops = {module.split(".")[0] for module in imports_of(MODULES[name])}
    assert tops & CORE_FORBIDDEN == set()
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    calls = {node.func.id for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "open" not in calls and "print" not in calls and "input" not in calls


def test_no_module_imports_a_higher_layer() -> None:
    upward = [(name, target) for name in MODULES if name != "cslevels"
              for target in internal_imports(name)
              if layer(target) is not None and layer(target) > layer(name)]  # type: ignore[operator]
    assert upward == []


def test_no_import_circles() -> None:
    graph = {name: internal_imports(name) for name in MODULES}
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert circles == []


def test_the_checks_do_not_know_the_yaml_reader() -> None:
    """The rules judge any medium's document through the Document protocol."""
    for name in ("cslevels.core.checks", "cslevels.core.schema_errors", "cslevels.core.documents"):
        assert not {m for m in imports_of(MODULES[name]) if "yamlio" in m}, name


def test_the_checker_catches_what_it_guards_against(tmp_path: Path) -> None:
    """The import reading sees function-level and aliased imports (so the tests above bite)."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    import yaml as y\n    from cslevels.cli import app\n")
    assert {"yaml", "cslevels.cli"} <= imports_of(probe)
