"""A source's history in every backend: memory, a SQLite file and the real Redis give the same
pages from the same positions; a store written by the previous release opens with its items."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from feedhub.models import FetchState, Item, item_json
from feedhub.store.base import LAST_ID, Store, position
from feedhub.store.memory import MemoryStore
from feedhub.store.redis import RedisStore
from feedhub.store.schema import REDIS_VERSION, SQLITE_VERSION
from feedhub.store.sqlite import SqliteStore
from tests import redis_support
from tests.redis_support import REDIS_URL

redis_prefix = redis_support.redis_prefix
T0 = datetime(2026, 2, 1, tzinfo=UTC)


def items(count: int, source: str = "s", *, ties: int = 1) -> list[Item]:
    """`count` items, `ties` of them sharing each date; a pinned one and an undated one."""
    out = [
        Item(
            id=f"i{n:04d}",
            source=source,
            url=f"https://example.org/{n}",
            title=f"Item {n}",
            published=T0 + timedelta(minutes=n // ties),
        )
        for n in range(count)
    ]
    out.append(
        Item(id="pin", source=source, url="https://example.org/p", pinned=True, published=T0)
    )
    out.append(Item(id="undated", source=source, url="https://example.org/u"))
    return out


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def store(request, tmp_path) -> AsyncIterator[Store]:
    prefix = f"feedhub-test-{uuid.uuid4().hex[:10]}"
    if request.param == "redis":
        await redis_answers()
        s: Store = RedisStore(REDIS_URL, prefix)
    elif request.param == "sqlite":
        s = SqliteStore(tmp_path / "db.sqlite3")
    else:
        s = MemoryStore()
    await s.open()
    yield s
    await s.close()
    if request.param == "redis":
        r = aioredis.from_url(REDIS_URL)
        if keys := [k async for k in r.scan_iter(f"{prefix}:*")]:
            await r.delete(*keys)
        await r.aclose()


async def redis_answers() -> None:
    """Skip without a Redis, as tests/redis_support.py does (never under CI=true)."""
    r = aioredis.from_url(REDIS_URL, socket_connect_timeout=1.0)
    try:
        await r.ping()
    except (RedisError, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Redis at {REDIS_URL}: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL} ({exc})")
    finally:
        await r.aclose()


async def test_pages_walk_every_item_once_in_one_order(store):
    saved = items(57, ties=3)
    await store.save("s", FetchState(digest="d"), saved)
    expected = sorted(saved, key=position, reverse=True)
    assert [it.id for it in expected[:2]] == ["pin", "i0056"] and expected[-1].id == "undated"
    walked, after = [], None
    while True:
        page = await store.page("s", 5, after)
        if not page:
            break
        assert len(page) <= 5
        walked += page
        after = position(page[-1])
    assert walked == expected
    assert await store.recent_items("s", 4) == expected[:4]
    assert sorted(await store.get_items("s"), key=position, reverse=True) == expected


async def test_a_position_between_ties_and_past_them(store):
    saved = items(12, ties=4)  # i0000..i0003 share T0, and so on
    await store.save("s", FetchState(digest="d"), saved)
    rank = saved[5].rank  # i0004..i0007
    assert [it.id for it in await store.page("s", 10, (rank, "i0006"))][:4] == [
        "i0005",
        "i0004",
        "i0003",
        "i0002",
    ]
    assert [it.id for it in await store.page("s", 2, (rank, LAST_ID))] == ["i0007", "i0006"]
    assert [it.id for it in await store.page("s", 1, (rank, ""))] == ["i0003"]
    assert await store.page("s", 3, (float("-inf"), "")) == []


async def test_a_save_replaces_the_items_and_an_edit_its_version(store):
    await store.save("s", FetchState(digest="a"), items(5))
    edited = [
        Item(id="i0004", source="s", url="https://example.org/4", title="Edited", published=T0)
    ]
    await store.save("s", FetchState(digest="b"), edited)
    assert await store.get_items("s") == edited
    assert await store.page("s", 5) == edited
    await store.save("s", FetchState(digest="c"), None)  # the state only: the items stay
    assert await store.page("s", 5) == edited


def previous_release_sqlite(path) -> list[Item]:  # type: ignore[no-untyped-def]
    """A SQLite file exactly as the release before this one wrote it (schema version 3)."""
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE items (source TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
            rank REAL, PRIMARY KEY (source, id));
        CREATE TABLE state (source TEXT PRIMARY KEY, data TEXT NOT NULL);
        CREATE INDEX items_rank ON items (source, rank DESC);
        CREATE TABLE media_records (url TEXT PRIMARY KEY, digest TEXT NOT NULL,
            data TEXT NOT NULL);
        CREATE INDEX media_records_digest ON media_records (digest);
        PRAGMA user_version = 3;
        """
    )
    saved = items(30)
    db.executemany(
        "INSERT INTO items VALUES (?, ?, ?, ?)",
        [("blog", it.id, item_json(it), it.rank) for it in saved],
    )
    db.execute(
        "INSERT INTO state VALUES (?, ?)",
        ("blog", json.dumps(FetchState(digest="old", item_count=32).to_dict())),
    )
    db.commit()
    db.close()
    return sorted(saved, key=position, reverse=True)


async def test_the_previous_releases_sqlite_store_opens_with_its_items(tmp_path):
    path = tmp_path / "feedhub.sqlite3"
    expected = previous_release_sqlite(path)
    store = SqliteStore(path)
    await store.open()
    try:
        assert await store.page("blog", 100) == expected
        assert await store.page("blog", 3, position(expected[9])) == expected[10:13]
        assert (await store.get_state("blog")).item_count == 32  # type: ignore[union-attr]
    finally:
        await store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (SQLITE_VERSION,)
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "items_order" in indexes and "items_rank" not in indexes
    db.close()


@pytest.mark.redis
async def test_the_previous_releases_redis_store_opens_with_its_items(redis_prefix):
    r = aioredis.from_url(REDIS_URL, decode_responses=True)
    saved = sorted(items(30), key=lambda it: it.rank, reverse=True)
    # As the release before wrote them: a list of JSON in rank order, the state, the stamp 1.
    await r.rpush(f"{redis_prefix}:ranked:blog", *(item_json(it) for it in saved))
    await r.hset(f"{redis_prefix}:states", "blog", json.dumps(FetchState(digest="old").to_dict()))
    await r.set(f"{redis_prefix}:schema", "1")
    store = RedisStore(REDIS_URL, redis_prefix)
    await store.open()
    try:
        expected = sorted(saved, key=position, reverse=True)
        assert await store.page("blog", 100) == expected
        assert await store.page("blog", 4, position(expected[5])) == expected[6:10]
        assert sorted(await store.get_items("blog"), key=position, reverse=True) == expected
    finally:
        await store.close()
    assert await r.get(f"{redis_prefix}:schema") == str(REDIS_VERSION)
    assert not await r.exists(f"{redis_prefix}:ranked:blog")  # moved, not copied
    assert await r.zcard(f"{redis_prefix}:order:blog") == len(saved)
    await r.aclose()
