"""Branding (``--brand``): located errors, a hostile logo refused, where the brand comes
from, and what reports show of it.

Positions in the expectations were counted by hand in the files written here.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT, Invoke
from cslevels.errors import InvalidDocumentError
from cslevels.files import inputs
from cslevels.files.brand import LOGO_MAX_BYTES, load_brand, pixel_size, svg_findings
from cslevels.reporting.kit.html import accent_colours, contrast_with_white
from test_browser import browser, visit  # noqa: F401 - the Chromium fixtures

CAFE = str(EXAMPLES / "riverside-cafe.yaml")
EXAMPLE_BRAND = ROOT / "docs" / "examples" / "brand.yaml"
PLAIN_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" '
             'viewBox="0 0 40 40"><rect width="40" height="40" fill="#1f5f8b"/></svg>')
HOSTILE = "<script>alert(1)</script>\"' & <img src=x onerror=alert(2)>"


def png(width: int = 3, height: int = 2) -> bytes:
    """A real (tiny, solid) PNG, built by hand: no imaging library needed."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x1f\x5f\x8b" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                                0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def write_brand(folder: Path, body: str, name: str = "brand.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("schema: cslevels/brand/v1\n" + body, encoding="utf-8")
    return path


def brand_errors(path: Path) -> list[str]:
    with pytest.raises(InvalidDocumentError) as caught:
        load_brand(path)
    return [str(f) for f in caught.value.findings]


def html(invoke: Invoke, *args: str, env: dict[str, str] | None = None) -> str:
    result = invoke("score", CAFE, "--format", "html", *args, env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout


# ---------------------------------------------------------------- the brand file's errors


@pytest.mark.parametrize(("body", "where", "fragment"), [
    ("firm: Acme\nfrim: Acme\n", "3:1", "unknown field 'frim' (did you mean 'firm'?)"),
    ('accent: "#12345"\n', "2:9", "accent: '#12345' is not a colour: write it as #rrggbb"),
    ('accent: "blue"\n', "2:9", "accent: 'blue' is not a colour"),
    ("accent: #1f5f8b\n", "2:8", "accent: no colour given (quote it"),
    ("firm: yes\n", "2:7", 'firm: expected text, got the boolean true (YAML read yes as the '
                           'boolean true; put it in quotes: "yes")'),
    ("firm: [a, b]\n", "2:7", "firm: expected text, got a list"),
    ("logo: missing.png\n", "2:7", "logo missing.png: no such file"),
    ("logo: pictures\n", "2:7", "logo pictures: cslevels embeds PNG, JPEG or SVG logos (.png, "
                                ".jpg, .jpeg, .svg), not a file without a suffix"),
    ("logo: logo.gif\n", "2:7", "not .gif files"),
    ("paper: a5\n", "2:8", "paper: must be 'a4' or 'letter', got the text 'a5'"),
])
def test_brand_file_errors_are_located(tmp_path: Path, body: str, where: str,
                                       fragment: str) -> None:
    path = write_brand(tmp_path, body)
    errors = brand_errors(path)
    assert any(e.startswith(f"{path}:{where}: error: ") and fragment in e for e in errors), errors


@pytest.mark.parametrize(("text", "where", "message"), [
    ("firm: Acme\n", "1:1", "not a cslevels file: it has no `schema:` field (start the file "
                            "with `schema: cslevels/brand/v1`)"),
    ("schema: cslevels/brand/v2\n", "1:9", "unknown schema 'cslevels/brand/v2' (start the file "
                                           "with `schema: cslevels/brand/v1`)"),
])
def test_a_missing_or_wrong_schema_is_said_as_for_rubrics(invoke: Invoke, tmp_path: Path,
                                                         text: str, where: str,
                                                         message: str) -> None:
    path = tmp_path / "brand.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("score", CAFE, "--format", "html", "--brand", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"{path}:{where}: error: {message}\n"


def test_an_answers_file_given_as_the_brand_is_named(invoke: Invoke) -> None:
    result = invoke("score", CAFE, "--format", "html", "--brand", CAFE)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{CAFE}: error: this is an answers file, not a brand file")


def test_a_brand_file_given_as_answers_is_named(invoke: Invoke) -> None:
    result = invoke("score", str(EXAMPLE_BRAND))
    assert result.exit_code == 1
    assert "this is a brand file, not an answers file" in result.stderr


# ---------------------------------------------------------------- the logo file


def logo_error(tmp_path: Path, name: str, make: Any) -> str:
    target = tmp_path / name
    make(target)
    errors = brand_errors(write_brand(tmp_path, f"logo: {name}\n"))
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{tmp_path / 'brand.yaml'}:2:7: error: logo {name}: "), errors
    return errors[0]


def test_a_logo_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    assert "is a folder, not a file" in logo_error(tmp_path, "logo.png", Path.mkdir)


def test_a_logo_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    # A FIFO nobody writes to would block a plain read for ever: it is refused unread.
    message = logo_error(tmp_path, "logo.png", os.mkfifo)
    assert "is not a regular file (a pipe, socket or device)" in message


@pytest.mark.parametrize(("name", "data", "found"), [
    ("logo.png", b"GIF89a" + bytes(20), "the file is a GIF image, not a PNG image"),
    ("logo.png", b"\xff\xd8\xff\xe0" + bytes(20), "the file is a JPEG image, not a PNG image"),
    ("logo.jpg", png(), "the file is a PNG image, not a JPEG image"),
    ("logo.svg", png(), "the file is a PNG image, not SVG text"),
    ("logo.png", PLAIN_SVG.encode(), "the file is SVG text, not a PNG image"),
    ("logo.png", b"%PDF-1.7\n", "the file is a PDF document, not a PNG image"),
    ("logo.jpeg", b"hello", "the file is not a picture cslevels knows, not a JPEG image"),
    ("logo.png", b"", "the file is empty, not a PNG image"),
])
def test_the_content_must_be_what_the_suffix_says(tmp_path: Path, name: str, data: bytes,
                                                  found: str) -> None:
    message = logo_error(tmp_path, name, lambda p: p.write_bytes(data))
    assert found in message
    assert "(the name's suffix must say what the file is)" in message


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header says ``width`` x ``height``, with one tiny row of data: the size
    a decoder would allocate for, in a few dozen bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00")) + chunk(b"IEND", b""))


def jpeg_claiming(width: int, height: int, before: bytes = b"") -> bytes:
    """A JPEG's markers up to a baseline frame header saying ``width`` x ``height``."""
    frame = struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + before + b"\xff\xc0" + frame + b"\xff\xd9"


BRAND_DATA = Path(__file__).resolve().parent / "data" / "brand"


@pytest.mark.parametrize(("name", "size"), [("logo-baseline.jpg", (40, 30)),
                                            ("logo-progressive.jpg", (41, 29))])
def test_real_jpeg_logos_are_measured_and_accepted(tmp_path: Path, name: str,
                                                   size: tuple[int, int]) -> None:
    """Made by an image editor: JFIF header, a comment segment, baseline and progressive."""
    data = (BRAND_DATA / name).read_bytes()
    assert pixel_size(data, "image/jpeg") == size
    (tmp_path / "logo.jpg").write_bytes(data)
    loaded = load_brand(write_brand(tmp_path, "logo: logo.jpg\n"))
    assert loaded.logo is not None and loaded.logo.data == data


def test_a_png_is_measured_by_its_header() -> None:
    assert pixel_size(png(3, 2), "image/png") == (3, 2)
    assert pixel_size(png_claiming(640, 200), "image/png") == (640, 200)


@pytest.mark.parametrize(("name", "data", "said"), [
    ("logo.png", png_claiming(20_000, 20_000), "20,000 x 20,000 pixels"),
    ("logo.png", png_claiming(10_001, 1), "10,001 x 1 pixels"),
    ("logo.png", png_claiming(5_001, 5_000), "5,001 x 5,000 pixels"),
    ("logo.jpg", jpeg_claiming(12_000, 10), "12,000 x 10 pixels"),
    ("logo.jpeg", jpeg_claiming(60_000, 60_000, before=b"\xff\xfe\x00\x04hi"),
     "60,000 x 60,000 pixels"),
])
def test_a_logo_that_decodes_to_a_huge_picture_is_refused(tmp_path: Path, name: str,
                                                          data: bytes, said: str) -> None:
    """A decompression bomb: a few bytes on disk, gigabytes once a browser decodes them."""
    assert len(data) < 200
    message = logo_error(tmp_path, name, lambda p: p.write_bytes(data))
    assert (f"the picture is {said}, over the limit of 10,000 pixels a side and 25 million "
            "pixels in all (a logo is embedded in every report; save it smaller)") in message


def test_a_bomb_logo_stops_the_report_with_one_located_line(invoke: Invoke,
                                                            tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes((BRAND_DATA / "logo-bomb.png").read_bytes())
    brand = write_brand(tmp_path, "firm: Acme\nlogo: logo.png\n")
    out = tmp_path / "report.html"
    result = invoke("score", CAFE, "--brand", str(brand), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == (f"{brand}:3:7: error: logo logo.png: the picture is 20,000 x "
                             "20,000 pixels, over the limit of 10,000 pixels a side and 25 "
                             "million pixels in all (a logo is embedded in every report; save "
                             "it smaller)\n")
    assert not out.exists()


def test_the_pixel_limits_are_exact(tmp_path: Path) -> None:
    for width, height in ((10_000, 2_500), (5_000, 5_000), (1, 10_000)):
        (tmp_path / "logo.png").write_bytes(png_claiming(width, height))
        assert load_brand(write_brand(tmp_path, "logo: logo.png\n")).logo is not None


@pytest.mark.parametrize(("name", "data"), [
    ("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00"),  # cut short before the header
    ("logo.png", png_claiming(0, 10)),  # a size of 0
    ("logo.jpg", b"\xff\xd8\xff\xda\x00\x02"),  # the scan before any frame
    ("logo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),  # ends inside its first segment
    ("logo.jpg", b"\xff\xd8\xff\xe0\x00\x00" + bytes(10)),  # a segment length of 0
    ("logo.jpg", jpeg_claiming(0, 10)),
])
def test_a_logo_whose_size_cannot_be_read_is_refused(tmp_path: Path, name: str,
                                                     data: bytes) -> None:
    message = logo_error(tmp_path, name, lambda p: p.write_bytes(data))
    assert ("but its size in pixels cannot be read from its header (cut short, damaged, or a "
            "size given only later in the file)") in message


@given(st.binary(max_size=64))
def test_reading_a_size_never_fails_whatever_the_bytes(tail: bytes) -> None:
    for media_type, head in (("image/png", b"\x89PNG\r\n\x1a\n"), ("image/jpeg", b"\xff\xd8")):
        size = pixel_size(head + tail, media_type)  # type: ignore[arg-type]
        assert size is None or (size[0] > 0 and size[1] > 0)


def test_a_50_mb_logo_is_refused_without_reading_it(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    read = inputs.read_limited

    def no_reading(fd: int, info: os.stat_result, limit: int) -> bytes:
        if info.st_size > LOGO_MAX_BYTES:
            raise AssertionError("the logo was read")
        return read(fd, info, limit)  # the brand file itself

    monkeypatch.setattr(inputs, "read_limited", no_reading)

    def sparse(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(50 * 1024 * 1024)

    message = logo_error(tmp_path, "logo.png", sparse)
    assert "file is 52,428,800 bytes, over the 1,048,576-byte limit" in message
    assert "(a logo is embedded in every report; save it smaller)" in message


def test_the_logo_limit_is_exact_and_reads_at_most_one_byte_more(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wanted: list[int] = []
    read = inputs.read_limited

    def recording(fd: int, info: os.stat_result, limit: int) -> bytes:
        wanted.append(limit)
        return read(fd, info, limit)

    monkeypatch.setattr(inputs, "read_limited", recording)
    (tmp_path / "logo.png").write_bytes(png().ljust(LOGO_MAX_BYTES, b"\x00"))
    loaded = load_brand(write_brand(tmp_path, "logo: logo.png\n"))
    assert loaded.logo is not None and len(loaded.logo.data) == LOGO_MAX_BYTES
    assert wanted == [2 * 1024 * 1024, LOGO_MAX_BYTES]  # the brand file's limit, the logo's
    (tmp_path / "logo.png").write_bytes(png().ljust(LOGO_MAX_BYTES + 1, b"\x00"))
    assert "over the 1,048,576-byte limit" in brand_errors(tmp_path / "brand.yaml")[0]


def test_a_logo_is_found_beside_the_brand_file_not_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kit").mkdir()
    (tmp_path / "kit" / "logo.png").write_bytes(png())
    path = write_brand(tmp_path / "kit", "logo: logo.png\n")
    monkeypatch.chdir(tmp_path)
    loaded = load_brand(Path("kit/brand.yaml"))
    assert loaded.logo is not None and loaded.logo.media_type == "image/png"
    assert loaded.logo.data_uri.startswith("data:image/png;base64,iVBORw0KGgo")
    assert loaded.path == Path("kit/brand.yaml") and path.exists()


# ---------------------------------------------------------------- hostile SVG logos

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
HOSTILE_SVGS = {
    "script": (f"{SVG}\n<script>alert(1)</script></svg>", "2:1", "has a <script> element"),
    "script-namespaced": (f'{SVG}\n<h:script xmlns:h="http://www.w3.org/1999/xhtml">x'
                          "</h:script></svg>", "2:1", "has a <script> element"),
    "onload": ('<svg xmlns="http://www.w3.org/2000/svg"\n  onload="alert(1)"/>', "2:3",
               "has an event handler (onload= on <svg>)"),
    "onclick-upper": (f'{SVG}<rect ONCLICK="x()"/></svg>', "1:90",
                      "has an event handler (ONCLICK= on <rect>)"),
    "foreign-object": (f"{SVG}<foreignObject><p>hi</p></foreignObject></svg>", "1:84",
                       "has a <foreignObject> element"),
    "iframe": (f"{SVG}<iframe/></svg>", "1:84", "has an <iframe> element"),
    "embed": (f"{SVG}<embed/></svg>", "1:84", "has an <embed> element"),
    "object": (f"{SVG}<object/></svg>", "1:84", "has an <object> element"),
    "href-remote": (f'{SVG}<a href="https://evil.example/">x</a></svg>', "1:87",
                    "has a link to 'https://evil.example/' (href= on <a>)"),
    "xlink-remote": (f'{SVG}<use xlink:href="other.svg#logo"/></svg>', "1:89",
                     "has a link to 'other.svg#logo' (href= on <use>)"),
    "image-svg-data": (f'{SVG}<image href="data:image/svg+xml;base64,PHN2Zz4="/></svg>', "1:91",
                       "has a link to 'data:image/svg+xml;base64,PHN2Zz4='"),
    "javascript-href": (f'{SVG}<a href="javascript:alert(1)">x</a></svg>', "1:87",
                        "has a link to 'javascript:alert(1)'"),
    "javascript-entity": (f'{SVG}<a href="&#106;ava&#x09;script:alert(1)">x</a></svg>', "1:87",
                          "has a link to 'java\\tscript:alert(1)'"),
    "javascript-text": (f"{SVG}\n<!-- JavaScript:alert(1) --></svg>", "2:6",
                        "has a javascript: URL"),
    "javascript-in-values": (f'{SVG}<a><animate attributeName="x" values="javascript:x"/></a>'
                             "</svg>", "1:114", "has a script URL in values= on <animate>"),
    "doctype": ('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://x/svg11.dtd">\n'
                '<svg xmlns="http://www.w3.org/2000/svg"/>', "1:1",
                "has a <!DOCTYPE> declaration (entities can expand"),
    "entity-bomb": ('<?xml version="1.0"?>\n<!doctype svg [\n <!ENTITY a "aaaaaaaaaa">\n'
                    ' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
                    '<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>', "2:1",
                    "has a <!DOCTYPE> declaration"),
    "css-import": (f"{SVG}<style>@import 'https://evil.example/x.css';</style></svg>", "1:84",
                   "has a CSS @import in <style>"),
    "css-url-remote": (f"{SVG}<style>rect {{ fill: url(https://evil.example/p) }}</style></svg>",
                       "1:84", "has a CSS url(https://evil.example/p) in <style>"),
    "css-url-attribute": (f'{SVG}<rect style="background: url(//evil.example/p)"/></svg>',
                          "1:90", "has a CSS url(//evil.example/p) in style= on <rect>"),
    "fill-url-remote": (f'{SVG}<rect fill="url(https://evil.example/g#a)"/></svg>', "1:90",
                        "has a CSS url(https://evil.example/g#a) in fill= on <rect>"),
    "css-escape": (f"{SVG}<style>rect {{ fill: \\75 rl(x) }}</style></svg>", "1:84",
                   "has a CSS escape"),
    "animate-href": (f'{SVG}<a href="#a"><animate attributeName="href" to="https://x"/></a>'
                     "</svg>", "1:106", '<animate attributeName="href">, which changes a link'),
    "set-xlink-href": (f'{SVG}<a><set attributeName="xlink:href" to="#b"/></a></svg>', "1:92",
                       '<set attributeName="xlink:href">'),
    "set-onclick": (f'{SVG}<a><set attributeName="onclick" to="x()"/></a></svg>', "1:92",
                    '<set attributeName="onclick">'),
    "stylesheet-instruction": ('<?xml-stylesheet href="https://evil.example/x.css"?>\n'
                               '<svg xmlns="http://www.w3.org/2000/svg"/>', "1:1",
                               "has a processing instruction <?xml-stylesheet …?>"),
    "no-namespace": ("<svg><rect/></svg>", "1:1", 'its outermost element is <svg> without '
                                                  'xmlns="http://www.w3.org/2000/svg"'),
    "not-svg": ('<html xmlns="http://www.w3.org/1999/xhtml"/>', "1:1",
                "the logo is not an SVG image: its outermost element is <html>"),
    "broken-xml": (f"{SVG}<rect></svg>", "1:92", "not well-formed XML: mismatched tag"),
    "undefined-entity": (f"{SVG}&nbsp;</svg>", "1:84", "not well-formed XML: undefined entity"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_SVGS))
def test_a_hostile_svg_logo_is_refused_saying_what_and_where(tmp_path: Path, case: str) -> None:
    text, where, fragment = HOSTILE_SVGS[case]
    (tmp_path / "logo.svg").write_text(text, encoding="utf-8")
    errors = brand_errors(write_brand(tmp_path, "logo: logo.svg\n"))
    shown = tmp_path / "logo.svg"
    assert errors[0].startswith(f"{shown}:{where}: error: "), errors
    assert fragment in errors[0], errors


def test_a_hostile_svg_is_refused_through_the_command_line(invoke: Invoke,
                                                          tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_text(f"{SVG}\n<script>alert(1)</script></svg>")
    path = write_brand(tmp_path, "logo: logo.svg\n")
    for args in (["score", CAFE, "--format", "html", "--brand", str(path)],
                 ["validate", str(path)]):
        result = invoke(*args)
        assert result.exit_code == 1
        assert (f"{tmp_path / 'logo.svg'}:2:1: error: the SVG logo has a <script> element "
                "(a logo must be a plain picture: nothing that runs or loads anything)"
                in result.stderr)
        assert "Traceback" not in result.stderr


def test_a_plain_svg_with_local_references_passes() -> None:
    text = (f'{SVG}<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
            '</metadata><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/>'
            '</linearGradient><clipPath id="c"><rect width="4" height="4"/></clipPath></defs>'
            '<style>rect { fill: url(#g); }</style><use href="#c"/><use xlink:href="#c"/>'
            '<rect fill="url(#g)" clip-path="url( \'#c\' )" style="stroke: #000"/>'
            '<image href="data:image/png;base64,iVBORw0KGgo="/><a href="">x</a></svg>')
    assert svg_findings(text.encode(), "ok.svg") == []
    # the example brand's own logo
    assert svg_findings((ROOT / "docs/examples/northlight-logo.svg").read_bytes(), "x") == []


def test_attribute_places_are_looked_up_only_for_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding where an attribute is written costs a search; a clean 1 MB logo with 69,000
    attributes must not pay it 69,000 times (that was quadratic: 30 s)."""
    from cslevels.files import brand

    calls = 0
    real = brand._SvgChecker._attribute_at

    def counting(self: Any, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(self, *args)

    monkeypatch.setattr(brand._SvgChecker, "_attribute_at", counting)
    rects = '<rect width="1" height="1" fill="url(#g)"/>' * 1000
    assert svg_findings(f"{SVG}{rects}</svg>".encode(), "x.svg") == []
    assert calls == 0
    assert len(svg_findings(f'{SVG}<rect onclick="x()"/>{rects}</svg>'.encode(), "x.svg")) == 1
    assert calls == 1


def test_an_svg_not_in_utf8_is_refused() -> None:
    findings = svg_findings(SVG.encode() + "<title>é</title></svg>".encode("latin-1"), "l.svg")
    assert [str(f) for f in findings] == [
        "l.svg:1:91: error: the SVG logo is not UTF-8 text (byte 0xe9) (save it as UTF-8)"]


# ---------------------------------------------------------------- where the brand comes from


def brand_named(folder: Path, firm: str) -> Path:
    return write_brand(folder, f"firm: {firm}\n")


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, str]:
    """Three brand files, for --brand, CSLEVELS_BRAND and the per-user file."""
    config = tmp_path / "config"
    brand_named(config / "cslevels", "Per-user Firm")
    return {"flag": str(brand_named(tmp_path / "flag", "Flag Firm")),
            "env": str(brand_named(tmp_path / "env", "Env Firm")),
            "XDG_CONFIG_HOME": str(config)}


def firm_shown(invoke: Invoke, args: list[str], env: dict[str, str]) -> str | None:
    result = invoke("score", CAFE, "--format", "markdown", *args, env=env)
    assert result.exit_code == 0, result.stderr
    facts = [line for line in result.stdout.splitlines() if line.startswith("- **Prepared by:** ")]
    return facts[0].removeprefix("- **Prepared by:** ") if facts else None


def test_the_brand_comes_from_the_flag_then_the_variable_then_the_user_file(
        invoke: Invoke, sources: dict[str, str]) -> None:
    config = {"XDG_CONFIG_HOME": sources["XDG_CONFIG_HOME"]}
    everything = {**config, "CSLEVELS_BRAND": sources["env"]}
    assert firm_shown(invoke, ["--brand", sources["flag"]], everything) == "Flag Firm"
    assert firm_shown(invoke, [], everything) == "Env Firm"
    assert firm_shown(invoke, [], config) == "Per-user Firm"
    assert firm_shown(invoke, [], {**config, "CSLEVELS_BRAND": ""}) == "Per-user Firm"
    assert firm_shown(invoke, [], {}) is None  # conftest's empty config folder


def test_no_brand_turns_off_the_variable_and_the_user_file(invoke: Invoke,
                                                           sources: dict[str, str]) -> None:
    env = {"XDG_CONFIG_HOME": sources["XDG_CONFIG_HOME"], "CSLEVELS_BRAND": sources["env"]}
    assert firm_shown(invoke, ["--no-brand"], env) is None
    assert firm_shown(invoke, ["--no-brand"], {"XDG_CONFIG_HOME": env["XDG_CONFIG_HOME"]}) is None


def test_brand_and_no_brand_together_are_a_usage_error(invoke: Invoke,
                                                        sources: dict[str, str]) -> None:
    result = invoke("score", CAFE, "--brand", sources["flag"], "--no-brand")
    assert result.exit_code == 2
    assert "--brand and --no-brand contradict each other" in result.stderr


def test_the_user_file_defaults_to_dot_config_and_ignores_a_relative_xdg_value(
        invoke: Invoke, tmp_path: Path) -> None:
    brand_named(tmp_path / "home" / ".config" / "cslevels", "Home Firm")
    env = {"HOME": str(tmp_path / "home")}
    assert firm_shown(invoke, [], {**env, "XDG_CONFIG_HOME": ""}) == "Home Firm"
    assert firm_shown(invoke, [], {**env, "XDG_CONFIG_HOME": "relative/dir"}) == "Home Firm"


def test_a_missing_variable_path_says_it_came_from_the_variable(invoke: Invoke,
                                                                tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "brand.yaml"
    result = invoke("score", CAFE, "--format", "html", env={"CSLEVELS_BRAND": str(missing)})
    assert result.exit_code == 1
    assert result.stderr == (f"{missing}: error: no such file (the path comes from "
                             "CSLEVELS_BRAND: correct or unset it, or give --no-brand)\n")


def test_an_error_in_the_user_file_is_located_there(invoke: Invoke, tmp_path: Path) -> None:
    path = write_brand(tmp_path / "cslevels", 'accent: "red"\n')
    result = invoke("score", CAFE, "--format", "html", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:2:9: error: accent: 'red' is not a colour")


def test_terminal_and_json_show_no_brand_and_never_read_the_user_file(
        invoke: Invoke, tmp_path: Path) -> None:
    write_brand(tmp_path / "cslevels", 'accent: "red"\n')  # broken: reading it would fail
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    for fmt in ("terminal", "json"):
        result = invoke("score", CAFE, "--format", fmt, env=env)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
    data = json.loads(invoke("score", CAFE, "--format", "json", "--brand", str(EXAMPLE_BRAND))
                      .stdout)
    assert "Northlight" not in json.dumps(data)


def test_brand_on_a_format_without_branding_warns(invoke: Invoke) -> None:
    result = invoke("score", CAFE, "--format", "json", "--brand", str(EXAMPLE_BRAND))
    assert result.exit_code == 0
    assert result.stderr == "warning: --brand has no effect on --format json\n"


@pytest.mark.parametrize("command", [
    ["score", CAFE], ["compare", CAFE, str(EXAMPLES / "riverside-cafe-2027-05.yaml")],
    ["summary", str(EXAMPLES)], ["show", "seven-levels"]])
def test_every_html_command_takes_the_brand(invoke: Invoke, command: list[str]) -> None:
    result = invoke(*command, "--format", "html", "--brand", str(EXAMPLE_BRAND))
    assert result.exit_code == 0, result.stderr
    assert '<strong class="brand-firm">Northlight Advisory</strong>' in result.stdout
    assert "Confidential: prepared for the client named on this report." in result.stdout


@pytest.mark.parametrize("command", [
    ["compare", CAFE, str(EXAMPLES / "riverside-cafe-2027-05.yaml")], ["show", "seven-levels"]])
def test_every_markdown_report_starts_with_the_brand(invoke: Invoke, command: list[str]) -> None:
    result = invoke(*command, "--format", "markdown", "--brand", str(EXAMPLE_BRAND))
    assert result.exit_code == 0, result.stderr
    head = result.stdout.split("\n## ", 1)[0]
    assert "\n\n- **Prepared by:** Dana Reyes, Northlight Advisory\n" in head
    assert "- **Confidential: prepared for the client" in head


def test_the_report_is_never_written_over_the_brand_file(invoke: Invoke, tmp_path: Path) -> None:
    path = write_brand(tmp_path, "firm: Acme\n", name="mybrand")  # no suffix: any format
    before = path.read_bytes()
    result = invoke("score", CAFE, "--format", "html", "--brand", str(path), "-o", str(path))
    assert result.exit_code == 1
    assert "is one of the input files; not overwriting it" in result.stderr
    assert path.read_bytes() == before


# ---------------------------------------------------------------- what the reports show


def test_html_shows_firm_logo_accent_and_footer_lines(invoke: Invoke) -> None:
    page = html(invoke, "--brand", str(EXAMPLE_BRAND))
    logo = (ROOT / "docs/examples/northlight-logo.svg").read_bytes()
    import base64

    uri = "data:image/svg+xml;base64," + base64.b64encode(logo).decode()
    assert f'<img class="brand-logo" src="{uri}" alt="Northlight Advisory">' in page
    assert ":root { --accent: #1f5f8b; --accent-soft: #e9eff3; }" in page
    assert ('<p class="brand-prepared">Prepared by Dana Reyes, Northlight Advisory · '
            "dana@northlight.example · +1 555 0100</p>") in page
    # on every printed page: the @page rule's top box (tests/test_pdf.py reads it back)
    assert '@top-center { content: "Confidential: prepared for the client' in page
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
    assert csp in page


def test_hostile_brand_text_is_escaped_everywhere(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(png())
    quoted = json.dumps(HOSTILE)
    path = write_brand(tmp_path, f"firm: {quoted}\nprepared_by: {quoted}\ncontact: {quoted}\n"
                                 f"confidentiality: {quoted}\nlogo: logo.png\n")
    page = html(invoke, "--brand", str(path))
    assert "<script>alert" not in page and "onerror=alert(2)>" not in page
    escaped = ("&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39; &amp; "
               "&lt;img src=x onerror=alert(2)&gt;")
    assert page.count(escaped) >= 5  # header, alt text, prepared line, contact, confidentiality
    assert f'alt="{escaped}"' in page
    markdown = invoke("score", CAFE, "--format", "markdown", "--brand", str(path)).stdout
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert "- **Prepared by:** \\<script\\>alert(1)\\</script\\>" in markdown


def test_markdown_names_who_prepared_it_and_the_confidentiality_line(invoke: Invoke) -> None:
    out = invoke("score", CAFE, "--format", "markdown", "--brand", str(EXAMPLE_BRAND)).stdout
    assert out.startswith(
        "# Customer service assessment: Riverside Cafe\n\n"
        "- **Prepared by:** Dana Reyes, Northlight Advisory\n"
        "- **Contact:** dana\u2060@northlight.example · +1 555 0100\n"
        "- **Confidential: prepared for the client named on this report. Do not distribute.**\n")


def test_a_brand_without_prepared_by_or_confidentiality_adds_only_what_it_has(
        invoke: Invoke, tmp_path: Path) -> None:
    path = write_brand(tmp_path, "firm: Solo\n")
    out = invoke("score", CAFE, "--format", "markdown", "--brand", str(path)).stdout
    assert out.startswith("# Customer service assessment: Riverside Cafe\n\n"
                          "- **Prepared by:** Solo\n- **Rubric:**")
    page = html(invoke, "--brand", str(path))
    assert "brand-confidential" not in page.split("</style>")[1]
    assert "--accent: " not in page.split("<style>")[1].split("/* brand")[1]  # no accent given


# ---------------------------------------------------------------- the accent colour


def test_accent_colours_by_hand() -> None:
    assert accent_colours("#1F5F8B") == {"accent": "#1f5f8b", "soft": "#e9eff3"}
    # yellow cannot carry white text: darkened (x0.55) until it can
    assert accent_colours("#ffcc00") == {"accent": "#8c7000", "soft": "#fffae6"}
    with pytest.raises(ValueError):
        accent_colours("red; } body { display: none")


@given(st.integers(0, 0xFFFFFF))
def test_every_accent_is_legible_under_white_text(value: int) -> None:
    colours = accent_colours(f"#{value:06x}")
    assert contrast_with_white(colours["accent"]) >= 4.5
    assert all(re.fullmatch("#[0-9a-f]{6}", c) for c in colours.values())  # safe in CSS
    if contrast_with_white(f"#{value:06x}") >= 4.5:
        assert colours["accent"] == f"#{value:06x}"  # a legible colour is kept as given


# ---------------------------------------------------------------- validate and the schema


def test_validate_checks_brand_files(invoke: Invoke, tmp_path: Path) -> None:
    ok = invoke("validate", "--strict", str(EXAMPLE_BRAND.parent))
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    assert f"{EXAMPLE_BRAND}: ok (brand)" in ok.stdout
    bad = write_brand(tmp_path, "firm: Acme\nlogo: nothing.svg\n")
    result = invoke("validate", str(bad), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["files"][0]["kind"] == "brand"
    assert report["files"][0]["findings"][0]["line"] == 3


def test_the_example_brand_file_matches_its_json_schema() -> None:
    import jsonschema
    import yaml

    from cslevels.core.schemas import json_schema

    data = yaml.safe_load(EXAMPLE_BRAND.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(json_schema("brand")).validate(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(json_schema("brand")).validate({**data, "accent": "blue"})


# ---------------------------------------------------------------- in a real Chromium

browser_only = pytest.mark.browser


@browser_only
def test_a_branded_report_in_chromium_shows_the_logo_and_runs_nothing(
        invoke: Invoke, tmp_path: Path, visit: Any) -> None:  # noqa: F811
    from test_browser import PAYLOAD

    (tmp_path / "logo.png").write_bytes(png(12, 6))
    quoted = json.dumps(PAYLOAD)
    path = write_brand(tmp_path, f"firm: {quoted}\nprepared_by: {quoted}\nconfidentiality: "
                                 f"{quoted}\naccent: \"#7a1f5c\"\nlogo: logo.png\n")
    out = tmp_path / "report.html"
    result = invoke("score", CAFE, "--brand", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    seen = visit(out)
    seen.assert_clean()  # no dialog, no error, nothing loaded but the page (data: URIs aside)
    logo = seen.page.locator("img.brand-logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 12
    assert logo.is_visible()
    assert seen.page.locator(".brand-firm").inner_text() == PAYLOAD  # shown, not run
    assert seen.page.locator("script").count() == 0
    accent = seen.page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")
    assert accent == "#7a1f5c"
    assert seen.page.locator("h1").evaluate("h => getComputedStyle(h).color") == \
        "rgb(122, 31, 92)"


@browser_only
def test_an_svg_logo_that_slipped_past_the_checks_still_runs_nothing(
        tmp_path: Path, visit: Any) -> None:  # noqa: F811
    """Defence in depth: the page embeds the logo as an <img>, where scripts never run."""
    from cslevels.commands.score import score_files
    from cslevels.core.documents import LoadedBrand, Logo
    from cslevels.core.models import Brand
    from cslevels.files.library import RubricLibrary
    from cslevels.reporting.formats import RenderOptions
    from cslevels.reporting.score.html import render_results

    hostile = (b'<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20" '
               b'onload="alert(1)"><script>alert(2)</script><rect width="30" height="20"/>'
               b'<image href="https://evil.example/x.png"/></svg>')
    assert svg_findings(hostile, "x.svg")  # cslevels itself would refuse it
    brand = LoadedBrand(Brand.model_validate({"schema": "cslevels/brand/v1", "firm": "X"}),
                        tmp_path / "brand.yaml", Logo("image/svg+xml", hostile))
    results = score_files([Path(CAFE)], RubricLibrary(())).results
    out = tmp_path / "report.html"
    out.write_text(render_results(results, RenderOptions(brand=brand)), encoding="utf-8")
    seen = visit(out)
    seen.assert_clean()  # no alert, no request to evil.example
    assert seen.page.locator("img.brand-logo").evaluate("img => img.naturalWidth") == 30
