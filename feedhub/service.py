"""The running service: config, store, fetcher, poller and rendered widgets, tied together."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from feedhub import websub, workers
from feedhub.cache import Entry, Key, RenderCache
from feedhub.config import Config, WidgetConfig, load_config
from feedhub.fetcher import Fetcher
from feedhub.metrics import Metrics
from feedhub.models import EncodedItems, FetchState, Item
from feedhub.poller import Poller
from feedhub.render import Renderer, WidgetView
from feedhub.selection import select
from feedhub.sources import PollContext, PollResult, SourceAdapter, make_adapter
from feedhub.store import Store, open_store
from feedhub.update import apply_poll, merge_incremental

log = logging.getLogger("feedhub")
# Of a changed widget, at most this many of its rendered variants (format, limit, locale,
# theme) are rendered ahead; any other renders when it is next asked for.
PRERENDER = 16

ChangeHook = Callable[[str], Awaitable[None] | None]


class Service:
    """Owns every long-lived resource; the web layer asks it for rendered widgets."""

    def __init__(self, config: Config, config_path: str | Path | None = None) -> None:
        self.config = config
        self.config_path = Path(config_path) if config_path else None
        self.store: Store = open_store(config.storage, config.base_dir)
        self.renderer = Renderer(config)
        self.renders = RenderCache()
        self.adapters: dict[str, SourceAdapter] = {}
        self.states: dict[str, FetchState] = {}
        self.versions: dict[str, str] = {}
        self._seeds: dict[str, bytes] = {}
        self._seeds_for: object = None
        self.fetcher: Fetcher | None = None
        self.poller = Poller(self)
        self.reload_error = ""
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
        self.states = await self.store.all_states()
        self._recompute_versions()
        self.fetcher = self._make_fetcher()
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
        await self.poller.stop()
        if self.fetcher is not None:
            await self.fetcher.close()
        await self.store.close()

    def _make_fetcher(self) -> Fetcher:
        f = self.config.fetch
        return Fetcher(
            public_url=self.config.public_url,
            concurrency=f.concurrency,
            per_host=f.per_host,
            allow_private=f.allow_private_addresses,
            user_agent=f.user_agent,
        )

    def _build_adapters(self) -> None:
        self.adapters = {
            sid: make_adapter(sid, cfg, self.config.base_dir)
            for sid, cfg in self.config.sources.items()
        }

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
            self.states[source_id] = await self.store.get_state(source_id) or FetchState()
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
        stored_ids: set[str] = set()
        if result.incremental and result.items is not None:
            # Only new items came: keep the stored ones beside them (none new: no change).
            stored = await self.store.get_items(source_id)
            stored_ids = {it.id for it in stored}
            result.replace_items(merge_incremental(result.items, stored) if result.items
                                 else None)
        elif result.items is not None and state.digest:
            stored_ids = await self.store.item_ids(source_id)  # to count the new ones
        encoded = result.encoded
        if result.items is not None and encoded is None:
            # Serializing 50 items is milliseconds of CPU: in a thread, the loop keeps answering.
            encoded = await asyncio.to_thread(EncodedItems.of, result.items)
        new_state, items = apply_poll(
            state, result, now=time.time(), interval=self.interval(source_id),
            elapsed=elapsed, stored_ids=stored_ids,
            digest=encoded.digest if encoded else "",
        )
        if result.error:
            log.warning("source %s: %s (error %d, next try in %.0fs)", source_id, result.error,
                        new_state.errors, new_state.next_check - time.time())
        else:
            log.info("source %s: %s", source_id,
                     f"{len(items)} items stored" if items is not None else "unchanged")
        await self.store.save(source_id, new_state, items,
                              encoded.texts if items is not None and encoded else None)
        self.states[source_id] = new_state
        self.metrics.record_poll(source_id, result.error, new_state)
        if items is not None:
            await self._source_changed(source_id, publish=True)
        return result

    async def _source_changed(self, source_id: str, *, publish: bool) -> None:
        await self._prerender(self._widget_versions(source_id))
        self._recompute_versions(source_id)  # from the states as they are now
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

    # -- widgets ----------------------------------------------------------------------

    def _recompute_versions(self, source_id: str | None = None) -> None:
        """A widget's version changes when its config or any of its sources' items change.

        With `source_id`, only the widgets showing that source are recomputed. The map is new
        every time, so a reader may compare its identity to know that nothing changed since
        it last looked (the widget handler's fast path does).
        """
        fresh = self._widget_versions(source_id)
        self.versions = {**self.versions, **fresh} if source_id else fresh

    def _widget_versions(self, source_id: str | None = None) -> dict[str, str]:
        """The versions of the widgets showing `source_id` (of all without it), from the
        current states."""
        if self._seeds_for is not self.config:  # each widget's config, serialized once
            self._seeds = {name: json.dumps(w.model_dump(mode="json"), sort_keys=True).encode()
                           for name, w in self.config.widgets.items()}
            self._seeds_for = self.config
        versions = {}
        for name, widget in self.config.widgets.items():
            if source_id and source_id not in widget.sources:
                continue
            h = hashlib.blake2b(self._seeds[name], digest_size=10)
            for sid in widget.sources:
                state = self.states.get(sid)
                h.update(f"|{sid}={state.digest if state else ''}".encode())
            versions[name] = h.hexdigest()
        return versions

    async def _prerender(self, versions: dict[str, str]) -> None:
        """Render the new version of what was being served of each changed widget, before the
        version switches: meanwhile visitors get the previous bytes and never wait on it."""
        for name, version in versions.items():
            if self.versions.get(name) == version:
                continue
            for key in self.renders.keys_for(name)[:PRERENDER]:
                try:
                    await self._render(key, version)
                except Exception:  # the request that asks for it will answer 500 and log it
                    log.exception("widget %s: rendering %s failed", name, key.fmt)

    async def warm(self) -> None:
        """Render each widget's page and fragment before serving: templates compile and locale
        data loads here, not in the first visitors' requests."""
        self.renderer.warm({widget.locale for widget in self.config.widgets.values()})
        for name, widget in self.config.widgets.items():
            for fmt in ("page", "html"):
                key = Key(name, fmt, widget.limit, widget.locale, widget.theme)
                try:
                    await self.rendered(key)
                except Exception:
                    log.exception("widget %s: rendering %s failed", name, fmt)

    async def widget_items(self, name: str, limit: int | None = None) -> list[Item]:
        widget = self.config.widgets[name]
        items: list[Item] = []
        for sid in widget.sources:
            items.extend(await self.store.get_items(sid))
        return select(items, widget, datetime.now(UTC), limit)

    async def rendered(self, key: Key) -> Entry:
        """The widget's bytes for these parameters, rendered only if its items changed."""
        return await self._render(key, self.versions[key.widget])

    async def _render(self, key: Key, version: str) -> Entry:
        entry = self.renders.peek(key, version)
        if entry is not None:
            return entry

        async def produce() -> tuple[bytes, str, dict[str, str]]:
            view = await self.view(key)
            out = self.renderer.render(key.fmt, view)
            return out.body, out.content_type, out.headers

        return await self.renders.get(key, version, produce)

    def _widget_config(self, key: Key) -> WidgetConfig:
        """The widget's config, with the color scheme a request asked for."""
        cfg = self.config.widgets[key.widget]
        return cfg.model_copy(update={"scheme": key.scheme}) if key.scheme else cfg

    async def view(self, key: Key) -> WidgetView:
        return WidgetView(
            name=key.widget,
            cfg=self._widget_config(key),
            items=await self.widget_items(key.widget, key.limit),
            theme=key.theme,
            locale=key.locale,
            limit=key.limit,
            public_url=self.config.public_url,
        )

    # -- configuration ------------------------------------------------------------------

    async def apply_config(self, config: Config) -> None:
        """Switch to a new, already validated config without dropping stored items."""
        old = self.config
        self.config = config
        self.renderer = Renderer(config)
        self.renders.clear()
        self._build_adapters()
        removed = set(old.sources) - set(config.sources)
        for sid in removed:
            self.states.pop(sid, None)
        self.metrics.forget(config.sources)
        self._recompute_versions()
        if old.fetch != config.fetch and self.fetcher is not None:
            previous, self.fetcher = self.fetcher, self._make_fetcher()
            await previous.close()
        await self.poller.reconcile(
            changed={sid for sid in config.sources
                     if sid in old.sources and old.sources[sid] != config.sources[sid]}
        )

    async def reload(self) -> bool:
        """Re-read the config file; a bad one is refused and the running config stays."""
        from feedhub.config import ConfigError

        if self.config_path is None:
            return False
        try:
            config = await asyncio.to_thread(load_config, self.config_path)
        except ConfigError as exc:
            self.reload_error = "\n".join(exc.problems)
            log.error("config reload refused, keeping the running config:\n%s",
                      self.reload_error)
            return False
        if config.storage != self.config.storage:
            log.warning("storage settings changed: they apply at the next restart")
            config = config.model_copy(update={"storage": self.config.storage})
        self.reload_error = ""
        await self.apply_config(config)
        log.info("config reloaded: %d sources, %d widgets", len(config.sources),
                 len(config.widgets))
        return True
