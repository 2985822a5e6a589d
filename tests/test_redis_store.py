"""The redis backend against a real Redis: storage, leases, change messages, outages."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from feedhub.models import EncodedItems, FetchState, Item
from feedhub.store.redis import RedisStore
from feedhub.store.redis_changes import decode_change, missed_changes
from tests import redis_support
from tests.conftest import make_config, wait_until
from tests.feeds_support import post, rss
from tests.redis_support import REDIS_URL, Proxy

pytestmark = pytest.mark.redis
redis_prefix = redis_support.redis_prefix  # the fixture, for this module's tests


@contextlib.asynccontextmanager
async def opened(prefix: str, url: str = REDIS_URL):
    store = RedisStore(url, prefix=prefix)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def test_change_messages_and_missed_changes_are_decided_without_redis():
    assert decode_change("r1 blog abc") == ("r1", "blog", "abc")
    assert decode_change("garbage") is None
    known = {"a": "1", "b": "2"}
    current = {"a": FetchState(digest="1"), "b": FetchState(digest="3"), "c": FetchState()}
    assert missed_changes(known, current) == ["b", "c"]


async def test_items_and_state_round_trip_and_are_shared(redis_prefix):
    items = [Item(id="1", source="blog", url="https://example.org/1", title="One")]
    async with opened(redis_prefix) as a, opened(redis_prefix) as b:
        assert await a.get_state("blog") is None
        await a.save("blog", FetchState(etag='"x"', digest="d1", item_count=1), items)
        assert await b.get_items("blog") == items
        assert (await b.get_state("blog")).etag == '"x"'
        await b.save("blog", FetchState(etag='"y"', digest="d1"), None)  # state only
        assert await a.get_items("blog") == items
        assert set(await a.all_states()) == {"blog"}
        # Saved with the JSON the parse worker made: read back the same by a replica.
        more = [*items, Item(id="2", source="blog", url="https://example.org/2", title="Two")]
        await a.save("blog", FetchState(digest="d2"), more, EncodedItems.of(more))
        assert sorted(await b.get_items("blog"), key=lambda it: it.id) == more
        assert await b.item_ids("blog") == {"1", "2"}
        await a.delete("blog")
        assert await b.get_items("blog") == [] and await b.all_states() == {}


async def test_a_lease_has_one_owner_until_released_or_expired(redis_prefix):
    async with opened(redis_prefix) as a, opened(redis_prefix) as b:
        assert await a.acquire("blog", "replica-a", 5)
        assert not await b.acquire("blog", "replica-b", 5)
        assert await a.acquire("blog", "replica-a", 5)  # renewal by the owner
        await b.release("blog", "replica-b")  # not the owner: no effect
        assert await a.lease_owner("blog") == "replica-a"
        await a.release("blog", "replica-a")
        assert await b.acquire("blog", "replica-b", 0.2)
        await asyncio.sleep(0.3)
        assert await a.acquire("blog", "replica-a", 5)


async def test_a_change_reaches_the_other_replicas_but_not_its_author(redis_prefix):
    async with opened(redis_prefix) as a, opened(redis_prefix) as b:
        got_a: list[tuple[str, str]] = []
        got_b: list[tuple[str, str]] = []

        async def on_a(sid: str, digest: str) -> None:
            got_a.append((sid, digest))

        async def on_b(sid: str, digest: str) -> None:
            got_b.append((sid, digest))

        a.on_change(on_a)
        b.on_change(on_b)
        await asyncio.sleep(0.2)  # both subscribed
        await a.publish("blog", "d2")
        await wait_until(lambda: got_b, timeout=2)
        assert got_b == [("blog", "d2")]
        assert got_a == []


async def test_serves_cached_bytes_while_redis_is_away_and_catches_up_after(
    tmp_path, upstream, feedhub_service, redis_prefix
):
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    proxy = Proxy(parts.port or 6379)
    await proxy.start()
    db = parts.path or "/0"
    upstream.set("/feed.xml", rss(post("Before the outage", slug="1")))
    cfg = make_config(
        tmp_path,
        {
            "storage": {
                "backend": "redis",
                "url": f"redis://127.0.0.1:{proxy.port}{db}",
                "prefix": redis_prefix,
            },
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    run = await feedhub_service(cfg)
    await run.poll_all()
    status, body, headers = await run.get("/w/side.html")
    assert status == 200 and "Before the outage" in body

    await proxy.cut()
    status, body, _ = await run.get("/w/side.html")
    assert status == 200 and "Before the outage" in body
    status, _, _ = await run.get("/w/side.html", headers={"If-None-Match": headers["ETag"]})
    assert status == 304
    status, _, _ = await run.get("/readyz")
    assert status == 503

    # Meanwhile another replica stores a change; this one must pick it up once Redis is back.
    async with opened(redis_prefix) as other:
        item = Item(id="2", source="blog", url="https://example.org/2", title="During it")
        await other.save("blog", FetchState(digest="changed", item_count=1), [item])
        await other.publish("blog", "changed")  # lost: this replica is not listening now
    await proxy.start()

    async def shows_change() -> bool:
        return "During it" in (await run.get("/w/side.html"))[1]

    await wait_until(shows_change, timeout=10)
    assert (await run.get("/readyz"))[0] == 200
    await proxy.cut()


async def test_config_selects_the_redis_backend_with_its_lease(tmp_path, redis_prefix):
    cfg = make_config(
        tmp_path,
        {
            "storage": {
                "backend": "redis",
                "url": REDIS_URL,
                "prefix": redis_prefix,
                "lease": "3s",
            },
            "sources": {"blog": {"type": "feed", "url": "https://example.org/feed.xml"}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    from feedhub.service import Service

    svc = Service(cfg)
    assert isinstance(svc.store, RedisStore) and svc.store.prefix == redis_prefix
    assert svc.poller.lease_seconds == 3.0
