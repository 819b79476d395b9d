"""A fast YAML path for clean files: libyaml's loader, no positions, narrowed to what
the positioned loader (``cslevels.files.yamlio``) accepts.

``summary`` reads portfolios of 100,000 files; most are clean, and building
positions for each costs more than the rest of the work.  A file this loader
refuses, or one that might expand aliases or nest deeply, goes to the positioned
loader, which reports its errors with file:line:column.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

FAST_MAX_NESTING = 2000  # far below the depth where libyaml's recursive composer crashes


@cache
def fast_loader() -> Any:
    """libyaml's safe loader, narrowed to what the full path accepts (None without libyaml).

    The document is built straight from libyaml's nodes, as ``yamlio`` does but
    without positions: only plain scalars, lists and mappings with scalar keys;
    any other tag (``!!set``, ``!!binary``, merge keys ``<<``, custom tags), a
    number the full path refuses (``010``, ``0x2``: ``yamlio.number_spelling``) and
    any repeated key is an error.  Plain scalars are resolved through a small
    cache, since portfolios repeat the same keys and values in every file.
    """
    try:
        from yaml import CSafeLoader
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        return None
    from yaml.constructor import ConstructorError, SafeConstructor
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    from cslevels.files.yamlio import number_spelling

    prefix = "tag:yaml.org,2002:"
    text_tag, list_tag, map_tag = f"{prefix}str", f"{prefix}seq", f"{prefix}map"
    int_tag = f"{prefix}int"
    scalars = {f"{prefix}{name}": SafeConstructor.yaml_constructors[f"{prefix}{name}"]
               for name in ("null", "bool", "int", "float", "timestamp")}
    resolved: dict[str, str] = {}
    if CSafeLoader.yaml_path_resolvers:  # pragma: no cover - someone registered one
        return None

    class FastLoader(CSafeLoader):
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode and implicit[0]:  # plain: the tag depends on the text only
                if value in resolved:
                    return resolved[value]
                tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
                if len(value) <= 64 and len(resolved) < 10_000:
                    resolved[value] = tag
                return tag
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]

        # PyYAML's path resolvers are never registered here: skip their two calls a node.
        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

        def construct_document(self, node: Any) -> Any:
            return self.build(node)

        def build(self, node: Any) -> Any:
            kind, tag = node.__class__, node.tag
            if kind is ScalarNode:
                if tag == text_tag:
                    return node.value
                value = node.value
                if tag == int_tag and value.isascii() and value.isdigit() and (
                        value[0] != "0" or value == "0"):
                    return int(value)  # plain decimal, what the constructor would make of it
                if tag not in scalars or number_spelling(tag, value) is not None:
                    raise ConstructorError(None, None, f"tag {tag}", node.start_mark)
                return scalars[tag](self, node)
            if kind is MappingNode and tag == map_tag:
                mapping: dict[Any, Any] = {}
                for key_node, value_node in node.value:
                    if key_node.__class__ is not ScalarNode:
                        raise ConstructorError(None, None, "complex key", key_node.start_mark)
                    key = self.build(key_node)
                    if key in mapping:
                        raise ConstructorError(None, None, "duplicate key", key_node.start_mark)
                    mapping[key] = self.build(value_node)
                return mapping
            if kind is SequenceNode and tag == list_tag:
                return [self.build(item) for item in node.value]
            raise ConstructorError(None, None, f"tag {tag}", node.start_mark)

    return FastLoader


# Where a line starts, what may come before a block collection on it: indentation and
# the indicators of compact collections ("- - a", "? - a", ": - a"), after any line break.
_BLOCK_PREFIX = re.compile("(?:^|[\r\n\x85\u2028\u2029])[ \t?:-]*")


def nesting_bound(text: str) -> int:
    """An upper bound on how deeply ``text`` can nest, without parsing it.

    Flow collections need a bracket each.  Block collections need more
    indentation at least every second level, and begin a line or follow only
    indicators on it, so the longest such prefix of a line bounds them (the
    longest line, a quicker bound, often does).
    """
    flow = text.count("[") + text.count("{")
    quick = flow + 2 * max(map(len, text.split("\n"))) + 2
    if quick <= FAST_MAX_NESTING:
        return quick
    return flow + 2 * max(map(len, _BLOCK_PREFIX.findall(text))) + 2


