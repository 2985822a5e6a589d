"""The media cache's housekeeping, in the background: images that are due fetched (stored
items whose images were never fetched, failed ones whose backoff is over) and images no stored
item has used for the grace period deleted."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping

from feedhub.fetch.fetcher import Fetcher
from feedhub.media import records
from feedhub.media.cache import MediaCache
from feedhub.media.disk import expired

log = logging.getLogger("feedhub.media")
EVERY = 3600.0
# The first round waits until start-up is over and then for a moment when nothing is being
# fetched (but no longer than QUIET_WAIT): it reads every stored item, which the first
# answers and the first polls should not wait behind.
FIRST_ROUND = 5.0
QUIET_WAIT = 600.0

Stored = Callable[[], Awaitable[Mapping[str, list[str]]]]  # source -> its items' image URLs
Changed = Callable[[str], Awaitable[None]]


class Upkeep:
    """Remembers since when each image has been unused (a restart starts that clock again:
    the safe direction)."""

    def __init__(self, cache: MediaCache) -> None:
        self.cache = cache
        self._unused_since: dict[str, float] = {}

    async def run(
        self, stored: Stored, fetcher: Callable[[], Fetcher | None], changed: Changed
    ) -> None:
        """Forever: catch up, then expire; soon after start, then every hour (or a quarter of
        the grace period, when shorter)."""
        await asyncio.sleep(FIRST_ROUND)
        await _quiet(fetcher)
        while True:
            try:
                by_source = await stored()
                await self.catch_up(by_source, fetcher(), changed)
                await self.expire(u for urls in by_source.values() for u in urls)
            except Exception:  # the next round tries again; serving goes on meanwhile
                log.exception("media: housekeeping failed")
            await asyncio.sleep(min(self.cache.settings.grace / 4, EVERY))

    async def catch_up(
        self, by_source: Mapping[str, list[str]], fetcher: Fetcher | None, changed: Changed
    ) -> None:
        """Fetch each source's due images; tell `changed` of the sources that now show more."""
        if fetcher is None:
            return
        for sid, urls in by_source.items():
            known = await self.cache.lookup(urls)
            now = time.time()
            if not any(records.due(known.get(u), now) for u in urls):
                continue
            await self.cache.prepare(urls, sid, fetcher)
            if any(known[u].ok for u in urls if u in known):
                await changed(sid)

    async def expire(self, stored: Iterable[str], now: float | None = None) -> int:
        """Delete the files and records of the images no stored item has used for the grace
        period; the number deleted."""
        now = time.time() if now is None else now
        cache = self.cache
        in_use = cache.digests(stored)
        for digest in cache.dir.entries:
            if digest in in_use:
                self._unused_since.pop(digest, None)
            else:
                self._unused_since.setdefault(digest, now)
        gone = expired(self._unused_since, cache.settings.grace, now)
        urls = [u for u, r in cache.records.items() if r.digest in gone]
        for digest in gone:
            await asyncio.to_thread(cache.dir.remove, digest)
            self._unused_since.pop(digest, None)
        cache.forget(urls)
        if urls:
            await cache.index.delete_media(urls)
        cache.counts["expired"] += len(gone)
        return len(gone)


async def purge(cache: MediaCache, urls: Iterable[str], keep: Iterable[str]) -> int:
    """Delete at once the records of `urls` (images of posts that left the store) and the
    files no image of `keep` (what stored items still show) shares; the files deleted."""
    urls = sorted(set(urls) - set(keep := list(keep)))
    if not urls:
        return 0
    known = await cache.lookup(urls)
    in_use = cache.digests(keep)
    files = {r.digest for u in urls if (r := known.get(u)) is not None and r.ok} - in_use
    for digest in files:
        await asyncio.to_thread(cache.dir.remove, digest)
    cache.forget(urls)
    await cache.index.delete_media(urls)
    cache.counts["purged"] += len(files)
    return len(files)


async def _quiet(fetcher: Callable[[], Fetcher | None]) -> None:
    """Until no request is under way (the first polls are over), at most QUIET_WAIT."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + QUIET_WAIT
    while loop.time() < deadline and (f := fetcher()) is not None and f.active:
        await asyncio.sleep(1.0)
