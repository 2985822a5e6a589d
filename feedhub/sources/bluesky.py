"""The `bluesky` source: an account's posts from `app.bsky.feed.getAuthorFeed` on the AppView.

Bluesky gives no HTML: it is built here from the post text and its facets, whose offsets
count UTF-8 bytes, not characters.
"""

from __future__ import annotations

import html
import time
from typing import Any
from urllib.parse import quote, urlencode

from feedhub.config import BlueskySource
from feedhub.content.sanitize import safe_url, sanitize_html, sanitized_text
from feedhub.models import Author, FetchState, Item, Media, stable_id
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.bluesky_profiles import APP, parse_profile, profile_author, profile_key
from feedhub.sources.consent import WITHHELD, bluesky_refusal
from feedhub.sources.rechecks import bluesky_posts_gone
from feedhub.sources.social import (
    arr,
    card_html,
    explain,
    obj,
    profile_due,
    read_profile,
    text,
)
from feedhub.sources.values import SUMMARY_CHARS, as_int, iso_time, load_json

LIMIT = 30
# Self-labels and moderation labels that call for a folded post.
WARNINGS = {
    "porn": "Adult content", "sexual": "Sexually suggestive", "nudity": "Nudity",
    "graphic-media": "Graphic media", "gore": "Graphic media",
}  # fmt: skip


class BlueskyAdapter(SourceAdapter):
    network = "bluesky"
    default_base_url = "https://public.api.bsky.app"
    can_recheck = True

    def __init__(self, source_id: str, cfg: BlueskySource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        self.actor = cfg.handle.strip().lstrip("@")

    async def recheck(self, ctx: PollContext, items: list[Item]) -> set[str]:
        return await bluesky_posts_gone(self, ctx, self.base_url, items)

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        query = urlencode(
            {
                "actor": self.actor,
                # Threads the author continues are kept even when replies are left out.
                "filter": "posts_and_author_threads"
                if self.cfg.exclude_replies
                else "posts_with_replies",
                "includePins": "true" if self.cfg.pinned else "false",
                "limit": LIMIT,
            }
        )
        url = f"{self.base_url}/xrpc/app.bsky.feed.getAuthorFeed?{query}"
        result = await self.fetch_and_parse(
            ctx, url, parse_author_feed, self.source_id, self.cfg.exclude_reposts, state=state
        )
        now = time.time()
        if result.ok and profile_due(state, now):  # the account's header, once a day
            actor = urlencode({"actor": self.actor})
            profile_url = f"{self.base_url}/xrpc/app.bsky.actor.getProfile?{actor}"
            result.meta.update(await read_profile(self, ctx, profile_url, parse_profile, now))
        # The AppView answers 400 (InvalidRequest, "Profile not found") for unknown actors.
        return explain(
            result,
            {
                400: f"account {self.actor} not found, taken down or blocked",
                401: "the AppView requires authentication",
                404: f"account {self.actor} not found",
            },
        )


def parse_author_feed(
    body: bytes, url: str, source_id: str, exclude_reposts: bool = False
) -> tuple[list[Item], dict[str, Any]]:
    """Items of a getAuthorFeed answer: reposts and pins marked, the posts of authors who
    asked not to be shown (`consent`) left out and named in the source's state."""
    doc = load_json(body, dict)
    feed = doc.get("feed")
    if not isinstance(feed, list):
        raise ParseError("no 'feed' array: not a getAuthorFeed answer")
    items: list[Item] = []
    seen: set[str] = set()
    withheld: dict[str, str] = {}
    for entry in map(obj, feed):
        post = obj(entry.get("post"))
        if not text(post.get("uri")) or not isinstance(post.get("record"), dict):
            raise ParseError("a feed entry without post.uri or post.record")
        reason = text(obj(entry.get("reason")).get("$type"))
        repost = reason.endswith("#reasonRepost")
        if repost and exclude_reposts:
            continue
        if why := bluesky_refusal(post.get("author")):
            withheld[profile_author(obj(post.get("author"))).handle] = why
            continue
        booster = obj(obj(entry.get("reason")).get("by")) if repost else {}
        item = post_item(
            post,
            source_id,
            pinned=reason.endswith("#reasonPin"),
            reposted_by=profile_author(booster) if booster else None,
        )
        # A pinned post comes first and again at its date: keep the first.
        if item.id not in seen:
            seen.add(item.id)
            items.append(item)
    return items, {"meta": {WITHHELD: withheld}}


def post_item(
    post: dict[str, Any], source_id: str, *, pinned: bool = False, reposted_by: Author | None = None
) -> Item:
    """One post view as an item."""
    record = obj(post.get("record"))
    author = obj(post.get("author"))
    url = post_url(text(post.get("uri")), author)
    media, extra_html = embed_parts(obj(post.get("embed")))
    content_html = sanitize_html(
        rich_text_html(text(record.get("text")), record.get("facets")) + extra_html, url
    )
    labels = [text(obj(label).get("val")) for label in arr(post.get("labels"))]
    warning = next((WARNINGS[v] for v in labels if v in WARNINGS), "")
    langs = [lang for lang in arr(record.get("langs")) if isinstance(lang, str)]
    return Item(
        id=stable_id(text(post.get("uri"))),
        source=source_id,
        url=url,
        content_html=content_html,
        summary=warning or sanitized_text(content_html, SUMMARY_CHARS),
        author=profile_author(author),
        published=iso_time(record.get("createdAt")) or iso_time(post.get("indexedAt")),
        media=media,
        reply="reply" in record,
        repost=reposted_by is not None,
        pinned=pinned,
        lang=langs[0] if langs else "",
        network="bluesky",
        reposted_by=reposted_by,
        content_warning=warning,
        sensitive=bool(warning),
        replies=as_int(post.get("replyCount")),
        reposts=as_int(post.get("repostCount")),
        likes=as_int(post.get("likeCount")),
    )


def post_url(at_uri: str, author: dict[str, Any]) -> str:
    """`at://{did}/app.bsky.feed.post/{rkey}` as its bsky.app page."""
    parts = at_uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return ""
    key = profile_key(author) or parts[0]
    return f"{APP}/profile/{quote(key, safe=':')}/post/{quote(parts[2])}"


def rich_text_html(body: str, facets: Any) -> str:
    """Post text as HTML: escaped, line breaks kept, links, mentions and tags made links.

    Facet offsets count UTF-8 bytes, so the text is cut as bytes; a facet whose offsets do
    not fall on character boundaries, or that overlaps an earlier one, is ignored.
    """
    data = body.encode("utf-8")
    spans = []
    for facet in map(obj, arr(facets)):
        index = obj(facet.get("index"))
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not (
            isinstance(start, int)
            and isinstance(end, int)
            and 0 <= start < end <= len(data)
            and _boundary(data, start)
            and _boundary(data, end)
        ):
            continue
        href = facet_href(facet.get("features"))
        if href:
            spans.append((start, end, href))
    out, pos = [], 0
    for start, end, href in sorted(spans):
        if start < pos:
            continue
        out.append(_escape(data[pos:start]))
        out.append(f'<a href="{html.escape(href)}">{_escape(data[start:end])}</a>')
        pos = end
    out.append(_escape(data[pos:]))
    joined = "".join(out).strip()
    return f"<p>{joined}</p>" if joined else ""


def _boundary(data: bytes, at: int) -> bool:
    return at == len(data) or data[at] & 0xC0 != 0x80  # not a UTF-8 continuation byte


def _escape(chunk: bytes) -> str:
    return html.escape(chunk.decode("utf-8")).replace("\n", "<br>")


def facet_href(features: Any) -> str:
    """Where a facet points: its link, the mentioned profile, or the tag's page."""
    for feature in map(obj, arr(features)):
        kind = text(feature.get("$type"))
        if kind.endswith("#link") and (uri := safe_url(text(feature.get("uri")))):
            return uri
        if kind.endswith("#mention") and text(feature.get("did")).startswith("did:"):
            return f"{APP}/profile/{quote(text(feature.get('did')), safe=':')}"
        if kind.endswith("#tag") and text(feature.get("tag")):
            return f"{APP}/hashtag/{quote(text(feature.get('tag')).lstrip('#'))}"
    return ""


def embed_parts(embed: dict[str, Any]) -> tuple[tuple[Media, ...], str]:
    """An embed view as media (images, video) and HTML to append (link card, quoted post)."""
    kind = text(embed.get("$type"))
    if kind == "app.bsky.embed.images#view":
        return tuple(filter(None, map(_image, arr(embed.get("images"))))), ""
    if kind == "app.bsky.embed.video#view":
        video = _video(embed)
        return ((video,) if video else ()), ""
    if kind == "app.bsky.embed.external#view":
        ext = obj(embed.get("external"))
        return (), card_html(
            text(ext.get("uri")),
            text(ext.get("title")),
            text(ext.get("description")),
            text(ext.get("thumb")),
        )
    if kind == "app.bsky.embed.record#view":
        return (), quote_html(obj(embed.get("record")))
    if kind == "app.bsky.embed.recordWithMedia#view":
        media, _ = embed_parts(obj(embed.get("media")))
        return media, quote_html(obj(obj(embed.get("record")).get("record")))
    return (), ""


def _size(view: dict[str, Any]) -> tuple[int | None, int | None]:
    ratio = obj(view.get("aspectRatio"))
    return as_int(ratio.get("width")), as_int(ratio.get("height"))


def _image(view: Any) -> Media | None:
    view = obj(view)
    url = safe_url(text(view.get("fullsize")), image=True)
    if not url:
        return None
    width, height = _size(view)
    return Media(
        url=url,
        type="image",
        width=width,
        height=height,
        alt=text(view.get("alt")).strip(),
        preview_url=safe_url(text(view.get("thumb")), image=True),
    )


def _video(view: dict[str, Any]) -> Media | None:
    # Without its thumbnail a video has nothing a widget can show.
    thumb = safe_url(text(view.get("thumbnail")), image=True)
    if not thumb:
        return None
    url = safe_url(text(view.get("playlist"))) or thumb
    width, height = _size(view)
    return Media(
        url=url,
        type="video",
        width=width,
        height=height,
        alt=text(view.get("alt")).strip(),
        preview_url=thumb,
    )


def quote_html(record: dict[str, Any]) -> str:
    """A quoted post (a `viewRecord`) as a block crediting its author; other records
    (lists, feeds, deleted or blocked posts) and hidden authors give nothing."""
    if text(record.get("$type")) != "app.bsky.embed.record#viewRecord":
        return ""
    author = obj(record.get("author"))
    value = obj(record.get("value"))
    if bluesky_refusal(author) or text(value.get("$type")) != "app.bsky.feed.post":
        return ""
    who = profile_author(author)
    url = post_url(text(record.get("uri")), author)
    credit = html.escape(f"{who.name} ({who.handle})" if who.handle else who.name)
    link = f'<a href="{html.escape(url)}">{credit}</a>' if url else credit
    body = rich_text_html(text(value.get("text")), value.get("facets"))
    return f"<blockquote>{body}<p>— {link}</p></blockquote>"
