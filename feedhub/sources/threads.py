"""The `threads` source: a profile's posts through the Threads API (`GET /{user_id}/threads`
on graph.threads.net), with a long-lived token that feedhub renews before it expires.

A repost (`REPOST_FACADE`) shows the reposted post and credits the profile; a quote post
shows the quoted post below its own text, credited to its author.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html
from feedhub.models import Author, Item, stable_id
from feedhub.sources.base import ParseError, ParseFn
from feedhub.sources.graph import AFTER, GRAPH_ID, GraphAdapter, children, graph_page
from feedhub.sources.instagram import ALT_CHARS, graph_media
from feedhub.sources.posts import caption_html, page_link, quote_block
from feedhub.sources.social import obj, text
from feedhub.sources.values import SUMMARY_CHARS, iso_time

SITE = "https://www.threads.net"
VERSION = "v1.0"
POST_FIELDS = (
    "id,media_type,media_url,thumbnail_url,permalink,username,text,timestamp,"
    "children{media_type,media_url,thumbnail_url}"
)
FIELDS = (
    f"{POST_FIELDS},media_product_type,shortcode,is_quote_post,"
    f"quoted_post{{{POST_FIELDS}}},reposted_post{{{POST_FIELDS}}}"
)
TAG = page_link(SITE + "/search?q={}&serp_type=tags")
USER = page_link(SITE + "/@{}")


def parse_threads(
    body: bytes, url: str, source_id: str, exclude_reposts: bool = False
) -> tuple[list[Item], dict[str, Any]]:
    """Items of a `/{user_id}/threads` page, and the cursor of the next page."""
    data, after = graph_page(body)
    items = [
        thread_item(t, source_id)
        for t in data
        if not (exclude_reposts and t.get("media_type") == "REPOST_FACADE")
    ]
    return items, {"meta": {AFTER: after}}


class ThreadsAdapter(GraphAdapter):
    network = "threads"
    platform = "Threads"
    default_base_url = "https://graph.threads.net"
    renew_grant = "th_refresh_token"
    token_help = (
        "https://developers.facebook.com/apps (your app > Use cases > Access the"
        " Threads API > Settings > User Token Generator)"
    )
    parse: ClassVar[ParseFn] = staticmethod(parse_threads)

    def edge(self) -> tuple[str, dict[str, str]]:
        return f"/{VERSION}/{quote(self.cfg.user_id)}/threads", {"fields": FIELDS}

    def parse_args(self) -> tuple[Any, ...]:
        return (self.cfg.exclude_reposts,)


def thread_item(node: dict[str, Any], source_id: str) -> Item:
    """One post as an item; a repost is the reposted post, credited to the reposter."""
    if not text(node.get("id")):
        raise ParseError("a post without an id")
    reposted = obj(node.get("reposted_post"))
    is_repost = node.get("media_type") == "REPOST_FACADE" and bool(reposted)
    post = reposted if is_repost else node
    url = safe_url(text(post.get("permalink")))
    content = caption_html(text(post.get("text")), TAG, USER)
    quoted = obj(post.get("quoted_post"))
    if post.get("is_quote_post") and quoted:
        who = text(quoted.get("username"))
        content += quote_block(
            caption_html(text(quoted.get("text")), TAG, USER),
            f"@{who}" if who else "Threads",
            text(quoted.get("permalink")),
        )
    content = sanitize_html(content, url)
    alt = html_to_text(caption_html(text(post.get("text"))), ALT_CHARS)
    parts = children(post) if post.get("media_type") == "CAROUSEL_ALBUM" else [post]
    return Item(
        id=stable_id(f"threads:{text(post.get('id'))}"),
        source=source_id,
        url=url,
        content_html=content,
        summary=html_to_text(content, SUMMARY_CHARS),
        author=profile(text(post.get("username"))),
        published=iso_time(post.get("timestamp")) or iso_time(node.get("timestamp")),
        media=tuple(m for m in (graph_media(p, alt) for p in parts) if m),
        repost=is_repost,
        network="threads",
        extra={GRAPH_ID: text(post.get("id"))},
        reposted_by=profile(text(node.get("username"))) if is_repost else None,
    )


def profile(username: str) -> Author:
    return Author(
        name=username,
        handle=f"@{username}" if username else "",
        url=USER(username) if username else "",
    )
