"""Reading config.yaml within limits: a config is a small tree, so anything else is refused.

PyYAML's safe loader builds no objects, but it still expands aliases without bound (a
1 KB "billion laughs" file becomes gigabytes), recurses once per nesting level (a deep file
is a RecursionError), and lets a later key silently replace an earlier one (a second
`admin:` block empties the token). These limits make each of those a ConfigError naming
the line.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 1024 * 1024  # of the file
MAX_DEPTH = 32  # nested mappings and lists
MAX_EXPANDED = 2 * MAX_BYTES  # characters of the tree, every alias expanded


class YAMLLimitError(ValueError):
    """The file breaks one of the limits; the message says which and where."""


def _where(node: Node) -> str:
    return f"line {node.start_mark.line + 1}"


class _Loader(yaml.SafeLoader):
    """The safe loader with a depth limit while composing and no duplicate keys."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YAMLLimitError(f"line {mark.line + 1}: nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base class says so
            if first is not None:
                raise YAMLLimitError(
                    f"{_where(key_node)}: key {str(key)[:64]!r} is given "
                    f"twice (first on {_where(first)}); keep one"
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep)


def expanded_size(root: Node) -> int:
    """About how many characters the tree holds once every alias is expanded (computed
    without expanding: each shared node's size is counted once and reused)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not done and children:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        own = len(node.value) if isinstance(node.value, str) else 0
        sizes[id(node)] = min(MAX_EXPANDED + 1, 1 + own + sum(sizes[id(c)] for c in children))
    return sizes[id(root)]


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def load_yaml(text: str) -> Any:
    """The YAML document in `text`, or YAMLLimitError / yaml.YAMLError saying what is wrong."""
    if len(text) > MAX_BYTES:
        raise YAMLLimitError(f"larger than {MAX_BYTES // 1024} KB; a config is far smaller")
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        if expanded_size(root) > MAX_EXPANDED:
            raise YAMLLimitError(
                f"over {MAX_EXPANDED // 1024} KB once its aliases are expanded (an alias bomb?)"
            )
        return loader.construct_document(root)
    finally:
        loader.dispose()


def decode(raw: bytes) -> str:
    """The file's text, or YAMLLimitError when it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YAMLLimitError(
            f"line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from None
