"""The `sources:` section: one model per source type, told apart by `type`."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from feedhub.config.fields import MAX_ITEMS, Duration, Size, Strict

NETWORKS = ("feed", "mastodon", "bluesky", "youtube", "reddit", "x")


class _SourceBase(Strict):
    interval: Duration | None = None
    timeout: Duration | None = None
    max_bytes: Size | None = None
    max_items: int | None = Field(None, ge=1, le=MAX_ITEMS)
    base_url: str | None = None
    lang: str = ""  # the items' language when the platform gives none (YouTube, Reddit)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
        return value.rstrip("/") if value else value


class FeedSource(_SourceBase):
    type: Literal["feed"]
    url: str
    websub: bool = True


class _Timeline(_SourceBase):
    """An account's posts on a network that has replies, reposts and pins."""

    exclude_replies: bool = True
    exclude_reposts: bool = False
    pinned: bool = True


class MastodonSource(_Timeline):
    type: Literal["mastodon"]
    account: str

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        if not re.match(r"^@?[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", value):
            raise ValueError(f"must look like @user@instance.social, got {value!r}")
        return value


class BlueskySource(_Timeline):
    type: Literal["bluesky"]
    handle: str


class YoutubeSource(_SourceBase):
    type: Literal["youtube"]
    channel_id: str

    @field_validator("channel_id")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not re.match(r"^UC[A-Za-z0-9_-]{22}$", value):
            raise ValueError(f"must be a channel id like UCxxxxxxxxxxxxxxxxxxxxxx, got {value!r}")
        return value


class RedditSource(_SourceBase):
    type: Literal["reddit"]
    subreddit: str | None = None
    user: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> RedditSource:
        if bool(self.subreddit) == bool(self.user):
            raise ValueError("give exactly one of subreddit or user")
        return self


class XSource(_SourceBase):
    type: Literal["x"]
    username: str
    bearer_token: str = ""
    user_id: str | None = None
    exclude_replies: bool = True
    exclude_reposts: bool = False

    @field_validator("bearer_token")
    @classmethod
    def _token(cls, value: str) -> str:
        if not value:
            raise ValueError(
                "is required for X: set bearer_token: ${X_BEARER_TOKEN} and export the token"
            )
        return value

    @field_validator("interval")
    @classmethod
    def _floor(cls, value: float | None) -> float | None:
        if value is not None and value < 1800:
            raise ValueError("must be at least 30m for X (the API bills every post read)")
        return value


SourceConfig = Annotated[
    FeedSource | MastodonSource | BlueskySource | YoutubeSource | RedditSource | XSource,
    Field(discriminator="type"),
]


