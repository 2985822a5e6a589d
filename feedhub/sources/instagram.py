"""The `instagram` source: a professional account's posts through the Instagram API with
Instagram Login (`GET /me/media` on graph.instagram.com), with a long-lived token that
feedhub renews before its 60 days run out."""

from __future__ import annotations

from typing import Any, ClassVar

from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html
from feedhub.models import Author, Item, Media, stable_id
from feedhub.sources.base import ParseError, ParseFn
from feedhub.sources.graph import AFTER, GRAPH_ID, GraphAdapter, children, graph_page
from feedhub.sources.posts import caption_html, page_link
from feedhub.sources.social import text
from feedhub.sources.values import SUMMARY_CHARS, iso_time

SITE = "https://www.instagram.com"
VERSION = "v22.0"
CHILD_FIELDS = "id,media_type,media_url,thumbnail_url"
FIELDS = (
    "id,caption,media_type,media_url,thumbnail_url,permalink,timestamp,username,"
    f"children{{{CHILD_FIELDS}}}"
)
ALT_CHARS = 120  # Instagram gives no alt text through this API: the caption's start stands in
TAG = page_link(SITE + "/explore/tags/{}/")
USER = page_link(SITE + "/{}/")


def parse_media(body: bytes, url: str, source_id: str) -> tuple[list[Item], dict[str, Any]]:
    """Items of a `/me/media` page, and the cursor of the next page."""
    data, after = graph_page(body)
    return [media_item(m, source_id) for m in data], {"meta": {AFTER: after}}


class InstagramAdapter(GraphAdapter):
    network = "instagram"
    platform = "Instagram"
    default_base_url = "https://graph.instagram.com"
    renew_grant = "ig_refresh_token"
    token_help = (
        "https://developers.facebook.com/apps (your app > Instagram > API setup"
        " with Instagram login > Generate token)"
    )
    parse: ClassVar[ParseFn] = staticmethod(parse_media)

    def edge(self) -> tuple[str, dict[str, str]]:
        return f"/{VERSION}/me/media", {"fields": FIELDS}


def media_item(node: dict[str, Any], source_id: str) -> Item:
    """One media object (an image, a video, or a carousel of them) as an item."""
    if not text(node.get("id")):
        raise ParseError("a media object without an id")
    url = safe_url(text(node.get("permalink")))
    caption = text(node.get("caption"))
    content = sanitize_html(caption_html(caption, TAG, USER), url)
    summary = html_to_text(content, SUMMARY_CHARS)
    alt = html_to_text(content, ALT_CHARS)
    parts = children(node) if node.get("media_type") == "CAROUSEL_ALBUM" else [node]
    username = text(node.get("username"))
    return Item(
        id=stable_id(f"instagram:{text(node.get('id'))}"),
        source=source_id,
        url=url,
        content_html=content,
        summary=summary,
        author=Author(
            name=username,
            handle=f"@{username}" if username else "",
            url=USER(username) if username else "",
        ),
        published=iso_time(node.get("timestamp")),
        media=tuple(m for m in (graph_media(p, alt) for p in parts) if m),
        network="instagram",
        extra={GRAPH_ID: text(node.get("id"))},
    )


def graph_media(node: dict[str, Any], alt: str) -> Media | None:
    """An image, or a video by its thumbnail (Threads and Instagram name them alike)."""
    kind = text(node.get("media_type"))
    image = safe_url(text(node.get("media_url")), image=True)
    if kind == "IMAGE" and image:
        return Media(url=image, type="image", alt=alt)
    thumb = safe_url(text(node.get("thumbnail_url")), image=True)
    if kind == "VIDEO" and thumb:  # without its thumbnail a video has nothing to show
        return Media(
            url=safe_url(text(node.get("media_url"))) or thumb,
            type="video",
            alt=alt,
            preview_url=thumb,
        )
    return None
