"""The media cache's life in a running daemon: opened at start, images settled before a poll's
items are saved, the disk budget kept after, housekeeping in the background, and an epoch per
source that moves when more of its images are cached (its widgets then render again).

The recorder settles images through this (`ingest.recorder.ImageSettler`); the widgets ask it
only for image markup (`publish.widgets.ImageMarkup`). With `media.proxy: false` there is no
cache: nothing is settled and images link to the platforms.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping

from feedhub.config import Config
from feedhub.fetch.fetcher import Fetcher
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

        async def more_images(source_id: str) -> None:
            self.epochs[source_id] = self.epochs.get(source_id, 0) + 1
            await changed(source_id)

        self._upkeep = asyncio.create_task(
            Upkeep(self.cache).run(self.stored_images, self._fetcher, more_images),
            name="media housekeeping",
        )

    async def close(self) -> None:
        if self._upkeep is not None:
            self._upkeep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._upkeep
            self._upkeep = None

    # -- the write path ---------------------------------------------------------------

    async def settle(self, items: list[Item], source_id: str) -> None:
        """Fetch what these items show, before they are stored: the widgets switch to them
        once their images are cached or have failed."""
        fetcher = self._fetcher()
        if self.cache is not None and fetcher is not None:
            await self.cache.settle(items, source_id, fetcher)

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

        async def keep_budget(source_id: str, state: FetchState) -> None:
            cache = self.cache
            if cache is not None and cache.over_budget:
                player = self.config.media.youtube_player
                await cache.enforce_budget(images_of(await shown(), player))

        return keep_budget

    async def stored_images(self) -> dict[str, list[str]]:
        """Per configured source, the image URLs of its stored items."""
        player = self.config.media.youtube_player
        return {
            sid: images_of(await self._store.get_items(sid), player) for sid in self.config.sources
        }

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
