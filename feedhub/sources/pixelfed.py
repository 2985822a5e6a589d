"""The `pixelfed` source: an account's posts through Pixelfed's Mastodon-compatible API
(with a token when the instance asks for one), else through the account's public Atom feed.

An instance that refuses anonymous API reads is read from its Atom feed for a day before
the API is tried again, so each poll costs one request.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any
from urllib.parse import quote, urlencode

from feedhub.config.sources import STORED
from feedhub.models import FetchState, Item
from feedhub.sources import tokens
from feedhub.sources.base import PollContext, PollResult, SourceAdapter
from feedhub.sources.feed import parse_feed
from feedhub.sources.mastodon import parse_account, parse_statuses
from feedhub.sources.posts import keep_sensitive
from feedhub.sources.rechecks import statuses_gone
from feedhub.sources.social import LOOKUP, cached_id, explain, merge_lookup

API_CLOSED = "api_closed"  # FetchState.meta key: when the API last refused us
RETRY_API = 86400.0
LIMIT = 40


class PixelfedAdapter(SourceAdapter):
    network = "pixelfed"
    can_recheck = True

    def __init__(self, source_id: str, cfg: Any, base_dir: str = ".") -> None:
        super().__init__(source_id, cfg, base_dir)
        self.cfg = cfg
        self.user, self.instance = cfg.account.lstrip("@").split("@", 1)
        self.acct = f"@{self.user}@{self.instance}"
        self.base_url = (cfg.base_url or f"https://{self.instance}").rstrip("/")
        # `stored` and not connected yet: read as anyone may.
        connected = cfg.token and cfg.token != STORED
        self.headers = {"Authorization": f"Bearer {cfg.token}"} if connected else {}
        self.messages = {
            404: f"account {self.acct} not found",
            410: f"account {self.acct} is gone (suspended or deleted)",
        }

    async def recheck(self, ctx: PollContext, items: list[Item]) -> set[str]:
        return await statuses_gone(self, ctx, self.base_url, items, self.headers)

    def redact(self, message: str) -> str:
        return tokens.redact(message, self.cfg.token)

    async def poll(self, ctx: PollContext, state: FetchState) -> PollResult:
        closed = state.meta.get(API_CLOSED)
        if isinstance(closed, int | float) and time.time() - closed < RETRY_API:
            return await self._atom(ctx, state)
        lookup_url = f"{self.base_url}/api/v1/accounts/lookup?" + urlencode({"acct": self.user})
        account_id, lookup = await cached_id(
            self,
            ctx,
            state,
            self.acct,
            lookup_url,
            parse_account,
            self.instance,
            headers=self.headers,
            messages=self.messages,
            now=time.time(),
        )
        if lookup.status in (401, 403):
            return await self._atom(ctx, state, closed=True)
        if not lookup.ok:
            return lookup
        query = urlencode(
            {
                "limit": min(self.cfg.limit, LIMIT),
                "exclude_replies": str(self.cfg.exclude_replies).lower(),
                "exclude_reblogs": str(self.cfg.exclude_reposts).lower(),
            }
        )
        url = f"{self.base_url}/api/v1/accounts/{quote(account_id)}/statuses?{query}"
        # The stored validators may be the Atom feed's: ask unconditionally after a switch.
        result = await self.fetch_and_parse(
            ctx,
            url,
            parse_pixelfed,
            self.source_id,
            self.instance,
            self.cfg.sensitive,
            state=None if closed else state,
            headers=self.headers,
        )
        if result.status in (401, 403):
            return await self._atom(ctx, state, closed=True)
        result.meta[API_CLOSED] = None
        return explain(merge_lookup(result, lookup), self.messages)

    async def _atom(self, ctx: PollContext, state: FetchState, closed: bool = False) -> PollResult:
        url = f"{self.base_url}/users/{quote(self.user)}.atom"
        result = await self.fetch_and_parse(
            ctx,
            url,
            parse_feed,
            self.source_id,
            "pixelfed",
            state=None if closed else state,
            read_headers=True,
        )
        if closed:
            result.meta.update({API_CLOSED: time.time(), LOOKUP: None})
        return explain(result, self.messages)


def parse_pixelfed(
    body: bytes, url: str, source_id: str, instance: str, sensitive: str = "hide"
) -> tuple[list[Item], dict[str, Any]]:
    """Items of a Mastodon-compatible statuses answer, as Pixelfed posts (and the authors
    left out at their request, as for Mastodon)."""
    items, extra = parse_statuses(body, url, source_id, instance)
    items = [dataclasses.replace(it, network="pixelfed") for it in items]
    return keep_sensitive(items, sensitive), extra
