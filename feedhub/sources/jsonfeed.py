"""JSON Feed 1.0 and 1.1 (feedparser does not read it), taken as readers take it.

Generators in the wild write `http://jsonfeed.org/version/1` or a bare `"1.1"` for the
version, start the file with a byte order mark, give RFC 822 dates, and put numbers, lists or
objects where strings belong. A document is refused only when it is not a JSON Feed at all; a
field of the wrong type is skipped, one by one, and the rest of its item kept.
Pure: runs in a parse worker.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html, text_to_html
from feedhub.models import Author, Item, Media, stable_id
from feedhub.sources.base import ParseError
from feedhub.sources.entries import Parsed
from feedhub.sources.identity import distinct
from feedhub.sources.values import SUMMARY_CHARS, as_str, iso_time, load_json


def parse_json_feed(body: bytes, url: str, source_id: str, network: str = "feed") -> Parsed:
    """Items and hints (hubs, self) of a JSON Feed; `url` is the base of relative links."""
    doc = load_json(body, dict)
    if not _json_feed_version(as_str(doc.get("version"))):
        raise ParseError("not a JSON Feed (no jsonfeed.org version)")
    raw_items = doc.get("items")
    if not isinstance(raw_items, list):
        raise ParseError("JSON Feed without an items list")
    base = safe_url(as_str(doc.get("home_page_url"))) or url
    feed_authors = _authors(doc, base)
    lang = as_str(doc.get("language"))
    readable = [raw for raw in raw_items if isinstance(raw, dict)]
    items = [_item(raw, base, source_id, network, feed_authors, lang) for raw in readable]
    items = distinct(items, [_native_id(raw) for raw in readable])
    hubs = [as_str(h.get("url")) for h in _list(doc.get("hubs")) if isinstance(h, dict)]
    meta: dict[str, Any] = {"hubs": [hub for hub in hubs if hub]}
    if as_str(doc.get("feed_url")):
        meta["self"] = doc["feed_url"]
    return items, {"meta": meta}


def _json_feed_version(version: str) -> bool:
    """The spec's version URL, or the bare number some generators write instead ("1.0",
    "1.1"): an object with another version, or none, is some other JSON."""
    return "jsonfeed.org/version/" in version or version.strip() in BARE_VERSIONS


BARE_VERSIONS = frozenset({"1", "1.0", "1.1"})


def feed_time(value: Any) -> datetime | None:
    """A UTC datetime from RFC 3339 (the spec's) or RFC 822 (what some generators write)."""
    parsed = iso_time(value)
    if parsed is not None or not isinstance(value, str):
        return parsed
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _native_id(raw: dict[str, Any]) -> str:
    """The item's id as text: a string, or the number many generators write."""
    value = raw.get("id")
    return str(value) if isinstance(value, str | int | float) and value != "" else ""


def _authors(obj: dict[str, Any], base: str) -> list[Author]:
    """1.1's `authors` list, else 1.0's `author` object; entries that are not objects skipped."""
    found = _list(obj.get("authors")) or [obj.get("author")]
    return [
        Author(
            name=as_str(a.get("name")),
            url=safe_url(as_str(a.get("url")), base),
            avatar=safe_url(as_str(a.get("avatar")), base, image=True),
        )
        for a in found
        if isinstance(a, dict)
    ]


def _item(
    raw: dict[str, Any],
    base: str,
    source_id: str,
    network: str,
    feed_authors: list[Author],
    lang: str,
) -> Item:
    link = safe_url(as_str(raw.get("url")) or as_str(raw.get("external_url")), base)
    html_src, text_src = as_str(raw.get("content_html")), as_str(raw.get("content_text"))
    if html_src:
        content_html = sanitize_html(html_src, base)
    else:
        content_html = text_to_html(text_src) if text_src else ""
    title = as_str(raw.get("title"))
    authors = _authors(raw, base) or feed_authors
    image = safe_url(as_str(raw.get("image")), base, image=True) or safe_url(
        as_str(raw.get("banner_image")), base, image=True
    )
    return Item(
        id=stable_id(_native_id(raw), link, f"{title}\n{html_src or text_src}"),
        source=source_id,
        url=link,
        title=title.strip(),
        content_html=content_html,
        summary=html_to_text(as_str(raw.get("summary")) or content_html, SUMMARY_CHARS),
        author=authors[0] if authors else Author(),
        published=feed_time(raw.get("date_published")) or feed_time(raw.get("date_modified")),
        updated=feed_time(raw.get("date_modified")),
        media=(Media(url=image, type="image"),) if image else (),
        lang=as_str(raw.get("language")) or lang,
        network=network,
    )
