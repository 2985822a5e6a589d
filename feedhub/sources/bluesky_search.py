"""The `bluesky_search` source: posts matching a search, for walls.

`app.bsky.feed.searchPosts` (https://docs.bsky.app/docs/api/app-bsky-feed-search-posts):
`q` (Lucene-like: words, `#tag`, `from:handle`, `lang:fr`), `sort` (`latest` or `top`),
`limit` 1–100; answers `{cursor, hitsTotal, posts: [postView]}`. The public AppView refuses
it without a session (403), so it is asked on the account's service with the session made
from an app password (`atproto.py`). The consent rule (`!no-unauthenticated`) applies to
every author, as for accounts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from feedhub.config import BlueskySearchSource
from feedhub.models import FetchState, Item
from feedhub.sources import tokens
from feedhub.sources.atproto import SessionKeeper
from feedhub.sources.base import ParseError, PollContext, PollResult, SourceAdapter
from feedhub.sources.bluesky import post_item, profile_author
from feedhub.sources.consent import WITHHELD, bluesky_refusal
from feedhub.sources.social import explain, obj, text
from feedhub.sources.values import load_json


class BlueskySearchAdapter(SourceAdapter):
    network = "bluesky_search"

    def __init__(self, source_id: str, cfg: BlueskySearchSource, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        service = (cfg.base_url or cfg.service).rstrip("/")
        self.base_url = service
        self.session = SessionKeeper(self, service, cfg.identifier, cfg.app_password)

    def redact(self, message: str) -> str:
        return tokens.redact(message, *self.session.secrets())

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        query = urlencode({"q": self.cfg.q, "sort": self.cfg.sort, "limit": self.cfg.limit})
        url = f"{self.base_url}/xrpc/app.bsky.feed.searchPosts?{query}"
        res, kept = await self.session.get(ctx, url, state.meta)
        if res is None:
            return PollResult(error=self.session.problem)
        result = await self.parse_answer(ctx, res, parse_search, self.source_id)
        result.meta.update(kept)
        return explain(result, {403: "the search was refused to this account"})


def parse_search(body: bytes, url: str, source_id: str) -> tuple[list[Item], dict[str, Any]]:
    """Items of a searchPosts answer (post views, no feed entries around them), without the
    authors who asked not to be shown to logged-out viewers."""
    doc = load_json(body, dict)
    posts = doc.get("posts")
    if not isinstance(posts, list):
        raise ParseError("no 'posts' array: not a searchPosts answer")
    items: list[Item] = []
    seen: set[str] = set()
    withheld: dict[str, str] = {}
    for post in map(obj, posts):
        if not text(post.get("uri")) or not isinstance(post.get("record"), dict):
            raise ParseError("a post without uri or record")
        if why := bluesky_refusal(post.get("author")):
            withheld[profile_author(obj(post.get("author"))).handle] = why
            continue
        item = post_item(post, source_id)
        if item.id not in seen:
            seen.add(item.id)
            items.append(item)
    return items, {"meta": {WITHHELD: withheld}}
