"""`/admin/moderation` with 500 posts waiting (10 feeds of 50 posts, a widget with
`moderation: approve`) against a plain `/admin` of the same daemon in the same run: median and
p99 of sequential requests, alternated, the daemon on core 0."""

from __future__ import annotations

import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

from bench import procs
from bench.report import Figure
from bench.setup import WIDGET, write_config

SOURCES = 10
WAITING = SOURCES * 50
REQUESTS = 60  # of each page


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read()


def _wait_queue(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _get(url).count(b'data-state="queue"') >= WAITING:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{url} never listed {WAITING} waiting posts")


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def run(notes: list[str]) -> list[Figure]:
    tmp = Path(tempfile.mkdtemp(prefix="feedhub-bench-"))
    up_port, fh_port = procs.free_port(), procs.free_port()
    upstream = procs.start(["-m", "bench.upstream", str(up_port)], core=1)
    procs.wait_port(up_port, upstream)
    config = write_config(
        tmp, port=fh_port, upstream_port=up_port, sources=SOURCES, widget_sources=SOURCES
    )
    data = yaml.safe_load(config.read_text())
    data["widgets"][WIDGET]["moderation"] = "approve"
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    feedhub = procs.start(
        ["-m", "feedhub", "serve", "-c", str(config)], core=0, log=tmp / "feedhub.log"
    )
    try:
        procs.wait_port(fh_port, feedhub)
        base = f"http://127.0.0.1:{fh_port}"
        _wait_queue(f"{base}/admin/moderation")
        times: dict[str, list[float]] = {"/admin": [], "/admin/moderation": []}
        for _ in range(REQUESTS):
            for path, seen in times.items():
                started = time.perf_counter()
                _get(base + path)
                seen.append((time.perf_counter() - started) * 1000)
    finally:
        procs.stop(feedhub)
        procs.stop(upstream)
    plain, queue = times["/admin"], times["/admin/moderation"]
    notes.append(
        f"/admin/moderation: {WAITING} posts waiting in one widget, {REQUESTS} sequential"
        " requests of it and of /admin, alternated, on one daemon."
    )
    return [
        Figure(
            f"/admin/moderation, {WAITING} waiting: median",
            statistics.median(queue),
            "ms",
            "/admin",
            statistics.median(plain),
        ),
        Figure(
            f"/admin/moderation, {WAITING} waiting: p99",
            _p99(queue),
            "ms",
            "/admin",
            _p99(plain),
        ),
    ]
