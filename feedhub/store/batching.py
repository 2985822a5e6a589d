"""Fetch states saved together: the polls that stored no items (a pass of 304s, ten thousand
of them at a start) have their states written in one transaction while the store's thread is
busy, instead of a transaction, a thread hand-off and a wake-up of the event loop each.

The store's one thread still does everything in the order it was asked: any other work the
store queues first queues the states waiting (`flush`), so a read or an items save asked
after a state save comes after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial

from feedhub.models import FetchState

Entry = tuple[str, FetchState]
# Writes the states in one transaction (in the store's thread); returns, for each entry,
# the error that kept it out (its state could not be serialized), else None. Raises when the
# transaction failed: then none was written.
WriteStates = Callable[[list[Entry]], list[BaseException | None]]


class StateBatch:
    """States waiting for the store's thread: queued at the end of the loop's turn when the
    thread is free, else as soon as it has written the batch before them."""

    def __init__(self, executor: Executor, write: WriteStates) -> None:
        self._executor = executor
        self._write = write
        self._waiting: list[tuple[str, FetchState, asyncio.Future[None]]] = []
        self._queued = 0  # batches handed to the thread, not yet written

    async def save(self, source_id: str, state: FetchState) -> None:
        """Returns once the state is written; raises what kept it out."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        if not self._waiting and not self._queued:
            loop.call_soon(self.flush)
        self._waiting.append((source_id, state, done))
        await done

    def flush(self) -> None:
        """Hand the waiting states to the store's thread now, ahead of what comes next."""
        if not self._waiting:
            return
        batch, self._waiting = self._waiting, []
        self._queued += 1
        loop = asyncio.get_running_loop()
        job: asyncio.Future[list[BaseException | None]]
        try:
            job = loop.run_in_executor(
                self._executor, self._write, [(sid, state) for sid, state, _ in batch]
            )
        except RuntimeError as exc:  # the store is closed: its thread takes no more work
            job = loop.create_future()
            job.set_exception(exc)
        job.add_done_callback(partial(self._written, batch))

    def _written(
        self,
        batch: list[tuple[str, FetchState, asyncio.Future[None]]],
        job: asyncio.Future[list[BaseException | None]],
    ) -> None:
        self._queued -= 1
        failed = None if job.cancelled() else job.exception()
        errors = job.result() if failed is None and not job.cancelled() else [failed] * len(batch)
        for (_, _, done), error in zip(batch, errors, strict=True):
            if done.done():  # its poll was cancelled meanwhile
                continue
            if job.cancelled():
                done.cancel()
            elif error is None:
                done.set_result(None)
            else:
                done.set_exception(error)
        if not self._queued:
            self.flush()
