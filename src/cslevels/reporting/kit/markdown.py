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


def branded(report: str, options: RenderOptions | None) -> str:
    """``report`` under the brand's lines (``--brand``): who prepared it and the
    confidentiality line, neutralised like all brand text."""
    loaded = options.brand if options is not None else None
    if loaded is None:
        return report
    from cslevels.reporting.views import brand_prepared_text

    brand = loaded.brand
    lines = [md(line) for line in (brand_prepared_text(brand),) if line]
    if brand.confidentiality:
        lines.append(f"**{md(brand.confidentiality)}**")
    return "".join(f"{line}\n\n" for line in lines) + report
