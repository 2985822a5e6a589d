"""Runs wrk on its own core and reads requests/s and latency percentiles from its report."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def _ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", value)
    if not m:
        raise ValueError(f"unreadable latency {value!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse(report: str) -> WrkResult:
    """Requests/sec, the 50% and 99% latencies and error counts of a `wrk --latency` report."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))  # type: ignore[union-attr]
    pct = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", report, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", report).group(1))  # type: ignore[union-attr]
    errors = sum(
        int(n)
        for n in re.findall(
            r"(?:Non-2xx or 3xx responses|connect|read|write|"
            r"timeout)\s*:?\s*(\d+)",
            report,
        )
    )
    return WrkResult(rps, _ms(pct["50"]), _ms(pct["99"]), requests, errors)


def run(
    url: str, *, seconds: float, connections: int = 64, core: int = 1, headers: tuple[str, ...] = ()
) -> WrkResult:
    cmd = [
        "taskset",
        "-c",
        str(core),
        "wrk",
        "--latency",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
    ]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    return parse(out)
