"""`python -m bench.pollrun CONFIG`: two full polls of every source, timed; prints JSON.

The service is the one `feedhub serve` runs (same store, fetcher, worker pool, uvloop); the
polls are started all at once, as the poller does for sources that are all due (a batch of
tasks per turn of the event loop, as the poller starts them: ten thousand first steps in one
turn would be the bench's own stall, not the daemon's). feedhub is
imported in main() only: the parse workers import this module first (as they import the
`feedhub` command's), and what it imports at the top they would all carry.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feedhub.service import Service
    from feedhub.sources import PollResult


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _threads_cpu() -> dict[str, float]:
    """CPU seconds each of this process's threads has used, by thread name (the store's is
    `feedhub-sqlite_0`): where the daemon's share of a pass goes, thread by thread."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for thread in threading.enumerate():
        try:
            stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
        except OSError:  # ended meanwhile, or not Linux
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[thread.name] = (int(fields[11]) + int(fields[12])) / tick
    return found


async def _poll(svc: Service, sid: str) -> tuple[bool, bool, int]:
    """Poll one source, keeping only its outcome: the items are the store's, as in the poller."""
    result: PollResult = await svc.polling.poll(sid)
    return result.items is not None, bool(result.error), result.status


async def _pass(svc: Service) -> tuple[float, list[tuple[bool, bool, int]]]:
    from feedhub.ingest.poller import START_BATCH

    started = time.perf_counter()
    tasks = []
    for n, sid in enumerate(svc.config.sources, 1):
        tasks.append(asyncio.create_task(_poll(svc, sid)))
        if n % START_BATCH == 0:
            await asyncio.sleep(0)
    results = await asyncio.gather(*tasks)
    return time.perf_counter() - started, list(results)


async def _lag(samples: list[float], busy: list[float]) -> None:
    """How late the event loop wakes a 1 ms sleep: what a request would wait for; and the
    CPU time the loop's thread spent meanwhile, which is the daemon's own work (the rest of a
    lag is the machine's other processes, or the loop's thread waiting for the GIL)."""
    loop = asyncio.get_running_loop()
    while True:
        started, cpu = loop.time(), time.thread_time()
        await asyncio.sleep(0.001)
        samples.append(loop.time() - started - 0.001)
        busy.append(time.thread_time() - cpu)


async def main(path: str) -> dict[str, float]:
    from feedhub.config import load_config
    from feedhub.ingest import workers
    from feedhub.service import Service

    svc = Service(load_config(path), path)
    await svc.start(poll=False)
    await svc.prepare_polling()  # as `feedhub serve` does before its first polls
    gc.freeze()  # as `feedhub serve` does once started
    lags: list[float] = []
    lags2: list[float] = []
    busy: list[float] = []
    busy2: list[float] = []
    monitor = asyncio.create_task(_lag(lags, busy))
    try:
        threads = _threads_cpu()
        started = time.perf_counter()
        first, r1 = await _pass(svc)
        # The images the pass's items show are settled in the background (the items show
        # their alt text meanwhile): the pass's whole work is done once they are.
        await svc.media.idle()
        settled = time.perf_counter() - started
        main_cpu = _cpu()
        threads = {n: cpu - threads.get(n, 0.0) for n, cpu in _threads_cpu().items()}
        monitor.cancel()
        monitor = asyncio.create_task(_lag(lags2, busy2))
        second, r2 = await _pass(svc)
        monitor.cancel()
    finally:
        await svc.stop()
        workers.shutdown()
    return {
        "first": first,
        "first_settled": settled,
        "second": second,
        "first_main_cpu": main_cpu,
        "first_loop_cpu": threads.get("MainThread", 0.0),
        "first_store_cpu": threads.get("feedhub-sqlite_0", 0.0),
        "first_lag_p99_ms": sorted(lags)[int(len(lags) * 0.99)] * 1000 if lags else 0.0,
        "first_lag_max_ms": max(lags, default=0.0) * 1000,
        "second_lag_max_ms": max(lags2, default=0.0) * 1000,
        "first_busy_max_ms": max(busy, default=0.0) * 1000,
        "second_busy_max_ms": max(busy2, default=0.0) * 1000,
        "first_changed": sum(changed for changed, _, _ in r1),
        "first_errors": sum(error for _, error, _ in r1),
        "second_not_modified": sum(status == 304 for _, _, status in r2),
        "second_errors": sum(error for _, error, _ in r2),
    }


if __name__ == "__main__":
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        print(json.dumps(runner.run(main(sys.argv[1]))))
