"""The `facebook` source: a Page's posts through the Graph API (`GET /{page_id}/posts`) with
a page access token. Attachments become media (albums all their photos) or a link card."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html
from feedhub.models import Author, Item, Media, stable_id
from feedhub.sources.base import ParseError, ParseFn
from feedhub.sources.graph import AFTER, GRAPH_ID, GraphAdapter, graph_page
from feedhub.sources.instagram import ALT_CHARS
from feedhub.sources.posts import caption_html, page_link
from feedhub.sources.social import arr, card_html, obj, text
from feedhub.sources.values import SUMMARY_CHARS, as_int, iso_time

SITE = "https://www.facebook.com"
VERSION = "v22.0"
FIELDS = (
    "id,message,created_time,permalink_url,full_picture,from{id,name},"
    "attachments{media_type,media,url,title,description,subattachments}"
)
TAG = page_link(SITE + "/hashtag/{}")
VIDEO_TYPES = {"video", "video_inline", "video_autoplay", "animated_image_video"}


def parse_posts(body: bytes, url: str, source_id: str) -> tuple[list[Item], dict[str, Any]]:
    """Items of a `/{page_id}/posts` page, and the cursor of the next page."""
    data, after = graph_page(body)
    return [post_item(p, source_id) for p in data], {"meta": {AFTER: after}}


class FacebookAdapter(GraphAdapter):
    network = "facebook"
    platform = "Facebook"
    default_base_url = "https://graph.facebook.com"
    token_help = (
        "https://developers.facebook.com/tools/explorer (a long-lived user token"
        " with pages_read_engagement, then GET /{page_id}?fields=access_token)"
    )
    parse: ClassVar[ParseFn] = staticmethod(parse_posts)

    def edge(self) -> tuple[str, dict[str, str]]:
        return f"/{VERSION}/{quote(self.cfg.page_id)}/posts", {"fields": FIELDS}


def post_item(node: dict[str, Any], source_id: str) -> Item:
    """One Page post as an item."""
    if not text(node.get("id")):
        raise ParseError("a post without an id")
    url = safe_url(text(node.get("permalink_url")))
    message = text(node.get("message"))
    content = caption_html(message, TAG)
    alt = html_to_text(caption_html(message), ALT_CHARS)
    media: list[Media] = []
    for attachment in map(obj, arr(obj(node.get("attachments")).get("data"))):
        found, card = attachment_parts(attachment, alt)
        media += found
        content += card
    if not media and (picture := safe_url(text(node.get("full_picture")), image=True)):
        media.append(Media(url=picture, type="image", alt=alt))
    content = sanitize_html(content, url)
    page = obj(node.get("from"))
    return Item(
        id=stable_id(f"facebook:{text(node.get('id'))}"),
        source=source_id,
        url=url,
        content_html=content,
        summary=html_to_text(content, SUMMARY_CHARS),
        author=Author(
            name=text(page.get("name")),
            url=f"{SITE}/{quote(text(page.get('id')))}" if page.get("id") else "",
        ),
        published=iso_time(node.get("created_time")),
        media=tuple(media),
        network="facebook",
        extra={GRAPH_ID: text(node.get("id"))},
    )


def attachment_parts(att: dict[str, Any], alt: str) -> tuple[list[Media], str]:
    """An attachment's media (an album: each photo) or, for a shared link, its card."""
    kind = text(att.get("media_type"))
    if kind == "album":
        subs = [obj(s) for s in arr(obj(att.get("subattachments")).get("data"))]
        return [
            m for m in (_image(s, text(s.get("description")).strip() or alt) for s in subs) if m
        ], ""
    if kind in ("photo", *VIDEO_TYPES):
        found = _image(att, text(att.get("description")).strip() or alt)
        return ([found] if found else []), ""
    if kind == "link" or (att.get("url") and att.get("title")):
        return [], card_html(
            unwrap(text(att.get("url"))), text(att.get("title")), text(att.get("description"))
        )
    return [], ""


def _image(att: dict[str, Any], alt: str) -> Media | None:
    image = obj(obj(att.get("media")).get("image"))
    src = safe_url(text(image.get("src")), image=True)
    if not src:
        return None
    # A video is shown by its still image; the item's link leads to the player.
    video = text(att.get("media_type")) in VIDEO_TYPES
    return Media(
        url=src,
        type="video" if video else "image",
        width=as_int(image.get("width")),
        height=as_int(image.get("height")),
        alt=alt,
        preview_url=src if video else "",
    )


def unwrap(url: str) -> str:
    """A link through Facebook's redirector (l.facebook.com/l.php?u=…) as its destination."""
    parts = urlsplit(url)
    if parts.hostname in ("l.facebook.com", "lm.facebook.com") and parts.path == "/l.php":
        target = parse_qs(parts.query).get("u", [""])[0]
        return target or url
    return url
