"""Widgets: a widget's version changes exactly when one of its sources' items or its own config
change, `recompute(source_id)` touches only the widgets showing that source, and `prerender`
renders a change before the version switches. A real SQLite store in tmp_path, a real config."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from feedhub.config import Config
from feedhub.media.markup import Images
from feedhub.models import FetchState, Item, items_digest
from feedhub.publish.cache import Key
from feedhub.publish.widgets import Widgets
from feedhub.store import Store, open_store
from tests.conftest import make_config

WIDGETS = {
    "news": {"sources": ["news"]},
    "blog": {"sources": ["blog"]},
    "both": {"sources": ["news", "blog"], "title": "Everything"},
}


def config(tmp_path, widgets: dict[str, Any] = WIDGETS) -> Config:
    return make_config(
        tmp_path,
        {
            "sources": {
                sid: {"type": "feed", "url": f"https://{sid}.example.org/feed"}
                for sid in ("news", "blog")
            },
            "widgets": widgets,
        },
    )


def items(source: str, *titles: str) -> list[Item]:
    return [
        Item(
            id=f"{source}-{n}",
            source=source,
            url=f"https://{source}.example.org/{n}",
            title=title,
            published=datetime(2026, 5, 1, 12, n, tzinfo=UTC),
        )
        for n, title in enumerate(titles)
    ]


class DirectImages:
    """The media cache switched off: images link to the platforms; `epochs` moves by hand."""

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url
        self.epochs: dict[str, int] = {}

    async def markup(self, items: Any, words: Any) -> Images:
        return Images({}, self.public_url, proxy=False, words=words)


async def stored(store: Store, states: dict[str, FetchState], source: str, *titles: str) -> None:
    """What a poll that found these items leaves: them in the store, their digest in the state."""
    found = items(source, *titles)
    states[source] = FetchState(digest=items_digest(found), item_count=len(found))
    await store.save(source, states[source], found)


@pytest.fixture
async def opened(tmp_path) -> AsyncIterator[tuple[Widgets, Store, dict[str, FetchState]]]:
    cfg = config(tmp_path)
    store = open_store(cfg.storage, str(tmp_path))
    await store.open()
    states: dict[str, FetchState] = {}
    await stored(store, states, "news", "Budget voted")
    await stored(store, states, "blog", "Tram line 4")
    widgets = Widgets(cfg, store, states, DirectImages(cfg.public_url))
    widgets.recompute()
    try:
        yield widgets, store, states
    finally:
        await store.close()


async def test_the_version_follows_the_sources_digests_and_nothing_else(opened):
    widgets, store, states = opened
    first = widgets.versions
    assert set(first) == {"news", "blog", "both"} and len(set(first.values())) == 3

    # A poll that finds the same items: same digest, same versions.
    await stored(store, states, "news", "Budget voted")
    states["news"].next_check = states["news"].last_attempt = 1e9  # a poll's other traces
    widgets.recompute()
    assert widgets.versions == first

    await stored(store, states, "news", "Budget voted", "Council at 6 pm")
    widgets.recompute()
    assert widgets.versions["blog"] == first["blog"]
    assert widgets.versions["news"] != first["news"]
    assert widgets.versions["both"] != first["both"]

    # Back to what it was: the version is derived, not counted.
    await stored(store, states, "news", "Budget voted")
    widgets.recompute()
    assert widgets.versions == first


async def test_a_widget_config_change_changes_that_widgets_version_only(tmp_path, opened):
    widgets, _, _ = opened
    first = widgets.versions
    widgets.configure(config(tmp_path, {**WIDGETS, "blog": {"sources": ["blog"], "limit": 3}}))
    widgets.recompute()
    assert widgets.versions["blog"] != first["blog"]
    assert {n: v for n, v in widgets.versions.items() if n != "blog"} == {
        n: v for n, v in first.items() if n != "blog"
    }

    widgets.configure(config(tmp_path))
    widgets.recompute()
    assert widgets.versions == first


async def test_recompute_of_a_source_touches_only_the_widgets_showing_it(opened):
    widgets, store, states = opened
    first = widgets.versions
    await stored(store, states, "news", "Council at 6 pm")
    await stored(store, states, "blog", "Rails laid")  # not announced yet
    widgets.recompute("news")
    assert widgets.versions is not first, "a new map: readers compare its identity"
    assert widgets.versions["news"] != first["news"] and widgets.versions["both"] != first["both"]
    assert widgets.versions["blog"] == first["blog"]
    assert widgets.versions_of("news") == {n: widgets.versions[n] for n in ("news", "both")}

    widgets.recompute("blog")
    assert widgets.versions["blog"] != first["blog"]


async def test_prerender_renders_the_new_version_before_it_shows(opened):
    widgets, store, states = opened
    widget = widgets.config.widgets["news"]
    key = Key("news", "html", widget.limit, widget.locale, widget.theme)
    old = await widgets.rendered(key)
    assert b"Budget voted" in old.identity and b"Council at 6 pm" not in old.identity
    served_version = widgets.versions["news"]

    await stored(store, states, "news", "Budget voted", "Council at 6 pm")
    fresh = widgets.versions_of("news")
    misses = widgets.renders.misses
    await widgets.prerender(fresh)
    assert widgets.renders.misses == misses + 1, "the served variant rendered once, ahead"
    assert widgets.versions["news"] == served_version, "prerender does not switch"
    ahead = widgets.renders.peek(key, fresh["news"])
    assert ahead is not None and b"Council at 6 pm" in ahead.identity

    widgets.recompute("news")
    assert widgets.versions["news"] == fresh["news"]
    assert await widgets.rendered(key) is ahead, "the switch serves what was rendered ahead"
    assert widgets.renders.misses == misses + 1

    # Nothing changed: nothing to render.
    await widgets.prerender(widgets.versions_of())
    assert widgets.renders.misses == misses + 1
    # A change to a widget nobody asked for yet: nothing rendered ahead.
    await stored(store, states, "blog", "Rails laid")
    await widgets.prerender(widgets.versions_of("blog"))
    assert widgets.renders.misses == misses + 1 and widgets.renders.keys_for("blog") == []


async def test_more_cached_images_move_the_versions_of_that_sources_widgets(opened):
    shown, store, states = opened
    images = DirectImages(shown.config.public_url)
    widgets = Widgets(shown.config, store, states, images)
    widgets.recompute()
    before = widgets.versions
    assert before == shown.versions, "the same config and states give the same versions"
    images.epochs["blog"] = 1  # the media cache settled more of the blog's images
    widgets.recompute("blog")
    assert widgets.versions["news"] == before["news"]
    assert widgets.versions["blog"] != before["blog"] and widgets.versions["both"] != before["both"]


async def test_source_changed_renders_ahead_then_switches(opened):
    widgets, store, states = opened
    widget = widgets.config.widgets["blog"]
    key = Key("blog", "html", widget.limit, widget.locale, widget.theme)
    await widgets.rendered(key)
    await stored(store, states, "blog", "Tram line 4", "Rails laid")
    await widgets.source_changed("blog")
    misses = widgets.renders.misses
    assert b"Rails laid" in (await widgets.rendered(key)).identity
    assert widgets.renders.misses == misses, "rendered before the switch, not on demand"
