"""Name-to-implementation registries for output formats, imported lazily.

Each command's ``--format`` choices are the keys of one registry.  A value is a
``"module:function"`` string, imported only when that format is asked for, so
``score --format json`` never pays for jinja2 and the HTML code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RenderOptions:
    """How terminal output should look; other formats ignore it."""

    color: bool = False
    width: int = 100


Rendered = str | bytes  # a workbook is bytes; every other report is text

# The formats an output file's suffix implies, where the command has that format.
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json"}


class FormatRegistry(Mapping[str, str]):
    """Output formats of one command, by name, and the formats output suffixes imply."""

    def __init__(self, kind: str, targets: Mapping[str, str], *, default: str,
                 suffixes: Mapping[str, str] = REPORT_SUFFIXES) -> None:
        self.kind = kind
        self._targets = dict(targets)
        self.default = default
        self.suffixes = {suffix: name for suffix, name in suffixes.items() if name in targets}

    def __getitem__(self, name: str) -> str:
        return self._targets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)

    def renderer(self, name: str) -> Callable[..., Rendered]:
        module_name, _, attr = self._targets[name].partition(":")
        function: Callable[..., Rendered] = getattr(importlib.import_module(module_name), attr)
        return function

    def render(self, name: str, *args: Any, **kwargs: Any) -> Rendered:
        return self.renderer(name)(*args, **kwargs)

    def render_text(self, name: str, *args: Any, **kwargs: Any) -> str:
        """:meth:`render` for a format known to produce text (stdout takes nothing else)."""
        out = self.render(name, *args, **kwargs)
        assert isinstance(out, str), f"{self.kind} --format {name} is not text"
        return out

    def implied_by(self, suffix: str) -> str | None:
        """The format an output file's suffix implies for this command, if any."""
        return self.suffixes.get(suffix.lower())


SCORE_FORMATS = FormatRegistry(
    "score",
    {
        "terminal": "cslevels.reporting.score.terminal:render_results",
        "json": "cslevels.reporting.score.json:render_results",
        "markdown": "cslevels.reporting.score.markdown:render_results",
        "html": "cslevels.reporting.score.html:render_results",
    },
    default="terminal",
)

SHOW_FORMATS = FormatRegistry(
    "show",
    {
        "terminal": "cslevels.reporting.show.terminal:render_rubric",
        "markdown": "cslevels.reporting.show.markdown:render_rubric",
        "html": "cslevels.reporting.show.html:render_rubric",
    },
    default="terminal",
)

VALIDATE_FORMATS = FormatRegistry(
    "validate",
    {
        "text": "cslevels.reporting.validate.text:render_text",
        "json": "cslevels.reporting.validate.json:render_json",
        "github": "cslevels.reporting.validate.github:render_github",
        "sarif": "cslevels.reporting.validate.sarif:render_sarif",
    },
    default="text",
)

COMPARE_FORMATS = FormatRegistry(
    "compare",
    {
        "terminal": "cslevels.reporting.compare.terminal:render_comparison",
        "json": "cslevels.reporting.compare.json:render_comparison",
        "markdown": "cslevels.reporting.compare.markdown:render_comparison",
        "html": "cslevels.reporting.compare.html:render_comparison",
    },
    default="terminal",
)

SUMMARY_FORMATS = FormatRegistry(
    "summary",
    {
        "terminal": "cslevels.reporting.summary.terminal:render_portfolio",
        "json": "cslevels.reporting.summary.json:render_portfolio",
        "csv": "cslevels.reporting.summary.csv:render_portfolio",
        "html": "cslevels.reporting.summary.html:render_portfolio",
    },
    default="terminal",
    suffixes={**REPORT_SUFFIXES, ".csv": "csv"},
)

LIST_FORMATS = FormatRegistry(
    "list",
    {
        "terminal": "cslevels.reporting.list.terminal:render_entries",
        "json": "cslevels.reporting.list.json:render_entries",
    },
    default="terminal",
)

# What `template` writes: a file for someone to fill in, in the medium they will use.
TEMPLATE_FORMATS = FormatRegistry(
    "template",
    {
        "yaml": "cslevels.reporting.template.yaml:render_template",
        "xlsx": "cslevels.reporting.template.xlsx:render_template",
        "form": "cslevels.reporting.template.form:render_template",
    },
    default="yaml",
    suffixes={".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx", ".html": "form",
              ".htm": "form"},
)
