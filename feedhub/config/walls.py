"""The sources of walls: what people post under a hashtag, a search, a list or a custom feed,
rather than one account's posts (`sources.py` has those)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from feedhub.config.fields import Strict
from feedhub.config.sources import SourceBase

# Mastodon's hashtag grammar: letters, digits, "_" and the middle dot; not digits only.
_HOST = re.compile(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def _mastodon_tag(value: str) -> str:
    tag = value.lstrip("#")
    if not tag or not re.fullmatch(r"[\w·]+", tag) or tag.isdigit():
        joined = re.sub(r"[^\w·]", "", tag)
        hint = f" (Mastodon reads #{joined})" if joined and not joined.isdigit() else ""
        raise ValueError(
            f"a Mastodon hashtag has letters, digits and '_' only, got {value!r}{hint}"
        )
    return tag


class MastodonTagSource(SourceBase):
    """A hashtag's public timeline, read from each instance in `instances` and merged."""

    type: Literal["mastodon_tag"]
    tag: str
    instances: list[str] = Field(min_length=1, max_length=10)
    any: list[str] = []  # posts with the tag or any of these
    all: list[str] = []  # ... and all of these
    none: list[str] = []  # ... and none of these
    local: bool = False  # only posts of each instance's own accounts
    only_media: bool = False
    limit: int = Field(40, ge=1, le=40)  # the API's maximum per request

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        return _mastodon_tag(value)

    @field_validator("any", "all", "none")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return [_mastodon_tag(v) for v in value]

    @field_validator("instances")
    @classmethod
    def _instances(cls, value: list[str]) -> list[str]:
        out = []
        for entry in value:
            if _HOST.match(entry):
                out.append(f"https://{entry.lower()}")
            elif re.match(r"^https?://[^/\s]+", entry):
                out.append(entry.rstrip("/"))
            else:
                raise ValueError(
                    f"each instance must be a host name such as mastodon.social or an"
                    f" http(s) URL, got {entry!r}"
                )
        if len(set(out)) != len(out):
            raise ValueError("lists an instance twice")
        return out


class BlueskySearchSource(SourceBase):
    """Posts matching a search (`app.bsky.feed.searchPosts`), read with a session of the
    site's account: `identifier` and an app password, both from the environment."""

    type: Literal["bluesky_search"]
    q: str = Field(min_length=1, max_length=300)
    identifier: str = Field("", validate_default=True)
    app_password: str = Field("", validate_default=True)
    service: str = "https://bsky.social"  # where the session is made (the account's PDS)
    sort: Literal["latest", "top"] = "latest"
    limit: int = Field(25, ge=1, le=100)

    @field_validator("identifier")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not value:
            raise ValueError(
                "is required: the handle (or DID) of the account the search is made with,"
                " identifier: ${BLUESKY_HANDLE}"
            )
        return value.strip().lstrip("@")

    @field_validator("app_password")
    @classmethod
    def _password(cls, value: str) -> str:
        if not value:
            raise ValueError(
                "is required: an app password of that account (Settings, Privacy and"
                " security, App passwords), app_password: ${BLUESKY_APP_PASSWORD}"
            )
        return value

    @field_validator("service")
    @classmethod
    def _service(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
        return value.rstrip("/")


_AT_URI = re.compile(r"^at://[^/\s]+/(app\.bsky\.feed\.generator|app\.bsky\.graph\.list)/[^/\s]+$")


class BlueskyFeedSource(SourceBase):
    """A custom feed (`feed`: a feed generator's at-uri) or a list's feed (`list`: a list's
    at-uri), read on the public AppView."""

    type: Literal["bluesky_feed"]
    feed: str | None = None
    list: str | None = None
    limit: int = Field(30, ge=1, le=100)

    @field_validator("feed", "list")
    @classmethod
    def _uri(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = "app.bsky.feed.generator" if info.field_name == "feed" else "app.bsky.graph.list"
        if value is not None:
            found = _AT_URI.match(value)
            if not found or found.group(1) != kind:
                raise ValueError(f"must be an at-uri like at://did:plc:…/{kind}/…, got {value!r}")
        return value

    @model_validator(mode="after")
    def _one(self) -> BlueskyFeedSource:
        if bool(self.feed) == bool(self.list):
            raise ValueError("give exactly one of feed or list")
        return self


class MastodonFavouritesSource(SourceBase):
    """The posts the site's own Mastodon account favourited (`GET /api/v1/favourites`, with
    a token of that account): a widget lists it in `approve_from` to approve them."""

    type: Literal["mastodon_favourites"]
    instance: str
    token: str = Field("", validate_default=True)
    limit: int = Field(40, ge=1, le=40)

    @field_validator("instance")
    @classmethod
    def _instance(cls, value: str) -> str:
        return _instance_url(value)

    @field_validator("token")
    @classmethod
    def _token(cls, value: str) -> str:
        return _token_required(
            value,
            "an access token of the site's account with the read:favourites scope"
            " (Preferences, Development), token: ${MASTODON_TOKEN}",
        )


class BlueskyLikesSource(SourceBase):
    """The posts the site's own Bluesky account liked: its `app.bsky.feed.like` records,
    public in its repository (`com.atproto.repo.listRecords`); for `approve_from`."""

    type: Literal["bluesky_likes"]
    did: str
    service: str = "https://bsky.social"  # the PDS that hosts the account's repository
    limit: int = Field(50, ge=1, le=100)

    @field_validator("did")
    @classmethod
    def _did(cls, value: str) -> str:
        if not re.match(r"^did:(plc|web):[A-Za-z0-9._:%-]+$", value):
            raise ValueError(f"must be the account's DID, did:plc:…, got {value!r}")
        return value


def _instance_url(value: str) -> str:
    if _HOST.match(value):
        return f"https://{value.lower()}"
    if re.match(r"^https?://[^/\s]+", value):
        return value.rstrip("/")
    raise ValueError(f"must be a host name such as mastodon.social, got {value!r}")


def _token_required(value: str, how: str) -> str:
    if not value:
        raise ValueError(f"is required: {how}")
    return value


class MastodonListSource(SourceBase):
    """A list's timeline of the site's Mastodon account (`GET /api/v1/timelines/list/:id`)."""

    type: Literal["mastodon_list"]
    instance: str
    list_id: str = Field(pattern=r"^\d{1,24}$")
    token: str = Field("", validate_default=True)
    limit: int = Field(40, ge=1, le=40)

    _instance = field_validator("instance")(classmethod(lambda cls, v: _instance_url(v)))
    _token = field_validator("token")(
        classmethod(
            lambda cls, v: _token_required(
                v, "a token of the list's owner with read:lists, token: ${MASTODON_TOKEN}"
            )
        )
    )


class PixelfedTagSource(SourceBase):
    """A hashtag's posts on a Pixelfed instance (its Mastodon-compatible tag timeline)."""

    type: Literal["pixelfed_tag"]
    instance: str
    tag: str
    token: str = ""  # many instances show tag timelines to logged-in users only
    limit: int = Field(20, ge=1, le=40)
    sensitive: Literal["hide", "fold"] = "hide"

    _instance = field_validator("instance")(classmethod(lambda cls, v: _instance_url(v)))
    _tag = field_validator("tag")(classmethod(lambda cls, v: _mastodon_tag(v)))


class TumblrTagSource(SourceBase):
    """Recent posts with a tag on Tumblr (`GET /v2/tagged`)."""

    type: Literal["tumblr_tag"]
    tag: str = Field(min_length=1, max_length=140)
    api_key: str = Field("", validate_default=True)
    limit: int = Field(20, ge=1, le=20)
    sensitive: Literal["hide", "fold"] = "hide"

    _key = field_validator("api_key")(
        classmethod(
            lambda cls, v: _token_required(
                v, "set api_key: ${TUMBLR_API_KEY} and export the app's OAuth consumer key"
            )
        )
    )


class InstagramTagSource(SourceBase):
    """Recent public posts with a hashtag on Instagram (`ig_hashtag_search`, then the
    hashtag's `recent_media`), through a business or creator account."""

    type: Literal["instagram_tag"]
    tag: str = Field(pattern=r"^#?\w{1,100}$")
    user_id: str = Field(pattern=r"^\d{1,24}$")  # the Instagram business account's id
    token: str = Field("", validate_default=True)
    limit: int = Field(25, ge=1, le=50)

    _token = field_validator("token")(
        classmethod(
            lambda cls, v: _token_required(
                v, "a Facebook Login user token with instagram_basic, token: ${IG_GRAPH_TOKEN}"
            )
        )
    )


class ThreadsSearchSource(SourceBase):
    """Threads posts matching a keyword or a tag (`GET /keyword_search`)."""

    type: Literal["threads_search"]
    q: str = Field(min_length=1, max_length=200)
    search_type: Literal["TOP", "RECENT"] = "RECENT"
    search_mode: Literal["KEYWORD", "TAG"] = "KEYWORD"
    token: str = Field("", validate_default=True)
    limit: int = Field(25, ge=1, le=100)

    _token = field_validator("token")(
        classmethod(
            lambda cls, v: _token_required(
                v,
                "a Threads token with threads_basic and threads_keyword_search,"
                " token: ${THREADS_TOKEN}",
            )
        )
    )


class ModerationRules(Strict):
    """What decides without a person, before the queue (`filters.exclude` are the block
    words): a post these hold back is never shown, and /admin/moderation says why."""

    per_author_per_day: int | None = Field(None, ge=1, le=1000)
    languages: list[str] = []  # posts in other languages are held back ("" counts as any)
    media_required: bool = False
