"""The `lemmy` source: a community's or a user's posts through Lemmy's API (v3).

A link post shows its link as a card; the score and the comment count are kept in
`extra["score"]` / `extra["comments"]` for themes, the comments and upvotes also as the item's
`replies` and `likes`; NSFW posts are hidden or folded.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html
from feedhub.models import Author, FetchState, Item, Media, stable_id
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.posts import caption_html, keep_sensitive
from feedhub.sources.social import card_html, explain, obj, text
from feedhub.sources.values import SUMMARY_CHARS, as_int, iso_time, load_json

MAX_LIMIT = 50  # the API's largest page
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")


class LemmyAdapter(SourceAdapter):
    network = "lemmy"

    def __init__(self, source_id: str, cfg: Any, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        self.kind, self.name = ("community", cfg.community) if cfg.community else ("user", cfg.user)
        self.name = self.name.lstrip("!@")
        self.instance = self.name.split("@", 1)[1]
        self.base_url = (cfg.base_url or f"https://{self.instance}").rstrip("/")

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        if self.kind == "community":
            url = f"{self.base_url}/api/v3/post/list?" + urlencode(
                {
                    "community_name": self.name,
                    "sort": "New",
                    "limit": min(self.cfg.limit, MAX_LIMIT),
                }
            )
        else:
            url = f"{self.base_url}/api/v3/user?" + urlencode(
                {"username": self.name, "sort": "New", "limit": min(self.cfg.limit, MAX_LIMIT)}
            )
        result = await self.fetch_and_parse(
            ctx, url, parse_posts, self.source_id, self.cfg.sensitive, state=state
        )
        missing = f"{self.kind} {self.name} not found on {self.instance}"
        # Lemmy answers an unknown name with 400 or 404 and {"error": "couldnt_find_…"}.
        return explain(
            result,
            {
                400: missing,
                404: missing,
                429: f"rate limited by {self.instance}; the next poll waits as long as it asks",
            },
        )


def parse_posts(body: bytes, url: str, source_id: str, sensitive: str = "hide") -> list[Item]:
    """Items of a `post/list` or `user` answer (both carry `posts[]` of post views)."""
    doc = load_json(body, dict)
    if not isinstance(doc.get("posts"), list):
        raise ParseError("no 'posts' array: not a Lemmy post list or user answer")
    return keep_sensitive([post_item(obj(v), source_id) for v in doc["posts"]], sensitive)


def post_item(view: dict[str, Any], source_id: str) -> Item:
    """One post view (post, creator, community, counts) as an item."""
    post, community, counts = (
        obj(view.get("post")),
        obj(view.get("community")),
        obj(view.get("counts")),
    )
    if not post.get("id") or not text(post.get("ap_id")):
        raise ParseError("a post without an id or ap_id")
    url = safe_url(text(post.get("ap_id")))
    title = text(post.get("name")).strip()
    link = safe_url(text(post.get("url")))
    content = caption_html(text(post.get("body")))
    media: tuple[Media, ...] = ()
    image = link if urlsplit(link).path.lower().endswith(IMAGE_SUFFIXES) else ""
    thumb = safe_url(text(post.get("thumbnail_url")), image=True)
    if image or thumb:
        media = (
            Media(
                url=safe_url(image, image=True) or thumb,
                type="image",
                alt=text(post.get("alt_text")).strip() or title,
                preview_url=thumb if image else "",
            ),
        )
    if link and not image:
        content += card_html(
            link, text(post.get("embed_title")) or link, text(post.get("embed_description"))
        )
    content = sanitize_html(content, url)
    extra = {
        k: v
        for k, v in (
            ("score", as_int(counts.get("score"))),
            ("comments", as_int(counts.get("comments"))),
        )
        if v is not None
    }
    return Item(
        id=stable_id(text(post.get("ap_id"))),
        source=source_id,
        url=url,
        title=title,
        content_html=content,
        summary=html_to_text(content, SUMMARY_CHARS),
        author=person_author(obj(view.get("creator"))),
        published=iso_time(post.get("published")),
        updated=iso_time(post.get("updated")),
        media=media,
        network="lemmy",
        sensitive=post.get("nsfw") is True or community.get("nsfw") is True,
        extra=extra,
        replies=as_int(counts.get("comments")),
        likes=as_int(counts.get("upvotes")),
    )


def person_author(person: dict[str, Any]) -> Author:
    """A Lemmy person as an author; the handle carries the instance of its `actor_id`."""
    name = text(person.get("name"))
    host = urlsplit(text(person.get("actor_id"))).hostname or ""
    return Author(
        name=text(person.get("display_name")).strip() or name,
        handle=f"@{name}@{host}" if name and host else "",
        url=safe_url(text(person.get("actor_id"))),
        avatar=safe_url(text(person.get("avatar")), image=True),
    )
