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

_ROOT_RE = re.compile(r"<[A-Za-z_]")
_ROOT_NAME_RE = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_OPEN_END_TAG_RE = re.compile(rb"</([A-Za-z_][\w.:-]*)\s*$")
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Without a BOM, the first "<" of the document tells a 16- or 32-bit encoding apart.
_UNMARKED = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
# expat's messages for a document that ends inside an element or a tag: it was cut short.
_TRUNCATED = ("no element found", "unclosed token")


def _text(body: bytes) -> str:
    """The document as text, as far as the prolog needs: in its 16- or 32-bit encoding when
    it has one, else byte for byte (every other encoding feeds accept keeps ASCII as is)."""
    head = body[:4]
    for mark, codec in (*_BOMS, *_UNMARKED):
        if head.startswith(mark):
            return body[len(mark) if (mark, codec) in _BOMS else 0 :].decode(codec, "replace")
    return body.decode("latin-1")


def refuse_entity_declarations(body: bytes) -> None:
    """A DOCTYPE that declares entities (expansion bombs, external files) is refused,
    whatever the encoding, and comments cannot hide one."""
    text = _COMMENT_RE.sub("", _text(body))
    root = _ROOT_RE.search(text)
    prolog = text[: root.start()] if root else text
    if "<!entity" in prolog.lower():
        raise ParseError(
            "refused: the DOCTYPE declares entities (expansion bomb or external entity)"
        )


def close_root(body: bytes) -> bytes:
    """A document whose very last tag is its root element's end tag, whole but for the final
    `>` (`...</feed`), gets that `>`: every element inside it was closed, so nothing of it was
    cut. Any other document that ends early stays as it is, to be refused as truncated
    (`check_complete`). Only encodings that keep ASCII as is are looked at."""
    tail = body.rstrip()
    end = _OPEN_END_TAG_RE.search(tail[-256:])
    if end is None or body[:4].startswith(tuple(mark for mark, _ in (*_BOMS, *_UNMARKED))):
        return body
    text = _COMMENT_RE.sub("", body.decode("latin-1")).encode("latin-1")
    start = re.search(rb"<(?![?!])", text)
    root = _ROOT_NAME_RE.match(text, start.start()) if start else None
    if root is None or root.group(1) != end.group(1):
        return body
    return tail + b">"


def ill_formed(parsed: Any) -> bool:
    """Whether feedparser had to read the document with its lenient parser: it is not
    well-formed XML (or in no charset it knows). A Content-Type that is not XML's, or a
    document whose bytes are not in the charset it was declared in, is read strictly."""
    return bool(parsed.get("bozo")) and not isinstance(
        parsed.get("bozo_exception"), CharacterEncodingOverride | NonXMLContentType
    )


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
