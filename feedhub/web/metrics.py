"""GET /metrics: the Prometheus text of the counters and the service's gauges."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping

from aiohttp import web

from feedhub.metrics import Exposition
from feedhub.service import Service
from feedhub.web import routes
from feedhub.web.admin import guard
from feedhub.web.keys import SERVICE
from feedhub.web.widgets import ANSWERS

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STATES = ("ok", "pending", "degraded", "failing")


def exposition(svc: Service, now: float, fast: Mapping[tuple[str, str, int], int]) -> str:
    """The whole scrape: counters kept by `Metrics` plus gauges read from the service.

    `fast` holds the widget answers sent by the handler's fast path (all served from rendered
    bytes), which counts them apart from `Metrics` to allocate nothing per request.
    """
    m = svc.metrics
    requests = Counter(m.requests)
    requests.update(fast)
    out = Exposition()
    out.family(
        "feedhub_fetches_total",
        "counter",
        "Polls of a source by outcome (new_items, unchanged, timeout, http_5xx, ...).",
        [((("source", s), ("outcome", o)), n) for (s, o), n in sorted(m.fetches.items())],
    )
    out.histogram(
        "feedhub_fetch_duration_seconds",
        "Time a poll took: fetch and parse.",
        m.fetch_seconds,
        "source",
    )
    out.family(
        "feedhub_new_items_total",
        "counter",
        "Items first seen by a poll.",
        [((("source", s),), n) for s, n in sorted(m.new_items.items())],
    )
    states = svc.states
    out.family(
        "feedhub_source_items",
        "gauge",
        "Items stored for a source.",
        [
            ((("source", s),), states[s].item_count if s in states else 0)
            for s in sorted(svc.config.sources)
        ],
    )
    out.family(
        "feedhub_source_errors",
        "gauge",
        "Consecutive failed polls of a source.",
        [
            ((("source", s),), states[s].errors if s in states else 0)
            for s in sorted(svc.config.sources)
        ],
    )
    out.family(
        "feedhub_source_state",
        "gauge",
        "1 for the state a source is in.",
        [
            (
                (("source", s), ("state", st)),
                int((states[s].health if s in states else "pending") == st),
            )
            for s in sorted(svc.config.sources)
            for st in STATES
        ],
    )
    out.family(
        "feedhub_source_last_success_timestamp_seconds",
        "gauge",
        "When a source was last polled successfully (unix time).",
        [
            ((("source", s),), states[s].last_success or 0)
            for s in sorted(svc.config.sources)
            if s in states
        ],
    )
    out.family(
        "feedhub_render_cache_hits_total",
        "counter",
        "Widget answers served from rendered bytes.",
        [((), svc.widgets.renders.hits + sum(fast.values()))],
    )
    out.family(
        "feedhub_render_cache_misses_total",
        "counter",
        "Widget answers that had to be rendered.",
        [((), svc.widgets.renders.misses)],
    )
    out.family(
        "feedhub_http_requests_total",
        "counter",
        "HTTP answers by route and status.",
        [
            ((("route", r), ("method", meth), ("status", str(st))), n)
            for (r, meth, st), n in sorted(requests.items())
            if n
        ],
    )
    if (media := svc.media.cache) is not None:
        media_families(out, media.counts, media.by_source(), media.dir.total)
    out.family(
        "feedhub_config_reload_failed",
        "gauge",
        "1 while the last config reload was refused.",
        [((), int(bool(svc.reloads.error)))],
    )
    out.family(
        "feedhub_uptime_seconds",
        "gauge",
        "Seconds since the service started.",
        [((), round(now - svc.started, 3) if svc.started else 0)],
    )
    return out.text()


def media_families(
    out: Exposition,
    counts: Mapping[str, int],
    by_source: Mapping[str, Mapping[str, int | str]],
    disk: int,
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
    for state in ("cached", "failed"):
        out.family(
            f"feedhub_media_source_{state}",
            "gauge",
            f"Images {state}, per source.",
            [((("source", s),), int(row[state])) for s, row in sorted(by_source.items())],
        )


async def metrics(request: web.Request) -> web.Response:
    guard(request)  # source names and error counts are for the site's admins
    body = exposition(request.app[SERVICE], time.time(), request.app[ANSWERS].requests())
    return web.Response(
        body=body.encode(), headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"}
    )


def setup(app: web.Application) -> None:
    routes.get(app, "/metrics", metrics)
