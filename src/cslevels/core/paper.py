"""Paper sizes, and which one a reader expects: the one rule behind ``--paper``'s default.

Kept apart from the models (no pydantic) so that the command line can name the choices
without loading them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Paper = Literal["a4", "letter"]
PAPERS: tuple[Paper, ...] = ("a4", "letter")

# Territories whose locales print on US Letter (glibc's LC_PAPER: 216 x 279 mm); the rest
# of the world uses ISO A4.
LETTER_TERRITORIES = frozenset({
    "US", "CA", "MX", "PH", "PR", "CL", "CO", "VE", "CR", "GT", "PA", "SV", "DO", "NI",
    "BZ",
})


# The default, in the words of the --paper help and the brand file's schema.
DEFAULT_PAPER_TEXT = ("the locale's: letter where LC_ALL, LC_PAPER or LANG names a letter "
                      "country (en_US, fr_CA, es_MX, ...), else a4")


def paper_for_locale(name: str | None) -> Paper:
    """The paper of a POSIX locale name (``en_US.UTF-8``, ``fr_CA@euro``): letter where its
    territory prints on letter, else A4, also for a name with no territory (``C``)."""
    if not name:
        return "a4"
    language = name.split(".", 1)[0].split("@", 1)[0]
    _, _, territory = language.partition("_")
    return "letter" if territory.upper() in LETTER_TERRITORIES else "a4"


def locale_paper(environ: Mapping[str, str]) -> Paper:
    """The paper the user's locale settings say, read as POSIX programs read LC_PAPER:
    ``LC_ALL``, then ``LC_PAPER``, then ``LANG``, the first one set and not empty."""
    for variable in ("LC_ALL", "LC_PAPER", "LANG"):
        value = environ.get(variable, "").strip()
        if value:
            return paper_for_locale(value)
    return "a4"
