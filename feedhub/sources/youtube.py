"""The `youtube` source: a channel's Atom feed (its newest 15 videos) with `media:` fields."""

from __future__ import annotations

import dataclasses
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from feedhub.config import YoutubeSource
from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html
from feedhub.models import FetchState, Item, stable_id
from feedhub.sources.base import PollContext, PollResult, SourceAdapter
from feedhub.sources.feed import parse_feed
from feedhub.sources.social import explain
from feedhub.sources.values import SUMMARY_CHARS

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
_URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")


class YoutubeAdapter(SourceAdapter):
    network = "youtube"
    default_base_url = "https://www.youtube.com"

    def __init__(self, source_id: str, cfg: YoutubeSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.channel_id = cfg.channel_id

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        url = f"{self.base_url}/feeds/videos.xml?" + urlencode({"channel_id": self.channel_id})
        result = await self.fetch_and_parse(
            ctx, url, parse_youtube, self.source_id, state=state, read_headers=True
        )
        return explain(result, {404: f"channel {self.channel_id} not found"})


def parse_youtube(
    body: bytes, url: str, source_id: str, headers: Mapping[str, str] | None = None
) -> tuple[list[Item], dict[str, Any]]:
    """Items of a channel feed: title, thumbnail (sized, the title as its alt) and the
    description as text with its links."""
    items, extra = parse_feed(body, url, source_id, "youtube", headers)
    descriptions = _descriptions(body)
    out = []
    for item in items:
        media = tuple(dataclasses.replace(m, alt=m.alt or item.title) for m in item.media)
        description = descriptions.get(item.id)
        if description is None:
            out.append(dataclasses.replace(item, media=media))
            continue
        content = sanitize_html(plain_to_html(description), item.url)
        out.append(
            dataclasses.replace(
                item,
                media=media,
                content_html=content,
                summary=html_to_text(content, SUMMARY_CHARS),
            )
        )
    return out, extra


def _descriptions(body: bytes) -> dict[str, str]:
    """`media:description` by item id. feedparser reads it as HTML, but it is plain text:
    line breaks and a literal "<" must survive, so it is read again here."""
    try:
        # Safe to read with ElementTree: parse_feed has already refused entity declarations.
        root = ET.fromstring(body)
    except ET.ParseError:
        return {}  # feedparser read what it could; keep its version
    found = {}
    for entry in root.iter(f"{ATOM}entry"):
        native_id = (entry.findtext(f"{ATOM}id") or "").strip()
        description = entry.findtext(f"{MEDIA}group/{MEDIA}description")
        if native_id and description is not None:
            found[stable_id(native_id)] = description
    return found


def plain_to_html(body: str) -> str:
    """Plain text as HTML: escaped, paragraphs and line breaks kept, URLs made links."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    return "".join(f"<p>{_linkify(p)}</p>" for p in paragraphs)


def _linkify(body: str) -> str:
    out, pos = [], 0
    for m in _URL_RE.finditer(body):
        out.append(html.escape(body[pos : m.start()]))
        href = safe_url(m.group(0))
        label = html.escape(m.group(0))
        out.append(f'<a href="{html.escape(href)}">{label}</a>' if href else label)
        pos = m.end()
    out.append(html.escape(body[pos:]))
    return "".join(out).replace("\n", "<br>")
