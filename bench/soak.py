"""`python -m bench.soak [--minutes 3] [--write docs/soak.md]`: a daemon under load and faults.

A real `feedhub serve` polls sources from a local upstream every few seconds: two thirds of
them publish a new item every 10 s, one third cycles through the faults of the test suite's
fault-injection upstream (hangs, drips, 5xx, 429, gzip and entity bombs, truncation, redirect
loops, oversized bodies) with healthy phases in between. Meanwhile clients ask for widgets in
every format and revalidate with ETags, an admin reloads /admin, Prometheus scrapes /metrics,
and a prober asks /healthz every 0.2 s. The report: requests and unexpected answers,
latencies, memory of the daemon and its parse workers over time, fetch outcomes, and how the
daemon stopped. Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml
from aiohttp import web

from bench.procs import ROOT, free_port, start, tree_rss_mb, wait_port
from bench.report import machine
from tests import fault_upstream as faults

TOKEN = "soak-admin-token"
FORMATS = ("", ".html", ".json", ".atom", ".rss", ".js")
PHASE_SECONDS = 20
FAULTS = [
    ("healthy", None),
    ("headers never come", faults.slow_headers(30)),
    ("dripping body", faults.dripping_body(0.2)),
    ("HTTP 500", faults.status(500)),
    ("healthy", None),
    ("HTTP 429 Retry-After 15", faults.status(429, {"Retry-After": "15"})),
    ("gzip bomb (1 GiB)", faults.gzipped(faults.gzip_bomb())),
    ("entity bomb", faults.ENTITY_BOMB),
    ("truncated XML", faults.truncated(faults.good_feed("cut", 20))),
    ("redirect loop", faults.redirect_to("/loop")),
    ("oversized body", faults.big_body(4 << 20)),
    ("empty body", b""),
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    health_max: float = 0.0
    health_fail: int = 0
    memory: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MB)


def upstream_app(started: float) -> web.Application:
    """Healthy feeds change every 10 s; faulty ones take the next fault every phase."""

    async def ok(request: web.Request) -> web.StreamResponse:
        n = int(request.match_info["n"])
        tick = int((time.time() - started) // 10)
        return web.Response(
            body=faults.good_feed(f"s{n} t{tick}", 10), content_type="application/rss+xml"
        )

    async def bad(request: web.Request) -> web.StreamResponse:
        n = int(request.match_info["n"])
        _, fault = FAULTS[(int((time.time() - started) // PHASE_SECONDS) + n) % len(FAULTS)]
        if fault is None:
            return await ok(request)
        if isinstance(fault, bytes):
            return web.Response(body=fault, content_type="application/rss+xml")
        return await fault(request)

    app = web.Application()
    app.router.add_get("/ok/{n}.xml", ok)
    app.router.add_get("/bad/{n}.xml", bad)
    app.router.add_get("/loop", faults.redirect_to("/loop"))
    return app


def soak_config(tmp: Path, port: int, upstream: str, sources: int) -> Path:
    srcs = {
        f"s{n}": {"type": "feed", "url": f"{upstream}/{'bad' if n % 3 == 0 else 'ok'}/{n}.xml"}
        for n in range(sources)
    }
    names = list(srcs)
    widgets = {f"w{i}": {"sources": names[i::10], "limit": 20} for i in range(10)}
    config = {
        "server": {"host": "127.0.0.1", "port": port},
        "storage": {"backend": "sqlite", "path": str(tmp / "soak.sqlite3")},
        "fetch": {
            "interval": "5s",
            "timeout": "2s",
            "max_bytes": "512KB",
            "allow_private_addresses": True,
        },
        "admin": {"token": TOKEN},
        "sources": srcs,
        "widgets": widgets,
    }
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


async def client(http: aiohttp.ClientSession, base: str, deadline: float, tally: Tally) -> None:
    etags: dict[str, str] = {}
    while time.monotonic() < deadline:
        headers = {"Accept-Encoding": random.choice(["gzip, br", "gzip", ""])}
        path = f"/w/w{random.randrange(10)}{random.choice(FORMATS)}"
        if random.random() < 0.3 and path in etags:
            headers["If-None-Match"] = etags[path]
        await ask(http, base, path, headers, tally, etags)


async def scraper(http: aiohttp.ClientSession, base: str, deadline: float, tally: Tally) -> None:
    """An admin with /admin open (reloaded every 2 s) and Prometheus scraping every 10 s."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    rounds = 0
    while time.monotonic() < deadline:
        await ask(http, base, "/admin", headers, tally, {})
        if rounds % 5 == 0:
            await ask(http, base, "/metrics", headers, tally, {})
        rounds += 1
        await asyncio.sleep(2)


async def ask(
    http: aiohttp.ClientSession,
    base: str,
    path: str,
    headers: dict[str, str],
    tally: Tally,
    etags: dict[str, str],
) -> None:
    began = time.monotonic()
    try:
        async with http.get(base + path, headers=headers) as resp:
            await resp.read()
            status = resp.status
            if "ETag" in resp.headers:
                etags[path] = resp.headers["ETag"]
    except (aiohttp.ClientError, TimeoutError) as exc:
        status, path = 0, f"{path}: {type(exc).__name__}"
    tally.latencies.append(time.monotonic() - began)
    tally.statuses[str(status)] += 1
    if status not in (200, 304):
        tally.unexpected.append(f"{status} {path}")


async def prober(http: aiohttp.ClientSession, base: str, deadline: float, tally: Tally) -> None:
    while time.monotonic() < deadline:
        began = time.monotonic()
        try:
            async with http.get(base + "/healthz") as resp:
                ok = resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        tally.health_max = max(tally.health_max, time.monotonic() - began)
        tally.health_fail += not ok
        await asyncio.sleep(0.2)


async def sampler(pid: int, began: float, deadline: float, tally: Tally) -> None:
    while time.monotonic() < deadline:
        tally.memory.append((time.monotonic() - began, tree_rss_mb(pid)))
        await asyncio.sleep(5)


async def metrics_outcomes(http: aiohttp.ClientSession, base: str) -> Counter[str]:
    async with http.get(base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}) as r:
        text = await r.text()
    outcomes: Counter[str] = Counter()
    for line in text.splitlines():
        if line.startswith("feedhub_fetches_total{"):
            outcome = line.split('outcome="', 1)[1].split('"', 1)[0]
            outcomes[outcome] += int(float(line.rsplit(" ", 1)[1]))
    return outcomes


async def soak(minutes: float, sources: int, clients: int) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="feedhub-soak-"))
    runner = web.AppRunner(upstream_app(time.time()), access_log=None, shutdown_timeout=1)
    await runner.setup()
    up_port, port = free_port(), free_port()
    await web.TCPSite(runner, "127.0.0.1", up_port).start()
    config = soak_config(tmp, port, f"http://127.0.0.1:{up_port}", sources)
    proc = start(["-m", "feedhub", "serve", "-c", str(config)], log=tmp / "daemon.log")
    await asyncio.to_thread(wait_port, port, proc)
    base, tally = f"http://127.0.0.1:{port}", Tally()
    began = time.monotonic()
    deadline = began + minutes * 60
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await asyncio.gather(
            sampler(proc.pid, began, deadline, tally),
            prober(http, base, deadline, tally),
            scraper(http, base, deadline, tally),
            *(client(http, base, deadline, tally) for _ in range(clients)),
        )
        outcomes = await metrics_outcomes(http, base)
    alive = proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(proc.wait, 30)
    await runner.cleanup()
    log = (tmp / "daemon.log").read_text(errors="replace")
    return report(minutes, sources, clients, tally, outcomes, alive, code, log)


def report(
    minutes: float,
    sources: int,
    clients: int,
    t: Tally,
    outcomes: Counter[str],
    alive: bool,
    code: int,
    log: str,
) -> str:
    lat = sorted(t.latencies)

    def p(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0

    mem = t.memory
    warm = [mb for s, mb in mem if s >= 60] or [mb for _, mb in mem]
    by_minute: dict[int, float] = {}
    for s, mb in mem:
        by_minute[int(s // 60) + 1] = max(by_minute.get(int(s // 60) + 1, 0.0), mb)
    per_minute = "\n".join(f"| {m} | {mb:.0f} |" for m, mb in sorted(by_minute.items()))
    tracebacks = log.count("Traceback")
    memory = (
        f"{mem[0][1]:.0f} / {warm[0]:.0f} / {max(mb for _, mb in mem):.0f} / {mem[-1][1]:.0f} MB"
    )
    return f"""# Soak test

`make soak` ({minutes:g} min, {sources} sources of which {sources // 3 + (sources % 3 > 0)}
cycle through {len(FAULTS) - 2} faults every {PHASE_SECONDS} s, sources polled every 5 s,
{clients} concurrent clients asking for widgets in every format and revalidating with ETags,
/admin reloaded every 2 s and /metrics scraped every 10 s; /healthz probed every 0.2 s).

Machine: {machine()}. The load generator and the upstream run in one process beside the
daemon on the same cores (shared with other work during the run), so the latencies are an
upper bound: what this test shows is that nothing fails and memory levels off.

| | |
|---|---|
| requests | {len(lat)} ({len(lat) / (minutes * 60):.0f}/s) |
| answers | {", ".join(f"{k}: {v}" for k, v in sorted(t.statuses.items()))} |
| unexpected answers (not 200/304) | {len(t.unexpected)} {t.unexpected[:5] or ""} |
| latency p50 / p99 / max | {p(0.5):.1f} / {p(0.99):.1f} / {p(1.0):.1f} ms |
| /healthz worst answer, failures | {t.health_max * 1000:.0f} ms, {t.health_fail} |
| memory (daemon + parse workers) first / after 1 min / max / last | {memory} |
| fetch outcomes | {", ".join(f"{k}: {v}" for k, v in outcomes.most_common())} |
| daemon alive at the end, exit code on SIGTERM | {"yes" if alive else "**no**"}, {code} |
| tracebacks in the daemon log | {tracebacks} |

Memory by minute (MB, highest sample):

| minute | MB |
|---|---|
{per_minute}
"""


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--sources", type=int, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--write", type=Path, help="also write the report here (docs/soak.md)")
    args = parser.parse_args()
    text = asyncio.run(soak(args.minutes, args.sources, args.clients))
    print(text)
    if args.write:
        (args.write if args.write.is_absolute() else ROOT / args.write).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
