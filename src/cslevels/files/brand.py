"""Brand files (``--brand``, ``CSLEVELS_BRAND``, the per-user file): read, validate, logo checked.

A brand file is read like every input (bounded, remembered so no report is written
over it) and validated against :class:`~cslevels.core.models.Brand` with every error
at ``file:line:column``.  Its logo is embedded in reports, so it is held to more: a
regular file of at most :data:`LOGO_MAX_BYTES`, a PNG or JPEG recognised by its first
bytes (and named so), or an SVG that is a plain picture.  An SVG that could act
(scripts, event handlers, links out, entities, external style) is refused, naming
what was found and where, rather than cleaned: a sanitiser would silently change
the picture, and refusing keeps the file honest.  Reports embed the logo as an
``<img>`` data URI, where a browser never runs scripts anyway; these checks are the
second wall.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Literal, NamedTuple

from cslevels.core.checks import capped
from cslevels.core.documents import LoadedBrand, Logo, brand_from_document, expect_kind
from cslevels.core.locations import Document, finding_at
from cslevels.errors import Finding, InputError, InvalidDocumentError
from cslevels.text import shorten

LOGO_MAX_BYTES = 1024 * 1024  # embedded (base64) in every page of every report
# A small file can still decode to a huge picture (a 1 MiB PNG of one colour can say
# 20,000 x 20,000 pixels: 1.6 GB once a browser decodes it).  A logo needs far less.
LOGO_MAX_SIDE = 10_000  # pixels, either side
LOGO_MAX_PIXELS = 25_000_000  # a 5,000 x 5,000 picture
BRAND_ENV = "CSLEVELS_BRAND"
_LOGO_HINT = "a logo is embedded in every report; save it smaller"
_PLAIN_PICTURE = "a logo must be a plain picture: nothing that runs or loads anything"


def load_brand(path: Path) -> LoadedBrand:
    """Read and check a brand file and its logo; raise with every error found."""
    from cslevels.files.yamlio import load_path

    doc = load_path(path)
    expect_kind(doc, "brand")
    loaded, findings = judge_brand(doc, path)
    if loaded is None:
        raise InvalidDocumentError(findings)
    return loaded


def judge_brand(doc: Document, path: Path) -> tuple[LoadedBrand | None, list[Finding]]:
    """A parsed brand file validated, its logo read and checked (``validate`` uses this);
    None with the findings when there is any error."""
    brand, findings = brand_from_document(doc)
    if brand is None:
        return None, findings
    if brand.logo is None:
        return LoadedBrand(brand, path), []
    logo, findings = read_logo(doc, path.parent / brand.logo, brand.logo)
    return (None if logo is None else LoadedBrand(brand, path, logo)), findings


# ---------------------------------------------------------------- the logo

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
MediaType = Literal["image/png", "image/jpeg", "image/svg+xml"]
_KINDS: dict[str, tuple[MediaType, str]] = {  # suffix -> (media type, what the content is)
    ".png": ("image/png", "a PNG image"),
    ".jpg": ("image/jpeg", "a JPEG image"),
    ".jpeg": ("image/jpeg", "a JPEG image"),
    ".svg": ("image/svg+xml", "SVG text"),
}


def sniff(data: bytes) -> str:
    """What a file's first bytes say it is, in words for a message."""
    if not data:
        return "empty"
    for magic, what in ((_PNG, "a PNG image"), (_JPEG, "a JPEG image"),
                        (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"),
                        (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive")):
        if data.startswith(magic):
            return what
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "a WebP image"
    if data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return "SVG text"
    return "not a picture cslevels knows"


def read_logo(doc: Document, path: Path, ref: str) -> tuple[Logo | None, list[Finding]]:
    """The logo ``ref`` (at ``path``) checked; findings about the file itself are located
    at the brand file's ``logo:``, those inside an SVG in the SVG."""
    from cslevels.files.yamlio import read_bytes

    shown = shorten(ref, 80)
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:  # decided from the name, before anything is opened
        return None, [finding_at(doc, ("logo",), f"logo {shown}: cslevels embeds PNG, JPEG or "
                                 f"SVG logos (.png, .jpg, .jpeg, .svg), not {_suffix(path)}",
                                 code="logo-format")]
    try:
        data = read_bytes(path, limit=LOGO_MAX_BYTES, limit_hint=_LOGO_HINT, regular_only=True)
    except InputError as exc:
        return None, [finding_at(doc, ("logo",), f"logo {shown}: {exc.message}",
                                 code=f"logo-{exc.code}", hint=exc.hint)]
    media_type, expected = kind
    found = sniff(data)
    if found != expected:
        return None, [finding_at(
            doc, ("logo",), f"logo {shown}: the file is {found}, not {expected}",
            code="logo-format", hint="the name's suffix must say what the file is")]
    if media_type == "image/svg+xml":
        problems = svg_findings(data, str(path))
        if problems:
            return None, problems
    else:
        size = pixel_size(data, media_type)
        if size is None:
            return None, [finding_at(
                doc, ("logo",), f"logo {shown}: the file starts as {found} but its size in "
                "pixels cannot be read from its header (cut short, damaged, or a size given "
                "only later in the file)", code="logo-format",
                hint="save it again from the original")]
        width, height = size
        if max(size) > LOGO_MAX_SIDE or width * height > LOGO_MAX_PIXELS:
            return None, [finding_at(
                doc, ("logo",), f"logo {shown}: the picture is {width:,} x {height:,} pixels, "
                f"over the limit of {LOGO_MAX_SIDE:,} pixels a side and "
                f"{LOGO_MAX_PIXELS // 1_000_000} million pixels in all",
                code="logo-too-large", hint=_LOGO_HINT)]
    return Logo(media_type, data), []


# JPEG start-of-frame markers, which carry the picture's size (not DHT C4, JPG C8, DAC CC).
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE,
                  0xCF})


def pixel_size(data: bytes, media_type: MediaType) -> tuple[int, int] | None:
    """(width, height) a PNG's header or a JPEG's frame says, read from the bytes alone;
    None when the file ends or breaks before saying it (or says 0)."""
    if media_type == "image/png":
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        return (width, height) if width and height else None
    at = 2  # after the start-of-image marker
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or the scan: no frame came first
            return None
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if marker in _SOF:
            if length < 7 or at + 9 > len(data):
                return None
            height = int.from_bytes(data[at + 5:at + 7], "big")
            width = int.from_bytes(data[at + 7:at + 9], "big")
            return (width, height) if width and height else None
        if length < 2:
            return None
        at += 2 + length
    return None


def _suffix(path: Path) -> str:
    return f"{shorten(path.suffix, 20)} files" if path.suffix else "a file without a suffix"


# ---------------------------------------------------------------- SVG: refuse what can act

SVG_NS = "http://www.w3.org/2000/svg"
_DECLARATIONS = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"(java|vb)script\s*:", re.IGNORECASE)
_ACTIVE = {  # elements that can run, load or embed something
    "script", "foreignobject", "iframe", "frame", "embed", "object", "handler", "listener",
    "audio", "video", "link", "meta", "base", "form",
}
_ANIMATION = {"set", "animate", "animatemotion", "animatetransform", "animatecolor"}
_LINKS = {"href", "src"}
_SAFE_LINK = re.compile(r"|#\S*|data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


class _At(NamedTuple):
    line: int
    column: int


def svg_findings(data: bytes, name: str) -> list[Finding]:
    """Everything in an SVG that could act, each located (empty: a plain picture).

    Declarations are refused before the text is parsed, so no entity is ever expanded;
    the parser is the standard library's expat, with no external entities.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [Finding(name, f"the SVG logo is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                        *_position(data.decode("utf-8", "replace"), exc.start),
                        code="logo-svg", hint="save it as UTF-8")]
    declared = [_text_finding(name, text, m.start(), f"a <!{m.group(1).upper()}> declaration "
                              "(entities can expand without bound or read other files)")
                for m in _DECLARATIONS.finditer(text)]
    if declared:
        return capped(declared)
    found = _SvgChecker(name).check(text)
    # A script URL anywhere else (text, comments): one finding per line at most.
    lines = {f.line for f in found}
    for match in _SCRIPT_URL.finditer(text):
        finding = _text_finding(name, text, match.start(),
                                f"a {match.group(1).lower()}script: URL")
        if finding.line not in lines:
            lines.add(finding.line)
            found.append(finding)
    return capped(sorted(found, key=lambda f: (f.line or 0, f.column or 0)))


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _text_finding(name: str, text: str, offset: int, what: str) -> Finding:
    line, column = _position(text, offset)
    return Finding(name, f"the SVG logo has {what}", line, column, code="logo-svg",
                   hint=_PLAIN_PICTURE)


class _SvgChecker:
    """One expat pass: each element and attribute judged where it starts."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.findings: list[Finding] = []
        self.depth = 0
        self.style: tuple[_At, list[str]] | None = None

    def check(self, text: str) -> list[Finding]:
        from xml.parsers import expat

        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser = parser
        self.data = text.encode("utf-8")
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        parser.ProcessingInstructionHandler = self._instruction
        parser.StartDoctypeDeclHandler = self._doctype  # refused before parsing; twice safe
        parser.EntityDeclHandler = self._entity
        try:
            parser.Parse(self.data, True)
        except expat.ExpatError as exc:
            self.findings.append(Finding(
                self.name, f"the SVG logo is not well-formed XML: "
                f"{expat.errors.messages.get(exc.code, str(exc))}",
                exc.lineno, exc.offset + 1, code="logo-svg"))
        return self.findings

    def _at(self) -> _At:
        return _At(self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1)

    def _attribute_at(self, element: _At, offset: int, attribute: str) -> _At:
        """Where ``attribute`` is written in the tag that starts at byte ``offset`` (expat
        tells only where the tag starts); the tag's place if it cannot be told."""
        written = re.compile(rb"\s((?:[\w.-]+:)?" + re.escape(attribute.encode()) + rb")\s*=")
        match = written.search(self.data, offset)
        if match is None:
            return element
        start = match.start(1)
        between = self.data[offset:start]  # within the tag: counting here is linear overall
        newlines = between.count(b"\n")
        if not newlines:
            return _At(element.line, element.column + len(between.decode("utf-8", "replace")))
        after = between[between.rfind(b"\n") + 1:]
        return _At(element.line + newlines, len(after.decode("utf-8", "replace")) + 1)

    def _refuse(self, at: _At | Callable[[], _At], what: str) -> None:
        if callable(at):
            at = at()
        self.findings.append(Finding(self.name, f"the SVG logo has {what}", at.line, at.column,
                                     code="logo-svg", hint=_PLAIN_PICTURE))

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        at = self._at()
        namespace, _, local = tag.rpartition(" ")
        element = local.lower()
        if self.depth == 0 and (namespace, local) != (SVG_NS, "svg"):
            self.findings.append(Finding(
                self.name, f"the logo is not an SVG image: its outermost element is "
                f"<{shorten(local, 40)}>" + ("" if namespace == SVG_NS else
                                             f" without xmlns=\"{SVG_NS}\""),
                at.line, at.column, code="logo-svg",
                hint="browsers draw an SVG only when its <svg> element declares that namespace"))
        self.depth += 1
        if element in _ACTIVE:
            self._refuse(at, f"{'an' if element[0] in 'aeiou' else 'a'} <{local}> element")
        if element == "style":
            self.style = (at, [])
        offset = self.parser.CurrentByteIndex
        for attribute, value in attributes.items():
            name = attribute.rpartition(" ")[2]
            # where the attribute is written: looked for only when something is refused
            place = partial(self._attribute_at, at, offset, name)
            self._attribute(place, local, element, name, value)

    def _attribute(self, at: Callable[[], _At], local: str, element: str, attribute: str,
                   value: str) -> None:
        name = attribute.lower()
        squeezed = _INVISIBLE.sub("", value)
        if name.startswith("on"):
            self._refuse(at, f"an event handler ({attribute}= on <{local}>)")
        elif name in _LINKS and not _SAFE_LINK.fullmatch(value.strip()):
            self._refuse(at, f"a link to {shorten(value, 60)!r} ({attribute}= on <{local}>); only "
                         "#fragments and PNG or JPEG data: URIs are allowed")
        elif element in _ANIMATION and name == "attributename" and (
                squeezed.lower().rpartition(":")[2] in _LINKS or squeezed.lower().startswith("on")):
            self._refuse(at, f"<{local} attributeName=\"{shorten(value, 40)}\">, which changes a "
                         "link or handler")
        elif _SCRIPT_URL.search(squeezed):
            self._refuse(at, f"a script URL in {attribute}= on <{local}>")
        else:
            self._css(at, value, f"{attribute}= on <{local}>", stylesheet=name == "style")

    def _css(self, at: Callable[[], _At], css: str, where: str, *, stylesheet: bool) -> None:
        if "@import" in css.lower():
            self._refuse(at, f"a CSS @import in {where}")
        if "\\" in css and (stylesheet or "(" in css):
            self._refuse(at, f"a CSS escape (\\) in {where}, which could hide a url()")
        for match in _CSS_URL.finditer(css):
            target = match.group(2).strip()
            if not _SAFE_LINK.fullmatch(target):
                self._refuse(at, f"a CSS url({shorten(target, 60)}) in {where}; only "
                             "#fragments and PNG or JPEG data: URIs are allowed")

    def _end(self, tag: str) -> None:
        self.depth -= 1
        if tag.rpartition(" ")[2].lower() == "style" and self.style is not None:
            at, parts = self.style
            self.style = None
            self._css(lambda: at, "".join(parts), "<style>", stylesheet=True)

    def _characters(self, data: str) -> None:
        if self.style is not None:
            self.style[1].append(data)

    def _instruction(self, target: str, data: str) -> None:
        self._refuse(self._at(), f"a processing instruction <?{shorten(target, 40)} …?>")

    def _doctype(self, *_args: object) -> None:
        self._refuse(self._at(), "a <!DOCTYPE> declaration")

    def _entity(self, *_args: object) -> None:
        self._refuse(self._at(), "an <!ENTITY> declaration")


# ---------------------------------------------------------------- where the brand comes from


class BrandSource(NamedTuple):
    """The brand file to use and what named it (for a message)."""

    path: Path
    origin: str  # "--brand", "CSLEVELS_BRAND" or "the per-user brand file"


def user_brand_path(environ: Mapping[str, str]) -> Path | None:
    """``$XDG_CONFIG_HOME/cslevels/brand.yaml`` (default ``~/.config/...``)."""
    base = environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        try:
            base = str(Path.home() / ".config")
        except RuntimeError:  # no home folder to be found
            return None
    return Path(base) / "cslevels" / "brand.yaml"


def brand_source(explicit: Path | None, *, disabled: bool,
                 environ: Mapping[str, str]) -> BrandSource | None:
    """``--brand``, else nothing with ``--no-brand``, else ``CSLEVELS_BRAND``, else the
    per-user file when it exists."""
    if explicit is not None:
        return BrandSource(explicit, "--brand")
    if disabled:
        return None
    named = environ.get(BRAND_ENV, "")
    if named:
        return BrandSource(Path(named), BRAND_ENV)
    user = user_brand_path(environ)
    if user is not None and os.path.lexists(user):
        return BrandSource(user, "the per-user brand file")
    return None


def resolve_brand(explicit: Path | None, *, disabled: bool,
                  environ: Mapping[str, str]) -> LoadedBrand | None:
    """The brand reports should show, loaded; an error says where the path came from."""
    source = brand_source(explicit, disabled=disabled, environ=environ)
    if source is None:
        return None
    try:
        return load_brand(source.path)
    except InvalidDocumentError:
        raise  # located in the file, which names itself
    except InputError as exc:  # about the file as a whole: say who named it
        if source.origin == "--brand" or exc.path != str(source.path) or exc.line is not None:
            raise
        hint = (f"the path comes from {BRAND_ENV}: correct or unset it, or give --no-brand"
                if source.origin == BRAND_ENV
                else f"this is {source.origin}: fix it, or give --no-brand")
        hint = f"{exc.hint}; {hint}" if exc.hint else hint
        raise InputError(exc.message, path=exc.path, code=exc.code, hint=hint) from None
