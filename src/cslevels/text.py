"""Making untrusted text safe to show in a terminal.

Rubric and answers text comes from files anyone may write.  Control characters
(ESC sequences, OSC 8 hyperlinks, carriage returns) and bidirectional overrides
could rewrite what the terminal shows, so they are replaced by visible escapes.
Rich markup is never applied to such text: reporters wrap it in ``rich.text.Text``
and every console is created with markup off.
"""

from __future__ import annotations

import re

# C0/C1 controls (not tab or newline), bidi marks, embeddings, overrides and isolates,
# the line and paragraph separators (YAML and some terminals break lines at them, so a
# name could end a template comment early) and the BOM.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ufeff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object) -> str:
    """``text`` as a string with control and bidi characters shown as escapes."""
    value = "" if text is None else str(text)
    return _UNSAFE.sub(_escape, value)


def json_safe(json_text: str) -> str:
    """JSON text with the characters :func:`clean` escapes written as JSON's ``\\uXXXX``.

    The text stays exactly the same once parsed, but no DEL, C1 control (``\\x9b`` is
    a CSI to some terminals) or bidi override reaches a terminal that prints it raw.
    ``json.dumps`` escapes the C0 controls itself; outside strings JSON is ASCII, so
    only string contents change.
    """
    return _UNSAFE.sub(_json_escape, json_text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def clean_line(text: object) -> str:
    """Like :func:`clean`, on one line (newlines and tabs become spaces)."""
    return " ".join(clean(text).split())


def shell_join(parts: list[str]) -> str:
    """A command line to copy into a shell, with every part shown safely.

    Parts are quoted as ``shlex`` does; one holding a character :func:`clean` escapes
    (a file name with a bidi override, say) is written in bash's ``$'...'`` form with
    ``\\xHH``/``\\uHHHH`` escapes, so the terminal never acts on it and the line still
    names the same file when pasted into bash or zsh.
    """
    import shlex

    def quote(part: str) -> str:
        if not _UNSAFE.search(part):
            return shlex.quote(part)
        body = part.replace("\\", "\\\\").replace("'", "\\'")
        return "$'" + _UNSAFE.sub(_escape, body) + "'"

    return " ".join(quote(part) for part in parts)


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message (a file may hold megabytes)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
