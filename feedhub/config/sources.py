"""The `sources:` section: one model per source type, told apart by `type`.

A model's `type: Literal["name"]` is where its platform's name is written; the platform's
record in `feedhub.config.platforms` takes the name from there.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from feedhub.config.fields import MAX_ITEMS, Duration, Size, Strict


class SourceBase(Strict):
    """What every source type's config has; a subclass adds `type: Literal["name"]`."""

    if TYPE_CHECKING:  # each subclass's own field; declared here for code that reads any source
        type: str

    interval: Duration | None = None
    timeout: Duration | None = None
    max_bytes: Size | None = None
    max_items: int | None = Field(None, ge=1, le=MAX_ITEMS)
    max_age: Duration | None = None  # posts that left the upstream's answer kept this long
    recheck: Duration | None = None  # how often older posts are asked about (where possible)
    base_url: str | None = None
    lang: str = ""  # the items' language when the platform gives none (YouTube, Reddit)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
        return value.rstrip("/") if value else value


class FeedSource(SourceBase):
    type: Literal["feed"]
    url: str
    websub: bool = True


class _Timeline(SourceBase):
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


class YoutubeSource(SourceBase):
    type: Literal["youtube"]
    channel_id: str

    @field_validator("channel_id")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not re.match(r"^UC[A-Za-z0-9_-]{22}$", value):
            raise ValueError(f"must be a channel id like UCxxxxxxxxxxxxxxxxxxxxxx, got {value!r}")
        return value


class RedditSource(SourceBase):
    type: Literal["reddit"]
    subreddit: str | None = None
    user: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> RedditSource:
        if bool(self.subreddit) == bool(self.user):
            raise ValueError("give exactly one of subreddit or user")
        return self


class XSource(SourceBase):
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


Sensitive = Literal["hide", "fold"]


class _Read(SourceBase):
    """A source whose API returns a page of posts: `limit` is how many a poll reads."""

    limit: int = Field(20, ge=1, le=100)


def _required(value: str, what: str) -> str:
    if not value:
        raise ValueError(f"is required: {what}")
    return value


STORED = "stored"  # a token connected on /admin, kept in the store, encrypted


class _Meta(_Read):
    """A Meta source: its token from the environment, or `stored` (connected on /admin, where
    the app's secret exchanges a short-lived token for a long-lived one)."""

    token: str = Field("", validate_default=True)  # so that a missing one gets its message
    app_secret: str = ""


class _Renewed(_Meta):
    """A long-lived token that feedhub renews when it is older than `refresh_after`."""

    refresh_after: Duration = 7 * 86400.0

    @field_validator("refresh_after")
    @classmethod
    def _age(cls, value: float) -> float:
        # Meta renews only tokens at least a day old, and they last 60 days.
        if not 86400 <= value <= 50 * 86400:
            raise ValueError(f"must be between 1d and 50d, got {value:g}s")
        return value


class InstagramSource(_Renewed):
    type: Literal["instagram"]

    @field_validator("token")
    @classmethod
    def _token(cls, value: str) -> str:
        return _required(
            value, "set token: ${INSTAGRAM_TOKEN} and export the account's long-lived token"
        )


class ThreadsSource(_Renewed):
    type: Literal["threads"]
    user_id: str = "me"
    exclude_reposts: bool = False

    @field_validator("token")
    @classmethod
    def _token(cls, value: str) -> str:
        return _required(
            value, "set token: ${THREADS_TOKEN} and export the profile's long-lived token"
        )


class FacebookSource(_Meta):
    type: Literal["facebook"]
    page_id: str = Field("", validate_default=True)  # `token: stored`: the Page picked
    app_id: str = ""

    @field_validator("token")
    @classmethod
    def _token(cls, value: str) -> str:
        return _required(
            value, "set token: ${FACEBOOK_PAGE_TOKEN} and export the Page's access token"
        )

    @field_validator("page_id")
    @classmethod
    def _page(cls, value: str, info: ValidationInfo) -> str:
        if not value and info.data.get("token") != STORED:
            raise ValueError("is required (or `token: stored`: the Page picked on /admin/connect)")
        return value


_FEDI_NAME = re.compile(r"^[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def _fedi(value: str | None, example: str) -> str | None:
    if value is not None and not _FEDI_NAME.match(value.lstrip("@!")):
        raise ValueError(f"must look like {example}, got {value!r}")
    return value


class _OneOf(_Read):
    """`sensitive`: posts marked NSFW are left out (hide) or folded behind a warning."""

    sensitive: Sensitive = "hide"

    def _exactly_one(self, a: str, b: str) -> None:
        if bool(getattr(self, a)) == bool(getattr(self, b)):
            raise ValueError(f"give exactly one of {a} or {b}")


class PeertubeSource(_OneOf):
    type: Literal["peertube"]
    channel: str | None = None
    account: str | None = None

    @field_validator("channel", "account")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _fedi(value, "name@tube.example")

    @model_validator(mode="after")
    def _one(self) -> PeertubeSource:
        self._exactly_one("channel", "account")
        return self


class LemmySource(_OneOf):
    type: Literal["lemmy"]
    community: str | None = None
    user: str | None = None

    @field_validator("community", "user")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _fedi(value, "name@lemmy.example")

    @model_validator(mode="after")
    def _one(self) -> LemmySource:
        self._exactly_one("community", "user")
        return self


class PixelfedSource(_OneOf):
    type: Literal["pixelfed"]
    account: str
    token: str = ""
    exclude_replies: bool = True
    exclude_reposts: bool = False

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        return _fedi(value, "@user@pixelfed.example") or value


class TumblrSource(_OneOf):
    type: Literal["tumblr"]
    blog: str
    api_key: str = Field("", validate_default=True)
    limit: int = Field(20, ge=1, le=20)  # the API's maximum per request
    exclude_reposts: bool = False

    @field_validator("api_key")
    @classmethod
    def _key(cls, value: str) -> str:
        return _required(
            value, "set api_key: ${TUMBLR_API_KEY} and export the app's OAuth consumer key"
        )
