"""What a Bluesky profile view says of its account: the author of a post, and the profile a
widget's header shows (`app.bsky.actor.getProfile`)."""

from __future__ import annotations

from typing import Any

from feedhub.content.sanitize import safe_url, sanitize_html
from feedhub.models import PROFILE, Author, Item, Profile
from feedhub.sources.base import ParseError
from feedhub.sources.social import text, text_html
from feedhub.sources.values import as_int, load_json

APP = "https://bsky.app"


def profile_author(profile: dict[str, Any]) -> Author:
    """A profile view as an author, linked to its bsky.app page."""
    handle = text(profile.get("handle"))
    return Author(
        name=text(profile.get("displayName")).strip() or handle,
        handle=f"@{handle}" if handle and handle != "handle.invalid" else "",
        url=f"{APP}/profile/{profile_key(profile)}" if profile_key(profile) else "",
        avatar=safe_url(text(profile.get("avatar")), image=True),
    )


def profile_key(profile: dict[str, Any]) -> str:
    """How bsky.app names a profile: its handle, else its DID."""
    # bsky.app takes a handle or a DID; a handle that no longer verifies is "handle.invalid".
    handle = text(profile.get("handle"))
    return handle if handle and handle != "handle.invalid" else text(profile.get("did"))


def parse_profile(body: bytes, url: str, source_id: str) -> tuple[list[Item], dict[str, Any]]:
    """An `app.bsky.actor.getProfile` answer as the account's profile."""
    view = load_json(body, dict)
    who = profile_author(view)
    if not who.handle:
        raise ParseError("a profile without a handle: not a getProfile answer")
    profile = Profile(
        name=who.name,
        handle=who.handle,
        url=who.url,
        avatar=who.avatar,
        banner=safe_url(text(view.get("banner")), image=True),
        bio_html=sanitize_html(text_html(text(view.get("description"))), who.url),
        followers=as_int(view.get("followersCount")),
        posts=as_int(view.get("postsCount")),
    )
    return [], {"meta": {PROFILE: profile.to_dict()}}
