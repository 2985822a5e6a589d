"""The text of a /metrics scrape, in two steps: `take` copies what it reads on the event loop
(dict copies and a few numbers, no per-line work), and `render` writes the Prometheus text from
that copy in a thread, so a scrape of many sources never holds up the loop.

With `metrics.per_source: false` the per-source series are left out: the fetch counters and
the duration histogram are counted over every source since start (`Metrics` keeps the totals
as it goes), and `feedhub_sources` counts sources by state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from feedhub.metrics import FETCH_BUCKETS, Exposition, Histogram, label_value, number
from feedhub.models import FetchState

STATES = ("ok", "pending", "degraded", "failing")
Series = dict[tuple[str, str, int], int]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything a scrape shows, as it was when the scrape was asked for."""

    per_source: bool
    now: float
    started: float
    sources: tuple[str, ...]
    states: dict[str, FetchState]  # states are replaced, never changed, by the poller
    fetches: dict[tuple[str, str], int]
    hists: dict[str, tuple[tuple[int, ...], float, int]]  # bucket counts, sum, count
    new_items: dict[str, int]
    requests: Series
    hits: int
    misses: int
    reload_failed: bool
    media: tuple[dict[str, int], dict[str, Any], int] | None  # counts, by source, disk


def take(svc: Any, now: float, fast: Mapping[tuple[str, str, int], int]) -> Snapshot:
    """Copy what the scrape reads from the running service; cheap enough for the loop.

    `fast` holds the widget answers sent by the handler's fast path (all served from rendered
    bytes), which counts them apart from `Metrics` to allocate nothing per request.
    """
    m = svc.metrics
    per_source = bool(svc.config.metrics.per_source)
    requests: Counter[tuple[str, str, int]] = Counter(m.requests)
    requests.update(fast)
    media = svc.media.cache
    if per_source:
        fetches = dict(m.fetches)
        hists = {s: (tuple(h.counts), h.total, h.n) for s, h in m.fetch_seconds.items()}
        new_items = dict(m.new_items)
    else:  # the running totals, under one key ""
        fetches = {("", o): n for o, n in m.outcomes.items()}
        everything = m.all_seconds
        hists = {"": (tuple(everything.counts), everything.total, everything.n)}
        new_items = {"": m.all_new_items}
    return Snapshot(
        per_source=per_source,
        now=now,
        started=svc.started,
        sources=tuple(svc.config.sources),
        states=dict(svc.states),
        fetches=fetches,
        hists=hists,
        new_items=new_items,
        requests=dict(requests),
        hits=svc.widgets.renders.hits + sum(fast.values()),
        misses=svc.widgets.renders.misses,
        reload_failed=bool(svc.reloads.error),
        media=None
        if media is None
        else (dict(media.counts), media.by_source() if per_source else {}, media.dir.total),
    )


def render(snap: Snapshot) -> bytes:
    """The whole scrape: counters kept by `Metrics` plus gauges read from the service."""
    out = Exposition()
    if snap.per_source:
        per_source_families(out, snap)
    else:
        summed_families(out, snap)
    out.family(
        "feedhub_render_cache_hits_total",
        "counter",
        "Widget answers served from rendered bytes.",
        [((), snap.hits)],
    )
    out.family(
        "feedhub_render_cache_misses_total",
        "counter",
        "Widget answers that had to be rendered.",
        [((), snap.misses)],
    )
    out.family(
        "feedhub_http_requests_total",
        "counter",
        "HTTP answers by route and status.",
        [
            ((("route", r), ("method", meth), ("status", str(st))), n)
            for (r, meth, st), n in sorted(snap.requests.items())
            if n
        ],
    )
    if snap.media is not None:
        counts, by_source, disk = snap.media
        media_families(out, counts, by_source, disk, snap.per_source)
    out.family(
        "feedhub_config_reload_failed",
        "gauge",
        "1 while the last config reload was refused.",
        [((), int(snap.reload_failed))],
    )
    out.family(
        "feedhub_uptime_seconds",
        "gauge",
        "Seconds since the service started.",
        [((), round(snap.now - snap.started, 3) if snap.started else 0)],
    )
    return out.text().encode()


def per_source_families(out: Exposition, snap: Snapshot) -> None:
    """The fetch counters, durations and gauges of each source, labelled `source`: written
    line by line with each source's label made once (there are tens of lines per source)."""
    labels: dict[str, str] = {}

    def lab(sid: str) -> str:
        found = labels.get(sid)
        if found is None:
            found = labels[sid] = f'source="{label_value(sid)}"'
        return found

    lines = out.lines
    name = "feedhub_fetches_total"
    head(
        out,
        name,
        "counter",
        "Polls of a source by outcome (new_items, unchanged, timeout, http_5xx, ...).",
    )
    lines += [
        f'{name}{{{lab(s)},outcome="{label_value(o)}"}} {n}'
        for (s, o), n in sorted(snap.fetches.items())
    ]
    name = "feedhub_fetch_duration_seconds"
    head(out, name, "histogram", "Time a poll took: fetch and parse.")
    bounds = [f'le="{number(b)}"' for b in FETCH_BUCKETS]
    for sid, (counts, total, n) in sorted(snap.hists.items()):
        source = lab(sid)
        counts = counts or (0,) * len(bounds)
        lines += [
            f"{name}_bucket{{{source},{le}}} {c}" for le, c in zip(bounds, counts, strict=True)
        ]
        lines.append(f'{name}_bucket{{{source},le="+Inf"}} {n}')
        lines.append(f"{name}_sum{{{source}}} {number(total)}")
        lines.append(f"{name}_count{{{source}}} {n}")
    name = "feedhub_new_items_total"
    head(out, name, "counter", "Items first seen by a poll.")
    lines += [f"{name}{{{lab(s)}}} {n}" for s, n in sorted(snap.new_items.items())]
    states = snap.states
    known = [(s, states.get(s)) for s in sorted(snap.sources)]
    name = "feedhub_source_items"
    head(out, name, "gauge", "Items stored for a source.")
    lines += [f"{name}{{{lab(s)}}} {st.item_count if st else 0}" for s, st in known]
    name = "feedhub_source_errors"
    head(out, name, "gauge", "Consecutive failed polls of a source.")
    lines += [f"{name}{{{lab(s)}}} {st.errors if st else 0}" for s, st in known]
    health = [(s, st.health if st else "pending") for s, st in known]
    name = "feedhub_source_state"
    head(out, name, "gauge", "1 for the state a source is in.")
    lines += [
        f'{name}{{{lab(s)},state="{st}"}} {int(now == st)}' for s, now in health for st in STATES
    ]
    name = "feedhub_source_last_success_timestamp_seconds"
    head(out, name, "gauge", "When a source was last polled successfully (unix time).")
    lines += [f"{name}{{{lab(s)}}} {number(st.last_success or 0)}" for s, st in known if st]
    sources_by_state(out, (now for _, now in health))


def head(out: Exposition, name: str, kind: str, help: str) -> None:
    out.lines.append(f"# HELP {name} {help}")
    out.lines.append(f"# TYPE {name} {kind}")


def summed_families(out: Exposition, snap: Snapshot) -> None:
    """The same counters summed over every source, and sources counted by state."""
    outcomes: Counter[str] = Counter()
    for (_, outcome), n in snap.fetches.items():
        outcomes[outcome] += n
    out.family(
        "feedhub_fetches_total",
        "counter",
        "Polls by outcome (new_items, unchanged, timeout, http_5xx, ...), every source.",
        [((("outcome", o),), n) for o, n in sorted(outcomes.items())],
    )
    sums, merged = [0] * len(FETCH_BUCKETS), Histogram(FETCH_BUCKETS)
    for counts, total, n in snap.hists.values():
        for i, count in enumerate(counts):
            sums[i] += count
        merged.total += total
        merged.n += n
    merged.counts = tuple(sums)
    out.lines.append("# HELP feedhub_fetch_duration_seconds Time a poll took: fetch and parse.")
    out.lines.append("# TYPE feedhub_fetch_duration_seconds histogram")
    out.buckets("feedhub_fetch_duration_seconds", merged, ())
    out.family(
        "feedhub_new_items_total",
        "counter",
        "Items first seen by a poll, every source.",
        [((), sum(snap.new_items.values()))],
    )
    states = snap.states
    sources_by_state(out, (states[s].health if s in states else "pending" for s in snap.sources))


def sources_by_state(out: Exposition, health: Any) -> None:
    counted = Counter(health)
    out.family(
        "feedhub_sources",
        "gauge",
        "Configured sources by state.",
        [((("state", st),), counted.get(st, 0)) for st in STATES],
    )


def media_families(
    out: Exposition,
    counts: Mapping[str, int],
    by_source: Mapping[str, Mapping[str, int | str]],
    disk: int,
    per_source: bool = True,
) -> None:
    """The media cache's counters and gauges."""
    for name, key, text in (
        ("feedhub_media_fetched_total", "fetched", "Images fetched and cached."),
        ("feedhub_media_failed_total", "failed", "Images refused or failed to fetch."),
        ("feedhub_media_fetched_bytes_total", "fetched_bytes", "Bytes of originals fetched."),
        ("feedhub_media_served_total", "served", "Answers of GET /m/ with an image."),
        ("feedhub_media_made_total", "made", "Image files made when GET /m/ first asked."),
        ("feedhub_media_evicted_total", "evicted", "Images deleted for the disk budget."),
        ("feedhub_media_expired_total", "expired", "Images deleted after the grace period unused."),
    ):
        out.family(name, "counter", text, [((), counts.get(key, 0))])
    out.family(
        "feedhub_media_disk_bytes", "gauge", "Bytes the cached images take on disk.", [((), disk)]
    )
    if not per_source:
        return
    for state in ("cached", "failed"):
        out.family(
            f"feedhub_media_source_{state}",
            "gauge",
            f"Images {state}, per source.",
            [((("source", s),), int(row[state])) for s, row in sorted(by_source.items())],
        )
