"""Safe YAML loading that remembers where every value came from.

PyYAML's own safe loader drops positions, silently keeps the last of two
duplicate keys and expands aliases without limit.  Here the C composer (where
built) turns the text into a node tree, and a small walker builds plain Python
data from it while recording the line and column of each value, rejecting
duplicate keys, non-standard tags, cyclic aliases and documents that expand
beyond a bound.  The positions let schema errors point at ``file:line:column``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from cslevels.core.locations import Loc, Position
from cslevels.errors import InputError
from cslevels.text import shorten

try:  # the C composer is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
LOADER_NAME = _Loader.__name__  # part of the rubric cache's key: the loaders differ at the edges

DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_NODES = 100_000
MAX_DEPTH = 64
# Characters after alias expansion, as a multiple of the file size limit: a file without
# aliases never expands, so only aliases can reach it.  It bounds what every later step
# (validation, reports, the rubric cache) is given, where the value count alone does not:
# 99,000 aliases of one long text are few values but gigabytes of output.
EXPANSION_FACTOR = 4

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
    _STR,
}
_CONSTRUCTOR = SafeConstructor()
_SURROGATE = re.compile("[\ud800-\udfff]")
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")


def number_spelling(tag: str, text: str) -> str | None:
    """What a YAML 1.1 number written other than plainly is (``010`` octal, ``0x2``
    hexadecimal, ``0b10`` binary, ``1_000`` with separators, ``1:30`` base 60), or None.

    YAML 1.2 and JSON read these differently or not as numbers at all (``010`` is 10
    there, ``1:30`` text), so a file meaning one thing to cslevels could mean another to
    the next tool: both loaders refuse them (the fast path in ``files.fastyaml`` too).
    """
    if tag == _INT and not _PLAIN_INT.fullmatch(text):
        digits = text.lstrip("+-")
        if "_" in digits:
            return "a number with _ separators"
        if ":" in digits:
            return "a base-60 number"
        if digits[:2] in ("0x", "0X"):
            return "a hexadecimal number"
        if digits[:2] in ("0b", "0B"):
            return "a binary number"
        return "an octal number"
    if tag == _FLOAT and ("_" in text or ":" in text):
        return "a number with _ separators" if "_" in text else "a base-60 number"
    return None


def max_file_bytes() -> int:
    """The size limit, which ``CSLEVELS_MAX_FILE_BYTES`` may raise or lower."""
    return _env_int("CSLEVELS_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)


def max_nodes() -> int:
    """The bound on values after alias expansion (``CSLEVELS_MAX_NODES``)."""
    return _env_int("CSLEVELS_MAX_NODES", DEFAULT_MAX_NODES)


def max_expanded_chars() -> int:
    """The bound on characters after alias expansion: EXPANSION_FACTOR x the size limit."""
    return EXPANSION_FACTOR * max_file_bytes()


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass
class YamlDocument:
    """Parsed data plus, for each path into it, where its value and key start."""

    path: str
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    plain_scalars: dict[Loc, str] = field(default_factory=dict)

    def locate(self, loc: Loc, *, prefer_key: bool = False) -> Position:
        """Line and column of ``loc``, or of its nearest ancestor that exists."""
        loc = tuple(loc)
        if prefer_key and loc in self.key_positions:
            return Position(*self.key_positions[loc])
        while True:
            if loc in self.positions:
                return Position(*self.positions[loc])
            if not loc:
                return Position()
            loc = loc[:-1]

    def raw_plain_scalar(self, loc: Loc) -> str | None:
        """The unquoted source text at ``loc`` when YAML read it as a non-string."""
        return self.plain_scalars.get(tuple(loc))


def read_text(path: Path) -> str:
    """Read a user's file as UTF-8 (a BOM is accepted), within the size limit."""
    return decode(read_bytes(path), str(path))


_LIMIT_HINT = "set CSLEVELS_MAX_FILE_BYTES to raise the limit"


def read_bytes(path: Path, *, limit: int | None = None, limit_hint: str | None = _LIMIT_HINT,
               regular_only: bool = False) -> bytes:
    """Read a user's file within the size limit; every failure is an ``InputError``.

    A regular file is measured before it is read, so a huge file costs nothing; a
    pipe or device (``/dev/stdin``, ``/dev/zero``, a FIFO) has no size, so at most
    one byte more than the limit is read from it, without ever blocking for good
    (see :mod:`cslevels.files.inputs`).  Every file read counts as an input.
    ``limit`` replaces :func:`max_file_bytes` (a logo has its own); ``regular_only``
    refuses pipes and devices (a logo is embedded whole, so it must be a file).
    """
    from cslevels.files.inputs import StreamIdle, open_for_reading, read_limited

    name = str(path)
    try:
        fd, info = open_for_reading(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError(f"broken symbolic link: {shorten(os.readlink(path))!r} does not "
                             "exist", path=name, code="broken-link") from None
        raise InputError("no such file", path=name, code="not-found") from None
    except PermissionError:
        raise InputError("permission denied", path=name, code="unreadable") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=name, code="not-a-file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise InputError(f"cannot read: {_reason(exc)}", path=name) from None
    try:
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a folder, not a file", path=name, code="not-a-file")
        if regular_only and not stat.S_ISREG(info.st_mode):
            raise InputError("is not a regular file (a pipe, socket or device)", path=name,
                             code="not-a-file")
        limit = max_file_bytes() if limit is None else limit
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise InputError(
                f"file is {info.st_size:,} bytes, over the {limit:,}-byte limit",
                path=name,
                code="too-large",
                hint=limit_hint,
            )
        try:
            raw = read_limited(fd, info, limit)
        except StreamIdle as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=name, code="stream-idle",
                             hint="a pipe or device must give the whole file") from None
        except PermissionError:
            raise InputError("permission denied", path=name, code="unreadable") from None
        except OSError as exc:
            raise InputError(f"cannot read: {_reason(exc)}", path=name) from None
        except MemoryError:  # a stream (/dev/zero) under a limit raised past the memory
            raise InputError(f"ran out of memory reading it, under a {limit:,}-byte limit",
                             path=name, code="too-large",
                             hint="lower CSLEVELS_MAX_FILE_BYTES") from None
    finally:
        os.close(fd)
    if len(raw) > limit:  # the file grew between stat and read, or a stream is too long
        raise InputError(f"file is over the {limit:,}-byte limit", path=name, code="too-large",
                         hint=limit_hint)
    return raw


def _reason(exc: Exception) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


_WIDE_BOMS = {
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\xfe\xff": "UTF-16",
    b"\xff\xfe": "UTF-16",
}


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text (a BOM is dropped); other encodings and binary data are refused."""
    for bom, encoding in _WIDE_BOMS.items():  # longest first: UTF-32 LE starts like UTF-16 LE
        if raw.startswith(bom):
            raise InputError(f"saved as {encoding}, not UTF-8", path=name, code="encoding",
                             hint="save the file as UTF-8")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError(
            "binary data (a NUL byte), not a YAML text file", path=name, line=line, code="binary"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            path=name,
            line=line,
            column=column,
            code="encoding",
            hint="save the file as UTF-8",
        ) from None


def load_path(path: Path) -> YamlDocument:
    """Read and parse one YAML file; every failure is an ``InputError``."""
    return parse(read_text(path), str(path))


def parse(text: str, name: str) -> YamlDocument:
    """Parse one YAML document from ``text``; ``name`` is used in messages."""
    try:
        _prescan(text, name)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, name) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", path=name, code="yaml-syntax") from None
    except RecursionError:
        raise InputError("YAML nested too deeply", path=name, code="yaml-depth") from None
    if node is None:
        raise InputError("file is empty (no YAML document)", path=name, code="empty")
    doc = YamlDocument(path=name, data=None)
    doc.data = _Builder(doc, max_nodes()).build(node, ())
    return doc


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, name: str) -> InputError:
    """One located message for a YAML syntax error, naming where its cause starts."""
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "invalid YAML"
    opened = _unclosed_bracket(text) if mark is not None and _at_end(text, mark) else None
    if "expected a single document" in str(exc):
        message = "holds more than one YAML document; put one per file"
    elif opened is not None:
        # The file ended inside [ ] or { }: the parser only notices at the end.
        char, start = opened
        message += (f" (the {char!r} at line {start.line + 1}, column {start.column + 1} "
                    "is never closed)")
    elif (exc.problem and exc.context and exc.context_mark and mark is not None
          and mark is exc.problem_mark
          and exc.context.startswith(("while parsing", "while scanning a"))
          and exc.context_mark.line != mark.line):
        # e.g. a missing bracket or quote: the problem shows up later than its cause
        message += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
    hint = None
    if "tab" in str(exc).lower() or (mark is not None and _char_at(text, mark) == "\t"):
        hint = "indent with spaces, not tabs"
    return InputError(
        f"YAML syntax error: {message}",
        path=name,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        code="yaml-syntax",
        hint=hint,
    )


def _at_end(text: str, mark: yaml.Mark) -> bool:
    """Whether ``mark`` is past the last non-blank character of ``text``."""
    lines = text.rstrip().splitlines()
    return mark.line > len(lines) - 1 or (
        mark.line == len(lines) - 1 and mark.column >= len(lines[-1]))


def _unclosed_bracket(text: str) -> tuple[str, yaml.Mark] | None:
    """The innermost ``[`` or ``{`` still open where the YAML scanner gave up."""
    stack: list[tuple[str, yaml.Mark]] = []
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, yaml.FlowSequenceStartToken):
                stack.append(("[", token.start_mark))
            elif isinstance(token, yaml.FlowMappingStartToken):
                stack.append(("{", token.start_mark))
            elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) and stack:
                stack.pop()
    except yaml.YAMLError:
        pass
    return stack[-1] if stack else None


SAFE_COMPOSE_DEPTH = 2_000  # libyaml's C composer crashed between 10,000 and 30,000 here
_INDENT = re.compile(r"^ *", re.MULTILINE)


def _depth_bound(text: str) -> int:
    """A cheap upper bound on nesting depth, so most files skip the event scan.

    Every level of nesting needs a flow opener, a block-sequence dash, an
    explicit-key mark, or more indentation (a block sequence may share its
    parent mapping's indentation, hence the factor 2).
    """
    indicators = text.count("[") + text.count("{") + text.count("-") + text.count("?")
    deepest_indent = max((len(m) for m in _INDENT.findall(text)), default=0)
    return indicators + 2 * (deepest_indent + 1)


def _prescan(text: str, name: str) -> None:
    """Refuse deep nesting and alias expansion past the limits before composing.

    libyaml's composer recurses in C (a few hundred thousand ``[`` would crash the
    process instead of raising), and the data built from a composed tree may repeat
    one node thousands of times.  One pass over the parser's events measures both,
    without building anything: an anchor's size (values and characters) is known
    when its node ends, and each alias adds it again, so the alias that goes over a
    limit is the one named.  A text that cannot nest deeply and has no anchor skips
    the pass.
    """
    deep = _depth_bound(text) > SAFE_COMPOSE_DEPTH
    anchored = "&" in text
    if not deep and not anchored:
        return  # the builder enforces MAX_DEPTH and the value count
    _ExpansionScan(name).run(text)


class _Frame:
    """An open collection of the event stream: what it holds so far."""

    __slots__ = ("anchor", "chars", "is_map", "position", "values")

    def __init__(self, anchor: str | None, is_map: bool) -> None:
        self.anchor = anchor
        self.is_map = is_map
        self.position = 0  # items seen; in a mapping, even positions are keys
        self.values = 0
        self.chars = 0


class _ExpansionScan:
    """Count values (as the builder counts them: keys excluded), characters and depth."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.value_limit = max_nodes()
        self.char_limit = max_expanded_chars()
        self.values = 0
        self.chars = 0
        self.anchors: dict[str, tuple[int, int]] = {}  # anchor -> (values, characters)
        self.stack: list[_Frame] = []

    def run(self, text: str) -> None:
        events: Iterator[Any] = yaml.parse(text, Loader=_Loader)  # stubs: plain Event
        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                counted = self.advance()
                size = len(event.value)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (1, size)
                self.add(1 if counted else 0, size, event)
            elif kind is yaml.AliasEvent:
                counted = self.advance()
                values, chars = self.anchors.get(event.anchor, (0, 0))
                self.add(values if counted else 0, chars, event)
            elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                counted = self.advance()
                self.add(1 if counted else 0, 0, event)
                if len(self.stack) >= MAX_DEPTH:
                    raise self.error(event, f"nested deeper than {MAX_DEPTH} levels",
                                     "yaml-depth")
                self.stack.append(_Frame(event.anchor, kind is yaml.MappingStartEvent))
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                frame = self.stack.pop()
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (frame.values + 1, frame.chars)
                if self.stack:
                    self.stack[-1].values += frame.values
                    self.stack[-1].chars += frame.chars

    def advance(self) -> bool:
        """Step past one node of the open collection; whether the builder counts it."""
        if not self.stack:
            return True
        frame = self.stack[-1]
        frame.position += 1
        return not (frame.is_map and frame.position % 2 == 1)

    def add(self, values: int, chars: int, event: yaml.Event) -> None:
        self.values += values
        self.chars += chars
        if self.stack:
            self.stack[-1].values += values
            self.stack[-1].chars += chars
        if self.values > self.value_limit:
            raise self.error(event, f"document expands to more than {self.value_limit:,} "
                             "values (an alias bomb?)", "yaml-too-many-values",
                             hint="set CSLEVELS_MAX_NODES to raise the limit")
        if self.chars > self.char_limit:
            raise self.error(
                event, f"aliases expand the document to more than {self.char_limit:,} "
                "characters (an alias bomb?)", "yaml-too-many-characters",
                hint=f"the limit is {EXPANSION_FACTOR} times CSLEVELS_MAX_FILE_BYTES; write "
                "repeated text out instead of repeating an alias")

    def error(self, event: yaml.Event, message: str, code: str,
              hint: str | None = None) -> InputError:
        mark = event.start_mark
        return InputError(message, path=self.name, line=mark.line + 1 if mark else None,
                          column=mark.column + 1 if mark else None, code=code, hint=hint)


def _char_at(text: str, mark: yaml.Mark) -> str | None:
    lines = text.splitlines()
    if 0 <= mark.line < len(lines) and 0 <= mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return None


class _Builder:
    """Turn a composed node tree into data, recording positions as it goes."""

    def __init__(self, doc: YamlDocument, limit: int) -> None:
        self.doc = doc
        self.limit = limit
        self.count = 0
        self.active: set[int] = set()

    def fail(self, node: yaml.Node, message: str, code: str, hint: str | None = None) -> InputError:
        mark = node.start_mark
        return InputError(
            message,
            path=self.doc.path,
            line=mark.line + 1,
            column=mark.column + 1,
            code=code,
            hint=hint,
        )

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > self.limit:
            # Point at the top-level field whose value blew up, not deep inside an anchor.
            line, column = self.doc.key_positions.get(loc[:1], (None, None))
            raise InputError(
                f"document expands to more than {self.limit:,} values (an alias bomb?)",
                path=self.doc.path,
                line=line if line is not None else node.start_mark.line + 1,
                column=column if column is not None else node.start_mark.column + 1,
                code="yaml-too-many-values",
                hint="set CSLEVELS_MAX_NODES to raise the limit",
            )
        # The collection at depth d (the top one is 1) has a location of length d - 1.
        if len(loc) >= MAX_DEPTH and not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"nested deeper than {MAX_DEPTH} levels", "yaml-depth")
        if loc not in self.doc.positions:
            self.doc.positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, loc)
        if id(node) in self.active:
            raise self.fail(node, "an alias refers to itself (cyclic alias)", "yaml-cyclic-alias")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ:
                    raise self.tag_error(node)
                return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                if node.tag != _MAP:
                    raise self.tag_error(node)
                return self.mapping(node, loc)
        finally:
            self.active.discard(id(node))
        raise self.fail(node, "unsupported YAML node", "yaml-node")  # pragma: no cover

    def tag_error(self, node: yaml.Node) -> InputError:
        if node.tag == "tag:yaml.org,2002:merge":
            return self.fail(
                node,
                "YAML merge keys (<<) are not supported",
                "yaml-merge",
                hint="write the fields out in full",
            )
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        return self.fail(
            node,
            f"YAML tag {tag} is not allowed; only plain data is accepted",
            "yaml-tag",
            hint="remove the tag",
        )

    def scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        tag = node.tag
        if tag == _STR:
            if _SURROGATE.search(node.value):  # only the pure-Python parser lets these through
                raise self.fail(node, "text holds an invalid character (a lone surrogate)",
                                "encoding")
            return node.value
        if tag not in _SCALAR_TAGS:
            raise self.tag_error(node)
        try:
            value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
        except (ValueError, OverflowError, KeyError, TypeError, yaml.YAMLError) as exc:
            kind = "date" if tag.endswith("timestamp") else tag.rsplit(":", 1)[-1]
            if isinstance(exc, ValueError) and "digits" in str(exc):
                reason = f"{len(node.value):,} characters is too long for a number"
            else:
                reason = str(exc)
            raise self.fail(
                node,
                f"invalid {kind} {shorten(node.value)!r}: {reason}",
                "yaml-value",
                hint="quote it to keep it as text",
            ) from None
        spelling = number_spelling(tag, node.value)
        if spelling is not None:
            raise self.fail(
                node, f"YAML 1.1 reads {shorten(node.value)} as {spelling}, {value!r}",
                "yaml-number",
                hint=f"write the number plainly ({value!r}), or put it in quotes to keep it "
                     f"as text: \"{shorten(node.value)}\"")
        if not node.style:  # plain: None from PyYAML's Python parser, '' from libyaml
            self.doc.plain_scalars[loc] = node.value
        return value

    def mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be a plain value", "yaml-key")
            key = self.scalar(key_node, (*loc, "<key>"))
            if not isinstance(key, Hashable):  # pragma: no cover - scalars are hashable
                raise self.fail(key_node, "unhashable key", "yaml-key")
            if key in result:
                first = self.doc.key_positions.get((*loc, key))
                where = f" (first at line {first[0]})" if first else ""
                raise self.fail(key_node, f"duplicate key {key!r}{where}", "duplicate-key")
            child = (*loc, key)
            mark = key_node.start_mark
            self.doc.key_positions[child] = (mark.line + 1, mark.column + 1)
            result[key] = self.build(value_node, child)
        self.doc.plain_scalars.pop((*loc, "<key>"), None)
        return result
