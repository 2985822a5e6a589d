"""What a WebSub hub's requests do: a verification answered from the source's subscription
record, a delivery parsed in a worker and stored through the recorder, as a poll's body is.

The web handler keeps only the HTTP checks (size, signature, status code); see
`feedhub.web.websub`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from functools import partial

from feedhub.ingest import workers
from feedhub.ingest.poller import Poller
from feedhub.ingest.polling import Polling
from feedhub.ingest.subscriber import Subscriber
from feedhub.ingest.websub import subscription, verify
from feedhub.models import FetchState
from feedhub.sources.base import PollResult, parse_and_encode

log = logging.getLogger("feedhub.websub")

PING_GAP = 60.0  # pushes that only prompt a poll (unsigned ones) poll at most this often


class Pushes:
    """The hub's side of each push-capable feed source."""

    def __init__(self, polling: Polling, poller: Poller, subscriber: Subscriber) -> None:
        self.polling = polling
        self.poller = poller
        self.subscriber = subscriber

    async def verify(self, sid: str, query: Mapping[str, str]) -> str | None:
        """The challenge to echo for a subscription feedhub asked for; None for any other."""
        if sid not in self.polling.config.sources:
            return None
        recorder = self.polling.recorder
        state = await recorder.fresh(sid)  # with a shared store, another replica may have asked
        challenge, record = verify(subscription(state), query, time.time())
        if record != subscription(state):
            state.meta["websub"] = record
            await recorder.store.save(sid, state, None)
            self.subscriber.poke(sid)  # its renewal time moved
            log.info(
                "source %s: hub says %s (%s)", sid, query.get("hub.mode"), record.get("status")
            )
        return challenge

    async def active(self, sid: str) -> FetchState | None:
        """The source's fresh state when its subscription is active (pushes are taken)."""
        # Here: the feed reader (feedparser, the fast path) loads with the first feed, not
        # before the daemon serves (~25 ms of a start).
        from feedhub.sources.feed import FeedAdapter

        if not isinstance(self.polling.adapters.get(sid), FeedAdapter):
            return None
        state = await self.polling.recorder.fresh(sid)
        return state if subscription(state).get("status") == "active" else None

    def max_bytes(self, sid: str) -> int:
        config = self.polling.config
        return config.sources[sid].max_bytes or config.fetch.max_bytes

    def ping(self, sid: str) -> None:
        """A push that cannot be told from a forgery (no secret): only a hint to poll the
        feed itself, within the source's floors and backoff."""
        self.poller.refresh(sid, gap=PING_GAP)

    async def deliver(
        self, sid: str, state: FetchState, body: bytes, headers: Mapping[str, str]
    ) -> str:
        """A signed push: parsed as the feed's own body, stored on `state` (the one `active`
        read). What became of it, in a word ("stored", "unreadable")."""
        from feedhub.sources.feed import FeedAdapter, parse_feed

        adapter = self.polling.adapters[sid]
        assert isinstance(adapter, FeedAdapter)
        try:
            (items, extra), encoded = await workers.run_parse(
                partial(parse_and_encode, rows=self.polling.recorder.store.row_maker()),
                partial(parse_feed, headers=dict(headers)),
                body,
                adapter.url,
                sid,
                adapter.network,
            )
        except Exception as exc:  # a hostile or broken push costs nothing but a log line
            log.warning("source %s: pushed content unreadable: %s", sid, exc)
            return "unreadable"
        result = PollResult(
            items=items,
            status=200,
            meta=extra.get("meta", {}),
            ttl=extra.get("ttl"),
            encoded=encoded,
        )
        await self.polling.recorder.record(sid, result, state)
        return "stored"
