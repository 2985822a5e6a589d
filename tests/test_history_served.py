"""Posts that scroll out of an upstream's feed stay, through `feedhub serve` on a real SQLite
file and on the real Redis, and after `feedhub store copy` to Redis; retention (`max_items`,
`max_age`) is applied."""

from __future__ import annotations

import asyncio

from tests.conftest import write_config
from tests.history_support import (
    changed,
    feed_of,
    numbered,
    shows,
    start_daemon,
    titles,
)
from tests.redis_support import REDIS_URL, redis_prefix  # noqa: F401  (fixture)
from tests.store_support import feedhub

FORTY = list(range(1, 41))
TEN_NEWEST = list(range(31, 41))


async def scrolls(daemon, tmp_path, upstream, storage):  # type: ignore[no-untyped-def]
    upstream.set("/feed", feed_of(FORTY))
    d = start_daemon(daemon, tmp_path, upstream, storage)
    assert numbered(await shows(d, 40)) == list(range(40, 0, -1))
    await changed(upstream, "/feed", feed_of(TEN_NEWEST))  # the feed now lists its 10 newest
    assert numbered(await titles(d)) == list(range(40, 0, -1))
    # A new post: it joins them, nothing is lost.
    await changed(upstream, "/feed", feed_of([41, *range(32, 41)]))
    assert numbered(await shows(d, 41)) == list(range(41, 0, -1))
    return d


async def test_scrolled_out_posts_stay_on_sqlite(tmp_path, upstream, daemon):
    storage = {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")}
    await scrolls(daemon, tmp_path, upstream, storage)


async def test_scrolled_out_posts_stay_on_redis(tmp_path, upstream, daemon, redis_prefix):  # noqa: F811
    storage = {"backend": "redis", "url": REDIS_URL, "prefix": redis_prefix}
    await scrolls(daemon, tmp_path, upstream, storage)


async def test_a_replica_on_redis_serves_what_store_copy_carried(
    tmp_path,
    upstream,
    daemon,
    redis_prefix,  # noqa: F811
):
    sqlite = {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")}
    upstream.set("/feed", feed_of(FORTY))
    first = start_daemon(daemon, tmp_path, upstream, sqlite)
    await shows(first, 40)
    first.proc.terminate()
    first.proc.wait()
    config = write_config(
        tmp_path,
        {
            "storage": sqlite,
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
            "widgets": {"all": {"sources": ["blog"], "limit": 200}},
        },
        "copy.yaml",
    )
    copied = await asyncio.to_thread(
        feedhub, "store", "copy", "-c", str(config), "--to", REDIS_URL, "--prefix", redis_prefix
    )
    assert copied.returncode == 0, copied.stderr
    assert "copied 1 sources (40 items" in copied.stdout
    # The upstream now lists only its 10 newest; the replica polls it and keeps the rest.
    upstream.set("/feed", feed_of(TEN_NEWEST))
    redis = {"backend": "redis", "url": REDIS_URL, "prefix": redis_prefix}
    replica = start_daemon(daemon, tmp_path, upstream, redis, name="replica.yaml")
    assert numbered(await titles(replica)) == list(range(40, 0, -1))
    await changed(upstream, "/feed", feed_of([41, *range(32, 41)]))
    assert numbered(await shows(replica, 41)) == list(range(41, 0, -1))


async def test_max_items_keeps_the_newest(tmp_path, upstream, daemon):
    storage = {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")}
    upstream.set("/feed", feed_of(FORTY))
    d = start_daemon(daemon, tmp_path, upstream, storage, source={"max_items": 25})
    assert numbered(await shows(d, 25)) == list(range(40, 15, -1))
    await changed(upstream, "/feed", feed_of([41, 42, *range(33, 41)]))
    assert numbered(await shows(d, 25)) == list(range(42, 17, -1))


async def test_max_age_lets_old_posts_that_left_the_feed_go(tmp_path, upstream, daemon):
    storage = {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")}
    upstream.set("/feed", feed_of(FORTY))
    # The posts are from March 2026: a day of age keeps none of those that leave the feed.
    d = start_daemon(daemon, tmp_path, upstream, storage, source={"max_age": "1d"})
    assert len(await shows(d, 40)) == 40  # what the upstream lists stays, however old
    await changed(upstream, "/feed", feed_of(TEN_NEWEST))
    assert numbered(await shows(d, 10)) == list(range(40, 30, -1))
