"""Poller: a task per source that polls when its state says it is due, is woken early by a
refresh within its floors, keeps polling after a failure, follows a reload and stops."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from feedhub.aio import Alarm
from feedhub.config import StorageConfig
from feedhub.ingest.poller import Poller
from feedhub.models import FetchState
from feedhub.store import open_store
from tests.conftest import wait_until

HOUR = 3600.0


class Polls:
    """The service's side of polling: each poll recorded, the next check an hour later."""

    def __init__(self, states: dict[str, FetchState]) -> None:
        self.states = states
        self.calls: list[str] = []
        self.failing: set[str] = set()

    async def __call__(self, sid: str) -> None:
        self.calls.append(sid)
        if sid in self.failing:
            self.failing.discard(sid)
            raise RuntimeError("the store is full")
        now = time.time()
        self.states[sid] = FetchState(last_attempt=now, last_success=now, next_check=now + HOUR)


@pytest.fixture
async def make_poller(tmp_path) -> AsyncIterator[Callable[..., tuple[Poller, Polls]]]:
    store = open_store(StorageConfig(backend="sqlite", path=str(tmp_path / "feedhub.sqlite3")))
    await store.open()
    pollers: list[Poller] = []

    def make(states: dict[str, FetchState], sources: list[str], **kw) -> tuple[Poller, Polls]:
        polls = Polls(states)
        poller = Poller(
            store=store,
            states=states,
            sources=lambda: sources,
            poll=polls,
            interval=lambda sid: 0.05,
            **kw,
        )
        pollers.append(poller)
        return poller, polls

    yield make
    for poller in pollers:
        await poller.stop()
    await store.close()


async def test_only_due_sources_are_polled_once_each(make_poller):
    later = time.time() + HOUR
    states = {"late": FetchState(next_check=later)}
    poller, polls = make_poller(states, ["new", "due", "late"])
    states["due"] = FetchState(next_check=time.time() - 1)
    await poller.start()
    assert poller.running
    await wait_until(lambda: sorted(polls.calls) == ["due", "new"], timeout=5)
    await asyncio.sleep(0.3)
    assert sorted(polls.calls) == ["due", "new"], "each polled once, then an hour's wait"
    assert states["late"].next_check == later


async def test_a_refresh_wakes_a_source_unless_its_floor_forbids(make_poller):
    states = {
        "blog": FetchState(next_check=time.time() + HOUR),
        "toots": FetchState(next_check=time.time() + HOUR, last_attempt=time.time()),
    }
    poller, polls = make_poller(
        states, ["blog", "toots"], floor=lambda sid: HOUR if sid == "toots" else 0.0
    )
    await poller.start()
    await asyncio.sleep(0.1)
    assert polls.calls == []

    assert poller.refresh("blog") <= time.time()
    await wait_until(lambda: polls.calls == ["blog"], timeout=2)

    at = poller.refresh("toots")
    assert at >= time.time() + HOUR - 5, "not sooner than the platform allows after a poll"
    await asyncio.sleep(0.3)
    assert polls.calls == ["blog"]


async def test_a_poll_that_raises_does_not_end_the_sources_polling(make_poller, caplog):
    states: dict[str, FetchState] = {}
    poller, polls = make_poller(states, ["blog"])
    polls.failing.add("blog")
    await poller.start()
    await wait_until(lambda: polls.calls == ["blog", "blog"], timeout=3)
    assert states["blog"].next_check > time.time()
    assert "source blog: poll could not be recorded" in caplog.text


async def test_reconcile_follows_a_reload_and_stop_ends_polling(make_poller):
    states: dict[str, FetchState] = {}
    sources = ["a", "b"]
    poller, polls = make_poller(states, sources)
    await poller.start()
    await wait_until(lambda: sorted(polls.calls) == ["a", "b"], timeout=3)

    sources[:] = ["b", "c"]  # the reload removed a, added c and changed b
    await poller.reconcile({"b"})
    await wait_until(lambda: sorted(polls.calls) == ["a", "b", "b", "c"], timeout=3)
    poller.refresh("a")
    await asyncio.sleep(0.2)
    assert polls.calls.count("a") == 1, "a removed source is polled no more"

    await poller.stop()
    assert not poller.running
    poller.refresh("b")
    await asyncio.sleep(0.2)
    assert len(polls.calls) == 4


async def test_a_sources_alarm_ends_its_sleep_at_its_time_or_at_a_ring():
    # One future and one timer per sleeping source (an Event with a timeout took four objects
    # more each, walked by every full pass of the garbage collector).
    alarm = Alarm()
    started = time.monotonic()
    await alarm.sleep(0.05)
    assert time.monotonic() - started >= 0.045
    sleeping = asyncio.create_task(alarm.sleep(30))
    await asyncio.sleep(0.01)
    alarm.ring()
    await asyncio.wait_for(sleeping, 1)  # woken long before its 30 s
    alarm.ring()  # rung while awake: the next sleep ends at once, once
    await asyncio.wait_for(alarm.sleep(30), 1)
    again = asyncio.create_task(alarm.sleep(30))
    await asyncio.sleep(0.05)
    assert not again.done()
    again.cancel()
