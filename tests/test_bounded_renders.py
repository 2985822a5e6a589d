"""No query string makes a request cost more than a prepared answer: stores read only the
items a widget can show (in rank order, by an index), a source keeps at most `max_items`,
and `limit` / `locale` values are answered from a small fixed set of prepared variants."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from feedhub.models import FetchState, Item
from feedhub.store.memory import MemoryStore
from feedhub.store.redis import RedisStore
from feedhub.store.sqlite import SqliteStore
from tests.conftest import make_config
from tests.redis_support import REDIS_URL, redis_prefix  # noqa: F401  (a fixture)

START = datetime(2026, 1, 1, tzinfo=UTC)


def items(count: int, source: str = "big") -> list[Item]:
    """`count` items, shuffled out of time order, the oldest one pinned by its platform."""
    made = [
        Item(
            id=f"i{n}",
            source=source,
            url=f"https://example.org/{n}",
            title=f"Post {n}",
            published=START + timedelta(minutes=n),
            pinned=n == 0,
        )
        for n in range(count)
    ]
    return made[1::2] + made[::2]


@contextlib.asynccontextmanager
async def opened(kind: str, tmp_path, prefix: str) -> AsyncIterator[object]:
    store = {
        "memory": MemoryStore,
        "sqlite": lambda: SqliteStore(tmp_path / "s.sqlite3"),
        "redis": lambda: RedisStore(REDIS_URL, prefix),
    }[kind]()
    await store.open()
    try:
        yield store
    finally:
        await store.close()


@pytest.mark.parametrize(
    "kind", ["memory", "sqlite", pytest.param("redis", marks=pytest.mark.redis)]
)
async def test_every_store_reads_the_first_items_by_rank(kind, tmp_path, redis_prefix):  # noqa: F811
    async with opened(kind, tmp_path, redis_prefix) as store:
        await store.save("big", FetchState(digest="d"), items(500))
        first = await store.recent_items("big", 4)
        assert [it.id for it in first] == ["i0", "i499", "i498", "i497"]  # pinned, then newest
        assert len(await store.get_items("big")) == 500
        assert await store.recent_items("none", 4) == []


async def test_sqlite_reads_a_widget_by_its_index(tmp_path, feedhub_service, upstream):
    """The SQL a widget request runs: the first rows of the rank index, never every row."""
    path = tmp_path / "feedhub.sqlite3"
    store = SqliteStore(path)
    await store.open()
    await store.save("big", FetchState(digest="seeded", item_count=5000), items(5000))
    await store.close()
    cfg = make_config(
        tmp_path,
        {
            "sources": {
                "big": {"type": "feed", "url": upstream.url("/never.xml"), "max_items": 5000}
            },
            "widgets": {"side": {"sources": ["big"], "limit": 5}},
        },
    )
    running = await feedhub_service(cfg)
    db = running.service.store.db  # type: ignore[attr-defined]
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    status, body, _ = await running.get("/w/side.json?limit=3")
    assert status == 200
    shown = [it["title"] for it in json.loads(body)["items"]]
    assert shown == ["Post 0", "Post 4999", "Post 4998"]
    reads = [s for s in statements if "FROM items" in s]
    assert reads and all("ORDER BY rank DESC, id DESC LIMIT" in s for s in reads), reads
    plan = (
        sqlite3.connect(path)
        .execute(
            "EXPLAIN QUERY PLAN SELECT data FROM items WHERE source = 'big' "
            "ORDER BY rank DESC, id DESC LIMIT 5"
        )
        .fetchall()
    )
    assert any("items_order" in str(row) for row in plan), plan
    assert not any("TEMP B-TREE" in str(row) for row in plan), plan


async def test_a_store_written_before_ranks_is_read_in_rank_order(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE items (source TEXT NOT NULL, id TEXT NOT NULL, "
        "data TEXT NOT NULL, PRIMARY KEY (source, id));"
        "CREATE TABLE state (source TEXT PRIMARY KEY, data TEXT NOT NULL);"
    )
    db.executemany(
        "INSERT INTO items VALUES (?, ?, ?)",
        [("big", it.id, json.dumps(it.to_dict())) for it in items(30)],
    )
    db.commit()
    db.close()
    store = SqliteStore(path)
    await store.open()
    try:
        assert [it.id for it in await store.recent_items("big", 3)] == ["i0", "i29", "i28"]
    finally:
        await store.close()


async def test_a_source_keeps_its_newest_max_items(tmp_path, upstream, feedhub_service):
    entries = "".join(
        f"<item><guid>https://example.org/{n}</guid><title>Entry {n}</title>"
        f"<pubDate>Mon, {n + 1:02d} Jun 2026 10:00:00 GMT</pubDate></item>"
        for n in range(30)
    )
    upstream.set(
        "/feed.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t'
        f"</title>{entries}</channel></rss>",
    )
    cfg = make_config(
        tmp_path,
        {
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml"), "max_items": 7}},
            "widgets": {"side": {"sources": ["blog"], "limit": 20}},
        },
    )
    running = await feedhub_service(cfg)
    await running.poll_all()
    stored = await running.service.store.get_items("blog")
    assert sorted(it.title for it in stored) == sorted(f"Entry {n}" for n in range(23, 30))
    status, body, _ = await running.get("/w/side.json")
    assert status == 200 and len(json.loads(body)["items"]) == 7


async def test_query_values_are_answered_from_prepared_variants(
    tmp_path, upstream, feedhub_service
):
    entries = "".join(
        f"<item><guid>https://example.org/{n}</guid><title>Entry {n}</title></item>"
        for n in range(30)
    )
    upstream.set(
        "/feed.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t'
        f"</title>{entries}</channel></rss>",
    )
    cfg = make_config(
        tmp_path,
        {
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {
                "side": {
                    "sources": ["blog"],
                    "limit": 22,
                    "locale": "fr",
                    "locales": ["en", "pt_BR"],
                }
            },
        },
    )
    running = await feedhub_service(cfg)
    await running.poll_all()

    async def etag(query: str) -> str:
        status, _, headers = await running.get(f"/w/side.html?{query}")
        assert status == 200, query
        return headers["ETag"]

    assert await etag("limit=4") != await etag("limit=3")  # up to 10, every limit is exact
    assert await etag("limit=11") == await etag("limit=10") != await etag("limit=12")
    assert await etag("limit=21") == await etag("limit=20") != await etag("limit=22")
    assert await etag("locale=de") == await etag("")  # not prepared: the widget's own
    assert await etag("locale=en_AU") == await etag("locale=en")
    assert await etag("locale=pt") == await etag("locale=pt_BR")
    queries = [
        f"limit={limit}&locale={locale}&theme={theme}&scheme={scheme}"
        for limit in range(1, 23)
        for locale in ("de", "ja", "en_GB", "pt_PT")
        for theme in sorted(running.service.widgets.renderer.themes)
        for scheme in ("light", "dark", "auto")
    ]
    for query in queries:
        await etag(query)
    renders = running.service.widgets.renders.misses
    for query in queries:  # every one of them is now a prepared answer
        await etag(query)
    assert running.service.widgets.renders.misses == renders
    keys = {
        (k.limit, k.locale)
        for k in running.service.widgets.renders.keys_for("side")
        if k.fmt == "html"
    }
    assert {limit for limit, _ in keys} <= {*range(1, 11), 12, 15, 20, 22}
    assert {locale for _, locale in keys} <= {"fr", "en", "pt_BR"}
