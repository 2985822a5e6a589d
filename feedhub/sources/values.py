"""Small readers for upstream values, shared by every parser: lenient, never raising."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from feedhub.sources.base import ParseError

SUMMARY_CHARS = 280  # plain-text summary length, for every source


def as_int(value: Any) -> int | None:
    """An int from an int or a numeric string, else None."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def iso_time(value: Any) -> datetime | None:
    """A UTC datetime from an ISO 8601 string ("Z" or an offset; naive is taken as UTC)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_NAMES: dict[type, str] = {
    dict: "a JSON object",
    list: "a JSON array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def json_document(body: bytes | str) -> Any:
    """`json.loads`, whose every failure is a ParseError: bad JSON, bad UTF-8, and nesting
    deeper than Python's recursion limit (a hostile answer, not a bug to log)."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"not JSON: {exc}") from None
    except RecursionError:
        raise ParseError("not JSON feedhub reads: nested too deeply") from None


def load_json(body: bytes, kind: type[dict[str, Any]] | type[list[Any]]) -> Any:
    """The JSON document in `body`, which must be an object (`dict`) or array (`list`).

    JSON may escape lone surrogates ("\\ud800"), which no UTF-8 output can carry: they
    become U+FFFD here, once, rather than failing every render downstream.
    """
    doc = json_document(body)
    if not isinstance(doc, kind):
        got = _JSON_NAMES.get(type(doc), "a value")
        raise ParseError(f"expected {_JSON_NAMES[kind]}, got {got}")
    return _scrub(doc) if _SURROGATE_ESCAPE.search(body) else doc


def _scrub(node: Any) -> Any:
    if isinstance(node, str):
        return _SURROGATE.sub("\ufffd", node)
    if isinstance(node, dict):
        return {_scrub(k): _scrub(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_scrub(v) for v in node]
    return node
