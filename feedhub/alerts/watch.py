"""Where events come from. Two places:

- after every poll's or push's outcome (`Watch.outcome`, one of the recorder's outcome
  listeners, told whether or not the items changed): the source failing or back, its token;
- every `alerts.check_every` (`Watch.sweep`): the store, the media disk budget, widgets left
  with no items, and every token's expiry (a token expires whether or not its source polls).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from feedhub.alerts.dispatch import Alerts
from feedhub.alerts.events import (
    media_full_event,
    source_events,
    store_event,
    token_events,
    widget_empty_event,
)
from feedhub.models import FetchState
from feedhub.store.health import StoreHealth

log = logging.getLogger("feedhub.alerts")

DiskUse = Callable[[], tuple[int, int] | None]  # (bytes used, budget), None: no media cache
EmptyWidgets = Callable[[], Awaitable[list[str]]]


class Watch:
    """Turns what the daemon knows into events for `Alerts`."""

    def __init__(
        self,
        alerts: Alerts,
        *,
        states: Mapping[str, FetchState],
        health: StoreHealth,
        disk: DiskUse,
        empty_widgets: EmptyWidgets,
    ) -> None:
        self.alerts = alerts
        self.states = states
        self.health = health
        self.disk = disk
        self.empty_widgets = empty_widgets
        self._store_failing = False
        self._task: asyncio.Task[None] | None = None

    async def outcome(self, source_id: str, before: FetchState, after: FetchState) -> None:
        """A recorder outcome listener: what one poll's outcome says."""
        rules, now = self.alerts.rules, time.time()
        if rules.targets:
            self.alerts.submit(
                source_events(source_id, before, after, rules, now)
                + token_events(source_id, after, rules, now)
            )

    async def sweep(self) -> None:
        """What is looked at on a timer, not after a poll."""
        rules, now = self.alerts.rules, time.time()
        events = []
        if self.health.ok == self._store_failing:  # a change either way
            self._store_failing = not self.health.ok
            events.append(store_event(self._store_failing, self.health.where, self.health.reason))
        use = self.disk()
        if use is not None and use[0] > use[1]:
            events.append(media_full_event(*use))
        if self.health.ok:
            events += [widget_empty_event(name) for name in await self.empty_widgets()]
        for sid, state in list(self.states.items()):
            events += [
                e for e in token_events(sid, state, rules, now) if e.kind == "token-expiring"
            ]
        self.alerts.submit(events)

    def start(self) -> None:
        if self._task is None and self.alerts.rules.targets:
            self.alerts.start()
            self._task = asyncio.create_task(self._run(), name="alerts watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.alerts.stop()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.alerts.rules.check_every)
            try:
                await self.sweep()
            except Exception:  # the next sweep tries again
                log.exception("alerts: the periodic check failed")
