"""The one jinja2 environment every HTML output renders with.

Autoescaping is on for every template whatever its file name, so text from
rubrics and answers is always escaped; nothing here marks user data safe.
Imported only for HTML formats, which keeps jinja2 out of other commands.
"""

from __future__ import annotations

from functools import cache

import jinja2

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
