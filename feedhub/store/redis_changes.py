"""Change notifications between the replicas of a Redis store, on the channel `{p}:changes`.

A replica announces each change of a source's items as "replica source digest"; the others
tell their listeners. The listener reconnects by itself after Redis went away and, once back,
compares every source's stored digest with the last one it saw, so a change announced
meanwhile is not lost. The store keeps the data and hands this its client, its prefix and a
way to read the fetch states; it tells this which digests it saw when it reads or writes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from feedhub.models import FetchState
from feedhub.store.base import CAUGHT_UP, ChangeListener

# The store's logger: an operator follows one name for everything the Redis store says.
log = logging.getLogger("feedhub.store.redis")

RETRY_SECONDS = 1.0  # between reconnection attempts of the change listener


def decode_change(message: str) -> tuple[str, str, str] | None:
    """("replica", "source", "digest") from a change message, None if it is not one."""
    parts = message.split(" ")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def missed_changes(known: dict[str, str], current: dict[str, FetchState]) -> list[str]:
    """Sources whose stored digest differs from the one this replica last saw."""
    return [sid for sid, st in current.items() if known.get(sid) != st.digest]


class RedisChanges:
    def __init__(
        self,
        client: Callable[[], aioredis.Redis],
        prefix: str,
        states: Callable[[], Awaitable[dict[str, FetchState]]],
    ) -> None:
        self._client = client  # the store's, once it is open
        self._states = states  # every source's stored fetch state, read for a catch-up
        self.channel = f"{prefix}:changes"
        self.replica = uuid.uuid4().hex[:12]  # so a replica ignores its own messages
        self._listeners: list[ChangeListener] = []
        self._listen_task: asyncio.Task[None] | None = None
        self._digests: dict[str, str] = {}  # last digest seen per source

    def seen(self, source_id: str, digest: str) -> None:
        """Note the digest the store just read or wrote, so a catch-up skips that source."""
        self._digests[source_id] = digest

    def forget(self, source_id: str) -> None:
        self._digests.pop(source_id, None)

    async def publish(self, source_id: str, digest: str) -> None:
        """Tell the other replicas a source's items changed; best effort."""
        self.seen(source_id, digest)
        try:
            await self._client().publish(self.channel, f"{self.replica} {source_id} {digest}")
        except (RedisError, OSError) as exc:
            log.warning(
                "redis unreachable: change of %s not announced (%s); the other "
                "replicas catch up when it is back",
                source_id,
                exc,
            )

    def on_change(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)
        if self._listen_task is None:
            self._listen_task = asyncio.create_task(self._listen(), name="redis:changes")

    async def stop(self) -> None:
        """Cancel the listener, if one was started, and wait for it to end."""
        if self._listen_task is not None:
            self._listen_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listen_task
            self._listen_task = None

    async def _listen(self) -> None:
        """Subscribe, deliver, and on any failure reconnect and catch up on missed changes."""
        lost = False
        while True:
            try:
                async with self._client().pubsub(ignore_subscribe_messages=True) as ps:
                    await ps.subscribe(self.channel)
                    if lost:
                        log.info("redis reachable again: change notifications resumed")
                        await self._catch_up()
                        lost = False
                    async for message in ps.listen():
                        if message.get("type") == "message":
                            await self._deliver(str(message["data"]))
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                if not lost:
                    log.warning("redis change listener lost its connection: %s", exc)
                lost = True
                await asyncio.sleep(RETRY_SECONDS)

    async def _deliver(self, message: str) -> None:
        change = decode_change(message)
        if change is None or change[0] == self.replica:
            return
        _, source_id, digest = change
        self.seen(source_id, digest)
        await self._notify(source_id, digest)

    async def _catch_up(self) -> None:
        states = await self._states()
        await self._notify(CAUGHT_UP, "")
        for sid in missed_changes(self._digests, states):
            self.seen(sid, states[sid].digest)
            await self._notify(sid, states[sid].digest)

    async def _notify(self, source_id: str, digest: str) -> None:
        for listener in self._listeners:
            try:
                await listener(source_id, digest)
            except (RedisError, OSError) as exc:
                log.warning("change of %s not applied yet: %s", source_id, exc)
                self.forget(source_id)  # retried by the next catch-up
