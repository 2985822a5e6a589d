"""One task per source, each sleeping until its next check; woken early by a refresh."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from feedhub.aio import Alarm
from feedhub.ingest.schedule import refresh_at
from feedhub.models import FetchState
from feedhub.store import Store
from feedhub.store.health import StoreHealth

log = logging.getLogger("feedhub.poller")

LEASE_SECONDS = 30.0
START_BATCH = 64  # tasks started per turn of the event loop: a first step each, then requests


class Poller:
    """Runs `poll(source_id)` for each source of `sources()` when its state says it is due.

    `states` is the map of fetch states, read and updated in place; `interval` gives a
    source's current polling interval (how long to wait after a failure to record a poll).
    """

    def __init__(
        self,
        *,
        store: Store,
        states: MutableMapping[str, FetchState],
        sources: Callable[[], Iterable[str]],
        poll: Callable[[str], Awaitable[Any]],
        interval: Callable[[str], float],
        floor: Callable[[str], float] = lambda sid: 0.0,
        lease_seconds: float | None = None,
        health: StoreHealth | None = None,
    ) -> None:
        self.store = store
        self.health = health or StoreHealth(store.where)
        self.states = states
        self._sources = sources
        self._poll = poll
        self._interval = interval
        self._floor = floor  # a source's platform floor: the least time between two polls
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._wake: dict[str, Alarm] = {}
        self._forced: set[str] = set()  # refreshed by hand: polled even if not due
        self.lease_seconds = lease_seconds or LEASE_SECONDS

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    async def start(self) -> None:
        """A task per source, started a batch at a time: a thousand first steps in one turn
        of the loop would hold every request back for tens of ms."""
        for n, sid in enumerate(list(self._sources()), 1):
            if sid not in self._tasks:  # a reload may have started some already
                self._spawn(sid)
            if n % START_BATCH == 0:
                await asyncio.sleep(0)

    def _spawn(self, sid: str) -> None:
        self._wake[sid] = Alarm()
        self._tasks[sid] = asyncio.create_task(self._run(sid), name=f"poll:{sid}")

    async def _cancel(self, sid: str) -> None:
        task = self._tasks.pop(sid, None)
        self._wake.pop(sid, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.store.release(sid, self.owner)

    async def stop(self) -> None:
        for sid in list(self._tasks):
            await self._cancel(sid)

    async def reconcile(self, changed: set[str]) -> None:
        """After a reload: stop removed sources, restart changed ones, start new ones."""
        if not self._tasks and not changed:
            return
        wanted = set(self._sources())
        for sid in set(self._tasks) - wanted | (changed & set(self._tasks)):
            await self._cancel(sid)
        for sid in changed:
            state = self.states.get(sid)
            if state is not None:
                state.next_check = 0.0
        for sid in wanted - set(self._tasks):
            self._spawn(sid)

    def refresh_at(self, sid: str, gap: float = 0.0) -> float:
        """When a refresh asked now may poll the source (unix time); `gap`: at least this
        long after the last poll."""
        state = self.states.get(sid)
        now = time.time()
        return now if state is None else refresh_at(state, max(self._floor(sid), gap), now)

    def refresh(self, sid: str, gap: float = 0.0) -> float:
        """Poll a source as soon as its backoff and floors allow (admin button, WebSub
        ping); returns when."""
        at = self.refresh_at(sid, gap)
        state = self.states.get(sid)
        if state is not None:
            state.next_check = min(state.next_check, at)
        if at <= time.time():
            self._forced.add(sid)
        if sid in self._wake:
            self._wake[sid].ring()
        return at

    async def _run(self, sid: str) -> None:
        while True:
            state = self.states.get(sid)
            delay = (state.next_check if state else 0.0) - time.time()
            if delay > 0:
                await self._wake[sid].sleep(min(delay, self.lease_seconds))
                continue
            if not await self._lease(sid):
                await asyncio.sleep(self.lease_seconds / 3)
                await self._still_due(sid)
                continue
            # Shared store: another replica may have polled it since we last looked.
            if self.store.shared and sid not in self._forced and not await self._still_due(sid):
                continue
            self._forced.discard(sid)
            try:
                await self._poll(sid)
            except asyncio.CancelledError:
                raise
            except Exception:  # the store failing must not end this source's polling
                log.exception("source %s: poll could not be recorded", sid)
                await asyncio.sleep(min(self._interval(sid), 60))

    async def _still_due(self, sid: str) -> bool:
        """Re-read a source's shared state; is it still time to poll it?"""
        try:
            fresh = await self.store.get_state(sid)
        except Exception as exc:  # the store's fault: logged once, not once per source
            self.health.failed(exc)
            return True
        if fresh is None:
            return True
        self.states[sid] = fresh
        return fresh.next_check <= time.time()

    async def _lease(self, sid: str) -> bool:
        try:
            return await self.store.acquire(sid, self.owner, self.lease_seconds)
        except Exception as exc:
            self.health.failed(exc)
            return False
