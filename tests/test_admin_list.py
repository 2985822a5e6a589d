"""Which sources a page of /admin lists: the query read and checked, the search (never of a
secret), counts by state and type, pages."""

from __future__ import annotations

import pytest

from feedhub.config import parse_config
from feedhub.config.platforms import PLATFORMS
from feedhub.models import PROFILE, FetchState
from feedhub.web.admin_list import BadQuery, Query, SearchTexts, listing, parse_query, where

TYPES = PLATFORMS.types()


def config(env=None):
    sources = {f"f{n}": {"type": "feed", "url": f"https://example.org/{n}.xml"} for n in range(7)}
    sources["news"] = {"type": "feed", "url": "https://example.org/feed?key=${FEED_KEY}"}
    sources["toot"] = {"type": "mastodon", "account": "@someone@example.social"}
    return parse_config({"sources": sources}, env=env or {"FEED_KEY": "hunter2-secret"})


def page(query: Query, states=None, size=3):
    cfg = config()
    texts = SearchTexts()
    return listing(
        query,
        cfg.sources,
        states or {},
        lambda sid, c, st: texts.of(sid, c, st, cfg.mask),
        page_size=size,
    )


def test_query_values_are_checked():
    assert parse_query({}, TYPES) == Query()
    assert parse_query({"q": "  a   b ", "page": "2", "state": "ok"}, TYPES) == Query(
        q="a b", state="ok", page=2
    )
    for params, start in (
        ({"page": "two"}, "page:"),
        ({"page": "0"}, "page:"),
        ({"page": "1" * 10}, "page:"),
        ({"state": "stale"}, "state: one of ok, degraded, failing, pending"),
        ({"type": "rss"}, "type: one of"),
        ({"q": "x" * 201}, "q: a search is at most 200"),
    ):
        with pytest.raises(BadQuery) as err:
            parse_query(params, TYPES)
        assert str(err.value).startswith(start), params


def test_links_keep_the_query_and_drop_defaults():
    q = Query(q="a&b", state="failing", page=3)
    assert q.link() == "/admin?q=a%26b&state=failing&page=3"
    assert q.link(page=1, state="") == "/admin?q=a%26b"
    assert Query().link() == "/admin"


def test_counts_pages_and_clamp():
    states = {
        "f0": FetchState(errors=2),  # failing: nothing stored
        "f1": FetchState(errors=1, item_count=4),  # degraded
        "f2": FetchState(last_success=1.0, item_count=3),
        "toot": FetchState(last_success=1.0),
    }
    first = page(Query(), states)
    assert first.ids == ["f0", "f1", "f2"] and first.matched == 9 and first.pages == 3
    assert first.by_state == {"ok": 2, "degraded": 1, "failing": 1, "pending": 5}
    assert first.by_type == {"feed": 8, "mastodon": 1}
    last = page(Query(page=99), states)
    assert last.query.page == 3 and last.ids == ["f6", "news", "toot"] and last.first == 7
    ok = page(Query(state="ok"), states)
    assert ok.ids == ["f2", "toot"] and ok.by_type == {"feed": 1, "mastodon": 1}
    assert page(Query(type="mastodon"), states).by_state["ok"] == 1


def test_search_looks_at_id_type_where_and_name_but_never_a_secret():
    named = {"f3": FetchState(meta={PROFILE: {"name": "The Daily Planet"}})}
    assert page(Query(q="DAILY planet"), named).ids == ["f3"]
    assert page(Query(q="someone@example.social")).ids == ["toot"]
    assert page(Query(q="mastodon")).ids == ["toot"]
    assert page(Query(q="/5.xml")).ids == ["f5"]
    assert page(Query(q="hunter2")).ids == []  # an environment value is not searchable
    assert page(Query(q="${FEED_KEY}")).ids == ["news"]
    cfg = config()
    assert where(cfg.sources["news"], cfg.mask) == "https://example.org/feed?key=${FEED_KEY}"


def test_search_texts_follow_a_new_state():
    cfg = config()
    texts = SearchTexts()
    before = FetchState()
    assert "planet" not in texts.of("f1", cfg.sources["f1"], before, cfg.mask)
    after = FetchState(meta={PROFILE: {"name": "Planet"}})
    assert "planet" in texts.of("f1", cfg.sources["f1"], after, cfg.mask)
    texts.forget(["f2"])
    assert len(texts) == 0
