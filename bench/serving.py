"""(1) a cached widget fragment, plain and gzip, and (2) its 304 revalidation, each against
a bare aiohttp handler returning the same bytes. Servers on core 0, wrk on core 1."""

from __future__ import annotations

import json
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import procs, wrk
from bench.report import Figure
from bench.setup import WIDGET, write_config

SECONDS = 3.0
ROUNDS = 5  # alternate feedhub and bare runs; keep each one's best (the machine is shared)
P99_TARGET_MS = 5.0


def _get(url: str, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=5) as resp:  # urllib never decompresses
        return resp.read(), dict(resp.headers)


def _wait_items(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body, _ = _get(url, {})
        if b"Post 0 of blog" in body:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} never showed items")


def _replayable(headers: dict[str, str]) -> dict[str, str]:
    """The headers a handler sets itself (aiohttp adds Date, Server and the length)."""
    return {
        k: v
        for k, v in headers.items()
        if k.lower() not in ("date", "server", "content-length", "connection")
    }


def _best(runs: list[wrk.WrkResult]) -> wrk.WrkResult:
    return max(runs, key=lambda r: r.rps)


def run(notes: list[str]) -> list[Figure]:
    tmp = Path(tempfile.mkdtemp(prefix="feedhub-bench-"))
    up_port, fh_port, bare_port = procs.free_port(), procs.free_port(), procs.free_port()
    upstream = procs.start(["-m", "bench.upstream", str(up_port)], core=1)
    procs.wait_port(up_port, upstream)
    config = write_config(tmp, port=fh_port, upstream_port=up_port, sources=1)
    feedhub = procs.start(
        ["-m", "feedhub", "serve", "-c", str(config)], core=0, log=tmp / "feedhub.log"
    )
    bare = None
    try:
        procs.wait_port(fh_port, feedhub)
        url = f"http://127.0.0.1:{fh_port}/w/{WIDGET}.html"
        _wait_items(url)
        plain, headers = _get(url, {})
        gz, gz_headers = _get(url, {"Accept-Encoding": "gzip"})
        for name, body, hdrs in (("body", plain, headers), ("body.gz", gz, gz_headers)):
            (tmp / name).write_bytes(body)
            (tmp / f"{name}.headers").write_text(json.dumps(_replayable(hdrs)))
        etag = headers["ETag"]
        bare = procs.start(["-m", "bench.bare", str(bare_port), str(tmp)], core=0)
        procs.wait_port(bare_port, bare)
        bare_url = f"http://127.0.0.1:{bare_port}/w/{WIDGET}.html"
        gzip_h = ("Accept-Encoding: gzip",)
        cases = {
            "bare plain": (bare_url, ()),
            "feedhub plain": (url, ()),
            "bare gzip": (bare_url, gzip_h),
            "feedhub gzip": (url, gzip_h),
            "feedhub 304": (url, (f"If-None-Match: {etag}",)),
        }
        runs: dict[str, list[wrk.WrkResult]] = {name: [] for name in cases}
        for u, h in cases.values():  # warm-up, not counted
            wrk.run(u, seconds=1, headers=h)
        for _ in range(ROUNDS):
            for name, (u, h) in cases.items():
                runs[name].append(wrk.run(u, seconds=SECONDS, headers=h))
        best = {name: _best(r) for name, r in runs.items()}
    finally:
        for p in (bare, feedhub, upstream):
            if p is not None:
                procs.stop(p)
    notes.append(
        f"(1), (2): `GET /w/{WIDGET}.html` (a 20-item fragment, {len(plain):,} bytes plain, "
        f"{len(gz):,} gzip) from `feedhub serve` pinned to core 0 (`taskset -c 0`); the "
        "baseline is bench/bare.py, an aiohttp handler on uvloop returning the same bytes with "
        "the same headers (ETag, Cache-Control, Vary, CORS), also on core 0; wrk on core 1, "
        f"64 connections, 1 thread, {SECONDS:g} s per run, "
        f"{ROUNDS} alternating runs each after a warm-up, best run kept. The 304 run sends "
        "`If-None-Match` with the widget's ETag and is compared with the bare handler's "
        "plain 200. What feedhub does per request beyond the bare handler: one dictionary "
        "lookup of the request's path for the prepared answer, a check that the widget's "
        "version is unchanged, the If-None-Match comparison and one counter; no middleware "
        "(the request limits are the HTTP parser's, or were checked when the answer was "
        "prepared)."
    )
    figures = []
    for label, fh, base in (
        ("(1) fragment, plain", "feedhub plain", "bare plain"),
        ("(1) fragment, gzip", "feedhub gzip", "bare gzip"),
        ("(2) 304 revalidation", "feedhub 304", "bare plain"),
    ):
        f, b = best[fh], best[base]
        figures.append(
            Figure(
                f"{label}: requests/s",
                f.rps,
                "req/s",
                "bare handler",
                b.rps,
                "≥ 0.9 × bare",
                f.rps >= 0.9 * b.rps,
            )
        )
        figures.append(
            Figure(
                f"{label}: p99 latency",
                f.p99_ms,
                "ms",
                "bare handler",
                b.p99_ms,
                "< 5 ms",
                f.p99_ms < P99_TARGET_MS,
            )
        )
    return figures
