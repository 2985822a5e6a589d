"""The `bluesky_feed` source: a custom feed or a list's feed, for walls, on the public
AppView.

- `app.bsky.feed.getFeed` (https://docs.bsky.app/docs/api/app-bsky-feed-get-feed): `feed`
  (the at-uri of a feed generator record), `limit` 1–100; answers `{cursor, feed:
  [feedViewPost]}`, the same entries as an author feed's. Some feed generators need a
  viewer and answer 401 to the public AppView.
- `app.bsky.feed.getListFeed` (https://docs.bsky.app/docs/api/app-bsky-feed-get-list-feed):
  `list` (the at-uri of a list), the recent posts of its members, in the same shape.

The consent rule (`!no-unauthenticated`) applies to every author, as for accounts.
"""

from __future__ import annotations

from urllib.parse import urlencode

from feedhub.config import BlueskyFeedSource
from feedhub.models import FetchState
from feedhub.sources.base import PollContext, PollResult, SourceAdapter
from feedhub.sources.bluesky import parse_author_feed
from feedhub.sources.social import explain

PUBLIC_APPVIEW = "https://public.api.bsky.app"


class BlueskyFeedAdapter(SourceAdapter):
    network = "bluesky_feed"
    default_base_url = PUBLIC_APPVIEW

    def __init__(self, source_id: str, cfg: BlueskyFeedSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        if self.cfg.feed:
            call, key, uri = "app.bsky.feed.getFeed", "feed", self.cfg.feed
        else:
            call, key, uri = "app.bsky.feed.getListFeed", "list", str(self.cfg.list)
        query = urlencode({key: uri, "limit": self.cfg.limit})
        result = await self.fetch_and_parse(
            ctx, f"{self.base_url}/xrpc/{call}?{query}", parse_author_feed, self.source_id,
            state=state,
        )  # fmt: skip
        return explain(
            result,
            {
                400: f"{key} {uri} not found (or not a {key})",
                401: f"the {key}'s generator shows it to logged-in viewers only",
            },
        )
