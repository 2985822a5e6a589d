"""Polling makes a source's adapter when it is first asked for, once, and again after a new
config: a start with many sources makes none before it serves."""

from __future__ import annotations

import pytest

from feedhub.ingest.polling import Polling
from feedhub.sources.feed import FeedAdapter
from tests.conftest import make_config

SOURCES = {
    "blog": {"type": "feed", "url": "http://127.0.0.1:9/a.xml"},
    "news": {"type": "feed", "url": "http://127.0.0.1:9/b.xml"},
}


def test_adapters_are_made_when_first_asked_for(tmp_path):
    config = make_config(tmp_path, {"sources": SOURCES})
    polling = Polling(config, recorder=None, fetcher=lambda: None)  # type: ignore[arg-type]
    assert len(polling.adapters) == 0

    blog = polling.adapters["blog"]
    assert isinstance(blog, FeedAdapter) and blog.url == SOURCES["blog"]["url"]
    assert polling.adapters["blog"] is blog and set(polling.adapters) == {"blog"}
    assert isinstance(polling.adapters.get("news"), FeedAdapter)
    assert polling.adapters.get("gone") is None
    with pytest.raises(KeyError):
        polling.adapters["gone"]

    changed = {**SOURCES, "blog": {"type": "feed", "url": "http://127.0.0.1:9/c.xml"}}
    polling.configure(make_config(tmp_path, {"sources": changed}))
    assert len(polling.adapters) == 0
    assert polling.adapters["blog"].url == changed["blog"]["url"]  # type: ignore[attr-defined]


async def test_polling_is_prepared_off_the_event_loop(tmp_path, feedhub_service, monkeypatch):
    # The workers' forks and the platforms' imports, which the first polls would otherwise do
    # on the loop, are done in threads before the poller starts, for every configured type.
    import threading

    from feedhub import service as service_module
    from feedhub.ingest import workers

    sources = {
        **SOURCES,
        "toots": {"type": "mastodon", "account": "@a@m.example"},
    }
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
