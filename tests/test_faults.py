"""Every way an upstream can fail, at once: each is a recorded source error with backoff, the
widget keeps its last good items, /healthz keeps answering and other sources keep updating."""

from __future__ import annotations

import asyncio
import json
import resource
import time
from email.utils import formatdate

from aiohttp import web

from feedhub.ingest.poller import START_BATCH
from feedhub.models import FetchState
from feedhub.service import Service
from tests.conftest import make_config, wait_until
from tests.fault_upstream import (
    ENTITY_BOMB,
    ENTITY_BOMB_COMMENTED,
    XXE,
    XXE_UTF16,
    big_body,
    dripping_body,
    good_feed,
    gzip_bomb,
    gzipped,
    redirect_to,
    slow_headers,
    status,
    truncated,
    unaccepting_port,
)

TIMEOUT = 3.0  # long enough that `alive` is surely served before the hangs end
CAP = 256 * 1024
HOUR = 3600.0


def json_feed(prefix: str) -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": prefix,
            "items": [
                {
                    "id": f"{prefix}-{i}",
                    "title": f"{prefix} {i}",
                    "url": f"https://example.org/{i}",
                    "content_text": "x" * 200,
                }
                for i in range(3)
            ],
        }
    ).encode()


async def html_page(request: web.Request) -> web.Response:
    """A login wall or maintenance page where the feed used to be."""
    return web.Response(
        text="<!doctype html><html><body><p>Maintenance</p></body></html>", content_type="text/html"
    )


async def png(request: web.Request) -> web.Response:
    return web.Response(body=b"\x89PNG\r\n\x1a\n" + bytes(512), content_type="image/png")


def faults(upstream) -> dict[str, tuple[object, str]]:
    """source id -> (what its path serves once it breaks, a part of the error it must record)."""
    in_3h = formatdate(time.time() + 3 * HOUR, usegmt=True)
    return {
        "slow_headers": (slow_headers(), "timed out"),
        "dripping": (dripping_body(), "timed out"),
        "http_404": (status(404), "HTTP 404"),
        "http_500": (status(500), "HTTP 500"),
        "rate_429": (status(429, {"Retry-After": "7200"}), "HTTP 429"),
        "busy_503": (status(503, {"Retry-After": in_3h}), "HTTP 503"),
        "redirect_loop": (redirect_to("/redirect_loop-2"), "redirect loop"),
        "too_big": (big_body(8 * CAP), "cap"),
        "gzip_bomb": (gzipped(gzip_bomb()), "cap"),
        "bad_xml": (b"<rss><channel><item><title>x</ti<<tle></channel", "malformed"),
        "truncated_xml": (truncated(good_feed("truncated_xml"), 0.7), "truncated"),
        "truncated_json": (truncated(json_feed("truncated_json"), 0.5), "JSON: Unterminated"),
        "entity_bomb": (ENTITY_BOMB, "DOCTYPE declares entities"),
        "xxe": (XXE, "DOCTYPE declares entities"),
        "entity_bomb_commented": (ENTITY_BOMB_COMMENTED, "DOCTYPE declares entities"),
        "xxe_utf16": (XXE_UTF16, "DOCTYPE declares entities"),
        "wrong_type": (html_page, "malformed"),
        "binary": (png, "malformed"),
        "empty": (b"", "empty body"),
    }


def config(tmp_path, upstream, names, dead_port):
    sources = {
        sid: {"type": "feed", "url": upstream.url(f"/{sid}"), "timeout": TIMEOUT, "max_bytes": CAP}
        for sid in names
    }
    sources["connect_timeout"] = {
        "type": "feed",
        "url": f"http://127.0.0.1:{dead_port}/feed",
        "timeout": TIMEOUT,
    }
    sources["alive"] = {"type": "feed", "url": upstream.url("/alive")}
    return make_config(
        tmp_path,
        {
            "fetch": {"per_host": 32, "concurrency": 64},
            "sources": sources,
            "widgets": {"all": {"sources": sorted(sources), "limit": 200}},
        },
    )


async def test_every_fault_is_a_recorded_error_and_nothing_else_suffers(
    tmp_path, upstream, feedhub_service
):
    table = faults(upstream)
    for sid in table:
        upstream.set(f"/{sid}", good_feed(sid), "application/rss+xml")
    upstream.set("/truncated_json", json_feed("truncated_json"), "application/feed+json")
    upstream.set("/alive", good_feed("alive"), "application/rss+xml")
    with unaccepting_port() as dead_port:
        running = await feedhub_service(config(tmp_path, upstream, table, dead_port))
        svc = running.service
        await asyncio.gather(*(svc.polling.poll(sid) for sid in table), svc.polling.poll("alive"))
        before = {sid: svc.states[sid] for sid in table}
        assert all(s.errors == 0 and s.item_count == 3 for s in before.values())

        # Everything breaks at once, except `alive`, which publishes something new.
        for sid, (fault, _) in table.items():
            if isinstance(fault, bytes):
                upstream.set(f"/{sid}", fault, "application/rss+xml", etag=False)
            else:
                upstream.routes[f"/{sid}"] = fault
        upstream.routes["/redirect_loop-2"] = redirect_to("/redirect_loop")
        upstream.set("/alive", good_feed("alive v2"), "application/rss+xml")

        probes: list[float] = []
        stop = asyncio.Event()

        async def probe() -> None:
            while not stop.is_set():
                started = time.monotonic()
                code, body, _ = await running.get("/healthz")
                assert code == 200 and body == "ok\n"
                probes.append(time.monotonic() - started)
                await asyncio.sleep(0.02)

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        prober = asyncio.create_task(probe())
        started = time.time()
        polls = asyncio.gather(*(svc.polling.poll(sid) for sid in [*table, "connect_timeout"]))
        await svc.polling.poll("alive")

        async def alive_updated() -> bool:
            _, page, _ = await running.get("/w/all.html")
            return "alive v2 0" in page

        # `alive` is served fresh while the slow upstreams are still hanging.
        assert await alive_updated()
        assert not polls.done()
        await polls
        stop.set()
        await prober
        rss_growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024

    assert len(probes) > 10 and max(probes) < 1.0, f"/healthz stalled: {max(probes):.3f}s"
    # The gzip bomb inflates to 1 GiB: only about the cap's worth was ever held.
    assert rss_growth_mib < 200, f"memory grew by {rss_growth_mib:.0f} MiB"

    _, page, _ = await running.get("/w/all.html")
    for sid, (_, expected) in table.items():
        state = svc.states[sid]
        assert state.errors == 1, (sid, state.last_error)
        assert expected in state.last_error, (sid, state.last_error)
        assert state.health == "degraded", sid
        assert state.item_count == 3 and state.digest == before[sid].digest, sid
        assert state.next_check >= started + 0.9 * HOUR, sid  # backoff from the 1h interval
        assert f"{sid} 0" in page, f"widget lost the last good items of {sid}"
        assert state.history[-1]["ok"] is False
    conn = svc.states["connect_timeout"]
    assert conn.errors == 1 and "timed out" in conn.last_error and conn.health == "failing"
    # Upstream hints only lengthen the wait: Retry-After in seconds and as an HTTP date.
    assert svc.states["rate_429"].next_check >= started + 0.9 * 7200
    assert svc.states["busy_503"].next_check >= started + 0.9 * 3 * HOUR
    assert "alive v2 0" in page and svc.states["alive"].errors == 0


async def test_backoff_doubles_and_success_resets(tmp_path, upstream, feedhub_service):
    upstream.set("/flaky", good_feed("flaky"), "application/rss+xml")
    running = await feedhub_service(
        make_config(
            tmp_path,
            {
                "sources": {
                    "flaky": {"type": "feed", "url": upstream.url("/flaky"), "interval": "10m"}
                },
                "widgets": {"w": {"sources": ["flaky"]}},
            },
        )
    )
    svc = running.service
    await svc.polling.poll("flaky")
    upstream.routes["/flaky"] = status(500)
    waits = []
    for _ in range(4):
        now = time.time()
        await svc.polling.poll("flaky")
        waits.append(svc.states["flaky"].next_check - now)
    assert svc.states["flaky"].errors == 4
    for n, wait in enumerate(waits):
        assert 0.85 * 600 * 2**n <= wait <= 1.15 * 600 * 2**n, waits
    upstream.set("/flaky", good_feed("flaky again"), "application/rss+xml")
    await svc.polling.poll("flaky")
    state = svc.states["flaky"]
    assert state.errors == 0 and state.last_error == "" and state.health == "ok"
    assert "flaky again 0" in (await running.get("/w/w.html"))[1]


async def test_poller_keeps_polling_a_failing_source(tmp_path, upstream, feedhub_service):
    """The poller task survives errors: with a 1s interval it retries with backoff, forever."""
    hits = 0

    async def failing(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        return web.Response(status=500)

    upstream.routes["/down"] = failing
    upstream.set("/up", good_feed("up"), "application/rss+xml")
    running = await feedhub_service(
        make_config(
            tmp_path,
            {
                "sources": {
                    "down": {"type": "feed", "url": upstream.url("/down"), "interval": "1s"},
                    "up": {"type": "feed", "url": upstream.url("/up"), "interval": "1s"},
                },
                "widgets": {"w": {"sources": ["down", "up"]}},
            },
        ),
        poll=True,
    )
    await wait_until(lambda: hits >= 2, timeout=15)
    # The second answer reached the upstream; its recording follows a moment later.
    await wait_until(lambda: running.service.states["down"].errors >= 2, timeout=5)
    assert running.service.poller.running
    upstream.set("/up", good_feed("up v2"), "application/rss+xml")

    async def shows_new() -> bool:
        return "up v2 0" in (await running.get("/w/w.html"))[1]

    await wait_until(shows_new, timeout=15)


async def test_the_poller_starts_every_source_once_a_batch_at_a_time(tmp_path):
    # More sources than one batch: the start yields to the loop between batches and still
    # starts each source exactly once, keeping a task a reload started meanwhile.
    count = START_BATCH * 2 + 3
    service = Service(
        make_config(
            tmp_path,
            {
                "sources": {
                    f"s{n}": {"type": "feed", "url": f"http://127.0.0.1:9/{n}.xml"}
                    for n in range(count)
                }
            },
        )
    )
    await service.store.open()
    # Not due for an hour: the tasks only wait, nothing is fetched.
    service.states = {
        sid: FetchState(next_check=time.time() + HOUR) for sid in service.config.sources
    }
    poller = service.poller
    try:
        poller._spawn("s5")
        early = poller._tasks["s5"]
        await poller.start()
        assert set(poller._tasks) == set(service.config.sources)
        assert poller._tasks["s5"] is early
    finally:
        await poller.stop()
        await service.store.close()
