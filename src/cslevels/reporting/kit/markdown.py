"""Markdown building blocks: untrusted text neutralised so it renders as typed."""

from __future__ import annotations

import re

from cslevels.text import clean_line

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


_ENTITY = re.compile(r"&")


def md(value: object) -> str:
    """Untrusted text as inert Markdown on one line."""
    return _SPECIAL.sub(r"\\\1", _ENTITY.sub("&amp;", clean_line(value)))
