"""Making untrusted text safe to show in a terminal.

Rubric and answers text comes from files anyone may write.  Control characters
(ESC sequences, OSC 8 hyperlinks, carriage returns) and bidirectional overrides
could rewrite what the terminal shows, so they are replaced by visible escapes.
Rich markup is never applied to such text: reporters wrap it in ``rich.text.Text``
and every console is created with markup off.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object) -> str:
    """``text`` as a string with control and bidi characters shown as escapes."""
    value = "" if text is None else str(text)
    return _UNSAFE.sub(_escape, value)


def clean_line(text: object) -> str:
    """Like :func:`clean`, on one line (newlines and tabs become spaces)."""
    return " ".join(clean(text).split())
