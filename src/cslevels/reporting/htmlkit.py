"""The one jinja2 environment every HTML output renders with.

Autoescaping is on for every template whatever its file name, so text from
rubrics and answers is always escaped; nothing here marks user data safe.
Imported only for HTML formats, which keeps jinja2 out of other commands.
"""

from __future__ import annotations

from functools import cache

import jinja2


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
    return environment().get_template(name).render(**context)
