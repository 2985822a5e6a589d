"""The `redis` backend: items and fetch state shared by several replicas.

Keys, under the configured prefix: `{p}:order:{source}` (a sorted set: each item's id scored
by its rank, so a widget reads only the page it shows) and `{p}:item:{source}` (a hash: item
id -> JSON); `{p}:ranked:{source}` (a list) and `{p}:items:{source}` (one JSON array), as
stores written before kept items, are moved to those when a source is first read,
`{p}:states` (a hash: source -> JSON fetch state), `{p}:lease:{source}` (the owner of the
right to poll), `{p}:schema` (the layout's version, see schema.py), `{p}:media_records` (a
hash: image URL -> JSON record) and `{p}:media_records:digests` (a hash: content name ->
image URL), `{p}:alerts:log` (a list of delivery records, newest first), `{p}:alerts:sent`
(a hash: event -> when last sent), `{p}:accounts` (a hash: source -> connected account,
its token encrypted), and the pub/sub channel `{p}:changes` ("replica source digest",
redis_changes.py).

Redis may go away for a while: reads fall back to the last items this replica saw (so a
widget whose version moved can still be rendered), and the change listener reconnects by
itself and catches up on the changes it missed (redis_changes.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import redis.asyncio as aioredis
from cachetools import LRUCache
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from feedhub.models import EncodedItems, FetchState, Item
from feedhub.store.base import (
    ChangeListener,
    Maintenance,
    Position,
    Store,
    item_texts,
    position,
)
from feedhub.store.errors import StoreDamaged, redact
from feedhub.store.redis_changes import RedisChanges
from feedhub.store.redis_check import check_redis
from feedhub.store.redis_layout import move_earlier_layout, write_items
from feedhub.store.redis_maintenance import RedisMaintenance
from feedhub.store.redis_media import RedisMediaRecords
from feedhub.store.redis_owner import RedisDecisions, RedisOwnerRecords
from feedhub.store.rows import decode_items, decode_state
from feedhub.store.schema import migrate_redis
from feedhub.store.sealing import state_data, state_text

log = logging.getLogger("feedhub.store.redis")

# Renew or release only a lease we still own: another replica may hold it by now.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""

FALLBACK_SOURCES = 512


class RedisStore(RedisDecisions, Store):
    shared = True

    def __init__(self, url: str, prefix: str = "feedhub") -> None:
        self.url = url
        self.prefix = prefix
        self.where = f"{redact(url)} (prefix {prefix!r})"
        self._redis: aioredis.Redis | None = None
        # The last items read per source, served while Redis is away; bounded, as a replica
        # only needs those its widgets show.
        self._items: LRUCache[str, list[Item]] = LRUCache(maxsize=FALLBACK_SOURCES)
        self._renew: AsyncScript | None = None
        self._release: AsyncScript | None = None
        self.media = RedisMediaRecords(lambda: self.r, prefix)
        self.owner = RedisOwnerRecords(lambda: self.r, prefix)
        self.changes = RedisChanges(lambda: self.r, prefix, self._load_states)

    def maintenance(self) -> Maintenance:
        return RedisMaintenance(self, self.url, self.prefix)

    # -- keys -------------------------------------------------------------------------

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    @property
    def r(self) -> aioredis.Redis:
        if self._redis is None:
            raise RuntimeError("store is not open")
        return self._redis

    # -- life cycle -------------------------------------------------------------------

    async def open(self) -> None:
        # Short timeouts: a request must not hang on a Redis that went away.
        self._redis = aioredis.from_url(
            self.url,
            decode_responses=True,
            socket_connect_timeout=1.0,
            socket_timeout=2.0,
            health_check_interval=10,
            retry_on_timeout=False,
        )
        self._renew = self._redis.register_script(_RENEW)
        self._release = self._redis.register_script(_RELEASE)
        await self._redis.ping()
        report = await check_redis(self._redis, self.prefix)
        if not report.ok:
            raise StoreDamaged(self.where, report.problems)
        await migrate_redis(self._redis, self.prefix)

    async def close(self) -> None:
        await self.changes.stop()
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def ping(self) -> bool:
        try:
            return bool(await self.r.ping())
        except (RedisError, OSError, RuntimeError):
            return False

    # -- items and state --------------------------------------------------------------

    async def get_items(self, source_id: str) -> list[Item]:
        texts = [str(t) for t in await self.r.hvals(self._key("item", source_id))]
        if not texts:
            texts = await move_earlier_layout(self.r, self.prefix, source_id)
        items, bad = await asyncio.to_thread(decode_items, texts)
        self.unreadable.note(source_id, "item", bad)
        return items

    async def page(self, source_id: str, count: int, after: Position | None = None) -> list[Item]:
        """`count` items after `after`: the ids from the sorted set (ties of rank in id
        order), then their JSON."""
        try:
            items = await self._page(source_id, count, after)
        except (RedisError, OSError) as exc:
            if source_id not in self._items:
                raise
            log.warning("redis unreachable (%s): serving the last items seen of %s", exc, source_id)
            kept = self._items[source_id]
            return [it for it in kept if after is None or position(it) < after][:count]
        if after is None and len(items) >= len(self._items.get(source_id, ())):
            self._items[source_id] = items
        return items

    async def _page(self, source_id: str, count: int, after: Position | None) -> list[Item]:
        if count <= 0:
            return []
        order = self._key("order", source_id)
        ids: list[str]
        if after is None:
            ids = [str(i) for i in await self.r.zrevrange(order, 0, count - 1)]
            if not ids and await move_earlier_layout(self.r, self.prefix, source_id):
                ids = [str(i) for i in await self.r.zrevrange(order, 0, count - 1)]
        else:
            rank, last = after
            async with self.r.pipeline(transaction=True) as tx:
                tx.zrangebyscore(order, rank, rank)
                tx.zrevrangebyscore(order, f"({rank!r}", "-inf", start=0, num=count)
                ties, below = await tx.execute()
            ids = sorted((i for i in ties if i < last), reverse=True)[:count]
            ids += below[: count - len(ids)]
        if not ids:
            return []
        texts = await self.r.hmget(self._key("item", source_id), ids)
        # An item replaced between the two reads is left out: it was deleted or moved.
        items, bad = await asyncio.to_thread(decode_items, [t for t in texts if t is not None])
        self.unreadable.note(source_id, "item", bad)
        return items

    async def save(
        self,
        source_id: str,
        state: FetchState,
        items: list[Item] | None,
        encoded: EncodedItems | None = None,
    ) -> None:
        async with self.r.pipeline(transaction=True) as tx:
            tx.hset(self._key("states"), source_id, state_text(state, self.sealer))
            if items is not None:
                write_items(tx, self.prefix, source_id, items, item_texts(items, encoded))
            await tx.execute()
        if items is not None:
            self.unreadable.rewritten(source_id)
        if items is not None and source_id in self._items:
            self._items[source_id] = sorted(items, key=position, reverse=True)
        self.changes.seen(source_id, state.digest)

    async def get_state(self, source_id: str) -> FetchState | None:
        raw = await self.r.hget(self._key("states"), source_id)
        return self._state(source_id, raw) if raw else None

    def _state(self, source_id: str, raw: str | bytes) -> FetchState | None:
        state = decode_state(raw, lambda text: state_data(text, self.sealer))
        if isinstance(state, str):
            self.unreadable.note(source_id, "state", [state])
            return None
        return state

    async def all_states(self) -> dict[str, FetchState]:
        states = await self._load_states()
        for sid, st in states.items():
            self.changes.seen(sid, st.digest)
        return states

    async def _load_states(self) -> dict[str, FetchState]:
        raw = await self.r.hgetall(self._key("states"))
        states = {str(sid): self._state(str(sid), data) for sid, data in raw.items()}
        return {sid: state for sid, state in states.items() if state is not None}

    async def delete(self, source_id: str) -> None:
        async with self.r.pipeline(transaction=True) as tx:
            tx.hdel(self._key("states"), source_id)
            tx.delete(
                *(self._key(kind, source_id) for kind in ("items", "ranked", "order", "item"))
            )
            await tx.execute()
        self._items.pop(source_id, None)
        self.changes.forget(source_id)

    # -- the media cache's records (redis_media.py) -----------------------------------

    async def media_records(self) -> list[str]:
        return await self.media.all()

    async def get_media(self, urls: list[str]) -> dict[str, str]:
        return await self.media.get(urls)

    async def media_by_digest(self, digest: str) -> str | None:
        return await self.media.by_digest(digest)

    async def put_media(self, url: str, digest: str, text: str) -> None:
        await self.media.put(url, digest, text)

    async def delete_media(self, urls: list[str]) -> None:
        await self.media.delete(urls)

    # -- alert deliveries and connected accounts (redis_owner.py) ----------------------

    async def add_alert(self, text: str, when: float) -> None:
        await self.owner.add_alert(text)

    async def recent_alerts(self, count: int) -> list[str]:
        return await self.owner.recent_alerts(count)

    async def alert_sent(self, key: str) -> float | None:
        return await self.owner.alert_sent(key)

    async def mark_sent(self, keys: list[str], when: float) -> None:
        await self.owner.mark_sent(keys, when)

    async def get_account(self, source_id: str) -> str | None:
        return await self.owner.get_account(source_id)

    async def put_account(self, source_id: str, text: str) -> None:
        await self.owner.put_account(source_id, text)

    # -- leases -----------------------------------------------------------------------

    async def acquire(self, source_id: str, owner: str, ttl: float) -> bool:
        """SET NX PX, or extend the lease when we already hold it."""
        assert self._renew is not None
        ms = max(1, int(ttl * 1000))
        return bool(await self._renew(keys=[self._key("lease", source_id)], args=[owner, ms]))

    async def release(self, source_id: str, owner: str) -> None:
        assert self._release is not None
        with contextlib.suppress(RedisError, OSError, RuntimeError):
            await self._release(keys=[self._key("lease", source_id)], args=[owner])

    async def lease_owner(self, source_id: str) -> str | None:
        """Who polls a source now (for the admin view and tests)."""
        value = await self.r.get(self._key("lease", source_id))
        return str(value) if value is not None else None

    # -- change notifications between replicas (redis_changes.py) ---------------------

    async def publish(self, source_id: str, digest: str) -> None:
        await self.changes.publish(source_id, digest)

    def on_change(self, listener: ChangeListener) -> None:
        self.changes.on_change(listener)
