"""Source adapters, one module per platform, found by the config's `type`.

Each adapter asks the fetcher for what its platform answers and parses it (in a parse worker)
into items of `feedhub.models`, sanitized by `feedhub.content`. Adapters share their helpers
(`base`, `social`, `values`, `entries`; the Meta ones `graph` and `tokens`; those
that give plain text `posts`); the feed reader's fast path is `fastfeed/`. A new
platform is a module here and a config model in `feedhub.config.sources`.
May import: models, config, content, fetch.
"""

from __future__ import annotations

from typing import Any

from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.bluesky import BlueskyAdapter
from feedhub.sources.facebook import FacebookAdapter
from feedhub.sources.feed import FeedAdapter
from feedhub.sources.instagram import InstagramAdapter
from feedhub.sources.lemmy import LemmyAdapter
from feedhub.sources.mastodon import MastodonAdapter
from feedhub.sources.peertube import PeertubeAdapter
from feedhub.sources.pixelfed import PixelfedAdapter
from feedhub.sources.reddit import RedditAdapter
from feedhub.sources.threads import ThreadsAdapter
from feedhub.sources.tumblr import TumblrAdapter
from feedhub.sources.x import XAdapter
from feedhub.sources.youtube import YoutubeAdapter

ADAPTERS: dict[str, type[SourceAdapter]] = {
    "feed": FeedAdapter,
    "mastodon": MastodonAdapter,
    "bluesky": BlueskyAdapter,
    "youtube": YoutubeAdapter,
    "reddit": RedditAdapter,
    "x": XAdapter,
    "instagram": InstagramAdapter,
    "threads": ThreadsAdapter,
    "facebook": FacebookAdapter,
    "peertube": PeertubeAdapter,
    "lemmy": LemmyAdapter,
    "pixelfed": PixelfedAdapter,
    "tumblr": TumblrAdapter,
}


def make_adapter(source_id: str, cfg: Any, base_dir: str = ".") -> SourceAdapter:
    """The adapter for a source's config (its `type` picks the class)."""
    return ADAPTERS[cfg.type](source_id, cfg, base_dir)


__all__ = ["ADAPTERS", "ParseError", "PollContext", "PollResult", "SourceAdapter", "make_adapter"]
