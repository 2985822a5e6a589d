"""Checks on XML answers before and after feedparser reads them: pure functions.

feedparser (expat, then its lenient fallback) neither expands external entities nor blows up
on nested ones, but it quietly turns such documents, and truncated ones, into odd items.
These make them source errors instead, so a widget keeps its last good items.
"""

from __future__ import annotations

import re
from typing import Any

from feedparser.exceptions import CharacterEncodingOverride, NonXMLContentType

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


def ill_formed(parsed: Any) -> bool:
    """Whether feedparser had to read the document with its lenient parser: it is not
    well-formed XML (or in no charset it knows). A Content-Type that is not XML's, or a
    document whose bytes are not in the charset it was declared in, is read strictly."""
    return bool(parsed.get("bozo")) and not isinstance(
        parsed.get("bozo_exception"), CharacterEncodingOverride | NonXMLContentType)


def check_complete(parsed: Any) -> None:
    """An ill-formed document that is cut short, or whose entries hold nothing readable, is
    malformed: its "entries" are debris. A well-formed one is taken as it is."""
    if not ill_formed(parsed):
        return
    error = parsed.get("bozo_exception")
    message = str(getattr(error, "getMessage", lambda: error)() or "")
    if message.startswith(_TRUNCATED):
        raise ParseError(f"truncated document ({message})")
    entries = parsed.get("entries") or []
    if entries and not any(
        e.get("title") or e.get("link") or e.get("id") or e.get("summary") or e.get("content")
        for e in entries
    ):
        raise ParseError(f"no readable entries ({message or 'malformed XML'})")
