"""/metrics answers shared between scrapes: one that took long to write serves those that
follow for a while; a small site's answer is written for each scrape."""

from __future__ import annotations

import asyncio

from feedhub.web import metrics as metrics_route
from tests.conftest import make_config

CONFIG = {"sources": {"blog": {"type": "feed", "url": "http://127.0.0.1:9/feed.xml"}}}
ROUTE = 'feedhub_http_requests_total{route="/healthz",method="GET",status="200"}'


def healthz_count(text: str) -> int:
    line = next((ln for ln in text.splitlines() if ln.startswith(ROUTE)), f"{ROUTE} 0")
    return int(line.rsplit(" ", 1)[1])


async def test_a_small_sites_scrape_is_written_each_time(tmp_path, feedhub_service):
    running = await feedhub_service(make_config(tmp_path, CONFIG))
    _, before, _ = await running.get("/metrics")
    await running.get("/healthz")
    _, after, _ = await running.get("/metrics")
    assert healthz_count(after) == healthz_count(before) + 1


async def test_a_slow_scrape_serves_those_that_follow(tmp_path, feedhub_service, monkeypatch):
    # As if writing it had been slow: every answer is reused for a minute.
    monkeypatch.setattr(metrics_route, "REUSE_FROM", 0.0)
    monkeypatch.setattr(metrics_route, "REUSE_BYTES", 0)
    monkeypatch.setattr(metrics_route, "REUSE", 1e9)
    monkeypatch.setattr(metrics_route, "REUSE_MAX", 60.0)
    running = await feedhub_service(make_config(tmp_path, CONFIG))
    _, first, _ = await running.get("/metrics")
    await running.get("/healthz")
    together = await asyncio.gather(*(running.get("/metrics") for _ in range(3)))
    assert [text for _, text, _ in together] == [first] * 3
    # The other kind of scrape (a reload turned per-source series off) is written afresh.
    running.service.config = running.service.config.model_copy(
        update={"metrics": running.service.config.metrics.model_copy(update={"per_source": False})}
    )
    _, summed, _ = await running.get("/metrics")
    assert 'source="blog"' not in summed and healthz_count(summed) == healthz_count(first) + 1


def test_the_totals_count_every_poll_and_never_go_down():
    from feedhub.metrics import Metrics
    from feedhub.models import FetchState

    m = Metrics()
    for sid, ms, new in (("a", 40, 2), ("b", 3000, 0), ("a", 45, 1)):
        m.record_poll(sid, "", FetchState(history=[{"ms": ms, "new": new, "ok": True}]))
    m.record_poll("b", "timed out", FetchState(history=[{"ms": 30000, "ok": False}]))
    m.forget(["a"])  # a reload removed b: its own series go, the totals stay
    assert "b" not in m.fetch_seconds and dict(m.outcomes) == {
        "new_items": 2,
        "unchanged": 1,
        "timeout": 1,
    }
    assert m.all_seconds.n == 4 and m.all_seconds.counts[0] == 2  # two polls under 50 ms
    assert m.all_new_items == 3


def test_a_sources_histogram_is_nothing_the_garbage_collector_walks():
    # One is kept per source: at 10,000 sources, counts kept in lists were 10,000 more
    # objects for each full pass of the collector, a stall of the event loop.
    import gc

    from feedhub.metrics import Metrics
    from feedhub.models import FetchState

    m = Metrics()
    for ms in (40, 300, 3000):
        m.record_poll("a", "", FetchState(history=[{"ms": ms, "new": 0, "ok": True}]))
    hist = m.fetch_seconds["a"]
    assert hist.counts == (1, 1, 1, 2, 2, 2, 3, 3, 3) and hist.n == 3
    gc.collect()
    assert not gc.is_tracked(hist.counts) and not hasattr(hist, "__dict__")
