"""Variants made when first asked for: a poll only checks an image and keeps its original as
fetched (nothing encoded); every WebP and fallback file is made from that original, cleaned as
the poll would have, in a worker process that reads it by path, by the first `GET /m/` that
wants it, then kept on disk like the others (and counted in the disk budget). An image cached
before originals were kept has its largest fallback file instead, which serves the same way."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from feedhub.media.disk import ORIGINAL, MediaDir
from feedhub.media.records import MediaRecord

log = logging.getLogger("feedhub.media")
Runner = Callable[..., Awaitable[Any]]  # runs a function in a worker process
K = TypeVar("K")
V = TypeVar("V")


async def shared(
    inflight: dict[K, asyncio.Future[V]], key: K, make: Callable[[], Awaitable[V]]
) -> V:
    """What `make()` gives, made once for everyone who asks for `key` while it runs: the
    others wait for the same result (or error); a caller that leaves cancels only its wait."""
    running = inflight.get(key)
    if running is not None:
        return await asyncio.shield(running)
    future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
    inflight[key] = future
    try:
        value = await make()
        future.set_result(value)
        return value
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: a waiter-less failure is not "never retrieved"
        raise
    finally:
        del inflight[key]


class LazyVariants:
    """Makes the missing files of cached images; concurrent askers share the one job."""

    def __init__(self, media: MediaDir, run: Runner, counts: Counter[str], max_pixels: int) -> None:
        self.dir = media
        self.run = run
        self.max_pixels = max_pixels
        self.counts = counts  # the cache's: "made" counts the files made here
        self._inflight: dict[tuple[str, int, str], asyncio.Future[bytes | None]] = {}

    async def make(self, record: MediaRecord, width: int, ext: str) -> bytes | None:
        """The file of `record`'s `width` in `ext`, made now from its original (or its largest
        fallback); None when neither is on disk (the image must be fetched again) or is
        unreadable."""
        key = (record.digest, width, ext)
        return await shared(self._inflight, key, lambda: self._make(record, width, ext))

    async def _make(self, record: MediaRecord, width: int, ext: str) -> bytes | None:
        source: bytes | Path | None = self.dir.path(record.digest, *ORIGINAL)
        if not await asyncio.to_thread(Path.exists, source):  # type: ignore[arg-type]
            largest, _ = record.sizes[-1]
            source = self.dir.read(record.digest, largest, record.fallback)
        if source is None:
            return None
        from feedhub.media import images  # Pillow is for the workers (see cache._fetch)

        size = next(s for s in record.sizes if s[0] == width)
        try:
            data: bytes = await self.run(images.derive_variant, source, size, ext, self.max_pixels)
        except Exception as exc:  # unreadable or removed file, or a worker that died on it
            log.warning("media: %s-%d.%s not made: %s", record.digest, width, ext, exc)
            return None
        await asyncio.to_thread(self.dir.add, record.digest, width, ext, data)
        self.counts["made"] += 1
        return data
