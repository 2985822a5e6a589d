"""The platforms feedhub reads: one record per source type, and every list of them derived.

A `Platform` holds all that the rest of the package needs to know of a source type: its
config model (whose `type: Literal["name"]` is the only place the type's name is written),
its adapter, the name a widget shows and whether its items have titles of their own.
`PLATFORMS` is the registry: the config loader validates `sources:` against it, the error
messages list its types, `feedhub.sources.make_adapter` builds adapters from it, and the
publish stage takes display names and `has_titles` from it. A new platform is a config model
in `config/sources.py`, an adapter module in `feedhub/sources/` and one line in `BUILTIN`.

It lives at the config stage because the config validates `sources:` and may not import the
adapters, while the stages above (publish, web) need the names without the adapters. So a
record names its adapter by import path ("module:Class"), imported only when a source of
that type is built. Tests register platforms of their own for a while (`registered`); the
loader builds its `Config` model for the platforms registered when it validates.
"""

from __future__ import annotations

import contextlib
import functools
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args, get_origin

from pydantic import Field

from feedhub.config.sources import (
    BlueskySource,
    FacebookSource,
    FeedSource,
    InstagramSource,
    LemmySource,
    MastodonSource,
    PeertubeSource,
    PixelfedSource,
    RedditSource,
    SourceBase,
    ThreadsSource,
    TumblrSource,
    XSource,
    YoutubeSource,
)
from feedhub.config.walls import (
    BlueskyFeedSource,
    BlueskyLikesSource,
    BlueskySearchSource,
    InstagramTagSource,
    MastodonFavouritesSource,
    MastodonListSource,
    MastodonTagSource,
    PixelfedTagSource,
    ThreadsSearchSource,
    TumblrTagSource,
)

_IMPORT_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


def type_name(model: type[SourceBase]) -> str:
    """The source type a config model validates: the one value of its `type` Literal."""
    field = model.model_fields.get("type")
    values = get_args(field.annotation) if field else ()
    if (
        field is None
        or get_origin(field.annotation) is not Literal
        or len(values) != 1
        or not isinstance(values[0], str)
    ):
        raise TypeError(f"{model.__name__} must declare type: Literal['<name>']")
    return values[0]


@dataclass(frozen=True, slots=True)
class Platform:
    """One source type: its config model, its adapter ("package.module:Class", imported when
    a source of this type is built), the name a widget shows beside its items ("" shows
    none) and whether its items have titles of their own (feed entries, videos, link posts:
    the title is shown, and cross-posts are matched on it)."""

    config: type[SourceBase]
    adapter: str
    display: str
    titled: bool = False

    def __post_init__(self) -> None:
        type_name(self.config)
        if not _IMPORT_PATH.match(self.adapter):
            raise ValueError(f"adapter must be 'package.module:Class', got {self.adapter!r}")

    @property
    def type(self) -> str:
        return type_name(self.config)


class Platforms:
    """The registry: platforms by type, in the order they were registered (the order error
    messages list them in)."""

    def __init__(self, *platforms: Platform) -> None:
        self._by_type: dict[str, Platform] = {}
        for platform in platforms:
            self.register(platform)

    def register(self, platform: Platform) -> None:
        """Add a platform; a type already registered is refused."""
        if platform.type in self._by_type:
            raise ValueError(f"a platform of type {platform.type!r} is already registered")
        self._by_type[platform.type] = platform

    def unregister(self, type_name: str) -> None:
        del self._by_type[type_name]

    @contextlib.contextmanager
    def registered(self, platform: Platform) -> Iterator[Platform]:
        """The platform registered for the `with` block only (a test's own platform)."""
        self.register(platform)
        try:
            yield platform
        finally:
            self.unregister(platform.type)

    def __iter__(self) -> Iterator[Platform]:
        return iter(tuple(self._by_type.values()))

    def __len__(self) -> int:
        return len(self._by_type)

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._by_type

    def __getitem__(self, type_name: str) -> Platform:
        return self._by_type[type_name]

    def types(self) -> tuple[str, ...]:
        return tuple(self._by_type)

    def display_names(self) -> dict[str, str]:
        """Type -> the name a widget shows."""
        return {name: p.display for name, p in self._by_type.items()}

    def has_titles(self, type_name: str) -> bool:
        """Whether items of this type have titles of their own (False for unknown types)."""
        platform = self._by_type.get(type_name)
        return platform is not None and platform.titled


def source_union(platforms: tuple[Platform, ...]) -> Any:
    """The pydantic type of one `sources:` entry: the platforms' models told apart by
    `type`."""
    models = functools.reduce(operator.or_, [p.config for p in platforms])
    return Annotated[models, Field(discriminator="type")]


BUILTIN = (
    Platform(FeedSource, "feedhub.sources.feed:FeedAdapter", "", titled=True),
    Platform(MastodonSource, "feedhub.sources.mastodon:MastodonAdapter", "Mastodon"),
    Platform(BlueskySource, "feedhub.sources.bluesky:BlueskyAdapter", "Bluesky"),
    Platform(YoutubeSource, "feedhub.sources.youtube:YoutubeAdapter", "YouTube", titled=True),
    Platform(RedditSource, "feedhub.sources.reddit:RedditAdapter", "Reddit", titled=True),
    Platform(XSource, "feedhub.sources.x:XAdapter", "X"),
    Platform(InstagramSource, "feedhub.sources.instagram:InstagramAdapter", "Instagram"),
    Platform(ThreadsSource, "feedhub.sources.threads:ThreadsAdapter", "Threads"),
    Platform(FacebookSource, "feedhub.sources.facebook:FacebookAdapter", "Facebook"),
    Platform(PeertubeSource, "feedhub.sources.peertube:PeertubeAdapter", "PeerTube", titled=True),
    Platform(LemmySource, "feedhub.sources.lemmy:LemmyAdapter", "Lemmy", titled=True),
    Platform(PixelfedSource, "feedhub.sources.pixelfed:PixelfedAdapter", "Pixelfed"),
    Platform(TumblrSource, "feedhub.sources.tumblr:TumblrAdapter", "Tumblr"),
    Platform(MastodonTagSource, "feedhub.sources.mastodon_tag:MastodonTagAdapter", "Mastodon"),
    Platform(BlueskySearchSource, "feedhub.sources.bluesky_search:BlueskySearchAdapter", "Bluesky"),
    Platform(BlueskyFeedSource, "feedhub.sources.bluesky_feed:BlueskyFeedAdapter", "Bluesky"),
    Platform(
        MastodonFavouritesSource,
        "feedhub.sources.mastodon_favourites:MastodonFavouritesAdapter",
        "Mastodon",
    ),
    Platform(BlueskyLikesSource, "feedhub.sources.bluesky_likes:BlueskyLikesAdapter", "Bluesky"),
    Platform(MastodonListSource, "feedhub.sources.mastodon_list:MastodonListAdapter", "Mastodon"),
    Platform(PixelfedTagSource, "feedhub.sources.pixelfed_tag:PixelfedTagAdapter", "Pixelfed"),
    Platform(TumblrTagSource, "feedhub.sources.tumblr_tag:TumblrTagAdapter", "Tumblr"),
    Platform(InstagramTagSource, "feedhub.sources.instagram_tag:InstagramTagAdapter", "Instagram"),
    Platform(ThreadsSearchSource, "feedhub.sources.threads_search:ThreadsSearchAdapter", "Threads"),
)
PLATFORMS = Platforms(*BUILTIN)

# mypy sees what every source has; pydantic sees the built-in platforms' union (the loader
# builds the union of those registered later: `feedhub.config.schema.config_model`).
if TYPE_CHECKING:
    SourceConfig = SourceBase
else:
    SourceConfig = source_union(BUILTIN)
