"""The `feedhub store` actions through the backends' `Maintenance`, where the command-line
tests do not reach: Redis checked, backed up, restored, set aside and copied (to Redis and
to SQLite), and what a backend has no use for refused with where it works."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis.asyncio as aioredis

from feedhub.config import StorageConfig
from feedhub.store import open_store
from feedhub.store.base import Refused, opened
from feedhub.store.operations import (
    BadTarget,
    backup_kind,
    copy,
    maintenance_for,
    parse_target,
    restore,
)
from tests import redis_support
from tests.redis_support import REDIS_URL
from tests.store_support import counts, fill, fill_store

redis_prefix = redis_support.redis_prefix
pytestmark = pytest.mark.redis


def redis_cfg(prefix: str) -> StorageConfig:
    return StorageConfig(backend="redis", url=REDIS_URL, prefix=prefix)


async def filled_redis(prefix: str, sources: dict[str, int]) -> StorageConfig:
    cfg = redis_cfg(prefix)
    store = open_store(cfg)
    async with opened(store):
        await fill_store(store, sources)
    return cfg


async def forget(prefix: str) -> None:
    client = aioredis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter(f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_redis_check_backup_and_restore(tmp_path, redis_prefix):
    cfg = await filled_redis(redis_prefix, {"blog": 4, "news": 2})
    checked = await maintenance_for(cfg, ".", "check").check()
    assert checked.ok and checked.lines[0].startswith(f"redis prefix {redis_prefix!r}: ok")

    dump = tmp_path / "dump.jsonl"
    done = await maintenance_for(cfg, ".", "backup").backup(dump)
    assert done.ok and f"to {dump}" in done.lines[0]
    assert backup_kind(dump) == "redis"

    store = open_store(cfg)
    async with opened(store):
        await store.delete("news")
    restored = await restore(cfg, ".", dump)
    assert restored.ok and f"kept under '{redis_prefix}.replaced-" in restored.lines[1]
    assert await counts(open_store(cfg)) == {"blog": 4, "news": 2}
    await forget(f"{redis_prefix}.replaced-")


async def test_redis_check_finds_a_damaged_value(redis_prefix):
    cfg = await filled_redis(redis_prefix, {"blog": 1})
    client = aioredis.from_url(REDIS_URL)
    await client.rpush(f"{redis_prefix}:ranked:blog", "not json")
    await client.aclose()
    checked = await maintenance_for(cfg, ".", "check").check()
    assert not checked.ok and "DAMAGED" in checked.lines[0]
    assert any("values that are not JSON" in line for line in checked.lines)


async def test_redis_quarantine_empties_the_prefix(redis_prefix):
    cfg = await filled_redis(redis_prefix, {"blog": 2})
    done = await maintenance_for(cfg, ".", "quarantine").quarantine()
    assert "the replicas poll every source afresh" in done.lines[0]
    assert await counts(open_store(cfg)) == {}
    await forget(f"{redis_prefix}.damaged-")


async def test_redis_to_redis_copies_every_key_and_refuses_one_with_data(redis_prefix):
    cfg = await filled_redis(redis_prefix, {"blog": 3})
    other = f"{redis_prefix}-other"
    try:
        done = await copy(cfg, ".", REDIS_URL, other, force=False)
        assert f"under {other!r}" in done.lines[0]
        assert await counts(open_store(redis_cfg(other))) == {"blog": 3}
        with pytest.raises(Refused, match="--force replaces them"):
            await copy(cfg, ".", REDIS_URL, other, force=False)
        with pytest.raises(Refused, match="is the configured store itself"):
            await copy(cfg, ".", REDIS_URL, None, force=True)
    finally:
        await forget(other)


async def test_redis_to_sqlite_through_the_interface(tmp_path, redis_prefix):
    cfg = await filled_redis(redis_prefix, {"blog": 3, "news": 1})
    client = aioredis.from_url(REDIS_URL)
    await client.set(f"{redis_prefix}:extra:x", "1")
    await client.aclose()
    done = await copy(cfg, str(tmp_path), "sqlite:copy.sqlite3", None, force=False)
    assert done.lines == [
        "copied 2 sources (4 items with their fetch state) to sqlite:copy.sqlite3",
        "  not carried: keys extra:*",
    ]
    target = StorageConfig(backend="sqlite", path="copy.sqlite3")
    assert await counts(open_store(target, str(tmp_path))) == {"blog": 3, "news": 1}


async def test_what_a_backend_has_no_use_for_is_refused_saying_where_it_works(
    tmp_path, redis_prefix
):
    with pytest.raises(
        Refused,
        match=r"not for the memory backend \(this works on: "
        r"sqlite, redis\)",
    ):
        maintenance_for(StorageConfig(backend="memory"), ".", "backup")
    with pytest.raises(Refused, match=r"not for the redis backend \(this works on: sqlite\)"):
        maintenance_for(redis_cfg(redis_prefix), ".", "recover")


async def test_a_backup_restores_only_into_its_own_backend(tmp_path, redis_prefix):
    db = tmp_path / "feedhub.sqlite3"
    await fill(db, {"blog": 1})
    with pytest.raises(Refused, match="is a sqlite backup and storage.backend is redis"):
        await restore(redis_cfg(redis_prefix), ".", db)
    junk = tmp_path / "junk"
    junk.write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match="neither a SQLite backup nor a feedhub Redis dump"):
        backup_kind(junk)


def test_a_copy_target_is_named_by_url():
    assert parse_target("sqlite:///srv/a.sqlite3", "p") == StorageConfig(
        backend="sqlite", path="/srv/a.sqlite3"
    )
    assert parse_target("sqlite:var/a.sqlite3", "p").path == "var/a.sqlite3"
    assert parse_target("rediss://h:6380/1", "p") == StorageConfig(
        backend="redis", url="rediss://h:6380/1", prefix="p"
    )
    with pytest.raises(
        BadTarget,
        match="expected sqlite:///path/to/file.sqlite3, "
        "sqlite:relative/path or redis://host:port/db",
    ):
        parse_target("sqlite://host/x", "p")


async def test_sqlite_backup_of_a_missing_store_is_refused(tmp_path):
    cfg = StorageConfig(backend="sqlite", path="none.sqlite3")
    with pytest.raises(Refused, match="no store at .* yet"):
        await maintenance_for(cfg, str(tmp_path), "backup").backup(Path(tmp_path / "b"))
    assert not (tmp_path / "b").exists()
