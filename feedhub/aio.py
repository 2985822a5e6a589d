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


async def within(awaitable: Awaitable[T], seconds: float) -> T:
    """`awaitable`'s result, or TimeoutError after `seconds`."""
    async with asyncio.timeout(seconds):
        return await awaitable
