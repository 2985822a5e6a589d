"""The media cache's life in a running daemon: opened at start, images settled in the
background as a poll's items are saved, the disk budget kept after, housekeeping in the
background, and an epoch per source that moves when more of its images are cached (its
widgets then render again).

The recorder starts settling images through this (`ingest.recorder.ImageSettler`); the
widgets ask it only for image markup (`publish.widgets.ImageMarkup`). With `media.proxy:
false` there is no cache: nothing is settled and images link to the platforms.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping

from feedhub.config import Config
from feedhub.fetch.fetcher import Fetcher
from feedhub.ingest.workers import working_for
from feedhub.media.cache import MediaCache, Runner, Served
from feedhub.media.collect import images_of
from feedhub.media.markup import Images
from feedhub.media.upkeep import Upkeep, purge
from feedhub.models import FetchState, Item
from feedhub.store import Store

log = logging.getLogger("feedhub.media")

Changed = Callable[[str], Awaitable[None]]  # a source's widgets render again
Shown = Callable[[], Awaitable[Iterable[Item]]]  # the items the widgets show now


class MediaLifecycle:
    """Owns the media cache (None when off) and its housekeeping task."""

    def __init__(
        self, config: Config, store: Store, run: Runner, fetcher: Callable[[], Fetcher | None]
    ) -> None:
        self.cache = MediaCache.from_config(config, store, run)
        self.config = config
        self._store = store
        self._fetcher = fetcher
        self._upkeep: asyncio.Task[None] | None = None
        self.epochs: dict[str, int] = {}  # per source: images cached after its items were
        self._changed: Changed | None = None
        self._shown: Shown | None = None
        self._settling: set[asyncio.Task[None]] = set()

    def configure(self, config: Config) -> None:
        """Use a reloaded config (its sources, the player origin); the cache's own settings
        wait for a restart."""
        self.config = config

    async def open(self, changed: Changed) -> None:
        """Open the cache and start its housekeeping; `changed` is told of each source whose
        widgets show more images since their items were stored."""
        if self.cache is None:
            return
        await self.cache.open()

        self._changed = changed
        self._upkeep = asyncio.create_task(
            Upkeep(self.cache).run(self.stored_images, self._fetcher, self._more_images),
            name="media housekeeping",
        )

    async def _more_images(self, source_id: str) -> None:
        self.epochs[source_id] = self.epochs.get(source_id, 0) + 1
        if self._changed is not None:
            await self._changed(source_id)

    def settled_elsewhere(self, source_id: str) -> None:
        """Another replica settled more of a source's images: its widgets change too."""
        self.epochs[source_id] = self.epochs.get(source_id, 0) + 1

    async def idle(self) -> None:
        """Once every image being settled is settled (`feedhub render --fetch`, tests)."""
        while self._settling:
            await asyncio.gather(*self._settling, return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._settling):
            task.cancel()
        await asyncio.gather(*self._settling, return_exceptions=True)
        if self._upkeep is not None:
            self._upkeep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._upkeep
            self._upkeep = None

    # -- the write path ---------------------------------------------------------------

    async def settle(self, items: list[Item], source_id: str) -> None:
        """Start fetching what these items show, and return at once: the items are stored and
        shown now, an image not yet settled as its alt text, and the source's widgets render
        again once its images are cached or have failed. One source's images never hold
        back another's items (the parse workers are shared fairly, see `ingest.workers`)."""
        fetcher = self._fetcher()
        if self.cache is None or fetcher is None:
            return
        task = asyncio.create_task(
            self._settle(self.cache, items, source_id, fetcher), name=f"images of {source_id}"
        )
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    async def _settle(
        self, cache: MediaCache, items: list[Item], source_id: str, fetcher: Fetcher
    ) -> None:
        working_for.set(source_id)  # this task's work in the parse workers is the source's
        try:
            fetched = await cache.settle(items, source_id, fetcher)
        except Exception:  # an image must never cost the items: they show with alt text
            log.exception("source %s: images not settled", source_id)
            return
        if fetched:
            await self._more_images(source_id)
            await self._keep_budget()

    async def release(self, items: list[Item], source_id: str) -> None:
        """These items left the store (deleted upstream, replaced by an edit, out of
        retention): their images leave the cache now, unless another stored item shows them."""
        cache = self.cache
        player = self.config.media.youtube_player
        if cache is None or not (urls := images_of(items, player)):
            return
        stored = await self.stored_images()
        await purge(cache, urls, [u for found in stored.values() for u in found])

    def budget_keeper(self, shown: Shown) -> Callable[[str, FetchState], Awaitable[None]]:
        """A recorder listener: after a save, images over the disk budget are evicted, least
        recently shown first, never one that `shown` items use."""

        self._shown = shown

        async def keep_budget(source_id: str, state: FetchState) -> None:
            await self._keep_budget()

        return keep_budget

    def disk_use(self) -> tuple[int, int] | None:
        """The bytes the cache's files take and its budget; None when the cache is off."""
        cache = self.cache
        return None if cache is None else (cache.dir.total, cache.settings.max_total)

    async def _keep_budget(self) -> None:
        cache = self.cache
        if cache is not None and cache.over_budget and self._shown is not None:
            player = self.config.media.youtube_player
            await cache.enforce_budget(images_of(await self._shown(), player))

    async def stored_images(self) -> dict[str, list[str]]:
        """Per configured source, the image URLs of its stored items."""
        cache = self.cache
        if cache is None:
            return {}
        return {sid: cache.images(await self._store.get_items(sid)) for sid in self.config.sources}

    # -- what a rendering asks for ----------------------------------------------------

    async def markup(self, items: Iterable[Item], words: Mapping[str, str]) -> Images:
        """How these items' images are written: from the cache's records, or direct."""
        player = self.config.media.youtube_player
        records = (
            await self.cache.lookup(images_of(items, player)) if self.cache is not None else {}
        )
        return Images(
            records,
            self.config.public_url,
            proxy=self.cache is not None,
            words=words,
            youtube_origin=player,
        )

    async def file(self, name: str, accept: str) -> Served | None:
        """A cached image to answer `GET /m/{name}` with; None when there is none (or no
        cache)."""
        if self.cache is None:
            return None
        return await self.cache.file(name, accept, self._fetcher())
