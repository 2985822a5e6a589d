"""One task per source, each sleeping until its next check; woken early by a refresh."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feedhub.service import Service

log = logging.getLogger("feedhub.poller")

LEASE_SECONDS = 30.0
START_BATCH = 64  # tasks started per turn of the event loop: a first step each, then requests


class Poller:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._forced: set[str] = set()  # refreshed by hand: polled even if not due
        self.lease_seconds = service.config.storage.lease or LEASE_SECONDS

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    async def start(self) -> None:
        """A task per source, started a batch at a time: a thousand first steps in one turn
        of the loop would hold every request back for tens of ms."""
        for n, sid in enumerate(list(self.service.config.sources), 1):
            if sid not in self._tasks:  # a reload may have started some already
                self._spawn(sid)
            if n % START_BATCH == 0:
                await asyncio.sleep(0)

    def _spawn(self, sid: str) -> None:
        self._wake[sid] = asyncio.Event()
        self._tasks[sid] = asyncio.create_task(self._run(sid), name=f"poll:{sid}")

    async def _cancel(self, sid: str) -> None:
        task = self._tasks.pop(sid, None)
        self._wake.pop(sid, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.service.store.release(sid, self.owner)

    async def stop(self) -> None:
        for sid in list(self._tasks):
            await self._cancel(sid)

    async def reconcile(self, changed: set[str]) -> None:
        """After a reload: stop removed sources, restart changed ones, start new ones."""
        if not self._tasks and not changed:
            return
        wanted = set(self.service.config.sources)
        for sid in set(self._tasks) - wanted | (changed & set(self._tasks)):
            await self._cancel(sid)
        for sid in changed:
            state = self.service.states.get(sid)
            if state is not None:
                state.next_check = 0.0
        for sid in wanted - set(self._tasks):
            self._spawn(sid)

    def refresh(self, sid: str) -> None:
        """Poll a source as soon as possible (admin button, WebSub ping)."""
        state = self.service.states.get(sid)
        if state is not None:
            state.next_check = 0.0
        self._forced.add(sid)
        if sid in self._wake:
            self._wake[sid].set()

    async def _run(self, sid: str) -> None:
        svc = self.service
        while True:
            state = svc.states.get(sid)
            delay = (state.next_check if state else 0.0) - time.time()
            if delay > 0:
                wake = self._wake[sid]
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), min(delay, self.lease_seconds))
                wake.clear()
                continue
            if not await self._lease(sid):
                await asyncio.sleep(self.lease_seconds / 3)
                await self._still_due(sid)
                continue
            # Shared store: another replica may have polled it since we last looked.
            if svc.store.shared and sid not in self._forced and not await self._still_due(sid):
                continue
            self._forced.discard(sid)
            try:
                await svc.poll(sid)
            except asyncio.CancelledError:
                raise
            except Exception:  # the store failing must not end this source's polling
                log.exception("source %s: poll could not be recorded", sid)
                await asyncio.sleep(min(svc.interval(sid), 60))

    async def _still_due(self, sid: str) -> bool:
        """Re-read a source's shared state; is it still time to poll it?"""
        try:
            fresh = await self.service.store.get_state(sid)
        except Exception as exc:
            log.warning("source %s: cannot read its state: %s", sid, exc)
            return True
        if fresh is None:
            return True
        self.service.states[sid] = fresh
        return fresh.next_check <= time.time()

    async def _lease(self, sid: str) -> bool:
        try:
            return await self.service.store.acquire(sid, self.owner, self.lease_seconds)
        except Exception as exc:
            log.warning("source %s: cannot take the poll lease: %s", sid, exc)
            return False
