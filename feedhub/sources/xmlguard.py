"""Checks on XML answers before and after feedparser reads them: pure functions.

feedparser (expat, then its lenient fallback) neither expands external entities nor blows up
on nested ones, but it quietly turns such documents, and truncated ones, into odd items.
These make them source errors instead, so a widget keeps its last good items.
"""

from __future__ import annotations

import re
from typing import Any

from feedhub.sources.base import ParseError

_ROOT_RE = re.compile(rb"<[A-Za-z_]")
# expat's messages for a document that ends inside an element or a tag: it was cut short.
_TRUNCATED = ("no element found", "unclosed token")


def refuse_entity_declarations(body: bytes) -> None:
    """A DOCTYPE that declares entities (expansion bombs, external files) is refused."""
    root = _ROOT_RE.search(body)
    prolog = body[: root.start()] if root else body
    if b"<!entity" in prolog.lower():
        raise ParseError("refused: the DOCTYPE declares entities (expansion bomb or "
                         "external entity)")


def check_complete(parsed: Any) -> None:
    """A truncated document, or one whose entries hold nothing readable, is malformed."""
    error = parsed.get("bozo_exception")
    message = str(getattr(error, "getMessage", lambda: error)() or "")
    if parsed.get("bozo") and message.startswith(_TRUNCATED):
        raise ParseError(f"truncated document ({message})")
    entries = parsed.get("entries") or []
    if parsed.get("bozo") and entries and not any(
        e.get("title") or e.get("link") or e.get("id") or e.get("summary") or e.get("content")
        for e in entries
    ):
        raise ParseError(f"no readable entries ({message or 'malformed XML'})")
