"""One post once: the copies of a post cross-posted to several networks, merged.

Two items of a widget are copies when they have the same URL (one entry in two feeds), or
when they were published within `WINDOW` of each other and either share the first outside
link of their text (a blog post announced on every network) or say the same once links,
tags and punctuation are set aside (one may be cut short, as X cuts). The copy from the
source listed first in the widget is shown, where the newest copy would be, and carries the
others' networks and URLs in `extra["also_on"]`. Pure: no I/O.

Copies are only ever looked for across sources, never two items of one source: a source's
own items are its author's distinct posts even when they share a URL (anchors on one daily
page, a sponsor post and the post it links, entries sharing a guid).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from feedhub.config import PLATFORMS
from feedhub.content.sanitize import sanitized_text
from feedhub.models import Item

WINDOW = timedelta(minutes=5)
MIN_TEXT = 24  # shorter texts ("Good morning!") are too common to mean the same post
_HREF_RE = re.compile(r"""<a\s[^>]*?href=["']([^"']+)["']""", re.IGNORECASE)
_URL_RE = re.compile(r"https?://\S+|\b[\w.-]+\.[a-z]{2,}/\S*", re.IGNORECASE)
_NOISE_RE = re.compile(r"[#@]\w[\w.@-]*|[^\w]+", re.UNICODE)
_TRACKING = ("utm_", "fbclid", "gclid", "mc_")


def normal_url(url: str) -> str:
    """A URL reduced to what names the page: no scheme, `www.`, fragment, tracking
    parameters or trailing slash."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith(_TRACKING))
    host = parts.hostname.removeprefix("www.")
    return urlunsplit(("", host, parts.path.rstrip("/"), query, ""))


def outside_link(item: Item) -> str:
    """The first link of the item's text that leaves its network (not a mention or tag)."""
    own = urlsplit(item.url).hostname or ""
    for href in _HREF_RE.findall(item.content_html):
        host = urlsplit(href).hostname or ""
        if host and host != own and "/tags/" not in href and "/hashtag/" not in href:
            return normal_url(href)
    return ""


def normal_text(item: Item) -> str:
    """The words of a post, lowercased, without links, mentions, tags or punctuation."""
    text = item.title if PLATFORMS.has_titles(item.network) else ""
    text = text or sanitized_text(item.content_html) or item.summary
    return " ".join(_NOISE_RE.sub(" ", _URL_RE.sub(" ", text)).casefold().split())


def _same_text(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return len(short) >= MIN_TEXT and long.startswith(short)


@dataclasses.dataclass(slots=True)
class _Post:
    item: Item
    url: str
    link: str
    text: str
    copies: list[Item]
    sources: set[str]  # one copy at most from each


def merge_crossposts(items: Iterable[Item], rank: Mapping[str, int]) -> list[Item]:
    """`items` in their order with each post's copies folded into one; `rank` orders the
    widget's sources (the lowest is the copy shown)."""
    posts: list[_Post] = []
    for item in items:
        url, link, text = normal_url(item.url), outside_link(item), normal_text(item)
        for post in posts:
            if item.source not in post.sources and (
                url
                and url == post.url
                or _close(post.item, item)
                and (
                    post.item.network != item.network
                    and (link and link == post.link or _same_text(post.text, text))
                )
            ):
                post.copies.append(item)
                post.sources.add(item.source)
                break
        else:
            posts.append(_Post(item, url, link, text, [], {item.source}))
    return [_with_copies(p, rank) for p in posts]


def _close(a: Item, b: Item) -> bool:
    return abs(a.sort_time - b.sort_time) <= WINDOW


def _with_copies(post: _Post, rank: Mapping[str, int]) -> Item:
    if not post.copies:
        return post.item
    shown, *others = sorted([post.item, *post.copies], key=lambda it: rank.get(it.source, 0))
    seen = {shown.network}
    also = []
    for copy in others:
        if copy.network not in seen and copy.url:
            seen.add(copy.network)
            also.append({"network": copy.network, "url": copy.url})
    return dataclasses.replace(shown, extra={**shown.extra, "also_on": also}) if also else shown
