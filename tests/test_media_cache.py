"""The media cache against a local upstream: one fetch per image, errors with backoff, serving,
the disk budget and the grace period."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from feedhub.fetch.fetcher import Fetcher, Request
from feedhub.media import upkeep as upkeep_module
from feedhub.media.cache import MediaCache, Settings
from feedhub.media.records import MediaRecord
from feedhub.media.upkeep import Upkeep
from tests import images
from tests.conftest import make_config, wait_until

WIDTHS = (320, 640, 1280)


class DictIndex:
    """The store's media methods, in a dict: what the memory backend does."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str]] = {}

    async def media_records(self) -> list[str]:
        return [text for _, text in self.rows.values()]

    async def get_media(self, urls: list[str]) -> dict[str, str]:
        return {u: self.rows[u][1] for u in urls if u in self.rows}

    async def media_by_digest(self, digest: str) -> str | None:
        return next((t for d, t in self.rows.values() if d == digest), None)

    async def put_media(self, url: str, digest: str, text: str) -> None:
        self.rows[url] = (digest, text)

    async def delete_media(self, urls: list[str]) -> None:
        for url in urls:
            self.rows.pop(url, None)


async def in_place(fn: Any, *args: Any) -> Any:
    return fn(*args)


def settings(root: Path, **kw: Any) -> Settings:
    return Settings(
        **{
            "root": root,
            "widths": WIDTHS,
            "max_bytes": 20_000_000,
            "max_pixels": 40_000_000,
            "max_total": 2_000_000_000,
            "grace": 3600.0,
            "timeout": 10.0,
            **kw,
        }
    )


@pytest.fixture
async def fetcher():
    f = Fetcher(public_url="http://test", allow_private=True)
    yield f
    await f.close()


async def test_concurrent_requests_share_one_fetch(tmp_path, upstream, fetcher):
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.2)
        return web.Response(body=images.photo(1600, 900), content_type="image/jpeg")

    upstream.routes["/slow.jpg"] = slow
    cache = MediaCache(settings(tmp_path), DictIndex(), in_place)
    await cache.open()
    url = upstream.url("/slow.jpg")
    got = await asyncio.gather(*(cache.ensure(url, "blog", fetcher) for _ in range(20)))
    assert len(upstream.requests_to("/slow.jpg")) == 1
    assert all(r is got[0] for r in got) and got[0].ok
    assert got[0].sizes == ((320, 180), (640, 360), (1280, 720))
    assert upstream.requests_to("/slow.jpg")[0].headers["Accept"].startswith("image/webp")


async def test_failures_are_recorded_with_backoff(tmp_path, upstream, fetcher):
    upstream.set("/page.png", images.HTML_PAGE, "image/png")
    upstream.set("/big.jpg", images.huge_file(25), "image/jpeg")
    cache = MediaCache(settings(tmp_path), DictIndex(), in_place)
    await cache.open()
    urls = [upstream.url("/page.png"), upstream.url("/big.jpg"), upstream.url("/gone.jpg")]
    await cache.prepare(urls, "blog", fetcher)
    found = [cache.records[u] for u in urls]
    assert [r.ok for r in found] == [False, False, False]
    assert "HTML page" in found[0].error
    assert "over the 20000000-byte cap" in found[1].error
    assert "HTTP 404" in found[2].error
    assert all(r.errors == 1 and r.next_try > 0 for r in found)
    # Within the backoff nothing is asked again.
    await cache.prepare(urls, "blog", fetcher)
    assert len(upstream.requests_to("/page.png")) == 1
    assert cache.by_source()["blog"]["failed"] == 3


async def test_serving_by_accept_and_from_another_replica(tmp_path, upstream, fetcher):
    upstream.set("/p.jpg", images.photo(700, 500), "image/jpeg")
    index = DictIndex()
    a = MediaCache(settings(tmp_path / "a"), index, in_place)
    await a.open()
    url = upstream.url("/p.jpg")
    await a.prepare([url], "blog", fetcher)
    record = a.records[url]
    assert record.sizes == ((320, 229), (640, 457), (700, 500))
    webp = await a.file(f"{record.digest}-640", "image/avif,image/webp,*/*", None)
    jpeg = await a.file(f"{record.digest}-640", "image/png,*/*", None)
    assert webp and webp.content_type == "image/webp" and webp.body[8:12] == b"WEBP"
    assert jpeg and jpeg.content_type == "image/jpeg" and jpeg.etag != webp.etag
    assert await a.file(f"{record.digest}-1280", "*/*", None) is None  # never made
    assert await a.file("../../etc/passwd", "*/*", None) is None
    # Replica B shares the index, not the disk: it fetches the file once, on first request.
    b = MediaCache(settings(tmp_path / "b"), index, in_place)
    await b.open()
    served = await asyncio.gather(
        *(b.file(f"{record.digest}-320", "image/webp", fetcher) for _ in range(10))
    )
    assert all(s is not None and s.body == served[0].body for s in served)
    assert len(upstream.requests_to("/p.jpg")) == 2


async def test_budget_evicts_least_recent_but_never_a_shown_image(tmp_path, upstream, fetcher):
    urls = []
    for i in range(6):
        upstream.set(f"/{i}.jpg", images.photo(1400, 900, seed=i), "image/jpeg")
        urls.append(upstream.url(f"/{i}.jpg"))
    cache = MediaCache(settings(tmp_path), DictIndex(), in_place)
    await cache.open()
    for url in urls:
        await cache.prepare([url], "blog", fetcher)
    each = max(r.size for r in cache.records.values())
    cache.settings = settings(tmp_path, max_total=each * 3)
    shown = [urls[0], urls[5]]  # the oldest is shown: it stays
    await cache.enforce_budget(shown)
    assert cache.dir.total <= each * 3
    kept = {u for u in urls if cache.records[u].digest in cache.dir.entries}
    assert set(shown) <= kept and len(kept) == 3


async def test_grace_period_forgets_unused_images(tmp_path, upstream, fetcher):
    upstream.set("/a.jpg", images.photo(400, 300, seed=1), "image/jpeg")
    upstream.set("/b.jpg", images.photo(400, 300, seed=2), "image/jpeg")
    index = DictIndex()
    cache = MediaCache(settings(tmp_path, grace=100.0), index, in_place)
    await cache.open()
    a, b = upstream.url("/a.jpg"), upstream.url("/b.jpg")
    await cache.prepare([a, b], "blog", fetcher)
    upkeep = Upkeep(cache)
    assert await upkeep.expire([a], now=1000.0) == 0  # b unused from now on
    assert await upkeep.expire([a], now=1050.0) == 0
    assert await upkeep.expire([a], now=1101.0) == 1
    assert b not in cache.records and b not in index.rows and a in index.rows
    assert MediaRecord.from_json(index.rows[a][1]).ok


async def test_the_first_housekeeping_round_waits_until_nothing_is_fetched(
    tmp_path, upstream, fetcher, monkeypatch
):
    monkeypatch.setattr(upkeep_module, "FIRST_ROUND", 0.0)
    release = asyncio.Event()

    async def held(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(body=b"<rss/>", content_type="application/rss+xml")

    upstream.routes["/feed"] = held
    poll = asyncio.create_task(fetcher.get(Request(upstream.url("/feed"))))
    await wait_until(lambda: fetcher.active == 1, timeout=5)
    rounds: list[int] = []  # requests under way when each round read the stored items

    async def stored() -> dict[str, list[str]]:
        rounds.append(fetcher.active)
        return {}

    async def changed(source_id: str) -> None:
        raise AssertionError("no source has images to catch up on")

    cache = MediaCache(settings(tmp_path), DictIndex(), in_place)
    await cache.open()
    housekeeping = asyncio.create_task(Upkeep(cache).run(stored, lambda: fetcher, changed))
    try:
        await asyncio.sleep(0.3)
        assert rounds == []  # a poll is under way: the first round waits
        release.set()
        assert (await poll).ok
        await wait_until(lambda: rounds, timeout=5)
        assert rounds == [0]
    finally:
        housekeeping.cancel()


async def test_images_are_fetched_as_the_workers_take_them_each_source_in_turn(
    tmp_path, upstream, fetcher
):
    """A feed with a backlog of images gets them fetched only as fast as they are processed
    (at most `in_hand` between request and processing), and another source's image is
    fetched in the next turns, not after the backlog."""
    photo = images.photo(64, 48)
    for i in range(20):
        upstream.set(f"/flood/{i}.jpg", photo, "image/jpeg")
    upstream.set("/good.jpg", images.photo(64, 48, seed=1), "image/jpeg")
    go = asyncio.Event()

    async def held_worker(fn: Any, *args: Any) -> Any:  # the image pool, held back
        await go.wait()
        return fn(*args)

    cache = MediaCache(settings(tmp_path, in_hand=3), DictIndex(), held_worker)
    await cache.open()
    flood = [upstream.url(f"/flood/{i}.jpg") for i in range(20)]
    flooding = asyncio.create_task(cache.prepare(flood, "flood", fetcher))
    await wait_until(lambda: len(_asked(upstream, "/flood/")) == 3, timeout=5)
    good = asyncio.create_task(cache.prepare([upstream.url("/good.jpg")], "good", fetcher))
    await asyncio.sleep(0.3)
    assert len(_asked(upstream, "/flood/")) == 3  # none more while none is processed
    assert not upstream.requests_to("/good.jpg")
    go.set()
    assert await good == 1
    # The good image is asked for in the second turn that frees (the flood's line was first).
    assert [s.path for s in upstream.seen].index("/good.jpg") <= 3 + 1
    assert await flooding == 20 and all(cache.records[u].ok for u in flood)
    assert cache.turns.busy == 0 and cache.turns.waiting() == {}


def _asked(upstream: Any, prefix: str) -> list[Any]:
    return [s for s in upstream.seen if s.path.startswith(prefix)]


def test_images_in_hand_are_every_fetch_slot_and_one_per_image_worker(tmp_path, monkeypatch):
    # Fewer, and the workers wait for downloads; more, and downloads outrun the workers
    # (the loop reading images that then wait in memory).
    monkeypatch.setenv("FEEDHUB_PARSE_WORKERS", "3")
    config = make_config(tmp_path, {"fetch": {"concurrency": 5}})
    assert Settings.of(config).in_hand == 5 + 3
    monkeypatch.setenv("FEEDHUB_PARSE_WORKERS", "1")
    assert Settings.of(config).in_hand == 5 + 1
