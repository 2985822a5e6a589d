"""Counters for /metrics, written in the Prometheus text format (version 0.0.4) by hand.

The service records each poll here; the web layer records each request (`feedhub.web.routes`
and the widget handler). Gauges that already live elsewhere (items per source, render cache
hits) are read at scrape time, so nothing is counted twice.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from feedhub.models import FetchState

# Fetch durations span a local file (ms) to a slow upstream hitting its timeout (30 s).
FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Labels = tuple[tuple[str, str], ...]


def fetch_outcome(error: str, changed: bool, status: int = 0) -> str:
    """A small, fixed set of outcomes, so a label never carries an upstream's own text.

    Read from the fetcher's and adapters' own message prefixes, never from text inside them
    (a URL may well contain "refused").
    """
    if not error:
        return "new_items" if changed else "unchanged"
    for prefix, outcome in (
        ("timed out", "timeout"),
        ("refused", "refused"),
        ("cannot connect", "connect_error"),
        ("redirect loop", "redirects"),
        ("more than", "redirects"),
        ("body is over", "too_big"),
        ("body of", "too_big"),
        ("file is over", "too_big"),
        ("malformed", "malformed"),
    ):
        if error.startswith(prefix):
            return outcome
    if 400 <= status < 500:
        return "http_4xx"
    if status >= 500:
        return "http_5xx"
    return "error"


@dataclass(slots=True)
class Histogram:
    """Counts per bucket, cumulative as Prometheus reads them. One is kept per source, so
    the counts are a tuple of ints, made anew at each observation: the garbage collector stops
    tracking such a tuple, where it walks a list at every full pass."""

    buckets: tuple[float, ...]
    counts: tuple[int, ...] = ()
    total: float = 0.0
    n: int = 0

    def observe(self, value: float) -> None:
        counts = self.counts or (0,) * len(self.buckets)
        self.counts = tuple(
            count + 1 if value <= bound else count
            for count, bound in zip(counts, self.buckets, strict=True)
        )
        self.total += value
        self.n += 1


class Metrics:
    """Everything /metrics shows that is not read from the service at scrape time."""

    def __init__(self) -> None:
        self.fetches: defaultdict[tuple[str, str], int] = defaultdict(int)
        self.fetch_seconds: dict[str, Histogram] = {}
        self.new_items: defaultdict[str, int] = defaultdict(int)
        self.requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        # The same over every source since start, for `metrics.per_source: false`: a scrape
        # copies three numbers, not a series per source; `forget` never lowers them.
        self.outcomes: defaultdict[str, int] = defaultdict(int)
        self.all_seconds = Histogram(FETCH_BUCKETS)
        self.all_new_items = 0

    def record_poll(self, source_id: str, error: str, state: FetchState) -> None:
        """One poll's outcome; duration and new items come from its history entry."""
        last = state.history[-1] if state.history else {}
        added = int(last.get("new", 0))
        status = last.get("status")
        outcome = fetch_outcome(error, added > 0, status if isinstance(status, int) else 0)
        self.fetches[(source_id, outcome)] += 1
        hist = self.fetch_seconds.setdefault(source_id, Histogram(FETCH_BUCKETS))
        hist.observe(float(last.get("ms", 0.0)) / 1000)
        self.new_items[source_id] += added
        self.outcomes[outcome] += 1
        self.all_seconds.observe(float(last.get("ms", 0.0)) / 1000)
        self.all_new_items += added

    def record_request(self, route: str, method: str, status: int) -> None:
        self.requests[(route, method, status)] += 1

    def forget(self, keep: Iterable[str]) -> None:
        """Drop the series of sources no longer configured (after a reload)."""
        wanted = set(keep)
        for key in [k for k in self.fetches if k[0] not in wanted]:
            del self.fetches[key]
        for sid in [s for s in self.fetch_seconds if s not in wanted]:
            del self.fetch_seconds[sid]
            self.new_items.pop(sid, None)


def label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{label_value(v)}"' for k, v in labels) + "}"


def number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return (
        repr(float(value))
        if isinstance(value, float) and not value.is_integer()
        else str(int(value))
    )


class Exposition:
    """Builds the text format: HELP and TYPE once per family, then its samples."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(
        self,
        name: str,
        kind: str,
        help: str,
        samples: Iterable[tuple[Labels, float]],
        suffix: str = "",
    ) -> None:
        self.lines.append(f"# HELP {name} {help}")
        self.lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            self.lines.append(f"{name}{suffix}{_labels(labels)} {number(value)}")

    def histogram(self, name: str, help: str, series: dict[str, Histogram], label: str) -> None:
        self.lines.append(f"# HELP {name} {help}")
        self.lines.append(f"# TYPE {name} histogram")
        for key, hist in sorted(series.items()):
            self.buckets(name, hist, ((label, key),))

    def buckets(self, name: str, hist: Histogram, labels: Labels) -> None:
        """One series of a histogram: its buckets, sum and count."""
        counts = hist.counts or [0] * len(hist.buckets)
        for bound, count in zip(hist.buckets, counts, strict=True):
            self.lines.append(f"{name}_bucket{_labels((*labels, ('le', number(bound))))} {count}")
        self.lines.append(f"{name}_bucket{_labels((*labels, ('le', '+Inf')))} {hist.n}")
        self.lines.append(f"{name}_sum{_labels(labels)} {number(hist.total)}")
        self.lines.append(f"{name}_count{_labels(labels)} {hist.n}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
