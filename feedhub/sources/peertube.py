"""The `peertube` source: a channel's or an account's videos through PeerTube's REST API.

Each video is an item with its title, description, thumbnail (the player loads only from
the video's own page) and its duration in `extra["duration"]` (seconds), for themes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html
from feedhub.models import Author, FetchState, Item, Media, stable_id
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.posts import caption_html, instance_url, keep_sensitive
from feedhub.sources.social import arr, explain, obj, text
from feedhub.sources.values import SUMMARY_CHARS, as_int, iso_time, load_json


class PeertubeAdapter(SourceAdapter):
    network = "peertube"

    def __init__(self, source_id: str, cfg: Any, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        self.kind, self.name = ("channel", cfg.channel) if cfg.channel else ("account", cfg.account)
        self.name = self.name.lstrip("@")
        self.instance = self.name.split("@", 1)[1]
        self.base_url = (cfg.base_url or f"https://{self.instance}").rstrip("/")

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        collection = "video-channels" if self.kind == "channel" else "accounts"
        query = urlencode({"sort": "-publishedAt", "count": self.cfg.limit})
        url = f"{self.base_url}/api/v1/{collection}/{quote(self.name, safe='@')}/videos?{query}"
        result = await self.fetch_and_parse(
            ctx, url, parse_videos, self.source_id, self.base_url, self.cfg.sensitive, state=state
        )
        return explain(
            result,
            {
                404: f"{self.kind} {self.name} not found on {self.instance}",
                429: f"rate limited by {self.instance}; the next poll waits as long as it asks",
            },
        )


def parse_videos(
    body: bytes, url: str, source_id: str, base: str, sensitive: str = "hide"
) -> list[Item]:
    """Items of a `{total, data[]}` videos answer."""
    doc = load_json(body, dict)
    if not isinstance(doc.get("data"), list):
        raise ParseError("no 'data' array: not a PeerTube videos answer")
    return keep_sensitive([video_item(obj(v), source_id, base) for v in doc["data"]], sensitive)


def video_item(video: dict[str, Any], source_id: str, base: str) -> Item:
    """One video as an item (paths in the answer are relative to the instance)."""
    if not text(video.get("uuid")):
        raise ParseError("a video without a uuid")
    url = safe_url(text(video.get("url"))) or instance_url(
        base, f"/w/{text(video.get('shortUUID')) or text(video.get('uuid'))}"
    )
    title = text(video.get("name")).strip()
    content = sanitize_html(caption_html(text(video.get("description"))), url)
    preview = instance_url(base, video.get("previewPath"), image=True)
    thumb = instance_url(base, video.get("thumbnailPath"), image=True)
    still = preview or thumb
    duration = as_int(video.get("duration"))
    return Item(
        id=stable_id(f"peertube:{text(video.get('uuid'))}", url),
        source=source_id,
        url=url,
        title=title,
        content_html=content,
        summary=html_to_text(content, SUMMARY_CHARS) or title,
        author=owner_author(obj(video.get("channel")) or obj(video.get("account")), base),
        published=iso_time(video.get("publishedAt")),
        updated=iso_time(video.get("updatedAt")),
        media=(Media(url=still, type="video", alt=title, preview_url=thumb or still),)
        if still
        else (),
        lang=text(obj(video.get("language")).get("id")),
        network="peertube",
        sensitive=video.get("nsfw") is True,
        extra={"duration": duration} if duration else {},
    )


def owner_author(owner: dict[str, Any], base: str) -> Author:
    """A channel or account as an author, with its largest avatar."""
    name, host = text(owner.get("name")), text(owner.get("host"))
    avatars = sorted(
        (obj(a) for a in arr(owner.get("avatars"))), key=lambda a: as_int(a.get("width")) or 0
    )
    avatar = obj(owner.get("avatar")) or (avatars[-1] if avatars else {})
    return Author(
        name=text(owner.get("displayName")).strip() or name,
        handle=f"@{name}@{host}" if name and host else "",
        url=safe_url(text(owner.get("url"))),
        avatar=instance_url(base, avatar.get("path"), image=True),
    )
