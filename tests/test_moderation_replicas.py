"""Moderation on two `feedhub serve` replicas sharing one Redis: a post approved on one is
shown by the other within a second, and a rejection is kept by both; decisions go with a
`store copy` between SQLite and Redis, and one taken while a replica lost Redis reaches it
once Redis is back."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from feedhub.publish.decisions import Decisions
from feedhub.store.redis import RedisStore
from feedhub.store.sqlite import SqliteStore
from feedhub.store.transfer import copy_records
from tests import redis_support
from tests.admin_support import csrf_of
from tests.conftest import Upstream, make_config, wait_until
from tests.redis_support import REDIS_URL, Proxy
from tests.wall_support import instance_answers, serve_tag, start_wall, tag_source, texts

pytestmark = pytest.mark.redis
redis_prefix = redis_support.redis_prefix  # the fixture, for this module's tests


async def test_an_approval_on_one_replica_shows_on_the_other_within_a_second(
    upstream: Upstream, daemon: Any, tmp_path: Path, redis_prefix: str
) -> None:
    serve_tag(upstream, instance_answers())
    storage = {"backend": "redis", "url": REDIS_URL, "prefix": redis_prefix}
    sources = {"fete": tag_source(upstream)}
    widget = {"moderation": "approve"}
    a = start_wall(daemon, tmp_path, sources, widget, storage, name="a.yaml")
    b = start_wall(daemon, tmp_path, sources, widget, storage, name="b.yaml")
    async with aiohttp.ClientSession() as http:

        async def admin_of(url: str) -> str:
            async with http.get(f"{url}/admin/moderation") as resp:
                return await resp.text()

        async def both_listed() -> bool:
            pages = [await admin_of(d.url) for d in (a, b)]
            return all("Quelle foule" in p for p in pages)

        await wait_until(both_listed, timeout=20)
        page = await admin_of(a.url)
        article = next(p for p in page.split("<article")[1:] if "Quelle foule" in p)
        item = article.split('data-id="')[1].split('"')[0]
        other = next(p for p in page.split("<article")[1:] if "Premier soir" in p)
        rejected = other.split('data-id="')[1].split('"')[0]
        assert not any("Quelle foule" in t for t in await texts(b))

        csrf = csrf_of(page)
        for action, target in (("reject", rejected), ("approve", item)):
            form = {"csrf": csrf, "widget": "wall", "action": action, "item": target}
            headers = {"Accept": "application/json"}
            async with http.post(f"{a.url}/admin/moderation", data=form, headers=headers) as r:
                assert r.status == 200 and (await r.json())["done"] == [target]

        async def b_shows() -> bool:
            return any("Quelle foule" in t for t in await texts(b))

        # The bound: the other replica shows it within a second of the answer.
        await wait_until(b_shows, timeout=1.0, every=0.02)
        for d in (a, b):
            shown = await texts(d)
            assert any("Quelle foule" in t for t in shown)
            assert not any("Premier soir" in t for t in shown)


async def test_decisions_go_with_a_store_copy_to_redis_and_back(
    tmp_path: Path, redis_prefix: str
) -> None:

    sqlite = SqliteStore(tmp_path / "a.sqlite3")
    redis = RedisStore(REDIS_URL, redis_prefix)
    back = SqliteStore(tmp_path / "b.sqlite3")
    for store in (sqlite, redis, back):
        await store.open()
    try:
        await Decisions(sqlite).decide("wall", "p1", "reject", "admin")
        await Decisions(sqlite).decide("wall", "p2", "pin", "admin")
        await copy_records(sqlite, redis)
        await copy_records(redis, back)
        for store in (redis, back):
            kept = await Decisions(store).load("wall")
            assert {k: d.action for k, d in kept.items()} == {"p1": "reject", "p2": "pin"}
        assert await redis.maintenance().left_out() == []
    finally:
        for store in (sqlite, redis, back):
            await store.close()


async def test_a_decision_taken_while_redis_was_away_is_read_once_it_is_back(
    upstream: Upstream, tmp_path: Path, feedhub_service: Any, redis_prefix: str
) -> None:
    serve_tag(upstream, instance_answers())
    parts = urlsplit(REDIS_URL)
    proxy = Proxy(parts.port or 6379)
    await proxy.start()
    source = {
        "type": "mastodon_tag",
        "tag": "fetedeslumieres",
        "instances": ["piaille.example"],
        "base_url": upstream.url("/two"),
    }
    cfg = make_config(
        tmp_path,
        {
            "storage": {
                "backend": "redis",
                "url": f"redis://127.0.0.1:{proxy.port}{parts.path or '/0'}",
                "prefix": redis_prefix,
            },
            "sources": {"fete": source},
            "widgets": {"wall": {"sources": ["fete"], "moderation": "approve"}},
        },
    )
    run = await feedhub_service(cfg)
    await run.poll_all()
    waiting = await run.service.store.get_items("fete")
    item = next(it for it in waiting if "Quelle foule" in it.content_html)
    assert "Quelle foule" not in (await run.get("/w/wall.json"))[1]

    await proxy.cut()
    other = RedisStore(REDIS_URL, redis_prefix)  # another replica, which still reaches Redis
    await other.open()
    try:
        await Decisions(other).decide("wall", item.id, "approve", "admin")  # its news is lost
    finally:
        await other.close()
    await proxy.start()

    async def shows() -> bool:
        return "Quelle foule" in (await run.get("/w/wall.json"))[1]

    await wait_until(shows, timeout=10)
    await proxy.cut()
