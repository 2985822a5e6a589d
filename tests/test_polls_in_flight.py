"""When every source is due at once, polls go ahead a bounded number at a time: an answer is
parsed and saved before more are asked for, so answers and parsed items never pile up in
memory (nor in the garbage collector's passes, which hold the event loop)."""

from __future__ import annotations

import asyncio

from feedhub.ingest import workers
from tests.conftest import make_config, wait_until
from tests.fault_upstream import good_feed

SOURCES = 30
CONCURRENCY = 3


async def test_polls_under_way_are_bounded_from_request_to_save(
    tmp_path, upstream, feedhub_service
):
    for n in range(SOURCES):
        upstream.set(f"/f{n}.xml", good_feed(f"f{n}"), "application/rss+xml")
    config = make_config(
        tmp_path,
        {
            "fetch": {"concurrency": CONCURRENCY},
            "sources": {
                f"s{n}": {"type": "feed", "url": upstream.url(f"/f{n}.xml")} for n in range(SOURCES)
            },
            "widgets": {"all": {"sources": [f"s{n}" for n in range(SOURCES)], "limit": 90}},
        },
    )
    running = await feedhub_service(config)
    svc = running.service
    release = asyncio.Event()
    saving: list[str] = []
    real_save = svc.store.save

    async def held_save(source_id, *args, **kwargs):
        saving.append(source_id)
        await release.wait()  # a slow store: nothing leaves the pipeline
        return await real_save(source_id, *args, **kwargs)

    svc.store.save = held_save  # type: ignore[method-assign]
    polls = [asyncio.create_task(svc.polling.poll(sid)) for sid in config.sources]
    bound = CONCURRENCY + 2 * workers.worker_count()
    await wait_until(lambda: len(saving) == bound)
    await asyncio.sleep(0.3)  # the rest wait before asking: no more requests, no more saves
    assert len(saving) == bound < SOURCES
    asked = sum(len(upstream.requests_to(f"/f{n}.xml")) for n in range(SOURCES))
    assert asked == bound
    release.set()
    results = await asyncio.gather(*polls)
    assert all(r.items is not None and not r.error for r in results)
    _, body, _ = await running.get("/w/all.json")
    assert all(f"f{n} 2" in body for n in range(SOURCES))
