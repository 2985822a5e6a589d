"""`python -m bench.pollrun CONFIG`: two full polls of every source, timed; prints JSON.

The service is the one `feedhub serve` runs (same store, fetcher, worker pool, uvloop); the
polls are started all at once, as the poller does for sources that are all due.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from feedhub import workers
from feedhub.config import load_config
from feedhub.service import Service
from feedhub.sources import PollResult


async def _pass(svc: Service) -> tuple[float, list[PollResult]]:
    started = time.perf_counter()
    results = await asyncio.gather(*(svc.poll(sid) for sid in svc.config.sources))
    return time.perf_counter() - started, list(results)


async def main(path: str) -> dict[str, float]:
    svc = Service(load_config(path), path)
    await svc.start(poll=False)
    try:
        first, r1 = await _pass(svc)
        second, r2 = await _pass(svc)
    finally:
        await svc.stop()
        workers.shutdown()
    return {
        "first": first, "second": second,
        "first_changed": sum(r.items is not None for r in r1),
        "first_errors": sum(bool(r.error) for r in r1),
        "second_not_modified": sum(r.status == 304 for r in r2),
        "second_errors": sum(bool(r.error) for r in r2),
    }


if __name__ == "__main__":
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        print(json.dumps(runner.run(main(sys.argv[1]))))
