"""What Redis keeps for the site's owner, shared by every replica: the alerts sent
(`{p}:alerts:log`, newest first, `ALERTS_KEPT` of them; `{p}:alerts:sent`, event key -> when
it was last sent), the connected accounts (`{p}:accounts`, source id -> sealed JSON) and the
moderation decisions (`{p}:decisions:{widget}`, item id -> JSON).

A part of its own, as the media cache's records are (redis_media.py): it shares only the
store's client and prefix.
"""

from __future__ import annotations

from collections.abc import Callable

import redis.asyncio as aioredis

from feedhub.store.base import ALERTS_KEPT


class RedisOwnerRecords:
    def __init__(self, client: Callable[[], aioredis.Redis], prefix: str) -> None:
        self._client = client  # the store's, once it is open
        self._log = f"{prefix}:alerts:log"
        self._sent = f"{prefix}:alerts:sent"
        self._accounts = f"{prefix}:accounts"
        self._decisions = f"{prefix}:decisions:"

    async def add_alert(self, text: str) -> None:
        async with self._client().pipeline(transaction=True) as tx:
            tx.lpush(self._log, text)
            tx.ltrim(self._log, 0, ALERTS_KEPT - 1)
            await tx.execute()

    async def recent_alerts(self, count: int) -> list[str]:
        return [str(t) for t in await self._client().lrange(self._log, 0, count - 1)]

    async def alert_sent(self, key: str) -> float | None:
        when = await self._client().hget(self._sent, key)
        return float(when) if when is not None else None

    async def mark_sent(self, keys: list[str], when: float) -> None:
        if keys:
            await self._client().hset(self._sent, mapping=dict.fromkeys(keys, when))

    async def get_account(self, source_id: str) -> str | None:
        text = await self._client().hget(self._accounts, source_id)
        return str(text) if text is not None else None

    async def put_account(self, source_id: str, text: str) -> None:
        await self._client().hset(self._accounts, source_id, text)

    async def decisions(self, widget: str) -> dict[str, str]:
        found = await self._client().hgetall(self._decisions + widget)
        return {str(k): str(v) for k, v in found.items()}

    async def decide(self, widget: str, item_id: str, text: str | None) -> None:
        if text is None:
            await self._client().hdel(self._decisions + widget, item_id)
        else:
            await self._client().hset(self._decisions + widget, item_id, text)

    async def all_decisions(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        async for key in self._client().scan_iter(match=self._decisions + "*", count=500):
            widget = str(key)[len(self._decisions) :]
            if decided := await self.decisions(widget):
                found[widget] = decided
        return found


class RedisDecisions:
    """The Redis store's moderation decisions, read and written by its owner's records."""

    owner: RedisOwnerRecords

    async def decisions(self, widget: str) -> dict[str, str]:
        return await self.owner.decisions(widget)

    async def decide(self, widget: str, item_id: str, text: str | None) -> None:
        await self.owner.decide(widget, item_id, text)

    async def all_decisions(self) -> dict[str, dict[str, str]]:
        return await self.owner.all_decisions()
