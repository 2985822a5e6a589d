"""Item rows as SQLite keeps them: an item's canonical JSON (`item_json`), deflated against a
preset dictionary, behind a one-byte mark that names the encoding.

An item's JSON is mostly the same keys and empty values in the same order (it is sorted), and
its text repeats between `content_html` and `summary`; deflate with a dictionary that holds
that skeleton stores those as a few bytes of back-references, so a row takes about a quarter
of its JSON. The text inside is the canonical JSON with the item's `id` and `source` left out
(the row's key holds them, ~20 bytes of a row once deflated), which the reader puts back from
the key: what a row decodes to, and the digest of a source's items, are what they were.

Rows written before (JSON text, which starts with `{`) read as they always did; a mark this
release does not know is a row that cannot be read (`feedhub.store.rows`), never a guess.
The dictionary of a mark never changes: a new one takes a new mark.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from feedhub.models import Item

DEFLATED_V1 = 1  # raw deflate (no zlib header: the mark says what it is) against _ZDICT_V1
_MARK_V1 = bytes((DEFLATED_V1,))
_LEVEL = 6  # 9 saves under 1% on rows this small, for more time

# The most common text last: deflate reaches the nearest copy with the shortest distance.
_ZDICT_V1 = (
    b'{"alt": "", "height": null, "mime": "image/jpeg", "preview_url": "", "size": null, '
    b'"type": "image", "url": "https://", "width": null}, {"alt": "", "height": '
    b'"mastodon", "bluesky", "youtube", "reddit", "instagram", "tiktok", "threads"'
    b'<p><a href="https://www. target="_blank" rel="noopener noreferrer nofollow ugc">'
    b"</a></p><p><br><strong></strong><em></em><img src=https://</li></ul><blockquote>"
    b" the and of to in is that for with on it was as this you are at by from be have "
    b'.com/ .org/ https://www. ?utm_source= #@ "extra": {}, '
    b'{"author": {"avatar": "https://", "handle": "", "name": "", "url": "https://"}, '
    b'"content_html": "<p>", "content_warning": "", "extra": {}, "id": "", "lang": "en", '
    b'"likes": 0, "media": [], "network": "feed", "pinned": false, "published": '
    b'"2026-01-01T00:00:00+00:00", "replies": 0, "reply": false, "repost": false, '
    b'"reposted_by": null, "reposts": 0, "sensitive": false, "source": "", "summary": "", '
    b'"title": "", "updated": "2026-01-01T00:00:00+00:00", "url": "https://'
)


def pack(text: str, item_id: str | None = None, source: str | None = None) -> bytes:
    """The compact row of an item's canonical JSON; `item_id` and `source`, when given, are
    the row's key and are left out of it (the reader gives them back: `with_key`)."""
    # In canonical JSON (sorted keys) the item's own `id` is the last `"id": …` followed by
    # `"lang"` (no later value is an object that could hold one), and its `source` the last
    # followed by `"summary"`: the exact text to take out.
    if item_id is not None:
        text = _without(text, "id", item_id, "lang")
    if source is not None:
        text = _without(text, "source", source, "summary")
    deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15, zdict=_ZDICT_V1)
    return _MARK_V1 + deflate.compress(text.encode()) + deflate.flush()


def _without(text: str, name: str, value: str, after: str) -> str:
    part = f'"{name}": {json.dumps(value)}, "{after}": '
    at = text.rfind(part)
    return text if at < 0 else text[:at] + f'"{after}": ' + text[at + len(part) :]


def with_key(data: Any, item_id: str, source: str) -> Any:
    """An item row's data with the key's `id` and `source` where the row left them out."""
    data.setdefault("id", item_id)
    data.setdefault("source", source)
    return data


def unpack(row: str | bytes) -> str | bytes:
    """The JSON a stored item row holds (compact or written before as JSON text); raises
    ValueError for a row that is neither, or whose deflated stream is damaged or cut."""
    if isinstance(row, str) or row[:1] != _MARK_V1:
        if row[:1] not in ("{", b"{"):
            raise ValueError(f"unknown item row encoding (it starts {row[:1]!r})")
        return row
    inflate = zlib.decompressobj(-15, zdict=_ZDICT_V1)
    try:
        text = inflate.decompress(row[1:]) + inflate.flush()
    except zlib.error as exc:
        raise ValueError(f"damaged compact item row ({exc})") from exc
    if not inflate.eof or inflate.unused_data:
        raise ValueError("damaged compact item row (its deflated stream is cut or overlong)")
    return text


def holds_json(row: object) -> bool:
    """Whether a stored row (compact or JSON text) reads as JSON: what checks and recovery keep."""
    try:
        json.loads(unpack(row))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def item_rows(items: list[Item], texts: list[str]) -> list[bytes]:
    """Each item's row, keyed by its own `id` and `source`: made in a parse worker (the
    SQLite store's `row_maker`); the store packs again an item it keeps under another source."""
    return [pack(text, it.id, it.source) for it, text in zip(items, texts, strict=True)]
