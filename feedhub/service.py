"""The running service: config, store, fetcher, poller and rendered widgets, tied together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

from feedhub.config import Config, ConfigError, load_config
from feedhub.config.restart import applicable, needs_restart
from feedhub.fetch.fetcher import Fetcher
from feedhub.ingest import websub, workers
from feedhub.ingest.poller import Poller
from feedhub.ingest.update import apply_poll, bound, merge_incremental
from feedhub.metrics import Metrics
from feedhub.models import EncodedItems, FetchState, Item
from feedhub.publish.cache import Entry, Key, RenderCache
from feedhub.publish.render import Renderer, WidgetView
from feedhub.publish.widgets import Widgets
from feedhub.sources import PollContext, PollResult, SourceAdapter, make_adapter
from feedhub.store import Store, open_store
from feedhub.store.errors import describe, store_errors
from feedhub.store.health import StoreHealth

log = logging.getLogger("feedhub")

ChangeHook = Callable[[str], Awaitable[None] | None]


class Service:
    """Owns every long-lived resource; the web layer asks it for rendered widgets."""

    def __init__(self, config: Config, config_path: str | Path | None = None) -> None:
        self.config = config
        self.config_path = Path(config_path) if config_path else None
        self.store: Store = open_store(config.storage, config.base_dir)
        self.store_health = StoreHealth(self.store.where)  # what /readyz answers
        self.adapters: dict[str, SourceAdapter] = {}
        self.states: dict[str, FetchState] = {}
        self.widgets = Widgets(config, self.store, self.states)
        self.fetcher: Fetcher | None = None
        self.poller = Poller(
            store=self.store, states=self.states, sources=lambda: self.config.sources,
            poll=self.poll, interval=self.interval, lease_seconds=config.storage.lease,
            health=self.store_health, floor=lambda sid: self.adapters[sid].min_interval,
        )
        self._hubs: websub.Hubs | None = None
        self._hubs_for: tuple[object, ...] = (None, None)
        self.reload_error = ""
        self.needs_restart: list[str] = []  # settings a reload changed that wait for a restart
        self.metrics = Metrics()
        self.started = 0.0
        self.change_hooks: list[ChangeHook] = []
        self._starting: asyncio.Task[None] | None = None
        self._build_adapters()

    # -- life cycle -------------------------------------------------------------------

    async def start(self, *, poll: bool = True) -> None:
        """Open the store and serve its items at once; polling starts after, in background."""
        await self.store.open()
        self.store.on_change(self._on_remote_change)
        self.states.update(await self.store.all_states())
        self.widgets.recompute()
        self.fetcher = self._make_fetcher()
        await self.widgets.open_media(lambda: self.fetcher,
                                      lambda sid: self._source_changed(sid, publish=False))
        self.started = time.time()
        if poll:
            self._starting = asyncio.create_task(self._start_polling(), name="start polling")

    async def _start_polling(self) -> None:
        # Forking the parse workers blocks for tens of ms: in a thread, while serving starts.
        try:
            await asyncio.to_thread(workers.prestart)
        except Exception:  # the first parse tries again, and its source's error says why
            log.exception("the parse workers did not start")
        await self.poller.start()

    async def stop(self) -> None:
        if self._starting is not None:
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        await self.widgets.close_media()
        await self.poller.stop()
        if self.fetcher is not None:
            await self.fetcher.close()
        await self.store.close()

    def _make_fetcher(self) -> Fetcher:
        f = self.config.fetch
        return Fetcher(public_url=self.config.public_url, concurrency=f.concurrency,
                       per_host=f.per_host, allow_private=f.allow_private_addresses,
                       user_agent=f.user_agent)

    def _build_adapters(self) -> None:
        self.adapters = {sid: make_adapter(sid, cfg, self.config.base_dir)
                         for sid, cfg in self.config.sources.items()}

    def hubs(self) -> websub.Hubs:
        """What the WebSub subscriber needs: the same object until a reload changes it."""
        made_for = (self.config, self.fetcher)
        if self._hubs is None or any(a is not b for a, b in zip(self._hubs_for, made_for,
                                                                   strict=True)):
            topics = {sid: getattr(self.adapters[sid], "url", "")
                      for sid, cfg in self.config.sources.items()
                      if cfg.type == "feed" and getattr(cfg, "websub", False)}
            self._hubs = websub.Hubs(
                public_url=self.config.public_url,
                allow_private=self.config.fetch.allow_private_addresses,
                topics=topics, session=self._session)
            self._hubs_for = made_for
        return self._hubs

    def _session(self) -> aiohttp.ClientSession:
        assert self.fetcher is not None, "service not started"
        return self.fetcher.session

    # -- polling ----------------------------------------------------------------------

    def interval(self, source_id: str) -> float:
        adapter = self.adapters[source_id]
        base = max(self.config.source_interval(source_id), adapter.min_interval)
        return websub.poll_interval(base, self.states.get(source_id), time.time())

    async def poll(self, source_id: str) -> PollResult:
        """Poll one source now, store what changed, and rebuild the widgets that show it."""
        assert self.fetcher is not None, "service not started"
        adapter = self.adapters[source_id]
        cfg = self.config.sources[source_id]
        if self.store.shared:
            try:
                self.states[source_id] = await self.store.get_state(source_id) or FetchState()
            except store_errors() as exc:  # not worth asking the upstream: it could not be kept
                error = PollResult(error=f"store: {describe(exc)}")
                return await self.record(source_id, self.states.get(source_id) or FetchState(),
                                         error)
        state = self.states.get(source_id) or FetchState()
        ctx = PollContext(
            fetcher=self.fetcher,
            run_parse=workers.run_parse,
            timeout=cfg.timeout or self.config.fetch.timeout,
            max_bytes=cfg.max_bytes or self.config.fetch.max_bytes,
        )
        started = time.monotonic()
        try:
            result = await adapter.poll(ctx, state)
        except Exception as exc:  # an adapter bug must cost one source one poll, nothing more
            log.exception("source %s: poll failed", source_id)
            result = PollResult(error=f"internal error: {type(exc).__name__}: {exc}")
        return await self.record(source_id, state, result, time.monotonic() - started)

    async def record(self, source_id: str, state: FetchState, result: PollResult,
                     elapsed: float = 0.0) -> PollResult:
        """Store a poll's (or a WebSub push's) outcome; rebuild the widgets that show it."""
        try:
            new_state, items = await self._store_outcome(source_id, state, result, elapsed)
            self.store_health.succeeded()
        except store_errors() as exc:  # nothing was written: a source error, held in memory
            result = PollResult(error=f"store: {self.store_health.failed(exc)}")
            new_state, items = apply_poll(state, result, now=time.time(), elapsed=elapsed,
                                          interval=self.interval(source_id), stored_ids=set())
        self.states[source_id] = new_state
        self.metrics.record_poll(source_id, result.error, new_state)
        if items is not None:
            await self._source_changed(source_id, publish=True)
            await self.widgets.keep_media_budget()
        return result

    async def _store_outcome(self, source_id: str, state: FetchState, result: PollResult,
                             elapsed: float) -> tuple[FetchState, list[Item] | None]:
        stored_ids: set[str] = set()
        if result.incremental and result.items is not None:
            # Only new items came: keep the stored ones beside them (none new: no change).
            stored = await self.store.get_items(source_id)
            stored_ids = {it.id for it in stored}
            result.replace_items(merge_incremental(result.items, stored) if result.items
                                 else None)
        elif result.items is not None and state.digest:
            stored_ids = await self.store.item_ids(source_id)  # to count the new ones
        bound(result, self.config.source_max_items(source_id), self.config.mask)
        encoded = result.encoded
        if result.items is not None and encoded is None:
            # Serializing 50 items is milliseconds of CPU: in a thread, the loop keeps answering.
            encoded = await asyncio.to_thread(EncodedItems.of, result.items)
        new_state, items = apply_poll(
            state, result, now=time.time(), interval=self.interval(source_id),
            elapsed=elapsed, stored_ids=stored_ids,
            digest=encoded.digest if encoded else "",
        )
        if items is not None:  # images first: a restart finds every stored item's settled
            await self.widgets.settle_images(items, source_id, self.fetcher)
        await self.store.save(source_id, new_state, items,
                              encoded.texts if items is not None and encoded else None)
        if result.error:
            log.warning("source %s: %s (error %d, next try in %.0fs)", source_id, result.error,
                        new_state.errors, new_state.next_check - time.time())
        else:
            log.info("source %s: %s", source_id,
                     f"{len(items)} items stored" if items is not None else "unchanged")
        return new_state, items

    async def _source_changed(self, source_id: str, *, publish: bool) -> None:
        await self.widgets.prerender(self.widgets.versions_of(source_id))
        self.widgets.recompute(source_id)  # from the states as they are now
        for hook in self.change_hooks:
            outcome = hook(source_id)
            if outcome is not None:
                await outcome
        if publish:
            await self._publish(source_id)

    async def _publish(self, source_id: str) -> None:
        publish = getattr(self.store, "publish", None)
        if publish is not None:
            await publish(source_id, self.states[source_id].digest)

    async def _on_remote_change(self, source_id: str, digest: str) -> None:
        """Another replica stored new items for a source: rebuild what shows it."""
        if source_id not in self.config.sources:
            return
        state = await self.store.get_state(source_id)
        if state is not None:
            self.states[source_id] = state
            await self._source_changed(source_id, publish=False)

    # -- widgets (what the web layer and the command line ask for) -----------------------

    @property
    def versions(self) -> dict[str, str]:
        return self.widgets.versions

    @property
    def renders(self) -> RenderCache:
        return self.widgets.renders

    @property
    def renderer(self) -> Renderer:
        return self.widgets.renderer

    async def warm(self) -> None:
        await self.widgets.warm()

    async def widget_items(self, name: str, limit: int | None = None) -> list[Item]:
        return await self.widgets.items(name, limit)

    async def rendered(self, key: Key) -> Entry:
        return await self.widgets.rendered(key)

    async def view(self, key: Key) -> WidgetView:
        return await self.widgets.view(key)

    # -- configuration ------------------------------------------------------------------

    async def apply_config(self, config: Config) -> None:
        """Switch to a new, already validated config without dropping stored items."""
        old = self.config
        self.config = config
        self.widgets.configure(config)
        self._build_adapters()
        removed = set(old.sources) - set(config.sources)
        for sid in removed:
            self.states.pop(sid, None)
        self.metrics.forget(config.sources)
        self.widgets.recompute()
        if old.fetch != config.fetch and self.fetcher is not None:
            previous, self.fetcher = self.fetcher, self._make_fetcher()
            await previous.close()
        await self.poller.reconcile(
            changed={sid for sid in config.sources
                     if sid in old.sources and old.sources[sid] != config.sources[sid]}
        )

    async def reload(self) -> bool:
        """Re-read the config file; a bad one is refused and the running config stays."""
        if self.config_path is None:
            return False
        try:
            config = await asyncio.to_thread(load_config, self.config_path)
        except ConfigError as exc:
            self.reload_error = "\n".join(exc.problems)
            log.error("config reload refused, keeping the running config:\n%s",
                      self.reload_error)
            return False
        self.needs_restart = needs_restart(self.config, config)
        if self.needs_restart:
            log.warning("config reloaded, but these settings need a restart (the running"
                        " values stay until then): %s", "; ".join(self.needs_restart))
            config = applicable(self.config, config)
        self.reload_error = ""
        await self.apply_config(config)
        log.info("config reloaded: %d sources, %d widgets", len(config.sources),
                 len(config.widgets))
        return True
