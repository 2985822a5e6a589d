"""The `feed` source: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed 1.1 by hand.

Ordinary RSS and Atom feeds are read by `fastfeed`, which gives exactly feedparser's result
in a fraction of the time; it declines the rest, and feedparser reads those. Both readers
give feedparser-shaped dicts, which `build_parsed` alone turns into items.
The parse functions here are pure (bytes in, items out) and run in a worker process.
"""

from __future__ import annotations

from typing import Any

import feedparser

from feedhub.config import FeedSource
from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html, text_to_html
from feedhub.models import Author, FetchState, Item, Media, stable_id
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.entries import Parsed, build_parsed
from feedhub.sources.fastfeed import parse_xml_feed
from feedhub.sources.values import SUMMARY_CHARS, as_str, iso_time, load_json
from feedhub.sources.xmlguard import check_complete, refuse_entity_declarations


class FeedAdapter(SourceAdapter):
    network = "feed"

    def __init__(self, source_id: str, cfg: FeedSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        url = cfg.url
        if "://" not in url and not url.startswith("/"):
            url = f"{base_dir.rstrip('/')}/{url}"
        self.url = url

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        return await self.fetch_and_parse(
            ctx, self.url, parse_feed, self.source_id, self.network, state=state
        )


def parse_feed(body: bytes, url: str, source_id: str, network: str = "feed") -> Parsed:
    """Items of an RSS, Atom, RDF or JSON feed, sanitized; plus hints (ttl, hubs)."""
    if not body.strip():
        raise ParseError("empty body")
    if body.lstrip()[:1] == b"{":
        return parse_json_feed(body, url, source_id, network)
    refuse_entity_declarations(body)
    fast = parse_xml_feed(body, url, source_id, network)
    return fast if fast is not None else parse_with_feedparser(body, url, source_id, network)


def parse_with_feedparser(body: bytes, url: str, source_id: str, network: str = "feed") -> Parsed:
    """Items of any RSS, Atom or RDF feed feedparser can read: the reference `fastfeed` meets."""
    parsed = feedparser.parse(
        body,
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers={"content-location": url},
    )
    if parsed.bozo and not parsed.entries and not parsed.feed.get("title"):
        raise ParseError(f"not a feed: {parsed.get('bozo_exception') or 'unreadable'}")
    if not parsed.version and not parsed.entries:
        raise ParseError("not an RSS, Atom or JSON feed")
    check_complete(parsed)
    return build_parsed(parsed.feed, parsed.entries, url, source_id, network)


def parse_json_feed(body: bytes, url: str, source_id: str, network: str = "feed") -> Parsed:
    """JSON Feed 1.0/1.1 (feedparser does not read it)."""
    doc = load_json(body, dict)
    if not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise ParseError("not a JSON Feed (no jsonfeed.org version)")
    raw_items = doc.get("items")
    if not isinstance(raw_items, list):
        raise ParseError("JSON Feed without an items list")
    base = safe_url(doc.get("home_page_url")) or url
    feed_authors = _json_authors(doc, base)
    items = []
    for raw in raw_items:
        if not isinstance(raw, dict):
            continue
        items.append(_json_item(raw, base, source_id, network, feed_authors,
                                str(doc.get("language") or "")))
    hubs = [h.get("url") for h in doc.get("hubs") or [] if isinstance(h, dict) and h.get("url")]
    meta: dict[str, Any] = {"hubs": hubs}
    if doc.get("feed_url"):
        meta["self"] = str(doc["feed_url"])
    return items, {"meta": meta}


def _json_authors(obj: dict[str, Any], base: str) -> list[Author]:
    raw = obj.get("authors") or ([obj["author"]] if isinstance(obj.get("author"), dict) else [])
    return [
        Author(name=str(a.get("name") or ""), url=safe_url(a.get("url"), base),
               avatar=safe_url(a.get("avatar"), base, image=True))
        for a in raw if isinstance(a, dict)
    ]


def _json_item(raw: dict[str, Any], base: str, source_id: str, network: str,
               feed_authors: list[Author], lang: str) -> Item:
    link = safe_url(raw.get("url") or raw.get("external_url"), base)
    html_src = raw.get("content_html")
    text_src = raw.get("content_text")
    if isinstance(html_src, str):
        content_html = sanitize_html(html_src, base)
    elif isinstance(text_src, str):
        content_html = text_to_html(text_src)
    else:
        content_html = ""
    summary = as_str(raw.get("summary"))
    title = as_str(raw.get("title"))
    authors = _json_authors(raw, base) or feed_authors
    media = []
    for key in ("image", "banner_image"):
        img = safe_url(raw.get(key), base, image=True)
        if img:
            media.append(Media(url=img, type="image"))
            break
    native_id = raw.get("id")
    return Item(
        id=stable_id(str(native_id) if native_id not in (None, "") else None, link,
                     f"{title}\n{html_src or text_src or ''}"),
        source=source_id,
        url=link,
        title=title.strip(),
        content_html=content_html,
        summary=html_to_text(summary or content_html, SUMMARY_CHARS),
        author=authors[0] if authors else Author(),
        published=iso_time(raw.get("date_published")) or iso_time(raw.get("date_modified")),
        updated=iso_time(raw.get("date_modified")),
        media=tuple(media),
        lang=str(raw.get("language") or lang),
        network=network,
    )
