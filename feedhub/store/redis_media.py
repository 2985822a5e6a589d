"""The media cache's records in Redis, shared by every replica: `{p}:media_records` (image
URL -> JSON record) and `{p}:media_records:digests` (content name -> image URL).

A part of its own: the Redis store keeps items, fetch state and leases (change notices are
redis_changes.py), and hands the media cache's calls to this, which shares only its client
and prefix.
"""

from __future__ import annotations

from collections.abc import Callable

import redis.asyncio as aioredis


class RedisMediaRecords:
    def __init__(self, client: Callable[[], aioredis.Redis], prefix: str) -> None:
        self._client = client  # the store's, once it is open
        self._records = f"{prefix}:media_records"
        self._digests = f"{prefix}:media_records:digests"

    async def all(self) -> list[str]:
        return [str(v) for v in (await self._client().hgetall(self._records)).values()]

    async def get(self, urls: list[str]) -> dict[str, str]:
        values = await self._client().hmget(self._records, urls) if urls else []
        return {u: str(v) for u, v in zip(urls, values, strict=True) if v is not None}

    async def by_digest(self, digest: str) -> str | None:
        r = self._client()
        url = await r.hget(self._digests, digest)
        text = await r.hget(self._records, url) if url else None
        return str(text) if text is not None else None

    async def put(self, url: str, digest: str, text: str) -> None:
        async with self._client().pipeline(transaction=True) as tx:
            tx.hset(self._records, url, text)
            if digest:
                tx.hset(self._digests, digest, url)
            await tx.execute()

    async def delete(self, urls: list[str]) -> None:
        if urls:
            await self._client().hdel(self._records, *urls)
