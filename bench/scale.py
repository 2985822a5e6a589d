"""`scale`: a full polling pass over 1,000, 4,000 and 10,000 sources of 50 items, first pass
(all changed) and all-304 pass, with the event loop's worst lag, the peak memory of the daemon
and its workers, and the SQLite file it leaves; for one-line items and for 25-70-word posts.

`BENCH_SCALE` picks the sizes (`BENCH_SCALE=1000,4000`) and `BENCH_SCALE_KINDS` the kinds
(`feed`, `longfeed`), so one row can be taken alone.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench import procs
from bench.polling import _poll_passes
from bench.report import Figure
from bench.setup import write_config

SIZES = tuple(int(n) for n in os.environ.get("BENCH_SCALE", "1000,4000,10000").split(","))
KINDS = tuple(os.environ.get("BENCH_SCALE_KINDS", "feed,longfeed").split(","))
LABEL = {"feed": "one-line items", "longfeed": "25-70-word posts"}


def _store_mb(folder: Path) -> float:
    files = folder.glob("feedhub.sqlite3*")
    return sum(f.stat().st_size for f in files) / 1e6


def _row(kind: str, sources: int, up_port: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix=f"feedhub-bench-scale-{sources}-"))
    config = write_config(
        tmp, port=procs.free_port(), upstream_port=up_port, sources=sources, kind=kind
    )
    passes, peak = _poll_passes(config)
    return {**passes, "peak_mb": peak, "store_mb": _store_mb(tmp)}


def run(notes: list[str]) -> list[Figure]:
    up_port = procs.free_port()
    upstream = procs.start(["-m", "bench.upstream", str(up_port)])
    procs.wait_port(up_port, upstream)
    figures: list[Figure] = []
    lines = [
        "| items | sources | first pass | all-304 pass | loop lag max (first / 304) "
        "| loop's own work max (first / 304) "
        "| peak RSS (with workers) | SQLite file |",
        "|---|---|---|---|---|---|---|---|",
    ]
    try:
        for kind in KINDS:
            for n in SIZES:
                r = _row(kind, n, up_port)
                lines.append(
                    f"| {LABEL[kind]} | {n:,} | {r['first']:.1f} s | {r['second']:.2f} s | "
                    f"{r['first_lag_max_ms']:.0f} / {r['second_lag_max_ms']:.0f} ms | "
                    f"{r['first_busy_max_ms']:.0f} / {r['second_busy_max_ms']:.0f} ms | "
                    f"{r['peak_mb']:.0f} MB | {r['store_mb']:.0f} MB |"
                )
                print(lines[-1], flush=True)
                if n == 10_000:
                    lag = max(r["first_lag_max_ms"], r["second_lag_max_ms"])
                    for what, value, unit, limit in (
                        ("first pass", r["first"], "s", 20),
                        ("all-304 pass", r["second"], "s", 2),
                        ("loop lag max", lag, "ms", 50),
                        ("peak RSS", r["peak_mb"], "MB", 400),
                        ("SQLite file", r["store_mb"], "MB", 250),
                    ):
                        figures.append(
                            Figure(
                                f"(10) 10,000 sources, {LABEL[kind]}: {what}",
                                value,
                                unit,
                                target=f"< {limit} {unit}",
                                met=value < limit,
                            )
                        )
                if r["first_errors"] or r["second_errors"]:
                    raise RuntimeError(f"{kind} × {n}: errors in a pass: {r}")
    finally:
        procs.stop(upstream)
    notes.append(
        "(10) `python -m bench scale`: bench/pollrun.py (as (3)) at each size, every source "
        "polled at once, twice; loop lag is how late a 1 ms sleep wakes, its maximum over each "
        "pass, and the most CPU time the loop's thread spent between two wake-ups (the "
        "daemon's own work, whatever else the machine runs); peak RSS sums the daemon and its "
        "workers; the SQLite file is measured after both passes (with its WAL).\n\n"
        + "\n".join(lines)
    )
    return figures
