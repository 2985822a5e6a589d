"""Sending what events.py decided: gathered into one message (a digest when there are
several), each event at most once per period, to every target, retried with backoff, and
recorded in the store.

With a shared store (Redis), every replica may see the same event (a widget left empty, a
token about to expire): before it sends one, a replica takes the event's lease (as it takes a
source's before polling it) and reads when the event was last sent. The replica holding the
lease sends it and marks it sent, the others leave it; the lease is given back after, so the
next occurrence can go through whichever replica meets it. When the store itself fails, a
replica that cannot ask it sends what it sees, and remembers it in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from feedhub.alerts.events import Event
from feedhub.alerts.targets import DeliveryError, Message, deliver
from feedhub.config import Config
from feedhub.config.alerts import AlertsConfig, EmailTarget, WebhookTarget
from feedhub.store import Store
from feedhub.store.errors import store_errors

log = logging.getLogger("feedhub.alerts")

Target = WebhookTarget | EmailTarget


@dataclass(slots=True)
class Outcome:
    """What each target said to one message: "ok" or why not."""

    answers: dict[str, str]

    @property
    def ok(self) -> bool:
        return all(a == "ok" for a in self.answers.values())

    @property
    def reached(self) -> bool:
        return any(a == "ok" for a in self.answers.values())


def lease_seconds(rules: AlertsConfig) -> float:
    """Long enough for one message's delivery with every retry: an event's lease outlives
    its sending (it is given back as soon as the message is out)."""
    waits = sum(rules.retry_backoff * 2**n for n in range(rules.retries))
    longest = max((t.timeout for t in rules.targets.values()), default=30.0)
    return waits + longest * (rules.retries + 1) * max(1, len(rules.targets)) + 60.0


class Alerts:
    """The queue of events waiting to be sent, and the task that sends them."""

    def __init__(self, store: Store, config: Callable[[], Config]) -> None:
        self.store = store
        self._config = config
        self.owner = uuid.uuid4().hex  # this replica, as leases name it
        self._pending: dict[str, Event] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._sent: dict[str, float] = {}  # what this replica sent, when the store cannot say

    @property
    def rules(self) -> AlertsConfig:
        return self._config().alerts

    def submit(self, events: list[Event]) -> None:
        """Queue events for the next message (the same event twice is queued once)."""
        if not self.rules.targets:
            return
        for event in events:
            self._pending[event.key] = event
        if events:
            self._wake.set()

    def drain(self) -> list[Event]:
        """The queued events, taken off the queue."""
        batch, self._pending = list(self._pending.values()), {}
        return batch

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="alerts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.rules.digest_after)  # what comes meanwhile joins in
            self._wake.clear()
            try:
                await self.send(self.drain())
            except Exception:  # a bug here must not end alerting for good
                log.exception("alerts: sending failed")

    async def send(self, events: list[Event]) -> Outcome | None:
        """Send those of `events` that are due as one message; None when none was."""
        due = [e for e in events if await self._take(e)]
        if not due:
            return None
        message = Message.of(due)
        try:
            outcome = await self.deliver(message, retries=self.rules.retries)
            if outcome.reached:
                await self._mark([e.key for e in due], message.sent)
            await self._record(message, outcome)
        finally:
            for event in due:
                with contextlib.suppress(*store_errors()):
                    await self.store.release(_lease(event), self.owner)
        return outcome

    async def deliver(self, message: Message, *, retries: int) -> Outcome:
        """`message` to every target at once; each target is retried on its own."""
        targets = self.rules.targets
        answers = await asyncio.gather(
            *(self._to(name, target, message, retries) for name, target in targets.items())
        )
        return Outcome(dict(zip(targets, answers, strict=True)))

    async def _to(self, name: str, target: Target, message: Message, retries: int) -> str:
        wait = self.rules.retry_backoff
        for attempt in range(retries + 1):
            try:
                await deliver(self._client(), target, message, self._config().resolve)
                log.info("alerts: %r sent to %s", message.title, name)
                return "ok"
            except DeliveryError as exc:
                problem = str(exc)
            if attempt < retries:
                log.warning("alerts: target %s: %s; trying again in %gs", name, problem, wait)
                await asyncio.sleep(wait)
                wait *= 2
        log.error("alerts: target %s: %s; %r not delivered", name, problem, message.title)
        return problem

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _take(self, event: Event) -> bool:
        """Whether this replica sends `event` now: it holds the event's lease, and the event
        was not sent within the period (a recovery: its failure was sent, it was not yet)."""
        try:
            if not await self.store.acquire(_lease(event), self.owner, lease_seconds(self.rules)):
                return False
            last = await self.store.alert_sent(event.key)
            opened = await self.store.alert_sent(event.recovers) if event.recovers else None
        except store_errors():
            last = self._sent.get(event.key)
            opened = self._sent.get(event.recovers) if event.recovers else None
        due = (
            opened is not None and (last is None or last < opened)
            if event.recovers
            else last is None or time.time() - last >= self.rules.period
        )
        if not due:
            with contextlib.suppress(*store_errors()):
                await self.store.release(_lease(event), self.owner)
        return due

    async def _mark(self, keys: list[str], when: float) -> None:
        self._sent.update(dict.fromkeys(keys, when))
        with contextlib.suppress(*store_errors()):
            await self.store.mark_sent(keys, when)

    async def _record(self, message: Message, outcome: Outcome) -> None:
        record = {**message.as_dict(), "targets": outcome.answers}
        try:
            await self.store.add_alert(json.dumps(record), message.sent)
        except store_errors() as exc:
            log.warning("alerts: delivery of %r not recorded: %s", message.title, exc)

    async def recent(self, count: int = 20) -> list[dict[str, object]]:
        """The newest delivery records, for /admin."""
        out = []
        for text in await self.store.recent_alerts(count):
            with contextlib.suppress(ValueError):
                out.append(json.loads(text))
        return out


def _lease(event: Event) -> str:
    return f"alert:{event.key}"
