"""Reading config.yaml within limits: a config is a small tree, so anything else is refused.

PyYAML's safe loader builds no objects, but it still expands aliases without bound (a
1 KB "billion laughs" file becomes gigabytes), recurses once per nesting level (a deep file
is a RecursionError, or worse in libyaml's composer), and lets a later key silently replace
an earlier one (a second `admin:` block empties the token). These limits make each of those a
ConfigError naming the line.

libyaml reads the file when PyYAML has it (seven times faster than the pure-Python reader: a
config of 10,000 sources is read in a tenth of a second, not in more than one); the depth
is then checked on its events, before any node is composed.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 1024 * 1024  # of the file
MAX_DEPTH = 32  # nested mappings and lists
MAX_EXPANDED = 2 * MAX_BYTES  # characters of the tree, every alias expanded


class YAMLLimitError(ValueError):
    """The file breaks one of the limits; the message says which and where."""


def _where(node: Node) -> str:
    return f"line {node.start_mark.line + 1}"


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def check_depth(text: str) -> bool:
    """YAMLLimitError when mappings and lists nest deeper than MAX_DEPTH, read from the
    parser's events (a flat stream: nothing recurses); else whether the file uses aliases."""
    depth, aliases = 0, False
    try:
        for event in yaml.parse(text, Loader=_Base):
            if isinstance(event, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else 0
                    raise YAMLLimitError(f"line {line}: nested deeper than {MAX_DEPTH} levels")
            elif isinstance(event, _CLOSE):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases = True
    except yaml.MarkedYAMLError as exc:
        # libyaml stops far deeper down on its own (at 1,000 levels), reading ahead.
        if "nesting depth" not in str(exc.problem or ""):
            raise
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise YAMLLimitError(f"line {line}: nested deeper than {MAX_DEPTH} levels") from None
    return aliases


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader without duplicate keys (the depth is checked before it composes)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            # A string key is its node's text: read as such, not constructed twice (a config of
            # 10,000 sources has 60,000 keys).
            if key_node.tag == _STR and isinstance(key_node, ScalarNode):
                key = key_node.value
            else:
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
    # Without aliases the tree holds at most twice the file's characters (a node and its
    # value), within MAX_EXPANDED: only a file with aliases is measured.
    aliases = check_depth(text)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        if aliases and expanded_size(root) > MAX_EXPANDED:
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
