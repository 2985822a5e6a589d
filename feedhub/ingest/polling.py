"""Polling one source now: its adapter asks the upstream, the recorder stores the outcome.

`Polling` holds an adapter per configured source (made when the source is first polled, and
again after a reload) and says how often
each may be polled; the poller's tasks, the admin's refresh and `feedhub fetch` all call
`poll`. Where the platform can tell (`SourceAdapter.can_recheck`), a poll also asks, every
`recheck` (6 h by default), whether the stored posts older than the latest answer still exist:
a post deleted long ago then leaves the widgets too (the recorder drops `PollResult.gone`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import aiohttp

from feedhub.config import Config
from feedhub.fetch.fetcher import Fetcher
from feedhub.ingest import websub, workers
from feedhub.ingest.history import WINDOW, dated, window_start
from feedhub.ingest.recorder import Recorder
from feedhub.models import FetchState
from feedhub.sources import PollContext, PollResult, SourceAdapter, adapter_class, make_adapter
from feedhub.store.errors import store_errors

log = logging.getLogger("feedhub")
RECHECKED = "rechecked"  # FetchState.meta: when older posts were last asked about
RECHECK_MAX = 40  # posts asked about per re-check, the newest (most likely shown) first


class Adapters(dict[str, SourceAdapter]):
    """Each source's adapter, made when first asked for: a start (or a reload) then makes
    none before serving, where 10,000 sources cost ~50 ms and the import of every platform's
    module. An adapter that holds nothing between polls (`SourceAdapter.kept` false: a feed's)
    is made anew each time, for a few µs: 10,000 of them kept were 26 ms of each full pass of
    the garbage collector, a stall of the event loop. A source the config does not have is a
    KeyError, as in a plain dict."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config

    def __missing__(self, source_id: str) -> SourceAdapter:
        cfg = self.config.sources[source_id]
        adapter = make_adapter(source_id, cfg, self.config.base_dir)
        if adapter.kept:
            self[source_id] = adapter
        return adapter

    def get(  # type: ignore[override]
        self, source_id: str, default: SourceAdapter | None = None
    ) -> SourceAdapter | None:
        return self[source_id] if source_id in self.config.sources else default


class Polling:
    """The adapters of the running config, and a poll of one of them at a time."""

    def __init__(
        self, config: Config, recorder: Recorder, fetcher: Callable[[], Fetcher | None]
    ) -> None:
        self.recorder = recorder
        self._fetcher = fetcher
        self.adapters = Adapters(config)
        self.renew_tokens = True  # False: polls that keep nothing (`feedhub fetch`)
        self._hubs: websub.Hubs | None = None
        self._hubs_for: tuple[object, ...] = (None, None)
        self._gate: tuple[object, int, asyncio.Semaphore] | None = None
        self.configure(config)

    def configure(self, config: Config) -> None:
        """A new (validated) config: its sources' adapters, made as they are needed."""
        self.config = config
        self.adapters = Adapters(config)

    def floor(self, source_id: str) -> float:
        """The least time between two polls that the source's platform asks for."""
        return adapter_class(self.config.sources[source_id].type).min_interval  # no adapter made

    def interval(self, source_id: str) -> float:
        """How long after a poll the source is polled again (slower while a hub pushes)."""
        base = max(self.config.source_interval(source_id), self.floor(source_id))
        return websub.poll_interval(base, self.recorder.states.get(source_id), time.time())

    def in_flight(self) -> asyncio.Semaphore:
        """How many polls may be under way at once, from their request to their save: the
        fetcher's slots and two answers waiting per parse worker. Without it, when every
        source is due (a start, ten thousand of them), the requests outran the parsing and
        the saving: every answer and its parsed items waited in memory, and each of the
        garbage collector's full passes over them held the event loop for 100 ms."""
        size = self.config.fetch.concurrency + 2 * workers.worker_count()
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate[:2] != (loop, size):
            self._gate = (loop, size, asyncio.Semaphore(size))
        return self._gate[2]

    async def poll(self, source_id: str) -> PollResult:
        """Poll one source now and store what it gave."""
        fetcher = self._fetcher()
        assert fetcher is not None, "service not started"
        owner = workers.working_for.set(source_id)  # its parse takes its own turn in the pool
        try:
            async with self.in_flight():
                return await self._poll(source_id, fetcher)
        finally:
            workers.working_for.reset(owner)

    async def _poll(self, source_id: str, fetcher: Fetcher) -> PollResult:
        try:
            state = await self.recorder.fresh(source_id)
        except store_errors() as exc:
            return await self.recorder.fault(source_id, exc)
        cfg = self.config.sources[source_id]
        ctx = PollContext(
            fetcher=fetcher,
            run_parse=workers.run_parse,
            timeout=cfg.timeout or self.config.fetch.timeout,
            max_bytes=cfg.max_bytes or self.config.fetch.max_bytes,
            renew_tokens=self.renew_tokens,
            make_rows=self.recorder.store.row_maker(),
        )
        started = time.monotonic()
        try:
            result = await self.adapters[source_id].poll(ctx, state)
        except Exception as exc:  # an adapter bug must cost one source one poll, nothing more
            log.exception("source %s: poll failed", source_id)
            result = PollResult(error=f"internal error: {type(exc).__name__}: {exc}")
        try:
            await self._recheck(source_id, ctx, state, result)
        except Exception:  # the poll's own outcome stands; the next re-check tries again
            log.exception("source %s: re-check failed", source_id)
        return await self.recorder.record(source_id, result, state, time.monotonic() - started)

    async def _recheck(
        self, source_id: str, ctx: PollContext, state: FetchState, result: PollResult
    ) -> None:
        """When due, ask the platform about the newest stored posts older than the answer."""
        adapter = self.adapters[source_id]
        if not adapter.can_recheck or not result.ok or result.incremental:
            return
        now = time.time()
        last = state.meta.get(RECHECKED)
        if isinstance(last, int | float) and now - last < self.config.source_recheck(source_id):
            return
        oldest = window_start(result.items) if result.items is not None else None
        window = oldest.timestamp() if oldest else state.meta.get(WINDOW)
        if not isinstance(window, int | float):
            return
        try:
            stored = await self.recorder.store.get_items(source_id)
        except store_errors():
            return  # the recorder will meet the fault and record it
        shown = {it.id for it in result.items or ()}
        older = [
            it
            for it in stored
            if it.id not in shown and dated(it) and it.sort_time.timestamp() < window
        ]
        older.sort(key=lambda it: it.rank, reverse=True)
        result.meta[RECHECKED] = now
        if older:
            result.gone = await adapter.recheck(ctx, older[:RECHECK_MAX])

    def hubs(self) -> websub.Hubs:
        """What the WebSub subscriber needs: the same object until a reload changes it."""
        made_for = (self.config, self._fetcher())
        if self._hubs is None or any(
            a is not b for a, b in zip(self._hubs_for, made_for, strict=True)
        ):
            topics = {
                sid: getattr(self.adapters[sid], "url", "")
                for sid, cfg in self.config.sources.items()
                if cfg.type == "feed" and getattr(cfg, "websub", False)
            }
            self._hubs = websub.Hubs(
                public_url=self.config.public_url,
                allow_private=self.config.fetch.allow_private_addresses,
                topics=topics,
                session=self._session,
            )
            self._hubs_for = made_for
        return self._hubs

    def _session(self) -> aiohttp.ClientSession:
        fetcher = self._fetcher()
        assert fetcher is not None, "service not started"
        return fetcher.session
