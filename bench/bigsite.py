"""(12) A big site: 10,000 sources stored. What `/metrics` costs (with and without per-source
series), what the first page of `/admin` costs and weighs, and how late `/healthz` answers
while a client scrapes `/metrics` back to back."""

from __future__ import annotations

import asyncio
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import yaml
from aiohttp import web

from bench import procs
from bench.polling import _wait_idle
from bench.report import Figure
from feedhub.models import FetchState, Item
from feedhub.store.sqlite import SqliteStore

SOURCES = 10_000
FAILING_EVERY = 20  # one source in 20 answers 500
WIDGET_SOURCES = 100  # sources per widget: 100 widgets
ITEMS = 3
REQUESTS = 15
METRICS_REQUESTS = 7
SECONDS = 6.0
LAG_TARGET = 50.0  # ms, /healthz max while /metrics is scraped
METRICS_TARGET = 50.0  # ms, /metrics median without per-source series
ETAG = '"bigsite-v1"'


def source_url(port: int, n: int) -> str:
    return f"http://127.0.0.1:{port}/{'fail' if n % FAILING_EVERY == 0 else 'ok'}/{n}.xml"


async def seed(path: Path) -> None:
    """The state rows and items a first pass would leave, written through the store; every
    source is due, so the daemon polls each once when it starts (answered 304, or 500)."""
    store = SqliteStore(path)
    await store.open()
    now = time.time()
    start = datetime(2026, 1, 1, tzinfo=UTC)

    async def one(n: int) -> None:
        sid = f"s{n}"
        items = [
            Item(
                id=f"{sid}-{k}",
                source=sid,
                url=f"https://example.org/{sid}/{k}",
                title=f"Post {k} of {sid}",
                content_html=f"<p>Body of post {k} of source {sid}</p>",
                summary=f"Body of post {k} of source {sid}",
                published=start + timedelta(hours=n % 500 + k),
            )
            for k in range(ITEMS)
        ]
        history = [
            {"t": now - 3600 * (5 - h), "ms": 40 + h * 7 + n % 13, "new": h % 2, "ok": True}
            for h in range(5)
        ]
        state = FetchState(
            etag=ETAG, last_success=now - 3600, digest="seeded", item_count=ITEMS, history=history
        )
        await store.save(sid, state, items)

    for chunk in range(0, SOURCES, 200):
        await asyncio.gather(*(one(n) for n in range(chunk, min(chunk + 200, SOURCES))))
    await store.close()


def write_config(folder: Path, port: int, upstream: int, per_source: bool | None) -> Path:
    widgets = {
        f"w{k}": {
            "sources": [f"s{n}" for n in range(k, SOURCES, SOURCES // WIDGET_SOURCES)],
            "limit": 20,
        }
        for k in range(SOURCES // WIDGET_SOURCES)
    }
    data = {
        "server": {"host": "127.0.0.1", "port": port},
        "storage": {"backend": "sqlite", "path": str(folder / "feedhub.sqlite3")},
        "fetch": {
            "interval": "1d",
            "concurrency": 32,
            "per_host": 32,
            "allow_private_addresses": True,
        },
        "media": {"proxy": False},
        "sources": {
            f"s{n}": {"type": "feed", "url": source_url(upstream, n)} for n in range(SOURCES)
        },
        "widgets": widgets,
    }
    if per_source is not None:  # a key older versions refuse
        data["metrics"] = {"per_source": per_source}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def upstream(port: int) -> None:
    """Feeds that have not changed since the seeded ETag, and one in 20 that fails."""

    async def ok(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == ETAG:
            return web.Response(status=304, headers={"ETag": ETAG})
        return web.Response(status=200, body=b"<rss version='2.0'><channel/></rss>")

    async def fail(request: web.Request) -> web.Response:
        # Asked not to come back for a day: no retry of these polls during the measurements.
        return web.Response(status=500, text="down", headers={"Retry-After": "86400"})

    app = web.Application()
    app.router.add_get("/ok/{n}.xml", ok)
    app.router.add_get("/fail/{n}.xml", fail)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def scrape(url: str, seconds: float) -> None:
    """GET `url` one request after another for `seconds`."""

    async def loop() -> None:
        deadline = time.monotonic() + seconds
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                async with http.get(url) as resp:
                    await resp.read()

    asyncio.run(loop())


def timed(url: str, n: int = REQUESTS, gap: float = 0.0) -> tuple[float, int]:
    """Median ms of `n` requests one after another (`gap` s apart), and the answer's size."""
    times, size = [], 0
    for _ in range(n):
        time.sleep(gap)
        started = time.monotonic()
        with urllib.request.urlopen(url, timeout=120) as resp:
            size = len(resp.read())
        times.append(1000 * (time.monotonic() - started))
    return statistics.median(times), size


def lag_while_scraping(base: str) -> tuple[float, float]:
    """/healthz p99 and max (ms, due-time latency, every 10 ms) while /metrics is scraped."""
    client = procs.start(["-m", "bench.bigsite", "scrape", f"{base}/metrics", str(SECONDS + 1)])
    try:
        time.sleep(0.5)
        return probe_both(f"{base}/healthz", SECONDS)
    finally:
        client.wait(SECONDS + 60)


def probe_both(url: str, seconds: float) -> tuple[float, float]:
    latencies: list[float] = []

    async def loop() -> None:
        async with aiohttp.ClientSession() as http:
            start = time.monotonic()
            for n in range(int(seconds / 0.01)):
                due = start + n * 0.01
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                async with http.get(url) as resp:
                    await resp.read()
                latencies.append(1000 * (time.monotonic() - due))

    asyncio.run(loop())
    latencies.sort()
    return latencies[int(0.99 * (len(latencies) - 1))], latencies[-1]


def measure(base: str, label: str) -> dict[str, float]:
    # Apart by more than an answer is reused for: each scrape is written for its request.
    metrics_ms, metrics_size = timed(f"{base}/metrics", METRICS_REQUESTS, gap=2.1)
    p99, worst = lag_while_scraping(base)
    return {
        f"{label} metrics ms": metrics_ms,
        f"{label} metrics bytes": metrics_size,
        f"{label} lag p99": p99,
        f"{label} lag max": worst,
    }


def run(notes: list[str]) -> list[Figure]:
    from feedhub.config import Config  # the checkout measured: does it know `metrics:`?

    optional = "metrics" in Config.model_fields
    tmp = Path(tempfile.mkdtemp(prefix="feedhub-bench-bigsite-"))
    up_port, port = procs.free_port(), procs.free_port()
    started = time.monotonic()
    asyncio.run(seed(tmp / "feedhub.sqlite3"))
    seeded = time.monotonic() - started
    config = write_config(tmp, port, up_port, True if optional else None)
    up = procs.start(["-m", "bench.bigsite", "upstream", str(up_port)], core=1)
    feedhub = procs.start(["-m", "feedhub", "serve", "-c", str(config)], core=0, log=tmp / "log")
    base = f"http://127.0.0.1:{port}"
    got: dict[str, float] = {}
    try:
        procs.wait_port(up_port, up)
        procs.wait_port(port, feedhub, timeout=120)
        _wait_idle(feedhub.pid, timeout=300)  # the first pass: every source polled once
        idle_p99, idle_max = probe_both(f"{base}/healthz", SECONDS)
        got["admin first ms"], _ = timed(f"{base}/admin", 1)
        got["admin ms"], got["admin bytes"] = timed(f"{base}/admin")
        if optional:  # a search over every source, and a filter
            got["search ms"], _ = timed(f"{base}/admin?q=s9999", 5)
            got["failing ms"], _ = timed(f"{base}/admin?state=degraded", 5)
        got.update(measure(base, "per-source"))
        if optional:
            write_config(tmp, port, up_port, False)
            feedhub.send_signal(signal.SIGHUP)
            time.sleep(3)  # the file read, then the reload's renders
            _wait_idle(feedhub.pid, timeout=120)
            got.update(measure(base, "summed"))
    finally:
        for p in (feedhub, up):
            procs.stop(p)
    notes.append(
        f"(12): {SOURCES:,} feed sources of {ITEMS} items each and 100 widgets of 100 sources, "
        f"written through the sqlite store in {seeded:.0f} s; `feedhub serve` on core 0 polls "
        f"each once at start (304s from a local upstream on core 1, one in {FAILING_EVERY} "
        f"a 500), then: `/admin` asked {REQUESTS} times one after another, `/metrics` "
        f"{METRICS_REQUESTS} times 2.1 s apart (medians; /metrics "
        f"{got['per-source metrics bytes'] / 1e6:.1f} MB with per-source series, /admin "
        f"{got['admin bytes'] / 1e3:,.0f} kB); `/healthz` asked every 10 ms for "
        f"{SECONDS:g} s idle (p99 {idle_p99:.1f} ms, max {idle_max:.1f} ms) and while a client "
        "scrapes /metrics back to back, latency counted from when each probe was due."
    )
    figures = [
        Figure("(12) /admin first page, 10k sources, first request", got["admin first ms"], "ms"),
        Figure("(12) /admin first page, 10k sources", got["admin ms"], "ms"),
        Figure("(12) /admin first page size", got["admin bytes"] / 1e3, "kB"),
        Figure("(12) /metrics with per-source series", got["per-source metrics ms"], "ms"),
        Figure(
            "(12) /healthz max while /metrics is scraped",
            got["per-source lag max"],
            "ms",
            "idle /healthz max",
            idle_max,
            f"< {LAG_TARGET:g} ms",
            got["per-source lag max"] < LAG_TARGET,
        ),
        Figure("(12) /healthz p99 while /metrics is scraped", got["per-source lag p99"], "ms"),
    ]
    if optional:
        figures += [
            Figure("(12) /admin search over 10k sources", got["search ms"], "ms"),
            Figure("(12) /admin filtered by state", got["failing ms"], "ms"),
            Figure(
                "(12) /metrics, metrics.per_source: false",
                got["summed metrics ms"],
                "ms",
                target=f"< {METRICS_TARGET:g} ms",
                met=got["summed metrics ms"] < METRICS_TARGET,
            ),
            Figure(
                "(12) /healthz max while summed /metrics is scraped", got["summed lag max"], "ms"
            ),
        ]
    return figures


if __name__ == "__main__":
    if sys.argv[1] == "upstream":
        upstream(int(sys.argv[2]))
    elif sys.argv[1] == "scrape":
        scrape(sys.argv[2], float(sys.argv[3]))
    elif sys.argv[1] == "run":  # this group alone, printed
        from bench.report import table

        print(table(run(found := [])), *found, sep="\n")
