"""`feedhub store backup` while the daemon polls, `restore` elsewhere: the same items, the same
ETags. Backups carry every table and key, also those this code does not know."""

from __future__ import annotations

import asyncio
import sqlite3
import urllib.request
from pathlib import Path

import redis.asyncio as aioredis

from feedhub.store.redis_dump import dump_redis, load_redis, read_dump, write_dump
from tests import redis_support
from tests.conftest import fixture_bytes, free_port, wait_until, write_config
from tests.redis_support import REDIS_URL
from tests.store_support import feedhub

redis_prefix = redis_support.redis_prefix


def get(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.read(), resp.headers["ETag"]


def config(folder: Path, port: int, feed: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_config(
        folder,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": "var/feedhub.sqlite3"},
            "fetch": {"allow_private_addresses": True, "interval": "1s"},
            "sources": {"blog": {"type": "feed", "url": feed}},
            "widgets": {"side": {"sources": ["blog"], "limit": 50}},
        },
    )


def states(path: Path) -> dict[str, str]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT source, data FROM state"))
    finally:
        db.close()


async def test_backup_while_polling_then_restore_serves_the_same(tmp_path, upstream, daemon):
    upstream.set("/feed", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    port = free_port()
    feed = upstream.url("/feed")
    live = config(tmp_path / "live", port, feed)
    first = daemon(live, port)
    # A few polls in (once a second), so the backup is taken while polls write.
    await wait_until(lambda: len(upstream.requests_to("/feed")) >= 3, timeout=15)
    run = await asyncio.to_thread(
        feedhub, "store", "backup", "-c", str(live), str(tmp_path / "backup.sqlite3")
    )
    assert run.returncode == 0, run.stderr
    assert "ok" in run.stdout
    served = {
        fmt: await asyncio.to_thread(get, f"{first.url}/w/side.{fmt}") for fmt in ("json", "html")
    }
    first.proc.terminate()
    first.proc.wait()

    await upstream.server.close()  # the restored copy must serve without its upstream
    fresh = config(tmp_path / "fresh", port, feed)
    run = await asyncio.to_thread(
        feedhub, "store", "restore", "-c", str(fresh), str(tmp_path / "backup.sqlite3")
    )
    assert run.returncode == 0, run.stderr
    restored = tmp_path / "fresh" / "var" / "feedhub.sqlite3"
    assert sqlite3.connect(restored).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    second = daemon(fresh, port)
    for fmt, (body, etag) in served.items():
        assert await asyncio.to_thread(get, f"{second.url}/w/side.{fmt}") == (body, etag)
    assert '"etag": "\\"' in states(restored)["blog"]  # the upstream's ETag came along


def test_a_sqlite_backup_carries_every_table(tmp_path):
    live = config(tmp_path / "live", free_port(), "https://example.org/feed")
    db = tmp_path / "live" / "var" / "feedhub.sqlite3"
    db.parent.mkdir(parents=True)
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE media (name TEXT PRIMARY KEY, data BLOB) WITHOUT ROWID")
    con.execute("INSERT INTO media VALUES ('a.webp', x'00ff')")
    con.execute("PRAGMA user_version = 3")
    con.commit()
    con.close()
    assert feedhub("store", "backup", "-c", str(live), str(tmp_path / "b.sqlite3")).returncode == 0
    fresh = config(tmp_path / "fresh", free_port(), "https://example.org/feed")
    run = feedhub("store", "restore", "-c", str(fresh), str(tmp_path / "b.sqlite3"))
    assert run.returncode == 0, run.stderr
    back = sqlite3.connect(tmp_path / "fresh" / "var" / "feedhub.sqlite3")
    assert back.execute("SELECT name, data FROM media").fetchall() == [("a.webp", b"\x00\xff")]
    assert back.execute("PRAGMA user_version").fetchone() == (3,)
    check = feedhub("store", "check", "-c", str(fresh))
    assert check.returncode == 0 and "schema version 3" in check.stdout


async def test_a_redis_dump_carries_every_key_but_the_leases(tmp_path, redis_prefix):
    client = aioredis.from_url(REDIS_URL)
    p = redis_prefix
    await client.hset(f"{p}:states", "blog", '{"etag": "\\"v1\\""}')
    await client.set(f"{p}:items:blog", "[]")
    await client.set(f"{p}:schema", "2")
    await client.hset(f"{p}:media:a.webp", mapping={"width": "320", "bytes": b"\x00\xff"})
    await client.set(f"{p}:lease:blog", "replica-1", px=30000)
    write_dump(tmp_path / "dump", p, await dump_redis(client, p))
    entries = read_dump(tmp_path / "dump")
    assert sorted(rel for rel, _ in entries) == ["items:blog", "media:a.webp", "schema", "states"]
    await load_redis(client, f"{p}.copy", entries)
    assert await client.hgetall(f"{p}.copy:media:a.webp") == {
        b"width": b"320",
        b"bytes": b"\x00\xff",
    }
    assert await client.get(f"{p}.copy:schema") == b"2"
    assert await client.exists(f"{p}.copy:lease:blog") == 0
    for key in [k async for k in client.scan_iter(f"{p}.copy:*")]:
        await client.delete(key)
    await client.aclose()

    cut = tmp_path / "cut"
    cut.write_text("\n".join((tmp_path / "dump").read_text().splitlines()[:-1]))
    try:
        read_dump(cut)
    except Exception as exc:
        assert "not a whole feedhub Redis dump" in str(exc)
    else:
        raise AssertionError("a cut dump was accepted")
