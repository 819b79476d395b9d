"""HTML building blocks: the one jinja2 environment and the page every report extends.

Pages extend ``templates/base.html.j2`` (CSS, header, footer, print styles and
a Content-Security-Policy that forbids scripts and remote loads) and are
rendered through :func:`render_page`.  Autoescaping is on for every template
whatever its file name, so text from rubrics and answers is always escaped;
nothing here marks user data safe.  Imported only for HTML formats, which keeps
jinja2 out of other commands.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2

from cslevels import __version__
from cslevels.reporting.views import names_its_rank, percent, score_percent
from cslevels.text import clean


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cslevels.reporting", "templates"),
        autoescape=True,  # for every template, not only *.html
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render_template(name: str, **context: object) -> str:
    """Render ``name``; control and bidi-override characters end up as visible escapes.

    They are harmless in a browser, but raw ESC sequences would act on a terminal
    when a page is printed to stdout, and bidi overrides can reorder what a reader
    sees.  The templates themselves hold none, so cleaning the whole page reaches
    user text wherever it lands (text, attributes, SVG labels).
    """
    return clean(environment().get_template(name).render(**context))


# Status as an icon and a word, so colour is never the only signal.
STATUS_ICONS = {
    "achieved": "✓",
    "not achieved": "✗",
    "insufficient": "?",
    "answered": "✓",
    "na": "—",
    "missing": "…",
}


STATUS_WORDS = {
    "achieved": "achieved",
    "not achieved": "not achieved",
    "insufficient": "insufficient",
    "answered": "answered",
    "na": "n/a",
    "missing": "not answered",
}


def status_icon(status: str) -> str:
    return STATUS_ICONS.get(status, "")


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def status_class(status: str) -> str:
    """A CSS class name for a status: 'not achieved' -> 'status-not-achieved'."""
    return "status-" + status.replace(" ", "-").replace("/", "")


_SLASH = re.compile(r"(?<=\w/)(?=\w)")


def slash_parts(text: str) -> list[str]:
    """'A/B/C' -> ['A/', 'B/', 'C']: where a long name may wrap (templates add <wbr>)."""
    return _SLASH.split(text)


def page_context() -> dict[str, Any]:
    """What every page template may use besides its own context."""
    return {
        "cslevels_version": __version__,
        "lang": "en",
        "percent": percent,
        "score_percent": score_percent,
        "status_icon": status_icon,
        "status_word": status_word,
        "status_class": status_class,
        "slash_parts": slash_parts,
        "names_its_rank": names_its_rank,
    }


def render_page(template: str, **context: Any) -> str:
    """Render ``template`` (which extends ``base.html.j2``) with the shared helpers.

    Reports for other commands call this with their own template; keep user
    text as plain ``str`` in ``context`` so that autoescaping covers it.
    """
    from cslevels.reporting.kit.html import render_template

    return render_template(template, **{**page_context(), **context})
