"""The `tumblr` source: a blog's posts through Tumblr API v2 in the Neue Post Format.

NPF blocks become HTML (text with its links, mentions and emphasis; images with their alt
text as media; links as cards; videos by their poster). A reblog shows the original post
credited to its blog, the reblogging blog as the reposter. Posts with a community label
(mature content) are hidden or folded.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html
from feedhub.models import Author, FetchState, Item, Media, stable_id
from feedhub.sources import tokens
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.posts import keep_sensitive, page_link
from feedhub.sources.social import arr, card_html, explain, obj, text
from feedhub.sources.values import SUMMARY_CHARS, as_int, load_json

TAG = page_link("https://www.tumblr.com/tagged/{}")
LABEL_WARNINGS = {"sexual_themes": "Sexual themes", "drug_use": "Drug use", "violence": "Violence"}
_EMPHASIS = {"bold": "strong", "italic": "em", "strikethrough": "s", "small": "small"}
_BLOCKS = {
    "heading1": "h3",
    "heading2": "h4",
    "quote": "blockquote",
    "indented": "blockquote",
    "unordered-list-item": "ul",
    "ordered-list-item": "ol",
}


class TumblrAdapter(SourceAdapter):
    network = "tumblr"
    default_base_url = "https://api.tumblr.com"

    def __init__(self, source_id: str, cfg: Any, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg

    def redact(self, message: str) -> str:
        return tokens.redact(message, self.cfg.api_key)

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        query = urlencode({"api_key": self.cfg.api_key, "npf": "true", "limit": self.cfg.limit})
        url = f"{self.base_url}/v2/blog/{quote(self.cfg.blog)}/posts?{query}"
        result = await self.fetch_and_parse(
            ctx,
            url,
            parse_posts,
            self.source_id,
            self.cfg.exclude_reposts,
            self.cfg.sensitive,
            state=state,
        )
        result.error = self.redact(result.error)
        return explain(
            result,
            {
                401: "Tumblr refused the API key: check the source's api_key (TUMBLR_API_KEY)",
                404: f"blog {self.cfg.blog} not found on Tumblr",
                429: "rate limited by Tumblr; the next poll waits for the reset",
            },
        )


def parse_posts(
    body: bytes, url: str, source_id: str, exclude_reposts: bool = False, sensitive: str = "hide"
) -> list[Item]:
    """Items of a `/v2/blog/{blog}/posts` answer."""
    doc = load_json(body, dict)
    response = obj(doc.get("response"))
    if not isinstance(response.get("posts"), list):
        raise ParseError("no response.posts array: not a Tumblr posts answer")
    blog = obj(response.get("blog"))
    items = [post_item(obj(p), source_id, blog) for p in response["posts"]]
    return keep_sensitive([it for it in items if not (exclude_reposts and it.repost)], sensitive)


def post_item(post: dict[str, Any], source_id: str, blog: dict[str, Any]) -> Item:
    """One NPF post as an item."""
    if not text(post.get("id_string")) and not post.get("id"):
        raise ParseError("a post without an id")
    url = safe_url(text(post.get("post_url")))
    own = blog_author({**blog, **obj(post.get("blog"))})
    trail = [obj(t) for t in arr(post.get("trail"))]
    origin = obj(trail[0].get("blog")) if trail else {}
    parts, media = [], []
    for entry in trail:  # a reblog: the original first, then each reblogger's addition
        body, found = npf_html(arr(entry.get("content")))
        parts.append(body)
        media += found
    body, found = npf_html(arr(post.get("content")))
    parts.append(body)
    media += found
    tags = [t for t in arr(post.get("tags")) if isinstance(t, str) and t.strip()]
    if tags:
        parts.append(
            "<p>"
            + " ".join(f'<a href="{html.escape(TAG(t))}">#{html.escape(t)}</a>' for t in tags)
            + "</p>"
        )
    content = sanitize_html("".join(parts), url)
    labels = [c for c in arr(post.get("community_label_categories")) if isinstance(c, str)]
    warning = ", ".join(LABEL_WARNINGS.get(c, c) for c in labels)
    flagged = post.get("has_community_label") is True or bool(labels)
    stamp = as_int(post.get("timestamp"))
    is_reblog = bool(trail) and bool(origin)
    return Item(
        id=stable_id(f"tumblr:{text(post.get('id_string')) or post.get('id')}", url),
        source=source_id,
        url=url,
        content_html=content,
        summary=warning or html_to_text(content, SUMMARY_CHARS),
        author=blog_author(origin) if is_reblog else own,
        published=datetime.fromtimestamp(stamp, UTC) if stamp else None,
        media=tuple(media),
        repost=is_reblog,
        network="tumblr",
        reposted_by=own if is_reblog else None,
        content_warning=warning,
        sensitive=flagged,
    )


def blog_author(blog: dict[str, Any]) -> Author:
    name = text(blog.get("name"))
    avatars = sorted(
        (obj(a) for a in arr(blog.get("avatar"))), key=lambda a: as_int(a.get("width")) or 0
    )
    return Author(
        name=text(blog.get("title")).strip() or name,
        handle=f"@{name}" if name else "",
        url=safe_url(
            text(blog.get("url")) or (f"https://{quote(name)}.tumblr.com/" if name else "")
        ),
        avatar=safe_url(text(avatars[-1].get("url")), image=True) if avatars else "",
    )


def npf_html(blocks: list[Any]) -> tuple[str, list[Media]]:
    """NPF content blocks as HTML, and the media among them (images, video posters)."""
    out, media = [], []
    for block in map(obj, blocks):
        kind = text(block.get("type"))
        if kind == "text":
            inner = formatted(text(block.get("text")), arr(block.get("formatting")))
            tag = _BLOCKS.get(text(block.get("subtype")), "p")
            out.append(
                f"<{tag}><li>{inner}</li></{tag}>"
                if tag in ("ul", "ol")
                else f"<{tag}>{inner}</{tag}>"
            )
        elif kind == "image":
            sizes = [obj(m) for m in arr(block.get("media"))]
            if sizes and (src := safe_url(text(sizes[0].get("url")), image=True)):
                media.append(
                    Media(
                        url=src,
                        type="image",
                        width=as_int(sizes[0].get("width")),
                        height=as_int(sizes[0].get("height")),
                        alt=text(block.get("alt_text")).strip(),
                    )
                )
        elif kind == "link":
            out.append(
                card_html(
                    text(block.get("url")), text(block.get("title")), text(block.get("description"))
                )
            )
        elif kind == "video":
            posters = [obj(p) for p in arr(block.get("poster"))]
            if posters and (still := safe_url(text(posters[0].get("url")), image=True)):
                media.append(
                    Media(
                        url=still,
                        type="video",
                        width=as_int(posters[0].get("width")),
                        height=as_int(posters[0].get("height")),
                        preview_url=still,
                    )
                )
    return "".join(out), media


def formatted(body: str, formatting: list[Any]) -> str:
    """A text block's text with its formatting ranges (character offsets) as markup."""
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for f in map(obj, formatting):
        start, end, kind = as_int(f.get("start")), as_int(f.get("end")), text(f.get("type"))
        if start is None or end is None or not 0 <= start < end <= len(body):
            continue
        if kind in _EMPHASIS:
            tag = _EMPHASIS[kind]
            opens.setdefault(start, []).append(f"<{tag}>")
            closes.setdefault(end, []).insert(0, f"</{tag}>")
            continue
        href = (
            safe_url(text(f.get("url")))
            if kind == "link"
            else safe_url(text(obj(f.get("blog")).get("url")))
            if kind == "mention"
            else ""
        )
        if href:
            opens.setdefault(start, []).append(f'<a href="{html.escape(href)}">')
            closes.setdefault(end, []).insert(0, "</a>")
    out = []
    for i, ch in enumerate(body):
        out += closes.get(i, [])
        out += opens.get(i, [])
        out.append("<br>" if ch == "\n" else html.escape(ch))
    out += closes.get(len(body), [])
    return "".join(out)
