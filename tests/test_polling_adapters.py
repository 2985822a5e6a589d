"""Polling makes a source's adapter when it is first asked for, once, and again after a new
config: a start with many sources makes none before it serves. A feed's adapter, which holds
nothing between polls, is not kept at all: made anew at each use."""

from __future__ import annotations

import pytest

from feedhub.ingest.polling import Polling
from feedhub.sources.feed import FeedAdapter
from feedhub.sources.mastodon import MastodonAdapter
from tests.conftest import make_config

SOURCES = {
    "blog": {"type": "feed", "url": "http://127.0.0.1:9/a.xml"},
    "news": {"type": "feed", "url": "http://127.0.0.1:9/b.xml"},
}
TOOTS = {"type": "mastodon", "account": "@a@m.example"}


def test_adapters_are_made_when_first_asked_for(tmp_path):
    config = make_config(tmp_path, {"sources": {**SOURCES, "toots": TOOTS}})
    polling = Polling(config, recorder=None, fetcher=lambda: None)  # type: ignore[arg-type]
    assert len(polling.adapters) == 0

    toots = polling.adapters["toots"]
    assert isinstance(toots, MastodonAdapter)
    assert polling.adapters["toots"] is toots and set(polling.adapters) == {"toots"}
    assert polling.adapters.get("gone") is None
    with pytest.raises(KeyError):
        polling.adapters["gone"]

    changed = {"toots": {**TOOTS, "account": "@b@m.example"}}
    polling.configure(make_config(tmp_path, {"sources": changed}))
    assert len(polling.adapters) == 0
    assert polling.adapters["toots"] is not toots
    assert polling.adapters["toots"].user == "b"  # type: ignore[attr-defined]


def test_a_feeds_adapter_is_made_at_each_use_and_never_kept(tmp_path):
    # It holds only its URL: kept for each of 10,000 feeds, the adapters were objects that
    # every full pass of the garbage collector walks.
    config = make_config(tmp_path, {"sources": SOURCES})
    polling = Polling(config, recorder=None, fetcher=lambda: None)  # type: ignore[arg-type]
    blog = polling.adapters["blog"]
    assert isinstance(blog, FeedAdapter) and blog.url == SOURCES["blog"]["url"]
    assert polling.adapters["blog"] is not blog
    assert isinstance(polling.adapters.get("news"), FeedAdapter)
    assert len(polling.adapters) == 0

    changed = {**SOURCES, "blog": {"type": "feed", "url": "http://127.0.0.1:9/c.xml"}}
    polling.configure(make_config(tmp_path, {"sources": changed}))
    assert polling.adapters["blog"].url == changed["blog"]["url"]  # type: ignore[attr-defined]


async def test_polling_is_prepared_off_the_event_loop(tmp_path, feedhub_service, monkeypatch):
    # The workers' forks and the platforms' imports, which the first polls would otherwise do
    # on the loop, are done in threads before the poller starts, for every configured type.
    import threading

    from feedhub import service as service_module
    from feedhub.ingest import workers

    sources = {**SOURCES, "toots": TOOTS}
    running = await feedhub_service(make_config(tmp_path, {"sources": sources}))
    imported: list[tuple[str, int]] = []
    real = service_module.adapter_class

    def watched(kind: str):
        imported.append((kind, threading.get_ident()))
        return real(kind)

    monkeypatch.setattr(service_module, "adapter_class", watched)
    workers.shutdown()
    await running.service.prepare_polling()
    assert sorted(kind for kind, _ in imported) == ["feed", "mastodon"]
    assert threading.get_ident() not in {thread for _, thread in imported}
    pool = workers._executor(workers.PARSE)
    assert len(pool._processes) == workers.worker_count()  # type: ignore[attr-defined]


def test_a_platforms_floor_is_read_without_making_its_adapter(tmp_path):
    sources = {**SOURCES, "tw": {"type": "x", "username": "hub", "bearer_token": "t"}}
    polling = Polling(
        make_config(tmp_path, {"sources": sources}),
        recorder=None,  # type: ignore[arg-type]
        fetcher=lambda: None,
    )
    assert polling.floor("tw") == 1800.0 and polling.floor("blog") == 0.0
    assert len(polling.adapters) == 0  # the X adapter, which is kept, was not made for it
