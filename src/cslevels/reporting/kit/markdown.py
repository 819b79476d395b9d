"""Markdown building blocks: untrusted text neutralised so it renders as typed."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cslevels.text import clean_line

if TYPE_CHECKING:
    from cslevels.reporting.formats import RenderOptions

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


_ENTITY = re.compile(r"&")


def md(value: object) -> str:
    """Untrusted text as inert Markdown on one line."""
    return _SPECIAL.sub(r"\\\1", _ENTITY.sub("&amp;", clean_line(value)))


def brand_lines(options: RenderOptions | None) -> list[str]:
    """The brand's facts (``--brand``) for the list under a report's title: who prepared it,
    the contact line and the confidentiality line, neutralised like all brand text."""
    loaded = options.brand if options is not None else None
    if loaded is None:
        return []
    from cslevels.reporting.views import brand_author

    brand = loaded.brand
    lines = []
    if brand_author(brand):
        lines.append(f"- **Prepared by:** {md(brand_author(brand))}")
    if brand.contact:
        lines.append(f"- **Contact:** {md(brand.contact)}")
    if brand.confidentiality:
        lines.append(f"- **{md(brand.confidentiality)}**")
    return lines
