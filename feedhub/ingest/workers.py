"""Parsing, sanitizing and image work run in worker processes, so the event loop never waits
on them.

Two pools: one parses answers, the other prepares images. Each has its own queue to its
processes, so a parse never waits behind an image's megabytes crossing the pipe, and its own
priority, so a parse takes a core from image work at once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import select
import threading
from collections import OrderedDict, deque
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextvars import ContextVar
from functools import cache
from typing import Any

PARSE, IMAGE = "parse", "image"
_pools: dict[str, Executor] = {}
_pool_lock = threading.Lock()  # prestart (in a thread) and the loop may both ask first

# Lower priorities than the event loop's: workers take every core the loop leaves idle but
# yield to it at once. Image work yields to parsing as well: a source's new items never wait
# for another source's photos.
PARSE_NICE = 10
IMAGE_NICE = 19
NICE = {PARSE: PARSE_NICE, IMAGE: IMAGE_NICE}


def worker_count() -> int:
    """Processes per pool: one per core; FEEDHUB_PARSE_WORKERS overrides. A pool starts its
    processes as work comes, so a daemon with no images never starts the image pool's."""
    env = os.environ.get("FEEDHUB_PARSE_WORKERS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return _cores()


@cache
def _cores() -> int:  # os.cpu_count() reads a file under /sys at every call
    return max(1, os.cpu_count() or 2)


def _start_worker(owner: int, nice: int) -> None:
    """In each worker: a lower priority, and an exit as soon as the owning process is gone.

    A `kill -9` of the daemon would otherwise leave its workers (and the forkserver they keep
    alive) waiting forever on a queue nobody writes to.
    """
    os.nice(nice)
    try:
        pidfd = os.pidfd_open(owner)
    except (AttributeError, OSError):  # not Linux ≥ 5.3: the owner's normal exit still works
        return

    def watch() -> None:
        select.select([pidfd], [], [])  # readable once the owner has exited
        os._exit(0)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def _executor(kind: str = PARSE) -> Executor:
    with _pool_lock:
        pool = _pools.get(kind)
        if pool is None:
            # forkserver: workers start clean, not as copies of a process full of sockets.
            ctx = multiprocessing.get_context("forkserver")
            pool = _pools[kind] = ProcessPoolExecutor(
                max_workers=worker_count(),
                mp_context=ctx,
                initializer=_start_worker,
                initargs=(os.getpid(), NICE[kind]),
            )
        return pool


def prestart(kind: str = PARSE) -> None:
    """Start the forkserver and a pool's workers now. It blocks (~50 ms of forking and
    waiting here): run it in a thread before the pool's first job, so that the event loop
    never does (a pool's `submit` forks a worker, on the caller's thread, while it has fewer
    than it may). The service starts the parse pool so; the image pool, and any pool started
    by a job's own call (a one-off command, a benchmark), start so at their first job."""
    pool = _executor(kind)
    for started in [pool.submit(os.getpid) for _ in range(worker_count())]:
        started.result()
    _started.add(kind)


_started: set[str] = set()  # the pools whose workers are all running


# Whose work a job is (a source id; set by a poll and by a source's image settling): the
# pool lets the owners in by turns, so one source's backlog never holds back another's poll.
working_for: ContextVar[str] = ContextVar("working_for", default="")


class FairSlots:
    """At most `size` jobs in the pool at once (so none waits in the pool's own queue); the
    others wait, each owner in its own line, and a freed slot goes to the next owner in turn.
    The media cache admits its image fetches so too (`MediaCache.turns`)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.busy = 0
        self._lines: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()

    async def acquire(self, owner: str) -> None:
        if self.busy < self.size and not self._lines:
            self.busy += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._lines.setdefault(owner, deque()).append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # the slot came with the cancellation: pass it on
            else:
                line = self._lines.get(owner)
                if line is not None and turn in line:
                    line.remove(turn)
                    if not line:
                        del self._lines[owner]
            raise

    def release(self) -> None:
        while self._lines:
            owner, line = next(iter(self._lines.items()))
            turn = line.popleft()
            if line:
                self._lines.move_to_end(owner)  # its next job waits for the others' turns
            else:
                del self._lines[owner]
            if not turn.done():
                turn.set_result(None)  # the slot passes on: busy stays as it is
                return
        self.busy -= 1

    def waiting(self) -> dict[str, int]:
        """Jobs waiting per owner."""
        return {owner: len(line) for owner, line in self._lines.items()}


_slots: dict[str, tuple[object, FairSlots]] = {}


def slots(kind: str = PARSE) -> FairSlots:
    """The running loop's slots of a pool (a loop's futures are of no use to another)."""
    loop = asyncio.get_running_loop()
    known = _slots.get(kind)
    if known is None or known[0] is not loop:
        known = _slots[kind] = (loop, FairSlots(worker_count()))
    return known[1]


async def _run(kind: str, fn: Any, *args: Any) -> Any:
    loop = asyncio.get_running_loop()
    gate = slots(kind)
    await gate.acquire(working_for.get())
    try:
        if kind not in _started:
            await asyncio.to_thread(prestart, kind)
        return await loop.run_in_executor(_executor(kind), fn, *args)
    except BrokenProcessPool:
        with _pool_lock:
            _pools.pop(kind, None)
            _started.discard(kind)
        raise RuntimeError(f"a {kind} worker died (out of memory on a hostile answer?)") from None
    finally:
        gate.release()


async def run_parse(fn: Any, *args: Any) -> Any:
    """Run a pure parse function in a parse worker, when its owner's turn comes (see
    `working_for`); a crashed pool is replaced."""
    return await _run(PARSE, fn, *args)


async def run_image(fn: Any, *args: Any) -> Any:
    """Image work (the media cache's), in the image pool, each source's jobs in turn."""
    return await _run(IMAGE, fn, *args)


def shutdown() -> None:
    """Stop the worker processes and wait for them (at exit; they are idle by then, so it
    takes milliseconds). Not waiting left the pool's manager thread closing its wakeup pipe
    while the interpreter's exit wrote to it: a "Bad file descriptor" traceback, now and
    then, at the end of `feedhub fetch`."""
    with _pool_lock:
        pools = list(_pools.values())
        _pools.clear()
        _started.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)
