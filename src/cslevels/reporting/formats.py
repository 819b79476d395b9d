"""Name-to-implementation registries for output formats, imported lazily.

Each command's ``--format`` choices are the keys of one registry.  A value is a
``"module:function"`` string, imported only when that format is asked for, so
``score --format json`` never pays for jinja2 and the HTML code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from cslevels.errors import OutputError

if TYPE_CHECKING:
    import datetime as dt

    from cslevels.core.documents import LoadedBrand
    from cslevels.core.paper import Paper

# The widest terminal output cslevels lays out: a larger COLUMNS is taken as this, since
# rich's layout work grows with the width (COLUMNS=10000000 took a minute).
MAX_COLUMNS = 1000


@dataclass(frozen=True)
class RenderOptions:
    """How a report should look: the terminal's colour and width, how many inputs the
    command line named, and for HTML and PDF pages the branding and the date of issue."""

    color: bool = False
    width: int = 100
    # Several inputs were named (score A B): the JSON report is a list whatever the number
    # that succeeded.  None: decided by the number of results (callers of the library).
    several: bool | None = None
    # The consultant's branding (``--brand``, ``CSLEVELS_BRAND``) for BRANDED_FORMATS.
    brand: LoadedBrand | None = None
    # The date of issue on a report's cover (the CLI: today, or SOURCE_DATE_EPOCH's day).
    issued: dt.date | None = None
    # The paper printed pages are laid out for (the CLI: --paper, the brand, the locale);
    # None leaves it to the browser (US Letter for Chromium).
    paper: Paper | None = None


Rendered = str | bytes  # a workbook and a PDF are bytes; every other report is text

# The formats that show a brand (``RenderOptions.brand``); the others are data or a terminal.
BRANDED_FORMATS = frozenset({"html", "markdown", "pdf"})
# The formats laid out on paper when printed (``RenderOptions.paper``).
PAGE_FORMATS = frozenset({"html", "pdf"})

# The formats an output file's suffix implies, where the command has that format.  A suffix
# none of a command's formats produces is refused (``FormatRegistry.choose``).
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json",
                   ".txt": "terminal", ".pdf": "pdf"}


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

    def choose(self, requested: str | None, output: str | None) -> str:
        """The format to write: ``requested`` (--format), else what the output file's
        suffix implies, else the default.

        An output suffix that none of this command's formats produces is refused, and so
        is a --format that differs from the one the suffix names: a report is never
        written under a name that says it is something else.  A name without a suffix
        takes any format.
        """
        if output is None:
            return requested or self.default
        suffix = PurePath(output).suffix
        implied = self.implied_by(suffix)
        if suffix and implied is None:
            known = ", ".join(sorted(self.suffixes, key=lambda x: (self.suffixes[x], x)))
            raise OutputError(
                f"cslevels {self.kind} writes no {suffix} file: name the output with one "
                f"of {known} (or no suffix, with --format)",
                path=output, code="unknown-suffix")
        if requested is not None and implied is not None and requested != implied:
            wanted = next(s for s, name in self.suffixes.items() if name == requested) \
                if requested in self.suffixes.values() else None
            fix = (f"name it with {wanted}, or drop --format" if wanted
                   else "drop --format, or name the file without this suffix")
            raise OutputError(
                f"--format {requested} does not match the file name: {suffix} is for "
                f"--format {implied}; {fix}", path=output, code="format-mismatch")
        return requested or implied or self.default


SCORE_FORMATS = FormatRegistry(
    "score",
    {
        "terminal": "cslevels.reporting.score.terminal:render_results",
        "json": "cslevels.reporting.score.json:render_results",
        "markdown": "cslevels.reporting.score.markdown:render_results",
        "html": "cslevels.reporting.score.html:render_results",
        "pdf": "cslevels.reporting.score.pdf:render_results",
    },
    default="terminal",
)

SHOW_FORMATS = FormatRegistry(
    "show",
    {
        "terminal": "cslevels.reporting.show.terminal:render_rubric",
        "markdown": "cslevels.reporting.show.markdown:render_rubric",
        "html": "cslevels.reporting.show.html:render_rubric",
        "pdf": "cslevels.reporting.show.pdf:render_rubric",
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
        "pdf": "cslevels.reporting.compare.pdf:render_comparison",
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
        "pdf": "cslevels.reporting.summary.pdf:render_portfolio",
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
