"""PDF building blocks: an HTML page printed by the browser, with its document facts.

Chromium writes only the page's ``<title>`` into the PDF's Info dictionary (as
``/Title``), whatever ``<meta>`` tags the page has.  :func:`with_info` adds the
author and subject by an *incremental update* (PDF 1.7, section 7.5.6): a new
version of the Info object, an xref section for it and a trailer pointing back
to the old one, appended to the browser's bytes, which stay as they are.  That
needs a reader for exactly two dictionaries (the trailer and the Info object) and
nothing else of the file, which is why there is no PDF library behind it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cslevels import __version__
from cslevels.reporting.kit.html import PageFacts
from cslevels.text import clean_line

_WHITE = b" \t\r\n\f\x00"
_DELIMITERS = b"()<>[]{}/%"
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_SUBSECTION = re.compile(rb"(\d+)\s+(\d+)\s*[\r\n]+")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_REF = re.compile(rb"(\d+)\s+(\d+)\s+R")


def print_page(html: str, facts: PageFacts) -> bytes:
    """``html`` printed to PDF by the machine's browser, its Info naming ``facts``."""
    from cslevels.files.browser import print_pdf

    return with_info(print_pdf(html), {"Author": facts.author, "Subject": facts.subject,
                                       "Keywords": facts.keywords,
                                       "Creator": f"cslevels {__version__}"})


def with_info(pdf: bytes, entries: Mapping[str, str | None]) -> bytes:
    """``pdf`` with ``entries`` set in its Info dictionary (a None value is left out).

    Keys the browser wrote (``/Title``, ``/Producer``, the dates) are kept unless
    ``entries`` replaces them.  Values are untrusted text: control and bidi characters
    become visible escapes and line breaks spaces (``text.clean_line``), as the title the
    browser takes from the cleaned page already is.  A file this reader does not understand (an xref
    stream, an encrypted file) is returned unchanged: the PDF matters more than
    its metadata.
    """
    found = _STARTXREF.search(pdf[-64:])
    if found is None:
        return pdf
    xref_at = int(found.group(1))
    table = _xref_table(pdf, xref_at)
    if table is None:
        return pdf
    offsets, trailer_at = table
    trailer, _ = _dictionary(pdf, trailer_at)
    if trailer is None or b"Encrypt" in trailer or b"Root" not in trailer:
        return pdf
    size = int(trailer.get(b"Size", b"0"))
    info: dict[bytes, bytes] = {}
    number, generation = size, 0
    ref = _REF.fullmatch(trailer.get(b"Info", b""))
    if ref is not None:
        number, generation = int(ref.group(1)), int(ref.group(2))
        info = _object_dictionary(pdf, offsets.get(number)) or {}
    for key, value in entries.items():
        if value:  # viewers show these as they are: escapes, as everywhere, on one line
            info[key.encode("ascii")] = pdf_string(clean_line(value))
    body = b"".join(b"/" + key + b" " + value + b"\n" for key, value in info.items())
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    object_at = len(out)
    out += b"%d %d obj\n<<" % (number, generation) + body + b">>\nendobj\n"
    new_xref_at = len(out)
    out += b"xref\n%d 1\n%010d %05d n \n" % (number, object_at, generation)
    kept = b"".join(b"/" + key + b" " + trailer[key] + b"\n"
                    for key in (b"Root", b"ID") if key in trailer)
    out += (b"trailer\n<</Size %d\n" % max(size, number + 1) + kept
            + b"/Info %d %d R\n/Prev %d>>\n" % (number, generation, xref_at)
            + b"startxref\n%d\n%%%%EOF\n" % new_xref_at)
    return bytes(out)


def pdf_string(text: str) -> bytes:
    """``text`` as a PDF text string: UTF-16BE with its byte-order mark, in hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _xref_table(pdf: bytes, at: int) -> tuple[dict[int, int], int] | None:
    """The object offsets of a classic xref table at ``at``, and where its trailer's
    dictionary starts; None for anything else (an xref stream)."""
    if not pdf.startswith(b"xref", at):
        return None
    pos, offsets = at + 4, dict[int, int]()
    while True:
        pos = _skip_white(pdf, pos)
        if pdf.startswith(b"trailer", pos):
            return offsets, pos + len(b"trailer")
        head = _SUBSECTION.match(pdf, pos)
        if head is None:
            return None
        first, count = int(head.group(1)), int(head.group(2))
        pos = head.end()
        for number in range(first, first + count):
            entry = _ENTRY.match(pdf, pos)
            if entry is None:
                return None
            if entry.group(3) == b"n":
                offsets[number] = int(entry.group(1))
            pos = entry.end() + 2  # every entry is 20 bytes, its end of line included


def _object_dictionary(pdf: bytes, at: int | None) -> dict[bytes, bytes] | None:
    """The dictionary of the indirect object at ``at`` (``N G obj << … >>``)."""
    if at is None:
        return None
    head = re.compile(rb"\d+\s+\d+\s+obj").match(pdf, at)
    if head is None:
        return None
    found, _ = _dictionary(pdf, head.end())
    return found


def _skip_white(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos] in _WHITE:
        pos += 1
    return pos


def _dictionary(data: bytes, pos: int) -> tuple[dict[bytes, bytes] | None, int]:
    """The dictionary at ``pos`` as raw value bytes by key, and where it ends."""
    pos = _skip_white(data, pos)
    if not data.startswith(b"<<", pos):
        return None, pos
    pos, entries = pos + 2, dict[bytes, bytes]()
    while True:
        pos = _skip_white(data, pos)
        if data.startswith(b">>", pos):
            return entries, pos + 2
        if pos >= len(data) or data[pos] != ord("/"):
            return None, pos
        key_end = _token_end(data, pos + 1)
        key = data[pos + 1:key_end]
        start = _skip_white(data, key_end)
        end = _value_end(data, start)
        if end is None:
            return None, pos
        ref = _REF.match(data, start)  # "12 0 R" is one value, not three
        if ref is not None:
            end = ref.end()
        entries[key] = data[start:end]
        pos = end


def _token_end(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos] not in _WHITE and data[pos] not in _DELIMITERS:
        pos += 1
    return pos


def _value_end(data: bytes, pos: int) -> int | None:
    """Where the value at ``pos`` ends: a string, name, number, array or dictionary."""
    if pos >= len(data):
        return None
    if data.startswith(b"<<", pos):
        inner, end = _dictionary(data, pos)
        return end if inner is not None else None
    char = data[pos:pos + 1]
    if char == b"(":
        depth = 0
        while pos < len(data):
            byte = data[pos]
            if byte == ord("\\"):
                pos += 2
                continue
            depth += {ord("("): 1, ord(")"): -1}.get(byte, 0)
            pos += 1
            if depth == 0:
                return pos
        return None
    if char == b"<":
        end = data.find(b">", pos)
        return None if end < 0 else end + 1
    if char == b"[":
        pos += 1
        while True:
            pos = _skip_white(data, pos)
            if data.startswith(b"]", pos):
                return pos + 1
            item_end = _value_end(data, pos)
            if item_end is None or item_end == pos:
                return None
            pos = item_end
    if char == b"/":
        return _token_end(data, pos + 1)
    end = _token_end(data, pos)
    return end if end > pos else None
