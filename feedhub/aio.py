"""Waiting in asyncio without losing a cancellation.

On Python 3.11, `asyncio.wait_for` returns the awaited result when a cancellation arrives in
the same turn of the loop as that result, and the cancellation is gone: a loop such as
"sleep until woken or until the next due time" then goes on for ever, and whoever cancelled
it and waits for it to end waits for ever (a daemon that never stops; a test run that hung
until CI's limit killed it). `asyncio.timeout` counts cancellations and never loses one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def wait_event(event: asyncio.Event, seconds: float) -> bool:
    """Wait until `event` is set, at most `seconds`; True if it was set."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


class Alarm:
    """A sleep that a ring ends early (a ring while not asleep ends the next sleep at once):
    the poller's, one per source. One future and one timer: an `asyncio.Event` waited on
    with `wait_event` took four objects more per sleeping source, and every full pass of the
    garbage collector walks them all (`feedhub serve`, 10,000 sources: 230,000 objects and
    122-144 ms a pass before, 191,000 and 88-105 ms with this). A cancellation that comes
    with the ring is not lost: the task was not woken yet, so it is cancelled when it is."""

    __slots__ = ("_future", "_rung")

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None
        self._rung = False

    def ring(self) -> None:
        self._rung = True
        if self._future is not None and not self._future.done():
            self._future.set_result(None)

    async def sleep(self, seconds: float) -> None:
        if not self._rung:
            loop = asyncio.get_running_loop()
            self._future = loop.create_future()
            timer = loop.call_later(seconds, self.ring)  # the time is up: as a ring
            try:
                await self._future
            finally:
                timer.cancel()
                self._future = None
        self._rung = False


async def within(awaitable: Awaitable[T], seconds: float) -> T:
    """`awaitable`'s result, or TimeoutError after `seconds`."""
    async with asyncio.timeout(seconds):
        return await awaitable
