"""The `feed` source: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed by hand.

Ordinary RSS and Atom feeds are read by `fastfeed`, which gives exactly feedparser's result
in a fraction of the time; it declines the rest, and feedparser reads those. Both readers
give feedparser-shaped dicts, which `build_parsed` alone turns into items. Both read the
body with the headers it was served with (its charset, base and language).
The parse functions here are pure (bytes in, items out) and run in a worker process.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping

import feedparser

from feedhub.config import FeedSource
from feedhub.models import FetchState
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.document import response_headers
from feedhub.sources.entries import Parsed, build_parsed
from feedhub.sources.fastfeed import parse_xml_feed
from feedhub.sources.jsonfeed import parse_json_feed
from feedhub.sources.xmlguard import (
    check_complete,
    close_root,
    ill_formed,
    refuse_entity_declarations,
)


class FeedAdapter(SourceAdapter):
    network = "feed"
    kept = False  # its URL, from the config, is all it holds

    def __init__(self, source_id: str, cfg: FeedSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        url = cfg.url
        if "://" not in url and not url.startswith("/"):
            url = f"{base_dir.rstrip('/')}/{url}"
        self.url = url

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        return await self.fetch_and_parse(
            ctx,
            self.url,
            parse_feed,
            self.source_id,
            self.network,
            state=state,
            read_headers=True,
        )


def parse_feed(
    body: bytes,
    url: str,
    source_id: str,
    network: str = "feed",
    headers: Mapping[str, str] | None = None,
) -> Parsed:
    """Items of an RSS, Atom, RDF or JSON feed, sanitized; plus hints (ttl, hubs). `url` is
    where the body came from (a path for a local file), `headers` the answer's
    `document_headers` (Content-Type with its charset, Content-Location, Content-Language)."""
    if not body.strip():
        raise ParseError("empty body")
    if body.removeprefix(codecs.BOM_UTF8).lstrip()[:1] == b"{":
        base = response_headers(url, headers).get("content-location", "")
        return parse_json_feed(body, base, source_id, network)
    refuse_entity_declarations(body)
    body = close_root(body)
    fast = parse_xml_feed(body, url, source_id, network, headers)
    return (
        fast if fast is not None else parse_with_feedparser(body, url, source_id, network, headers)
    )


def parse_with_feedparser(
    body: bytes,
    url: str,
    source_id: str,
    network: str = "feed",
    headers: Mapping[str, str] | None = None,
) -> Parsed:
    """Items of any RSS, Atom or RDF feed feedparser can read: the reference `fastfeed` meets."""
    served = response_headers(url, headers)
    parsed = feedparser.parse(
        body,
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers=served,
    )
    if ill_formed(parsed) and not parsed.entries and not parsed.feed.get("title"):
        raise ParseError(f"not a feed: {parsed.get('bozo_exception') or 'unreadable'}")
    if not parsed.version and not parsed.entries:
        raise ParseError("not an RSS, Atom or JSON feed")
    check_complete(parsed)
    return build_parsed(
        parsed.feed, parsed.entries, served.get("content-location", ""), source_id, network
    )
