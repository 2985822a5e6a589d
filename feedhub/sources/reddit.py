"""The `reddit` source: a subreddit's or a user's public Atom listing (no credentials).

Reddit throttles clients that do not identify themselves in the form it asks for,
`<platform>:<app id>:<version> (<contact>)`, so this adapter sends its own User-Agent.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from feedhub import __version__
from feedhub.config import RedditSource
from feedhub.content.sanitize import html_to_text, sanitize_html
from feedhub.models import FetchState, Item, Media
from feedhub.sources.base import PollContext, PollResult, SourceAdapter
from feedhub.sources.feed import parse_feed
from feedhub.sources.social import card_html, explain
from feedhub.sources.values import SUMMARY_CHARS

# Reddit closes every entry with "submitted by /u/x [link] [comments]": it is cut, and the
# "[link]" target kept as a card when it leads elsewhere than the post.
_FOOTER_RE = re.compile(
    r'\s*submitted by\s*<a href="[^"]*/user/[^"]*"[^>]*>.*\[comments\]</a>\s*(</span>\s*)?$',
    re.DOTALL,
)
_LINK_RE = re.compile(r'<a href="([^"]+)"[^>]*>\[link\]</a>')
# An entry with a thumbnail is a one-row table: the thumbnail (a link around an <img>) in the
# first cell, the text (a self post's whole body) and the footer in the second. The table's
# markup goes and all its text stays; the thumbnail leaves the text for the item's media, where
# the media cache serves it as it serves every image.
_TABLE_RE = re.compile(r"<table>.*?</table>", re.DOTALL)
_THUMB_CELL_RE = re.compile(r"<td>\s*<a\b[^>]*>\s*(<img\b[^>]*>)\s*</a>\s*</td>")
_TABLE_TAG_RE = re.compile(r"</?(?:table|thead|tbody|tr|td)\b[^>]*>")
_ATTR_RE = re.compile(r'\s(src|alt)="([^"]*)"')
_CONTACT_RE = re.compile(r"\(([^()]*)\)\s*$")


class RedditAdapter(SourceAdapter):
    network = "reddit"
    default_base_url = "https://www.reddit.com"

    def __init__(self, source_id: str, cfg: RedditSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        if cfg.subreddit:
            name = cfg.subreddit.removeprefix("/").removeprefix("r/")
            self.label, self.path = f"r/{name}", f"/r/{quote(name)}/new/.rss"
        else:
            name = (cfg.user or "").removeprefix("/").removeprefix("u/").removeprefix("user/")
            self.label, self.path = f"u/{name}", f"/user/{quote(name)}/submitted/.rss"

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        result = await self.fetch_and_parse(
            ctx,
            self.base_url + self.path,
            parse_reddit,
            self.source_id,
            state=state,
            headers={"User-Agent": reddit_user_agent(ctx.fetcher.user_agent)},
            read_headers=True,
        )
        return explain(
            result,
            {
                403: f"{self.label} is private, quarantined or banned",
                404: f"{self.label} not found",
                429: "Reddit is throttling this server; the next poll waits as long as it asks",
            },
        )


def reddit_user_agent(service_agent: str) -> str:
    """Reddit's requested form, keeping the contact the service's own User-Agent gives."""
    contact = _CONTACT_RE.search(service_agent)
    suffix = f" ({contact.group(1)})" if contact else ""
    return f"server:feedhub:{__version__}{suffix}"


def parse_reddit(
    body: bytes, url: str, source_id: str, headers: Mapping[str, str] | None = None
) -> tuple[list[Item], dict[str, Any]]:
    """Items of a Reddit listing, without Reddit's per-entry footer; authors as u/name."""
    items, extra = parse_feed(body, url, source_id, "reddit", headers)
    return [_tidy(item) for item in items], extra


def _tidy(item: Item) -> Item:
    content = item.content_html
    link = _LINK_RE.search(content)
    thumbs: list[Media] = []
    body = _FOOTER_RE.sub("", _TABLE_RE.sub(lambda m: _untable(m[0], thumbs), content))
    target = link.group(1) if link else ""
    if target and target.rstrip("/") != item.url.rstrip("/"):
        body += card_html(target, urlsplit(target).hostname or target)
    content = sanitize_html(body.strip(), item.url)  # the cut may leave tags open: close them
    name = item.author.name.strip().removeprefix("/").removeprefix("u/")
    author = (
        dataclasses.replace(item.author, name=name, handle=f"u/{name}") if name else item.author
    )
    known = {m.url for m in item.media}
    media = tuple(
        dataclasses.replace(m, alt=m.alt or item.title)
        for m in (*item.media, *(t for t in thumbs if t.url not in known))
    )
    return dataclasses.replace(
        item,
        content_html=content,
        author=author,
        media=media,
        summary=html_to_text(content, SUMMARY_CHARS),
    )


def _untable(table: str, thumbs: list[Media]) -> str:
    """A sanitized table's contents without its markup; its thumbnails go to `thumbs`."""

    def cut(cell: re.Match[str]) -> str:
        attrs = {k: html.unescape(v) for k, v in _ATTR_RE.findall(cell[1])}
        if attrs.get("src"):
            thumbs.append(Media(url=attrs["src"], alt=attrs.get("alt", "")))
        return ""

    return _TABLE_TAG_RE.sub("", _THUMB_CELL_RE.sub(cut, table))
