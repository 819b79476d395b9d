"""Markdown building blocks: untrusted text neutralised so it renders as typed.

GitHub's renderer (GFM) interprets more than CommonMark's punctuation: bare URLs
(``http://``, ``https://``, ``ftp://``), ``www.`` names and e-mail addresses become
links (the autolink extension), and ``$...$`` or ``$$...$$`` become math.  Each is
broken in a way the text still reads as typed: a backslash before the ``:`` of
``://``, before the ``.`` of ``www.`` and before ``$`` (GFM shows the character
alone), and a word joiner (U+2060, invisible) before ``@``, since GFM finds e-mail
addresses after escapes are resolved.  tests/test_attack_reports.py renders the
result with cmark-gfm to check it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from cslevels.text import clean_line

if TYPE_CHECKING:
    from cslevels.reporting.formats import RenderOptions

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~$])")
_ENTITY = re.compile(r"&")
_AUTOLINK = re.compile(r"(?i)(?<=www)(?=\.)|(?=://)")  # where a backslash goes
_AT = re.compile("@")
WORD_JOINER = "\u2060"
# Text that starts like a list item ("- ", "+ ", "1. ", "2) ") or a thematic break ("---").
_BLOCK_START = re.compile(r"^(\d{1,9}[.)]|[-+])(?=[\s-]|$)")


def md(value: object) -> str:
    """Untrusted text as inert Markdown on one line: no markup, link, math or HTML."""
    text = _SPECIAL.sub(r"\\\1", _ENTITY.sub("&amp;", clean_line(value)))
    text = _AT.sub(WORD_JOINER + "@", _AUTOLINK.sub(r"\\", text))
    return _BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], text)


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


def id_lines(numbers: Mapping[str, str]) -> list[str]:
    """The table of question numbers and the ids answers files use (id -> number)."""
    return ["| # | Question id |", "|--:|---|",
            *(f"| {md(number)} | {md(key)} |" for key, number in numbers.items())]


def facts_lines(facts: Sequence[tuple[str, str]]) -> list[str]:
    """Terms and their texts as a Markdown list, both neutralised."""
    return [f"- **{md(term)}:** {md(text)}" for term, text in facts]
