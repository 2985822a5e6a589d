"""(7) Can a query string stall the server? `/healthz` p99 while one client asks for a widget
over a 100,000-item source with ever-changing `limit`, `locale`, `theme`, `scheme` and
`before` (a page anywhere in the source) values, against `/healthz` p99 with nothing else
going on; and (7b) what a page deep in that source costs, against its first page."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import yaml

from bench import procs
from bench.report import Figure
from feedhub.models import FetchState, Item
from feedhub.publish.paging import encode_cursor
from feedhub.store.sqlite import SqliteStore

ITEMS = 100_000
SECONDS = 8.0
RATIO_TARGET = 2.0
PROBE_EVERY = 0.005
LOCALES = ("en", "fr", "de", "pt_BR", "ja", "es", "it", "nl", "fr_CA", "en_GB")
THEMES = ("sidebar", "cards", "default", "wall", "list")
SCHEMES = ("", "light", "dark", "auto")
START = datetime(2026, 1, 1, tzinfo=UTC)
PAGES = 24  # distinct first pages (by limit) and deep pages (by cursor), each rendered once
PAGE_RATIO = 3.0


def cursor_at(n: int) -> str:
    """The cursor of a page that starts after the big feed's post n."""
    return encode_cursor(((START + timedelta(minutes=n)).timestamp(), "big", f"big-{n}"))


async def seed(path: Path) -> None:
    """The store a 100k-item feed leaves behind, written directly (parsing it is not what
    is measured), with a next check a day away so nothing polls during the run."""
    store = SqliteStore(path)
    await store.open()
    start = START
    items = [
        Item(
            id=f"big-{n}",
            source="big",
            url=f"https://example.org/p/{n}",
            title=f"Post {n} of the big feed",
            content_html=f"<p>Body of post {n}</p>",
            summary=f"Body of post {n}",
            published=start + timedelta(minutes=n),
        )
        for n in range(ITEMS)
    ]
    state = FetchState(
        next_check=time.time() + 86400, last_success=time.time(), digest="seeded", item_count=ITEMS
    )
    await store.save("big", state, items)
    await store.close()


def write_config(folder: Path, port: int) -> Path:
    data = {
        "server": {"host": "127.0.0.1", "port": port, "public_url": f"http://127.0.0.1:{port}"},
        "storage": {"backend": "sqlite", "path": str(folder / "feedhub.sqlite3")},
        "fetch": {"interval": "1d", "allow_private_addresses": True},
        "sources": {
            "big": {"type": "feed", "url": "http://127.0.0.1:9/never.xml", "max_items": ITEMS}
        },
        "widgets": {"big": {"sources": ["big"], "limit": 50}},
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def vary(base: str, seconds: float, out: Path) -> None:
    """One client, one request after another, each with fresh parameter values; the count
    of answers per status is written to `out`."""

    async def loop() -> dict[int, int]:
        rng = random.Random(7)
        counts: dict[int, int] = {}
        deadline = time.monotonic() + seconds
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                fmt = rng.choice(("", ".html", ".json", ".atom", ".rss"))
                params = {
                    "limit": str(rng.randint(1, 50)),
                    "locale": rng.choice(LOCALES),
                    "theme": rng.choice(THEMES),
                    "scheme": rng.choice(SCHEMES),
                }
                if rng.random() < 0.5:  # a page anywhere in the source
                    params["before"] = cursor_at(rng.randrange(ITEMS))
                async with http.get(f"{base}/w/big{fmt}", params=params) as resp:
                    await resp.read()
                    counts[resp.status] = counts.get(resp.status, 0) + 1
        return counts

    out.write_text(json.dumps(asyncio.run(loop())))


def probe(url: str, seconds: float) -> float:
    """p99 of `url`, asked every PROBE_EVERY seconds on a fixed schedule, each latency taken
    from when the request was due: a stalled server delays every request due meanwhile
    (wrk's closed loop would count one slow request per stall and hide it)."""

    async def loop() -> list[float]:
        latencies = []
        async with aiohttp.ClientSession() as http:
            start = time.monotonic()
            for n in range(int(seconds / PROBE_EVERY)):
                due = start + n * PROBE_EVERY
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                async with http.get(url) as resp:
                    await resp.read()
                latencies.append(time.monotonic() - due)
        return latencies

    latencies = sorted(asyncio.run(loop()))
    return 1000 * latencies[int(0.99 * (len(latencies) - 1))]


def page_times(base: str) -> tuple[float, float]:
    """Median ms of a first page and of a page deep in the source, 50 posts each, each never
    asked before (first pages differ by theme and scheme, deep pages by cursor): rendered
    for the request."""

    def timed(url: str) -> float:
        started = time.monotonic()
        with urllib.request.urlopen(url, timeout=60) as resp:
            resp.read()
        return 1000 * (time.monotonic() - started)

    variants = [(t, s) for t in ("cards", "list", "sidebar", "ticker") for s in SCHEMES]
    first = [timed(f"{base}/w/big.html?theme={t}&scheme={s}") for t, s in variants]
    rng = random.Random(11)
    deep = [
        timed(f"{base}/w/big.html?before={cursor_at(rng.randrange(1000, ITEMS // 2))}")
        for _ in range(PAGES)
    ]
    return statistics.median(first), statistics.median(deep)


def run(notes: list[str]) -> list[Figure]:
    tmp = Path(tempfile.mkdtemp(prefix="feedhub-bench-stalls-"))
    port = procs.free_port()
    asyncio.run(seed(tmp / "feedhub.sqlite3"))
    feedhub = procs.start(
        ["-m", "feedhub", "serve", "-c", str(write_config(tmp, port))],
        core=0,
        log=tmp / "feedhub.log",
    )
    base = f"http://127.0.0.1:{port}"
    client = None
    try:
        procs.wait_port(port, feedhub)
        with urllib.request.urlopen(f"{base}/w/big.html", timeout=120):  # warmed up
            pass
        first_page, deep_page = page_times(base)
        probe(f"{base}/healthz", 1.0)
        idle = probe(f"{base}/healthz", SECONDS)
        client = procs.start(
            ["-m", "bench.stalls", base, str(SECONDS + 1), str(tmp / "vary")], core=1
        )
        time.sleep(0.5)
        busy = probe(f"{base}/healthz", SECONDS)
        client.wait(SECONDS + 30)
    finally:
        for p in (client, feedhub):
            if p is not None:
                procs.stop(p)
    counts = json.loads((tmp / "vary").read_text())
    asked = sum(counts.values())
    notes.append(
        f"(7): `feedhub serve` on core 0 with one sqlite source holding {ITEMS:,} items and "
        "a 50-item widget over it. A probe asks `GET /healthz` every "
        f"{PROBE_EVERY * 1000:g} ms on a fixed schedule for {SECONDS:g} s, latency counted "
        "from when each request was due; first idle, then while one client (its own "
        "process on core 1, one request after another) asks for the widget in a random "
        "format with random `limit` (1-50), `locale` "
        f"({len(LOCALES)} values), `theme` ({len(THEMES)} names, some unknown), `scheme` "
        "values and, every other request, a `before` cursor anywhere in the source: "
        f"{asked:,} widget requests in the run ("
        + ", ".join(f"{n:,} × {s}" for s, n in sorted(counts.items()))
        + ")."
    )
    notes.append(
        "(7b): before that, with nothing else going on, the widget's fragment (50 posts) "
        "rendered for each request: its first page in each theme and scheme once, against "
        f"{PAGES} pages that start at random posts among the source's first half (each cursor "
        "once); medians."
    )
    return [
        Figure(
            "(7b) a page deep in a 100k-item widget, rendered",
            deep_page,
            "ms",
            "its first page",
            first_page,
            f"< {PAGE_RATIO:g} × first page",
            deep_page < PAGE_RATIO * first_page,
        ),
        Figure(
            "(7) /healthz p99 while a client varies widget queries",
            busy,
            "ms",
            "idle /healthz p99",
            idle,
            f"< {RATIO_TARGET:g} × idle",
            busy < RATIO_TARGET * idle,
        ),
    ]


if __name__ == "__main__":
    vary(sys.argv[1], float(sys.argv[2]), Path(sys.argv[3]))
