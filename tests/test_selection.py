"""Widget selection: merge newest first, filters, hide, pin, limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feedhub.config import WidgetConfig
from feedhub.models import Item
from feedhub.publish.selection import select

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def item(i: str, source: str, hours_ago: float, title: str = "", pinned: bool = False) -> Item:
    return Item(
        id=i,
        source=source,
        url=f"https://x.org/{i}",
        title=title or f"post {i}",
        published=NOW - timedelta(hours=hours_ago),
        pinned=pinned,
    )


ITEMS = [
    item("a1", "a", 1),
    item("a2", "a", 5, "RT @someone: boring"),
    item("a3", "a", 30 * 24),
    item("b1", "b", 2, "Release 2.0 is out"),
    item("b2", "b", 3, "Meetup in Lyon"),
]


def widget(**kw) -> WidgetConfig:
    return WidgetConfig(sources=["a", "b"], **kw)


def ids(items):
    return [it.id for it in items]


def test_merged_newest_first_and_limited():
    assert ids(select(ITEMS, widget(limit=3), NOW)) == ["a1", "b1", "b2"]
    assert ids(select(ITEMS, widget(), NOW, limit=1)) == ["a1"]


def test_exclude_words_and_regex():
    assert "a2" not in ids(select(ITEMS, widget(filters={"exclude": ["rt @"]}), NOW))
    got = ids(select(ITEMS, widget(filters={"exclude": [r"/^Release \d/"]}), NOW))
    assert "b1" not in got and "a2" in got


def test_include_keeps_only_matches():
    got = select(ITEMS, widget(filters={"include": ["lyon", "/(?i)release/"]}), NOW)
    assert ids(got) == ["b1", "b2"]


def test_max_age():
    got = ids(select(ITEMS, widget(filters={"max_age": "7d"}), NOW))
    assert "a3" not in got and len(got) == 4


def test_hide_and_pin():
    got = ids(select(ITEMS, widget(hide=["a1"], pin=["a3", "b2"]), NOW))
    assert got == ["a3", "b2", "b1", "a2"]


def test_pinned_upstream_comes_first_and_duplicates_drop():
    items = [*ITEMS, item("a4", "a", 100, pinned=True), ITEMS[0]]
    got = ids(select(items, widget(), NOW))
    assert got[0] == "a4" and got.count("a1") == 1
