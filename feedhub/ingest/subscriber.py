"""Keeping push-capable feed sources subscribed: the WebSub subscriber's requests to hubs.

What to do and when is decided by the pure functions of `websub`; this module does the I/O:
a subscribe request when a subscription is due, its record saved in the source's state, one
replica at a time (the one holding the source's poll lease).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import secrets
import time
from collections.abc import Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from feedhub.aio import wait_event
from feedhub.fetch.addresses import is_public_address
from feedhub.ingest.poller import Poller
from feedhub.ingest.websub import (
    LEASE_ASKED,
    RETRY_AFTER,
    TICK_MAX,
    Hubs,
    discover,
    due_at,
    sends_secret,
    subscription,
)
from feedhub.models import FetchState
from feedhub.store import Store

log = logging.getLogger("feedhub.websub")


class Subscriber:
    """Keeps every push-capable feed source subscribed; `poke` it when a poll finds a hub."""

    def __init__(
        self,
        *,
        store: Store,
        states: MutableMapping[str, FetchState],
        lease: Poller,
        hubs: Callable[[], Hubs],
    ) -> None:
        self.store = store
        self.states = states
        self.lease = lease  # one replica speaks to a hub: the one holding the poll lease
        self._hubs = hubs
        self._wake = asyncio.Event()
        self._poked: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="websub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def poke(self, source_id: str) -> None:
        self._poked.add(source_id)
        self._wake.set()

    async def _run(self) -> None:
        """Check each source when it is due (at least every TICK_MAX) or when a poll changed
        it; never all of them on every change, which was quadratic in a big first poll. The
        due times wait in a heap: a wake costs the sources it checks, where a look over every
        source's time cost 0.3 ms a wake at 10,000 sources, a wake per changed source."""
        due: dict[str, float] = {}
        queue: list[tuple[float, str]] = []  # (when, source); stale once `due` moved on
        hubs: object = None
        while True:
            self._wake.clear()
            if self._hubs() is not hubs:  # started or reloaded: every source now
                hubs = self._hubs()
                due = dict.fromkeys(self._hubs().topics, 0.0)
                queue = [(0.0, sid) for sid in due]
                heapq.heapify(queue)
            now = time.time()
            todo: dict[str, None] = {}  # in order, once each
            while queue and queue[0][0] <= now:
                at, sid = heapq.heappop(queue)
                if due.get(sid) == at:
                    todo[sid] = None
            todo.update((sid, None) for sid in self._poked if due.get(sid, 0.0) > now)
            self._poked.clear()
            for n, sid in enumerate(todo, 1):
                try:
                    due[sid] = min(now + TICK_MAX, await self.check(sid))
                except Exception:  # one source's hub must not stop the others' renewals
                    log.exception("source %s: websub check failed", sid)
                    due[sid] = now + TICK_MAX
                heapq.heappush(queue, (due[sid], sid))
                if n % 64 == 0:
                    await asyncio.sleep(0)  # a long round must not hold requests back
            while queue and due.get(queue[0][1]) != queue[0][0]:
                heapq.heappop(queue)
            next_due = queue[0][0] if queue else now + TICK_MAX
            await wait_event(self._wake, max(0.2, next_due - time.time()))

    async def check(self, sid: str) -> float:
        """Subscribe or renew when due; returns when to look again."""
        hubs = self._hubs()
        state = self.states.get(sid)
        if self.store.shared:  # another replica may have answered the hub meanwhile
            state = await self.store.get_state(sid) or state
            if state is not None:
                self.states[sid] = state
        if state is None or not hubs.public_url or sid not in hubs.topics:
            return float("inf")
        found = discover(state.meta, hubs.topics[sid])
        sub = subscription(state)
        now = time.time()
        if sub.get("status") == "pending" and now >= due_at(sub, found):
            # The hub never came to verify: poll normally, ask again later.
            sub.update(
                status="failed",
                retry_at=now + RETRY_AFTER,
                error="the hub did not verify the subscription",
            )
            await self._save(sid, state, sub)
        when = due_at(sub, found)
        if when > now or found is None:
            return when
        # One replica speaks to the hub: the one holding the source's poll lease.
        if not await self.store.acquire(sid, self.lease.owner, self.lease.lease_seconds):
            return now + self.lease.lease_seconds
        await self.subscribe(sid, state, found, sub)
        return due_at(subscription(state), found)

    async def subscribe(
        self, sid: str, state: FetchState, found: tuple[str, str], sub: dict[str, Any]
    ) -> None:
        hub, topic = found
        # Without a secret (a plain-http hub), a push only says "poll now" (see the handler).
        secret = (sub.get("secret") or secrets.token_hex(20)) if sends_secret(hub) else ""
        record = {
            "hub": hub,
            "topic": topic,
            "secret": secret,
            "status": "pending",
            "requested": time.time(),
            "expires": sub.get("expires", 0),
            "granted": sub.get("granted", 0),
            "asking": True,
        }
        if sub.get("status") == "active":
            record["status"] = "active"  # renewing: push keeps working meanwhile
        await self._save(sid, state, record)  # before asking: the hub may verify at once
        form = {
            "hub.callback": f"{self._hubs().public_url}/websub/{sid}",
            "hub.mode": "subscribe",
            "hub.topic": topic,
            "hub.lease_seconds": str(LEASE_ASKED),
        }
        if secret:
            form["hub.secret"] = secret
        error = await self._request(hub, form)
        if error:
            log.warning(
                "source %s: websub subscription to %s failed: %s; polling instead", sid, hub, error
            )
            current = subscription(state)
            current.update(status="failed", retry_at=time.time() + RETRY_AFTER, error=error)
            await self._save(sid, state, current)
        else:
            log.info("source %s: asked %s to push %s", sid, hub, topic)

    async def _request(self, hub: str, form: dict[str, str]) -> str:
        hubs = self._hubs()
        host = urlsplit(hub).hostname or ""
        if urlsplit(hub).scheme not in ("http", "https"):
            return "the hub is not an http(s) URL"
        if not hubs.allow_private and not is_public_address(host):
            return f"refused: {host} is a private address"
        try:
            async with hubs.session().post(
                hub, data=form, timeout=aiohttp.ClientTimeout(total=30), allow_redirects=False
            ) as resp:
                return "" if 200 <= resp.status < 300 else f"HTTP {resp.status} from the hub"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return f"{type(exc).__name__}: {exc}"

    async def _save(self, sid: str, state: FetchState, record: dict[str, Any]) -> None:
        # In place: a poll running now copies this meta into the state it saves.
        state.meta["websub"] = record
        await self.store.save(sid, state, None)
