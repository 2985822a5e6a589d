"""One running daemon, wired: the parts are built here, started and stopped here, and a
reloaded config is applied here. The work is the parts' own.

The web layer and the command line use the named parts (ports):
- `widgets`: rendered widgets and their versions (`publish.widgets.Widgets`);
- `polling`: polling a source now (`ingest.polling.Polling`); `poller`, its background tasks;
- `recorder`: the one way a poll's or a push's outcome is stored (`ingest.recorder`);
- `pushes`: what a WebSub hub's requests do (`ingest.push.Pushes`);
- `media`: the media cache's life cycle, and `/m/` files (`media.lifecycle`);
- `store`, `states`, `store_health`, `metrics`: what was kept, and how it went;
- `connections`: accounts connected from /admin (`ingest.accounts.Connections`);
- `alerts`: the owner told of failures (`alerts.dispatch.Alerts`), fed by `watch`;
- `reloads`: config.yaml read again while running (`config.reloader.Reloader`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any

from feedhub.alerts.dispatch import Alerts
from feedhub.alerts.watch import Watch
from feedhub.config import Config
from feedhub.config.reloader import Reloader
from feedhub.fetch.fetcher import Fetcher
from feedhub.ingest import workers
from feedhub.ingest.accounts import Connections
from feedhub.ingest.poller import Poller
from feedhub.ingest.polling import Polling
from feedhub.ingest.push import Pushes
from feedhub.ingest.recorder import Recorder
from feedhub.ingest.subscriber import Subscriber
from feedhub.media.lifecycle import MediaLifecycle
from feedhub.metrics import Metrics
from feedhub.models import FetchState
from feedhub.publish.decisions import widget_of_change
from feedhub.publish.widgets import Widgets
from feedhub.sources import adapter_class
from feedhub.store import Store, open_store
from feedhub.store.base import CAUGHT_UP
from feedhub.store.errors import store_errors
from feedhub.store.health import StoreHealth
from feedhub.store.sealing import Sealer

log = logging.getLogger("feedhub")


class Service:
    """Owns every long-lived resource and task of one daemon."""

    def __init__(self, config: Config, config_path: str | Path | None = None) -> None:
        self.config = config
        self.config_path = Path(config_path) if config_path else None
        self.store: Store = open_store(config.storage, config.base_dir)
        if config.secret_key:  # the tokens a state carries are kept sealed
            self.store.sealer = Sealer(config.secret_key)
        self.store_health = StoreHealth(self.store.where)  # what /readyz answers
        self.states: dict[str, FetchState] = {}
        self.metrics = Metrics()
        self.fetcher: Fetcher | None = None
        self.media = MediaLifecycle(config, self.store, workers.run_image, lambda: self.fetcher)
        self.widgets = Widgets(config, self.store, self.states, self.media)
        self.recorder = Recorder(
            store=self.store,
            states=self.states,
            health=self.store_health,
            metrics=self.metrics,
            config=lambda: self.config,
            interval=lambda sid: self.polling.interval(sid),
            images=self.media,
        )
        self.polling = Polling(config, self.recorder, lambda: self.fetcher)
        self.poller = Poller(
            store=self.store,
            states=self.states,
            sources=lambda: self.config.sources,
            poll=self.polling.poll,
            interval=self.polling.interval,
            lease_seconds=config.storage.lease,
            health=self.store_health,
            floor=self.polling.floor,
        )
        self.subscriber = Subscriber(
            store=self.store, states=self.states, lease=self.poller, hubs=self.polling.hubs
        )
        self.pushes = Pushes(self.polling, self.poller, self.subscriber)
        self.store.unreadable.listener = self._refetch
        # After a save, in this order: the widgets render the change and switch to it, the
        # subscriber looks for a hub, other replicas are told, the media budget is kept.
        self.recorder.listeners += [
            self.widgets.source_changed,
            self._poke_subscriber,
            self._tell_replicas,
            self.media.budget_keeper(self.widgets.shown_items),
        ]
        self._accounts: dict[str, dict[str, Any]] = {}  # the connected accounts, last read
        self.connections = Connections(
            self.store, lambda: self.config, lambda: self.fetcher, self._account_connected
        )
        self.alerts = Alerts(self.store, lambda: self.config)
        self.watch = Watch(
            self.alerts,
            states=self.states,
            health=self.store_health,
            disk=self.media.disk_use,
            empty_widgets=self._empty_widgets,
        )
        # Every outcome, changed or not: a failing source, its recovery, its token.
        self.recorder.outcomes.append(self.watch.outcome)
        self.reloads = Reloader(self.config_path, lambda: self.config, self.apply_config)
        self.started = 0.0
        self._starting: asyncio.Task[None] | None = None

    # -- life cycle -------------------------------------------------------------------

    async def start(self, *, poll: bool = True) -> None:
        """Open the store and serve its items at once; polling starts after, in background."""
        await self.store.open()
        await self._use_accounts(self.config)
        self.store.on_change(self._on_remote_change)
        self.states.update(await self.store.all_states())
        await self.widgets.start_moderation()
        self.fetcher = self._make_fetcher()
        await self.media.open(self._images_settled)
        self.started = time.time()
        if poll:
            self._starting = asyncio.create_task(self._start_polling(), name="start polling")

    async def ready(self) -> None:
        """About to serve: every widget rendered once (templates compile here, not in the
        first visitors' requests), and WebSub subscriptions kept from now on (a hub verifies
        a subscription by asking this server; a one-off command keeps none)."""
        await self.widgets.warm()
        self.subscriber.start()
        self.watch.start()

    async def _start_polling(self) -> None:
        await self.prepare_polling()
        await self.poller.start()

    async def prepare_polling(self) -> None:
        """What the first polls would otherwise do on the event loop, done in threads while
        serving starts: fork the parse workers (tens of ms) and import the platforms' modules
        (the feed reader's is ~25 ms). A failure here is the first parse's to report."""
        try:
            await asyncio.to_thread(workers.prestart)
            await asyncio.to_thread(self.import_adapters)
        except Exception:  # the first parse tries again, and its source's error says why
            log.exception("the parse workers did not start")

    def import_adapters(self) -> None:
        """Import the configured platforms' modules (blocking: call it in a thread)."""
        for kind in sorted({cfg.type for cfg in self.config.sources.values()}):
            adapter_class(kind)

    async def stop(self) -> None:
        await self.watch.stop()
        await self.connections.close()
        await self.subscriber.stop()
        if self._starting is not None:
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        await self.media.close()
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

    # -- connected accounts -------------------------------------------------------------

    async def _use_accounts(self, config: Config) -> Config:
        """`config` with the connected accounts' tokens, in use from now on."""
        self.config = config.with_accounts(await self._read_accounts(config))
        self.polling.configure(self.config)
        return self.config

    async def _read_accounts(self, config: Config) -> dict[str, dict[str, Any]]:
        """The connected accounts; while the store fails (a reload then), the last read."""
        try:
            self._accounts = await self.connections.accounts(config)
        except store_errors() as exc:
            if not self.started:
                raise
            log.warning("connected accounts not read again (%s): the last ones stay", exc)
        return self._accounts

    async def _account_connected(self, source_id: str) -> None:
        """An account was connected on /admin: its source polls with it now, as after a
        reload that changed it (a new token is a new start: no backoff left to wait)."""
        await self._use_accounts(self.config)
        if self.poller.running:
            await self.poller.reconcile(changed={source_id})
        else:
            await self.polling.poll(source_id)

    # -- what a change sets off -------------------------------------------------------

    def _refetch(self, source_id: str) -> None:
        """Rows of a source could not be read: poll it soon, to rewrite them."""
        if self.poller.running and source_id in self.config.sources:
            self.poller.refresh(source_id)

    async def _poke_subscriber(self, source_id: str, state: FetchState) -> None:
        self.subscriber.poke(source_id)

    async def _tell_replicas(self, source_id: str, state: FetchState) -> None:
        await self.store.publish(source_id, state.digest)

    async def _rerender(self, source_id: str) -> None:
        """A source changed outside this replica's recorder (more of its images cached, or
        another replica stored it): its widgets render it, the subscriber looks again."""
        await self.widgets.source_changed(source_id)
        self.subscriber.poke(source_id)

    async def _empty_widgets(self) -> list[str]:
        """Widgets with nothing to show once every one of their sources was polled (with a
        shared store, by whichever replica: its states are read there)."""
        states = await self.store.all_states() if self.store.shared else self.states
        empty = []
        for name, cfg in self.config.widgets.items():
            polled = all((st := states.get(sid)) and st.last_attempt for sid in cfg.sources)
            if polled and not await self.widgets.items(name, 1):
                empty.append(name)
        return empty

    async def _images_settled(self, source_id: str) -> None:
        """More of a source's images are cached (after its items were stored): its widgets
        render again, here and, told through the store, on the other replicas."""
        await self._rerender(source_id)
        state = self.states.get(source_id)
        if state is not None:
            await self.store.publish(source_id, state.digest)

    async def _on_remote_change(self, source_id: str, digest: str) -> None:
        """Another replica stored new items for a source, or settled more of its images (or
        decided on a widget's posts): rebuild what shows it."""
        if (widget := widget_of_change(source_id)) is not None:
            await self.widgets.moderation_changed(widget)
            return
        if source_id == CAUGHT_UP:  # back after an outage: decisions may have been missed
            await self.widgets.start_moderation()
            return
        if source_id not in self.config.sources:
            return
        known = self.states.get(source_id)
        state = await self.store.get_state(source_id)
        if state is not None:
            if known is not None and known.digest == state.digest:
                self.media.settled_elsewhere(source_id)  # the same items, more images
            self.states[source_id] = state
            await self._rerender(source_id)

    # -- configuration ------------------------------------------------------------------

    async def apply_config(self, config: Config) -> None:
        """Switch to a new, already validated config without dropping stored items."""
        old = self.config
        config = config.with_accounts(await self._read_accounts(config))
        self.config = config
        self.widgets.configure(config)
        self.media.configure(config)
        self.polling.configure(config)
        removed = set(old.sources) - set(config.sources)
        for sid in removed:
            self.states.pop(sid, None)
        self.metrics.forget(config.sources)
        await self.widgets.start_moderation()
        if self.started:
            self.watch.start()  # alert targets may have been added
        if old.fetch != config.fetch and self.fetcher is not None:
            previous, self.fetcher = self.fetcher, self._make_fetcher()
            await previous.close()
        await self.poller.reconcile(
            changed={
                sid
                for sid in config.sources
                if sid in old.sources and old.sources[sid] != config.sources[sid]
            }
        )
