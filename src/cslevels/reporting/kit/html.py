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
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from cslevels import __version__
from cslevels.reporting.views import (
    brand_author,
    brand_prepared_text,
    literal_fact,
    names_its_rank,
    percent,
    score_percent,
)
from cslevels.text import clean, clean_line, shorten

if TYPE_CHECKING:
    from cslevels.core.documents import LoadedBrand
    from cslevels.reporting.formats import RenderOptions


# What fits a printed page's margin boxes: the running footer's label on one line beside
# "Page 9 of 18", the confidentiality line in two at the top (the cover and the page's own
# footer carry it whole).
RUNNING_CHARS = 50
HEAD_CHARS = 150
_LONG_WORD = re.compile(r"\S{25}(?=\S)")


def margin_text(text: str, limit: int) -> str:
    """``text`` for a page's margin box: at most ``limit`` characters, and a word too long
    for the box given places to break (zero-width spaces), since Chromium does not wrap
    margin boxes at overflow-wrap: a 150-letter word ran off the page."""
    return _LONG_WORD.sub(lambda m: m.group() + "\u200b", shorten(text, limit))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cslevels.reporting", "templates"),
        autoescape=True,  # for every template, not only *.html
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["margin_text"] = margin_text
    env.globals.update(RUNNING_CHARS=RUNNING_CHARS, HEAD_CHARS=HEAD_CHARS)
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


_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
WHITE_TEXT_CONTRAST = 4.5  # WCAG AA for body text: white on the accent, the accent on white


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of ``#rrggbb`` against white (1 to 21)."""
    rgb = tuple(float(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (_luminance(rgb) + 0.05)  # type: ignore[arg-type]


def accent_colours(colour: str) -> dict[str, str]:
    """A brand's accent as the page's ``--accent`` and ``--accent-soft``.

    The only brand values that reach CSS, so checked here again as ``#rrggbb``.  The
    accent is text on white and the background of white text, so a light colour is
    darkened until both read at :data:`WHITE_TEXT_CONTRAST`; the soft one is a pale tint.
    """
    if not _HEX_COLOUR.fullmatch(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    accent = colour.lower()
    factor = 1.0
    while contrast_with_white(accent) < WHITE_TEXT_CONTRAST:
        factor -= 0.05
        accent = "#" + "".join(f"{round(c * factor):02x}" for c in rgb)
    soft = "#" + "".join(f"{round(255 - (255 - c) * 0.1):02x}" for c in rgb)
    return {"accent": accent, "soft": soft}


_CSS_PLAIN = re.compile(r"[A-Za-z0-9 .,:;!?()+*=_@#$%^~|\[\]{}-]")


def css_string(text: object) -> Markup:
    """``text`` as a quoted CSS string, every other character a hex escape.

    For user text in a style sheet (the running footer of printed pages): inside
    ``<style>`` HTML escaping does not apply, so quotes, backslashes, ``<`` and line
    breaks must be CSS escapes instead (six digits and a space, which the escape
    consumes, so a space after it survives); control characters become the visible
    escapes they are everywhere else first.  The result is plain ASCII with no quote,
    backslash or angle bracket of its own, hence safe markup.
    """
    out = "".join(ch if _CSS_PLAIN.fullmatch(ch) else f"\\{ord(ch):06x} "
                  for ch in clean_line(text))
    return Markup(f'"{out}"')


@dataclass(frozen=True)
class PageFacts:
    """What a page says about itself, one definition for the ``<meta>`` tags, the
    running footer of its printed pages and the Info dictionary of its PDF."""

    running: str  # the footer's label: the subject, the rubric
    subject: str  # a sentence: what the document is about
    author: str | None = None
    keywords: str | None = None


def prepared_by(brand: LoadedBrand | None) -> str | None:
    """'Prepared by' on a cover: the brand's preparer and firm (views.brand_author)."""
    return None if brand is None else brand_author(brand.brand) or None


def author_of(brand: LoadedBrand | None, people: Iterable[str | None] = ()) -> str | None:
    """Who a document is by: whom the brand says prepared it, else the assessors."""
    return prepared_by(brand) or ", ".join(dict.fromkeys(p for p in people if p)) or None


# The CSS ``@page { size }`` of each paper size (core.paper.PAPERS).
CSS_PAPER_SIZES = {"a4": "A4", "letter": "letter"}


def page_context(options: RenderOptions | None = None) -> dict[str, Any]:
    """What every page template may use besides its own context."""
    return {
        "brand": None if options is None else options.brand,
        "issued": None if options is None else options.issued,
        "paper_size": None if options is None or options.paper is None
        else CSS_PAPER_SIZES[options.paper],
        "page": None,
        "prepared_by": prepared_by,
        "cslevels_version": __version__,
        "lang": "en",
        "percent": percent,
        "score_percent": score_percent,
        "status_icon": status_icon,
        "status_word": status_word,
        "status_class": status_class,
        "slash_parts": slash_parts,
        "names_its_rank": names_its_rank,
        "accent_colours": accent_colours,
        "brand_prepared_text": brand_prepared_text,
        "literal_fact": literal_fact,
    }


def render_page(template: str, options: RenderOptions | None = None, **context: Any) -> str:
    """Render ``template`` (which extends ``base.html.j2``) with the shared helpers.

    Reports for other commands call this with their own template, their options
    (the branding, the date of issue) and their :class:`PageFacts` as ``page``; keep
    user text as plain ``str`` in ``context`` so that autoescaping covers it.
    """
    return render_template(template, **{**page_context(options), **context})
