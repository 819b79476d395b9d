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


class FormatRegistry(Mapping[str, str]):
    """Output formats of one kind of report, by name."""

    def __init__(self, kind: str, targets: Mapping[str, str]) -> None:
        self.kind = kind
        self._targets = dict(targets)

    def __getitem__(self, name: str) -> str:
        return self._targets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)

    def renderer(self, name: str) -> Callable[..., str]:
        module_name, _, attr = self._targets[name].partition(":")
        function: Callable[..., str] = getattr(importlib.import_module(module_name), attr)
        return function

    def render(self, name: str, *args: Any, **kwargs: Any) -> str:
        return self.renderer(name)(*args, **kwargs)


SCORE_FORMATS = FormatRegistry(
    "score",
    {
        "terminal": "cslevels.reporting.terminal:render_results",
        "json": "cslevels.reporting.json_report:render_results",
        "markdown": "cslevels.reporting.markdown:render_results",
        "html": "cslevels.reporting.html:render_results",
    },
)

SHOW_FORMATS = FormatRegistry(
    "show",
    {
        "terminal": "cslevels.reporting.terminal:render_rubric",
        "markdown": "cslevels.reporting.markdown:render_rubric",
        "html": "cslevels.reporting.html:render_rubric",
    },
)

VALIDATE_FORMATS = FormatRegistry(
    "validate",
    {
        "text": "cslevels.validation_output:render_text",
        "json": "cslevels.validation_output:render_json",
        "github": "cslevels.validation_output:render_github",
        "sarif": "cslevels.validation_output:render_sarif",
    },
)

COMPARE_FORMATS = FormatRegistry(
    "compare",
    {
        "terminal": "cslevels.reporting.compare_terminal:render_comparison",
        "json": "cslevels.reporting.compare_json:render_comparison",
        "markdown": "cslevels.reporting.compare_markdown:render_comparison",
        "html": "cslevels.reporting.compare_html:render_comparison",
    },
)

SUMMARY_FORMATS = FormatRegistry(
    "summary",
    {
        "terminal": "cslevels.reporting.summary_terminal:render_portfolio",
        "json": "cslevels.reporting.summary_json:render_portfolio",
        "csv": "cslevels.reporting.summary_csv:render_portfolio",
        "html": "cslevels.reporting.summary_html:render_portfolio",
    },
)

# ``cslevels template``: the media an answers template is made in.  Each renderer takes
# (LoadedRubric, Answers | None) - the answers of ``--from`` - and returns the file's text.
TEMPLATE_FORMATS = FormatRegistry(
    "template",
    {
        "yaml": "cslevels.template:yaml_medium",
        "form": "cslevels.template:form_medium",
    },
)
TEMPLATE_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".html": "form", ".htm": "form"}

SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json"}
