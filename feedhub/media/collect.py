"""Every image URL an item makes a widget show, whatever source it came from.

Read from the common item model only (avatars, media and their previews, video thumbnails,
`<img>` and player iframes in sanitized content), so a new source type's images are cached
without any code of its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator

from feedhub.media import players
from feedhub.models import Item

# Sanitized HTML only: there every attribute value is double-quoted and holds no `"`.
TAG_RE = re.compile(r'<(img|iframe)\b((?:[^>"]|"[^"]*")*)>')
_ATTR_RE = re.compile(r'\s([a-z-]+)="([^"]*)"')


def attributes(tag_body: str) -> dict[str, str]:
    """The attributes of a sanitized start tag, unescaped."""
    return {name: html.unescape(value) for name, value in _ATTR_RE.findall(tag_body)}


def content_tags(fragment: str) -> Iterator[re.Match[str]]:
    """The `<img>` and `<iframe>` start tags of a sanitized fragment."""
    return TAG_RE.finditer(fragment) if "<i" in fragment else iter(())


def item_images(item: Item, youtube_origin: str = players.YOUTUBE_PLAYER) -> list[str]:
    """The image URLs `item` shows, each once, in the order a reader meets them."""
    found: list[str] = []
    for author in (item.author, item.reposted_by):
        if author is not None and author.avatar:
            found.append(author.avatar)
    player = players.from_item(item, youtube_origin)
    if player is not None and player.thumbnail:
        found.append(player.thumbnail)
    for m in item.media:
        # A picture is fetched at full size (feedhub makes its own smaller ones); of anything
        # else only its preview is an image.
        url = m.url if m.type == "image" else m.preview_url
        if url:
            found.append(url)
    for tag in content_tags(item.content_html):
        attrs = attributes(tag[2])
        if tag[1] == "img" and attrs.get("src"):
            found.append(attrs["src"])
        elif tag[1] == "iframe":
            embedded = players.from_iframe(attrs.get("src", ""), "", youtube_origin)
            if embedded is not None and embedded.thumbnail:
                found.append(embedded.thumbnail)
    return list(dict.fromkeys(u for u in found if u.startswith(("https://", "http://"))))


def images_of(
    items: Iterable[Item], youtube_origin: str = players.YOUTUBE_PLAYER, per_item: int = 0
) -> list[str]:
    """The image URLs of several items, each once; with `per_item`, only each item's first
    that many."""
    return list(
        dict.fromkeys(
            u
            for item in items
            for u in item_images(item, youtube_origin)[: per_item if per_item > 0 else None]
        )
    )
