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
