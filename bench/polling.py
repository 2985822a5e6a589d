"""(3) a full poll of 1,000 sources × 50 items, first pass all changed, second all 304;
(4) serving p99 while that first pass runs, against p99 idle; (5) start to first widget
served with items, with the 1,000 sources stored."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import procs, wrk
from bench.report import Figure
from bench.setup import WIDGET, write_config

SOURCES = 1000
RSS_EVERY = 0.1
# Below saturation: at 64 connections p99 measures wrk's queue more than feedhub's answers.
LATENCY_CONNECTIONS = int(os.environ.get("BENCH_LATENCY_CONNECTIONS", "16"))
STARTS = 3


def _poll_passes(config: Path) -> tuple[dict[str, float], float]:
    """Run bench.pollrun, sampling the memory of it and its parse workers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.pollrun", str(config)],
        cwd=procs.ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(procs.ROOT)},
    )
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, procs.tree_rss_mb(proc.pid))
        time.sleep(RSS_EVERY)
    out = proc.stdout.read() if proc.stdout else b""
    if proc.returncode:
        raise RuntimeError(f"bench.pollrun failed ({proc.returncode})")
    return json.loads(out), peak


def _first_widget(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError("feedhub exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200 and b"Post 0 of blog" in resp.read():
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.005)
    raise RuntimeError(f"no widget with items at {url} within {timeout}s")


def _cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_idle(pid: int, timeout: float = 60.0) -> None:
    """Until the daemon uses under 5% of a core over half a second (its first pass is over)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = _cpu_seconds(pid)
        time.sleep(0.5)
        if _cpu_seconds(pid) - before < 0.025:
            return
    raise RuntimeError("feedhub never went idle")


def run(notes: list[str], *, startup_only: bool = False) -> list[Figure]:
    tmp = Path(tempfile.mkdtemp(prefix="feedhub-bench-poll-"))
    up_port, port = procs.free_port(), procs.free_port()
    upstream = procs.start(["-m", "bench.upstream", str(up_port)])
    procs.wait_port(up_port, upstream)
    config = write_config(tmp, port=port, upstream_port=up_port, sources=SOURCES)
    figures: list[Figure] = []
    daemon = None
    try:
        passes, peak = _poll_passes(config)
        if not startup_only:
            figures += [
                Figure(
                    "(3) first poll, 1,000 × 50 items, all changed",
                    passes["first"],
                    "s",
                    target="< 10 s",
                    met=passes["first"] < 10,
                ),
                Figure(
                    "(3) second poll, all 304",
                    passes["second"],
                    "s",
                    target="< 2 s",
                    met=passes["second"] < 2,
                ),
                Figure(
                    "(3) peak RSS, service + parse workers",
                    peak,
                    "MB",
                    target="< 250 MB",
                    met=peak < 250,
                ),
            ]
            notes.append(
                f"(3): bench/pollrun.py starts the service as `feedhub serve` does (sqlite "
                f"store, uvloop, parse workers) and polls all {SOURCES} sources at once, twice, "
                "from bench/upstream.py (a local aiohttp server, RSS 2.0 feeds of 50 items "
                f"with ETags). First pass: {passes['first_changed']:.0f} changed, "
                f"{passes['first_errors']:.0f} errors; second pass: "
                f"{passes['second_not_modified']:.0f} answered 304, "
                f"{passes['second_errors']:.0f} errors. Peak RSS is the sum over the process "
                f"and its children (the parse workers), sampled every {RSS_EVERY:g} s. "
                "`fetch.per_host` is 16 because every feed comes from one local host."
            )
            # (4): a fresh store, so the daemon's first pass polls everything while wrk runs.
            (tmp / "feedhub.sqlite3").unlink()
            for extra in ("-wal", "-shm"):
                (tmp / f"feedhub.sqlite3{extra}").unlink(missing_ok=True)
        daemon = procs.start(["-m", "feedhub", "serve", "-c", str(config)], log=tmp / "feedhub.log")
        url = f"http://127.0.0.1:{port}/w/{WIDGET}.html"
        if not startup_only:
            procs.wait_port(port, daemon)
            window = max(2.0, passes["first"])
            busy = wrk.run(url, seconds=window, connections=LATENCY_CONNECTIONS)
            polled = (tmp / "feedhub.log").read_text().count("items stored")
            _wait_idle(daemon.pid)
            idle = wrk.run(url, seconds=window, connections=LATENCY_CONNECTIONS)
            figures.append(
                Figure(
                    "(4) serving p99 during the first poll",
                    busy.p99_ms,
                    "ms",
                    "idle",
                    idle.p99_ms,
                    "< 25 ms",
                    busy.p99_ms < 25,
                )
            )
            notes.append(
                f"(4): `feedhub serve` (not pinned) starts with an empty store and polls the "
                f"{SOURCES} sources; wrk (core 1, {LATENCY_CONNECTIONS} connections) requests "
                f"the widget for {window:.0f} s from the moment it listens "
                f"({polled} sources were stored in that window; {busy.rps:,.0f} req/s), "
                f"then again for as long once the daemon is idle ({idle.rps:,.0f} req/s)."
            )
        else:
            _wait_idle(daemon.pid)
        procs.stop(daemon)
        daemon = None
        starts = []
        for _ in range(STARTS):
            proc = procs.start(["-m", "feedhub", "serve", "-c", str(config)])
            try:
                starts.append(_first_widget(url, proc))
            finally:
                procs.stop(proc)
        start = statistics.median(starts)
        figures.append(
            Figure(
                "(5) start to first widget with items, 1,000 sources stored",
                start,
                "s",
                target="< 1 s",
                met=start < 1,
            )
        )
        notes.append(
            f"(5): `feedhub serve` started {STARTS} times on the store the first pass filled "
            "(1,000 sources, 50,000 items); time from process start (interpreter included) to "
            "the first `GET` of the widget answering 200 with items; median of the runs."
        )
    finally:
        for p in (daemon, upstream):
            if p is not None:
                procs.stop(p)
    return figures
