"""Items from feedparser-shaped feed and entry dicts, whichever reader made them."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from feedhub.content.sanitize import (
    html_to_text,
    safe_url,
    sanitize_html,
    sanitized_text,
    text_to_html,
)
from feedhub.models import Author, Item, Media, stable_id
from feedhub.sources.document import is_http
from feedhub.sources.identity import distinct
from feedhub.sources.values import SUMMARY_CHARS, as_int

# What a feed parser gives: the items, and hints for the scheduler and WebSub (ttl, hubs).
Parsed = tuple[list[Item], dict[str, Any]]


def build_parsed(
    feed: Any, entries: list[Any], url: str, source_id: str, network: str = "feed"
) -> Parsed:
    """Items and hints (ttl, hubs, self) from feedparser-shaped feed and entry dicts, whichever
    reader made them. They are read as plain mappings, without FeedParserDict's aliases.

    `url` is the document's base (its address); a local file has none, and its relative links
    resolve, past any xml:base, against the channel's link, as readers do."""
    feed_lang = feed.get("language", "")
    feed_author = feed.get("author_detail") or {}
    home = url if is_http(url) else safe_url(feed.get("link"))
    items = [_entry_item(e, home, source_id, network, feed_lang, feed_author) for e in entries]
    items = distinct(items, [e.get("id") or "" for e in entries])
    extra: dict[str, Any] = {"meta": {"hubs": _links(feed, "hub")}}
    self_links = _links(feed, "self")
    if self_links:
        extra["meta"]["self"] = self_links[0]
    ttl = feed.get("ttl")
    if ttl and str(ttl).strip().isdigit():
        extra["ttl"] = int(str(ttl).strip()) * 60.0
    return items, extra


def _links(feed: Any, rel: str) -> list[str]:
    return [
        link["href"]
        for link in feed.get("links", [])
        if link.get("rel") == rel and link.get("href")
    ]


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _entry_item(
    entry: Any, home: str, source_id: str, network: str, lang: str, feed_author: Any
) -> Item:
    content = _full(entry.get("content") or [])
    detail = content[0] if content else entry.get("summary_detail")
    base = (detail or {}).get("base") or ""
    if not is_http(base):  # no http base above it: a local file's, or a relative xml:base
        base = urljoin(home, base)
    raw = (detail or {}).get("value", "")
    is_html = "html" in ((detail or {}).get("type") or "text/html")
    content_html = sanitize_html(raw, base) if is_html else text_to_html(raw)
    title_detail = entry.get("title_detail") or {}
    title = entry.get("title", "")
    if "html" in (title_detail.get("type") or ""):
        title = html_to_text(title)
    link = safe_url(entry.get("link"), base)
    author = entry.get("author_detail") or feed_author
    # The summary: the entry's own when it has content beside it, else the content's text
    # (read from what the sanitizer wrote, not parsed a second time).
    summary_src = entry.get("summary", "") if content else ""
    # A FeedParserDict answers updated_parsed with published_parsed when it has none (the
    # same instant then: made once).
    published = _time(entry.get("published_parsed"))
    updated = _time(entry.get("updated_parsed")) if "updated_parsed" in entry else published
    return Item(
        id=stable_id(entry.get("id"), link, f"{title}\n{raw}"),
        source=source_id,
        url=link,
        title=title.strip(),
        content_html=content_html,
        summary=html_to_text(summary_src, SUMMARY_CHARS)
        if summary_src
        else sanitized_text(content_html, SUMMARY_CHARS),
        author=Author(
            name=author.get("name") or entry.get("author", ""),
            url=safe_url(author.get("href"), base),
        ),
        published=published or updated,
        updated=updated,
        media=tuple(_media(entry, base)),
        lang=(detail or {}).get("language") or lang or "",
        network=network,
    )


def _full(content: list[Any]) -> list[Any]:
    """The content values that hold something. Rule: a blank content value never hides a full
    one: an empty or whitespace-only `content:encoded` (podcast hosts write one beside a full
    description) counts as no content, and the summary is read as the content instead."""
    return [detail for detail in content if str(detail.get("value") or "").strip()]


def _media(entry: Any, base: str) -> list[Media]:
    """The entry's pictures and its enclosures; every enclosure is kept, with its MIME type
    and length, for the feed outputs to carry on (a podcast's audio)."""
    found: list[Media] = []
    seen: set[str] = set()

    def add(
        url: Any, kind: str, width: Any = None, height: Any = None, alt: str = "", **enc: Any
    ) -> None:
        url = safe_url(url, base, image=kind == "image")
        if url and url not in seen:
            seen.add(url)
            found.append(
                Media(
                    url=url,
                    type=kind,
                    width=as_int(width),
                    height=as_int(height),
                    alt=alt or "",
                    **enc,
                )
            )

    for thumb in entry.get("media_thumbnail", []):
        add(
            thumb.get("url"),
            "image",
            thumb.get("width"),
            thumb.get("height"),
            entry.get("media_description", "") or "",
        )
    for mc in entry.get("media_content", []):
        medium = mc.get("medium") or (mc.get("type") or "").split("/")[0]
        if medium == "image":
            add(mc.get("url"), "image", mc.get("width"), mc.get("height"))
    for enc in entry.get("links", []):  # what a FeedParserDict calls its enclosures
        if enc.get("rel") != "enclosure":
            continue
        mime = (enc.get("type") or "").strip().lower()
        kind = mime.split("/")[0]
        add(
            enc.get("href"),
            kind if kind in ("image", "audio") else "file",
            mime=mime,
            size=as_int(enc.get("length")),
        )
    return found
