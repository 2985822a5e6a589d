"""Video players found in items, as click-to-load placeholders: nothing of the platform loads
until the visitor asks for it.

A player comes from a sanitized `<iframe>` in content (YouTube, Vimeo), from a YouTube item,
or from an item's video media (played on the platform: the placeholder links to the post).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from feedhub.models import Item, Media

YOUTUBE_PLAYER = "https://www.youtube-nocookie.com"
VIMEO_PLAYER = "https://player.vimeo.com"
_YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
    "youtu.be",
}
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


@dataclass(frozen=True, slots=True)
class Player:
    """What the placeholder shows and what a click loads."""

    embed: str  # the player loaded into the page on a click; "" = the link opens the platform
    link: str  # the video on its platform (also what a page without script opens)
    thumbnail: str  # an upstream image URL, served through the media cache
    title: str
    host: str  # what the visitor's browser contacts when playing: said on the placeholder
    width: int | None = None  # of the thumbnail, as the source gave it
    height: int | None = None
    alt: str = ""  # of the thumbnail, where the source describes it


def youtube_id(url: str) -> str:
    """The video id of a YouTube watch, embed, shorts or youtu.be URL; "" otherwise."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in _YOUTUBE_HOSTS:
        return ""
    if host == "youtu.be":
        candidate = parts.path.strip("/")
    elif parts.path.startswith(("/embed/", "/shorts/", "/live/")):
        candidate = parts.path.split("/")[2]
    else:
        candidate = (parse_qs(parts.query).get("v") or [""])[0]
    return candidate if _ID_RE.match(candidate) else ""


def youtube_player(video_id: str, title: str, thumb: Media | None, origin: str) -> Player:
    return Player(
        embed=f"{origin}/embed/{video_id}?autoplay=1",
        link=f"https://www.youtube.com/watch?v={video_id}",
        thumbnail=thumb.url if thumb else f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
        title=title,
        host=urlsplit(origin).hostname or origin,
        width=thumb.width if thumb else None,
        height=thumb.height if thumb else None,
        alt=thumb.alt if thumb else "",
    )


def from_iframe(src: str, title: str, youtube_origin: str) -> Player | None:
    """The player of a (sanitized) content iframe; None for one that is not a known player."""
    if video := youtube_id(src):
        return youtube_player(video, title, None, youtube_origin)
    parts = urlsplit(src)
    if parts.hostname == "player.vimeo.com" and parts.path.startswith("/video/"):
        video = parts.path.split("/")[2]
        if video.isdigit():
            return Player(
                f"{VIMEO_PLAYER}/video/{video}?dnt=1&autoplay=1",
                f"https://vimeo.com/{video}",
                "",
                title,
                "player.vimeo.com",
            )
    return None


def from_item(item: Item, youtube_origin: str) -> Player | None:
    """The player an item is about, standing for all its media: a YouTube video."""
    if item.network == "youtube" and (video := youtube_id(item.url)):
        thumb = next((m for m in item.media if m.type == "image" and m.url), None)
        return youtube_player(video, item.title, thumb, youtube_origin)
    return None


def from_media(item: Item, media: Media) -> Player:
    """The placeholder of one of an item's videos (a carousel may mix them with pictures):
    its preview, and a link that opens the post on its platform."""
    host = urlsplit(item.url).hostname or ""
    return Player(
        "",
        item.url or media.url,
        media.preview_url,
        media.alt or item.title,
        host,
        media.width,
        media.height,
        alt=media.alt,
    )


def player_origins(youtube_origin: str) -> list[str]:
    """Every origin a click may load a player from: what `frame-src` allows."""
    return [youtube_origin, VIMEO_PLAYER]
