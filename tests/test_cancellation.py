"""A stop that comes in the same turn of the event loop as a wake-up still stops.

On Python 3.11 `asyncio.wait_for` lost such a cancellation: the WebSub subscriber's loop then
went on for ever and `Service.stop` waited on it for ever (a test run hung at a WebSub test
until CI's limit), and a poller's task ran on past its stop."""

from __future__ import annotations

import asyncio
import time

import pytest

from feedhub.aio import wait_event, within
from feedhub.config import StorageConfig
from feedhub.ingest.poller import Poller
from feedhub.models import FetchState
from feedhub.store import open_store
from tests.conftest import wait_until
from tests.websub_support import recording_subscriber


async def test_a_wait_cancelled_as_its_event_is_set_is_cancelled():
    event = asyncio.Event()
    waiting = asyncio.create_task(wait_event(event, 60))
    await asyncio.sleep(0.01)
    event.set()
    waiting.cancel()  # the same turn: both the wake-up and the cancellation are pending
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await wait_event(event, 0.01) is True
    assert await wait_event(asyncio.Event(), 0.01) is False


async def test_an_awaitable_cancelled_as_it_finishes_is_cancelled():
    done = asyncio.get_running_loop().create_future()
    waiting = asyncio.create_task(within(done, 60))
    await asyncio.sleep(0.01)
    done.set_result("late")
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    with pytest.raises(TimeoutError):
        await within(asyncio.sleep(1), 0.01)


async def test_the_subscriber_stops_when_poked_in_the_same_turn(tmp_path):
    sources = {"blog": {"type": "feed", "url": "http://127.0.0.1:9/f.xml", "websub": True}}
    sub, checked = recording_subscriber(tmp_path, sources)
    sub.start()
    await wait_until(lambda: checked == ["blog"])
    await asyncio.sleep(0.05)  # asleep until the next due time, or a poke
    sub.poke("blog")
    stopping = asyncio.create_task(sub.stop())
    done, _ = await asyncio.wait([stopping], timeout=10)
    assert done, "the subscriber's loop went on after its stop"


async def test_a_poller_stops_when_refreshed_in_the_same_turn(tmp_path):
    store = open_store(StorageConfig(backend="sqlite", path=str(tmp_path / "feedhub.sqlite3")))
    await store.open()
    states = {"blog": FetchState(next_check=time.time() + 3600)}
    polls: list[str] = []

    async def poll(sid: str) -> None:
        polls.append(sid)

    poller = Poller(
        store=store, states=states, sources=lambda: ["blog"], poll=poll, interval=lambda s: 60
    )
    try:
        await poller.start()
        await asyncio.sleep(0.05)  # asleep until the source is due, or a refresh
        poller.refresh("blog")
        await poller.stop()  # raised KeyError: the task ran on without its wake-up event
        assert not poller.running and polls == []
    finally:
        await store.close()
