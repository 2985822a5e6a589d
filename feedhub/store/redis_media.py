"""The media cache's records in Redis: `{p}:media_records` (image URL -> JSON record) and
`{p}:media_records:digests` (content name -> image URL), shared by every replica."""

from __future__ import annotations

from typing import Any


class RedisMediaRecords:
    """Mixed into RedisStore, whose client (`r`) and key naming (`_key`) it uses."""

    r: Any

    def _key(self, *parts: str) -> str:
        raise NotImplementedError

    async def media_records(self) -> list[str]:
        return [str(v) for v in (await self.r.hgetall(self._key("media_records"))).values()]

    async def get_media(self, urls: list[str]) -> dict[str, str]:
        values = await self.r.hmget(self._key("media_records"), urls) if urls else []
        return {u: str(v) for u, v in zip(urls, values, strict=True) if v is not None}

    async def media_by_digest(self, digest: str) -> str | None:
        url = await self.r.hget(self._key("media_records", "digests"), digest)
        text = await self.r.hget(self._key("media_records"), url) if url else None
        return str(text) if text is not None else None

    async def put_media(self, url: str, digest: str, text: str) -> None:
        async with self.r.pipeline(transaction=True) as tx:
            tx.hset(self._key("media_records"), url, text)
            if digest:
                tx.hset(self._key("media_records", "digests"), digest, url)
            await tx.execute()

    async def delete_media(self, urls: list[str]) -> None:
        if urls:
            await self.r.hdel(self._key("media_records"), *urls)
