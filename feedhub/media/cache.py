"""The media cache: fetch each image the items show, once, clean it in a worker, keep it on disk.

Images come through the one Fetcher (address guard, per-host limits, timeouts, size cap), each
in its source's turn (`Settings.in_hand` at once): downloads keep pace with the image workers,
not with a feed that has new image URLs at every poll. A worker checks each one; the files
served are made from the original when first asked for (media.lazy). The store maps URLs to
files, so a replica lacking a file fetches its URL itself, once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from feedhub.config import Config
from feedhub.fetch.fetcher import Fetcher, Request
from feedhub.ingest.workers import FairSlots, worker_count
from feedhub.media import records
from feedhub.media.collect import images_of
from feedhub.media.disk import CONTENT_TYPES, NAME_RE, MediaDir, to_evict
from feedhub.media.lazy import LazyVariants, Runner, shared
from feedhub.media.players import YOUTUBE_PLAYER
from feedhub.media.records import MediaRecord
from feedhub.models import Item

log = logging.getLogger("feedhub.media")
ACCEPT = "image/webp,image/avif,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1"


class MediaIndex(Protocol):
    """What the store keeps for the media cache: each URL's record as JSON, by URL and by
    content name."""

    async def media_records(self) -> list[str]: ...
    async def get_media(self, urls: list[str]) -> dict[str, str]: ...
    async def media_by_digest(self, digest: str) -> str | None: ...
    async def put_media(self, url: str, digest: str, text: str) -> None: ...
    async def delete_media(self, urls: list[str]) -> None: ...


@dataclass(frozen=True, slots=True)
class Settings:
    """The `media:` config as the cache uses it."""

    root: Path
    widths: tuple[int, ...]
    max_bytes: int
    max_pixels: int
    max_total: int
    grace: float
    timeout: float
    youtube_player: str = YOUTUBE_PLAYER
    per_item: int = 0  # images fetched of one item (0: all)
    per_poll: int = 0  # new images fetched for one poll of a source (0: all)
    in_hand: int = 16  # images between their request and their processing at once

    @classmethod
    def of(cls, config: Config) -> Settings:
        m = config.media
        return cls(
            config.resolve(m.dir),
            tuple(m.widths),
            m.max_bytes,
            m.max_pixels,
            m.max_total,
            m.grace_period,
            m.timeout or config.fetch.timeout,
            m.youtube_player,
            m.max_images_per_item,
            m.max_images_per_poll,
            config.fetch.concurrency + worker_count(),  # every fetch slot and worker busy
        )


@dataclass(frozen=True, slots=True)
class Served:
    """A file to answer `GET /m/{name}` with: its bytes (or path), type and validator."""

    body: bytes | Path
    content_type: str
    etag: str


class MediaCache:
    """This replica's view of the cached images; the store shares it with the others."""

    def __init__(self, settings: Settings, index: MediaIndex, run: Runner) -> None:
        self.settings = settings
        self.index = index
        self.run = run
        self.dir = MediaDir(settings.root)
        self.records: dict[str, MediaRecord] = {}
        self._by_digest: dict[str, str] = {}
        self._inflight: dict[str, asyncio.Future[MediaRecord]] = {}
        self.counts: Counter[str] = Counter()  # fetched, failed, served, made, evicted...
        self.lazy = LazyVariants(self.dir, run, self.counts, settings.max_pixels)
        self.turns = FairSlots(settings.in_hand)

    @classmethod
    def from_config(cls, config: Config, index: MediaIndex, run: Runner) -> MediaCache | None:
        """The cache the config asks for; None when `media.proxy` is false."""
        return cls(Settings.of(config), index, run) if config.media.proxy else None

    async def open(self) -> None:
        await asyncio.to_thread(self.dir.scan)
        for text in await self.index.media_records():
            self._remember(MediaRecord.from_json(text))

    def forget(self, urls: list[str]) -> None:
        for url in urls:
            record = self.records.pop(url, None)
            if record is not None and self._by_digest.get(record.digest) == url:
                del self._by_digest[record.digest]

    def _remember(self, record: MediaRecord) -> None:
        self.records[record.url] = record
        if record.ok:
            self._by_digest[record.digest] = record.url

    # -- fetching -----------------------------------------------------------------------

    def images(self, items: Iterable[Item]) -> list[str]:
        """The images of these items the cache takes: each item's first `per_item`."""
        s = self.settings
        return images_of(items, s.youtube_player, s.per_item)

    async def settle(self, items: Iterable[Item], source: str, fetcher: Fetcher) -> int:
        """Fetch the images these items show that are due (a poll's first `per_poll`);
        return once each is settled, with how many were fetched."""
        return await self.prepare(self.images(items), source, fetcher)

    async def prepare(self, urls: Iterable[str], source: str, fetcher: Fetcher) -> int:
        """Fetch the images of `urls` that are due, at most `per_poll` of them, and return
        once each is settled (cached or failed), with how many were fetched."""
        wanted = list(dict.fromkeys(urls))
        await self.lookup(wanted)
        now = time.time()
        todo = [u for u in wanted if self._needs_fetch(self.records.get(u), now)]
        todo = todo[: self.settings.per_poll or None]
        if todo:
            await asyncio.gather(*(self._in_turn(u, source, fetcher) for u in todo))
        return len(todo)

    async def _in_turn(self, url: str, source: str, fetcher: Fetcher) -> MediaRecord:
        """`ensure`, once the source's turn comes (see the module's doc)."""
        await self.turns.acquire(source)
        try:
            return await self.ensure(url, source, fetcher)
        finally:
            self.turns.release()

    def _needs_fetch(self, record: MediaRecord | None, now: float) -> bool:
        if record is not None and record.ok:
            return record.digest not in self.dir.entries  # another replica's, or evicted
        return records.due(record, now)

    async def lookup(self, urls: Iterable[str]) -> dict[str, MediaRecord]:
        """The records of `urls` this replica knows, asking the store for the others."""
        missing = [u for u in urls if u not in self.records]
        if missing:
            for text in (await self.index.get_media(missing)).values():
                self._remember(MediaRecord.from_json(text))
        return self.records

    async def ensure(self, url: str, source: str, fetcher: Fetcher) -> MediaRecord:
        """Fetch and process `url`; concurrent callers share the one fetch."""
        return await shared(self._inflight, url, lambda: self._fetch(url, source, fetcher))

    async def _fetch(self, url: str, source: str, fetcher: Fetcher) -> MediaRecord:
        s = self.settings
        previous = self.records.get(url)
        result = await fetcher.get(
            Request(url, headers={"Accept": ACCEPT}, timeout=s.timeout, max_bytes=s.max_bytes)
        )
        now = time.time()
        if not result.ok:
            record = records.failed(previous, url, source, result.error, now)
        else:
            # Imported here: Pillow runs in the workers, the serving process need not load it.
            from feedhub.media import images

            # The worker reads the bytes from a file (not the pipe) and hands back its sizes.
            incoming = await asyncio.to_thread(self.dir.incoming, result.body)
            try:
                done = await self.run(images.check_image, incoming, s.widths, s.max_pixels)
            except images.ImageRefused as exc:
                record = records.failed(previous, url, source, str(exc), now)
            except Exception as exc:  # a worker that died on it (memory): this image's error
                record = records.failed(
                    previous, url, source, f"could not process: {type(exc).__name__}: {exc}", now
                )
            else:
                size = await asyncio.to_thread(self.dir.keep, done, incoming)
                record = records.cached(
                    url,
                    previous.source if previous else source,
                    done.digest,
                    done.fallback,
                    tuple((v.width, v.height) for v in done.variants),
                    size,
                    result.etag,
                    result.last_modified,
                )
            if not record.ok:  # refused: its bytes go (those of a stop meanwhile, at start)
                await asyncio.to_thread(incoming.unlink, missing_ok=True)
        if record.ok:
            self.counts["fetched"] += 1
            self.counts["fetched_bytes"] += len(result.body)
        else:
            self.counts["failed"] += 1
            log.warning(
                "source %s: image %s: %s (error %d, next try in %.0fs)",
                record.source,
                url,
                record.error,
                record.errors,
                record.next_try - now,
            )
        self._remember(record)
        await self.index.put_media(url, record.digest, record.to_json())
        return record

    # -- serving ------------------------------------------------------------------------

    async def file(self, name: str, accept: str, fetcher: Fetcher | None) -> Served | None:
        """The file `GET /m/{name}` answers with, WebP when the client takes it; fetched now
        if this replica does not have it yet (the store knows its URL). None: no such image."""
        m = NAME_RE.match(name)
        if m is None:
            return None
        digest, width = m[1], int(m[2])
        record = await self._record_of(digest)
        if record is None or width not in record.widths:
            return None
        ext = "webp" if "image/webp" in accept else record.fallback
        body = self.dir.read(digest, width, ext)
        if body is None and digest in self.dir.entries:  # not made yet (see media.lazy)
            body = await self.lazy.make(record, width, ext)
        if body is None and fetcher is not None:
            record = await self.ensure(record.url, record.source, fetcher)
            if record.digest == digest:
                body = self.dir.read(digest, width, ext) or await self.lazy.make(record, width, ext)
        if body is None:
            return None
        self.counts["served"] += 1
        return Served(body, CONTENT_TYPES[ext], f'"{digest}-{width}-{ext}"')

    async def _record_of(self, digest: str) -> MediaRecord | None:
        url = self._by_digest.get(digest)
        if url is not None:
            return self.records[url]
        text = await self.index.media_by_digest(digest)
        if text is None:
            return None
        record = MediaRecord.from_json(text)
        self._remember(record)
        return record

    # -- disk budget and grace period -----------------------------------------------------

    @property
    def over_budget(self) -> bool:
        return self.dir.total > self.settings.max_total

    def digests(self, urls: Iterable[str]) -> set[str]:
        return {r.digest for u in urls if (r := self.records.get(u)) is not None and r.ok}

    async def enforce_budget(self, shown: Iterable[str]) -> int:
        """Delete least recently used files until the disk use fits `media.max_total`, never
        one of `shown` (the images current widget versions show). The bytes freed."""
        if not self.over_budget:
            return 0
        victims = to_evict(self.dir.entries, self.digests(shown), self.settings.max_total)
        freed = sum([await asyncio.to_thread(self.dir.remove, d) for d in victims])
        self.counts["evicted"] += len(victims)
        if self.dir.total > self.settings.max_total:
            log.warning(
                "media: the images current widgets show take %d bytes, over media.max_total (%d)",
                self.dir.total,
                self.settings.max_total,
            )
        return freed

    def by_source(self) -> dict[str, dict[str, Any]]:
        """Per source: images cached and failed, bytes on disk, the latest error."""
        out: dict[str, dict[str, Any]] = {}
        for r in self.records.values():
            row = out.setdefault(r.source, {"cached": 0, "failed": 0, "bytes": 0, "last_error": ""})
            if r.ok:
                row["cached"] += 1
                row["bytes"] += e.size if (e := self.dir.entries.get(r.digest)) else 0
            else:
                row["failed"] += 1
                row["last_error"] = f"{r.url}: {r.error}"
        return out
