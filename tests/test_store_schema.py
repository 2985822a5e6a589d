"""Upgrades keep the data: the stores carry a schema version, migrate in place, refuse newer ones.

The fixtures under tests/fixtures/store/ were written by the release before schema versions
(the script beside them says how): the new release must read them as that release did.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from feedhub.models import FetchState, Item
from feedhub.store.redis import RedisStore
from feedhub.store.schema import (
    REDIS_STEPS,
    REDIS_VERSION,
    SQLITE_STEPS,
    SQLITE_VERSION,
    SchemaError,
    migrate_redis,
    migrate_sqlite,
    redis_version,
    sqlite_version,
)
from feedhub.store.sqlite import SqliteStore
from tests.conftest import FIXTURES, free_port, write_config
from tests.redis_support import REDIS_URL, redis_prefix  # noqa: F401 (fixture)

STORE = FIXTURES / "store"
EXPECTED: dict[str, Any] = json.loads((STORE / "v0.expected.json").read_text())
REDIS_KEYS: dict[str, Any] = json.loads((STORE / "v0.redis.json").read_text())


def v0_copy(tmp_path: Path) -> Path:
    path = tmp_path / "feedhub.sqlite3"
    shutil.copyfile(STORE / "v0.sqlite3", path)
    return path


def assert_as_before(states: dict[str, FetchState], items: dict[str, list[Item]]) -> None:
    """The states and items are those the release before read back (fields it had)."""
    assert sorted(states) == sorted(EXPECTED) == ["blog", "broken"]
    for sid, want in EXPECTED.items():
        state = states[sid].to_dict()
        assert {k: state[k] for k in want["state"]} == want["state"]
        got = sorted(
            (json.loads(json.dumps(it.to_dict())) for it in items[sid]), key=lambda d: d["id"]
        )
        assert [{k: d[k] for k in w} for d, w in zip(got, want["items"], strict=True)] == want[
            "items"
        ]
    # spelled out, so a reader sees what survived
    assert states["blog"].etag == '"v0-blog-etag"'
    assert states["blog"].last_modified == "Tue, 24 Nov 2026 10:00:00 GMT"
    assert states["blog"].next_check == EXPECTED["blog"]["state"]["next_check"] > 1.7e9
    assert states["broken"].errors == 1 and "HTTP 500" in states["broken"].last_error
    assert [it.title for it in sorted(items["blog"], key=lambda it: it.id)] == [
        "Second post: images & links",
        "First post",
    ]


def connect(path: Path) -> sqlite3.Connection:
    """A connection as the SQLite store makes it (autocommit; WAL is the file's own mode)."""
    return sqlite3.connect(path, isolation_level=None)


# -- SQLite ---------------------------------------------------------------------------


async def test_the_release_befores_sqlite_store_opens_with_its_items_and_fetch_state(
    tmp_path, caplog
):
    caplog.set_level(logging.INFO, logger="feedhub.store")
    path = v0_copy(tmp_path)
    with closing(connect(path)) as db:
        assert sqlite_version(db) == 0
    store = SqliteStore(path)
    await store.open()
    states = await store.all_states()
    items = {sid: await store.get_items(sid) for sid in states}
    await store.close()
    assert_as_before(states, items)
    assert f"{path}: schema version 0 migrated to {SQLITE_VERSION}" in caplog.text
    db = connect(path)
    assert sqlite_version(db) == SQLITE_VERSION
    db.close()
    # opened again: already current, nothing to do, same data
    store = SqliteStore(path)
    await store.open()
    assert (await store.get_state("blog")) == states["blog"]
    await store.close()


async def test_a_sqlite_store_stamped_by_a_newer_release_is_refused_untouched(tmp_path):
    path = v0_copy(tmp_path)
    db = connect(path)
    db.execute(f"PRAGMA user_version = {SQLITE_VERSION + 5}")
    db.close()
    before = path.read_bytes()
    store = SqliteStore(path)
    with pytest.raises(SchemaError) as refused:
        await store.open()
    await store.close()
    message = str(refused.value)
    assert f"schema version {SQLITE_VERSION + 5}" in message
    assert f"up to {SQLITE_VERSION}" in message and str(path) in message
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feedhub.sqlite3"]


def test_the_new_release_renders_the_release_befores_items_without_asking_upstream(tmp_path):
    """A site upgrades and renders at once: what it had stored is what its widget shows."""
    path = v0_copy(tmp_path)
    port = free_port()  # nothing listens there: the upstream is not asked
    config = write_config(
        tmp_path,
        {
            "storage": {"backend": "sqlite", "path": path.name},
            "sources": {
                sid: {"type": "feed", "url": f"http://127.0.0.1:{port}/{sid}.xml"}
                for sid in ("blog", "broken")
            },
            "widgets": {"side": {"title": "Blog", "sources": ["blog", "broken"]}},
        },
    )
    result = subprocess.run(
        [sys.executable, "-m", "feedhub", "render", "side", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Second post: images &amp; links" in result.stdout and "First post" in result.stdout
    with closing(connect(path)) as db:
        assert sqlite_version(db) == SQLITE_VERSION


def test_serve_refuses_a_newer_store_with_a_message_not_a_traceback(tmp_path):
    path = v0_copy(tmp_path)
    db = connect(path)
    db.execute(f"PRAGMA user_version = {SQLITE_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    config = write_config(
        tmp_path,
        {"storage": {"backend": "sqlite", "path": path.name}, "server": {"port": free_port()}},
    )
    result = subprocess.run(
        [sys.executable, "-m", "feedhub", "serve", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        f"feedhub: {path} has schema version {SQLITE_VERSION + 1}, written by a newer "
        "feedhub" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_a_new_step_migrates_the_store_in_place(tmp_path):
    path = v0_copy(tmp_path)
    steps = [
        *SQLITE_STEPS,
        "CREATE TABLE media (name TEXT PRIMARY KEY, bytes INTEGER NOT NULL);"
        "INSERT INTO media VALUES ('a;b.webp', 3)",
    ]  # a ';' inside a literal
    db = connect(path)
    assert migrate_sqlite(db, str(path), steps) == 0
    assert sqlite_version(db) == len(steps) == SQLITE_VERSION + 1
    assert db.execute("SELECT name FROM media").fetchall() == [("a;b.webp",)]
    assert db.execute("SELECT count(*) FROM items").fetchone() == (2,)
    assert migrate_sqlite(db, str(path), steps) == len(steps)  # current: nothing runs
    db.close()


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path):
    path = v0_copy(tmp_path)
    before = path.read_bytes()
    steps = [
        *SQLITE_STEPS,
        "CREATE TABLE media (name TEXT PRIMARY KEY);"
        "UPDATE items SET data = '{}';"
        "INSERT INTO no_such_table VALUES (1)",
    ]
    db = connect(path)
    with pytest.raises(SchemaError) as failed:
        migrate_sqlite(db, str(path), steps)
    assert f"from schema version 0 to {len(steps)} failed" in str(failed.value)
    assert "no such table: no_such_table" in str(failed.value)
    assert not db.in_transaction and sqlite_version(db) == 0
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'media'").fetchall() == []
    db.close()
    assert path.read_bytes() == before


def test_a_new_file_gets_the_current_schema(tmp_path):
    db = connect(tmp_path / "new.sqlite3")
    assert migrate_sqlite(db, "new") == 0 and sqlite_version(db) == SQLITE_VERSION
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"items", "state"} <= tables
    db.close()


# -- Redis ----------------------------------------------------------------------------


async def load_v0_keys(r: aioredis.Redis, prefix: str) -> None:
    """The keys the release before wrote, under this test's prefix."""
    for key, value in REDIS_KEYS.items():
        name = prefix + key.removeprefix("v0")
        if isinstance(value, dict):
            await r.hset(name, mapping=value)
        else:
            await r.set(name, value)


@pytest.mark.redis
async def test_the_release_befores_redis_keys_open_with_their_items_and_fetch_state(redis_prefix):  # noqa: F811
    r = aioredis.from_url(REDIS_URL, decode_responses=True)
    await load_v0_keys(r, redis_prefix)
    assert await redis_version(r, redis_prefix) == 0
    store = RedisStore(REDIS_URL, prefix=redis_prefix)
    await store.open()
    states = await store.all_states()
    items = {sid: await store.get_items(sid) for sid in states}
    await store.close()
    assert_as_before(states, items)
    assert await r.get(f"{redis_prefix}:schema") == str(REDIS_VERSION)
    await r.aclose()


@pytest.mark.redis
async def test_a_redis_store_stamped_by_a_newer_release_is_refused_untouched(redis_prefix):  # noqa: F811
    r = aioredis.from_url(REDIS_URL)
    await load_v0_keys(r, redis_prefix)
    await r.set(f"{redis_prefix}:schema", REDIS_VERSION + 3)
    keys = sorted([k async for k in r.scan_iter(f"{redis_prefix}:*")])
    before = [await r.dump(k) for k in keys]
    store = RedisStore(REDIS_URL, prefix=redis_prefix)
    with pytest.raises(SchemaError) as refused:
        await store.open()
    await store.close()
    assert f"schema version {REDIS_VERSION + 3}" in str(refused.value)
    assert f"up to {REDIS_VERSION}" in str(refused.value)
    assert sorted([k async for k in r.scan_iter(f"{redis_prefix}:*")]) == keys
    assert [await r.dump(k) for k in keys] == before
    await r.aclose()


@pytest.mark.redis
async def test_a_redis_step_runs_once_and_a_failing_one_is_reported(redis_prefix):  # noqa: F811
    r = aioredis.from_url(REDIS_URL, decode_responses=True)
    await load_v0_keys(r, redis_prefix)
    rename = "redis.call('RENAME', ARGV[1] .. ':states', ARGV[1] .. ':fetch-states')"
    steps = [*REDIS_STEPS, rename]
    assert await migrate_redis(r, redis_prefix, steps) == 0
    assert await redis_version(r, redis_prefix) == REDIS_VERSION + 1
    assert await r.hkeys(f"{redis_prefix}:fetch-states") != []
    assert await migrate_redis(r, redis_prefix, steps) == REDIS_VERSION + 1  # ran once
    failing = [*steps, "redis.call('NO-SUCH-COMMAND')"]
    with pytest.raises(SchemaError) as failed:
        await migrate_redis(r, redis_prefix, failing)
    assert f"from schema version {REDIS_VERSION + 1} to {REDIS_VERSION + 2} failed" in str(
        failed.value
    )
    assert await redis_version(r, redis_prefix) == REDIS_VERSION + 1
    await r.aclose()
