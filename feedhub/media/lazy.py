"""Variants made when first asked for: a poll keeps only an image's largest fallback file
(a JPEG, or a PNG when it has transparency), the cheapest file to encode that still holds the
whole picture; the WebP files and the smaller sizes are made from it, in a worker process, by
the first `GET /m/` that wants them, then kept on disk like the others (and counted in the
disk budget)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from feedhub.media.disk import MediaDir
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

    def __init__(self, media: MediaDir, run: Runner, counts: Counter[str]) -> None:
        self.dir = media
        self.run = run
        self.counts = counts  # the cache's: "made" counts the files made here
        self._inflight: dict[tuple[str, int, str], asyncio.Future[bytes | None]] = {}

    async def make(self, record: MediaRecord, width: int, ext: str) -> bytes | None:
        """The file of `record`'s `width` in `ext`, made now from its largest fallback; None
        when that is not on disk either (the image must be fetched again) or is unreadable."""
        key = (record.digest, width, ext)
        return await shared(self._inflight, key, lambda: self._make(record, width, ext))

    async def _make(self, record: MediaRecord, width: int, ext: str) -> bytes | None:
        largest, _ = record.sizes[-1]
        master = self.dir.read(record.digest, largest, record.fallback)
        if isinstance(master, Path):
            master = await asyncio.to_thread(_read, master)
        if master is None:
            return None
        from feedhub.media import images  # Pillow is for the workers (see cache._fetch)

        size = next(s for s in record.sizes if s[0] == width)
        try:
            data: bytes = await self.run(images.derive_variant, master, size, ext)
        except Exception as exc:  # unreadable file, or a worker that died on it
            log.warning("media: %s-%d.%s not made: %s", record.digest, width, ext, exc)
            return None
        await asyncio.to_thread(self.dir.add, record.digest, width, ext, data)
        self.counts["made"] += 1
        return data


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
