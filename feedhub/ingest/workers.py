"""Parsing and sanitizing run in worker processes, so the event loop never waits on them."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import select
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

_pool: Executor | None = None
_pool_lock = threading.Lock()  # prestart (in a thread) and the loop may both ask first


WORKER_NICE = 19  # the lowest: a batch job beside the server it serves


def worker_count() -> int:
    """One per core; FEEDHUB_PARSE_WORKERS overrides.

    Workers run at a lower priority (WORKER_NICE), so they take every core the event loop
    leaves idle but yield to it at once: serving stays fast while a big poll parses.
    """
    env = os.environ.get("FEEDHUB_PARSE_WORKERS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, os.cpu_count() or 2)


def _start_worker(owner: int) -> None:
    """In each worker: a lower priority, and an exit as soon as the owning process is gone.

    A `kill -9` of the daemon would otherwise leave its workers (and the forkserver they keep
    alive) waiting forever on a queue nobody writes to.
    """
    os.nice(WORKER_NICE)
    try:
        pidfd = os.pidfd_open(owner)
    except (AttributeError, OSError):  # not Linux ≥ 5.3: the owner's normal exit still works
        return

    def watch() -> None:
        select.select([pidfd], [], [])  # readable once the owner has exited
        os._exit(0)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def _executor() -> Executor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # forkserver: workers start clean, not as copies of a process full of sockets.
            ctx = multiprocessing.get_context("forkserver")
            _pool = ProcessPoolExecutor(
                max_workers=worker_count(),
                mp_context=ctx,
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return _pool


def prestart() -> None:
    """Start the forkserver and the workers now. It blocks (~50 ms of forking and waiting
    here): run it in a thread before the first parse, so that the event loop never does."""
    pool = _executor()
    for started in [pool.submit(os.getpid) for _ in range(worker_count())]:
        started.result()


async def run_parse(fn: Any, *args: Any) -> Any:
    """Run a pure parse function in a worker process; a crashed pool is replaced."""
    global _pool
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_executor(), fn, *args)
    except BrokenProcessPool:
        _pool = None
        raise RuntimeError("the parser worker died (out of memory on a hostile answer?)") from None


def shutdown() -> None:
    """Stop the worker processes and wait for them (at exit; they are idle by then, so it
    takes milliseconds). Not waiting left the pool's manager thread closing its wakeup pipe
    while the interpreter's exit wrote to it: a "Bad file descriptor" traceback, now and
    then, at the end of `feedhub fetch`."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
