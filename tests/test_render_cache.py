"""RenderCache: an entry per key serves only its version, concurrent misses render once, a
failed render reaches every waiter and is not kept, and resizing keeps the most recent."""

from __future__ import annotations

import asyncio
import gzip

import brotli
import pytest

from feedhub.publish.cache import COMPRESS_MIN, Key, RenderCache


def key(widget: str = "side", fmt: str = "html") -> Key:
    return Key(widget, fmt, 10, "en", "default")


def producer(body: bytes, calls: list[bytes], content_type: str = "text/html; charset=utf-8"):
    async def produce() -> tuple[bytes, str, dict[str, str]]:
        calls.append(body)
        await asyncio.sleep(0.01)  # long enough for the other requests to arrive meanwhile
        return body, content_type, {"X-Widget": "side"}

    return produce


async def test_an_entry_serves_its_version_only():
    cache, calls = RenderCache(), []
    first = await cache.get(key(), "v1", producer(b"one", calls))
    assert first.identity == b"one" and first.headers == {"X-Widget": "side"}
    assert await cache.get(key(), "v1", producer(b"again", calls)) is first
    assert cache.peek(key(), "v2") is None
    second = await cache.get(key(), "v2", producer(b"two", calls))
    assert second.identity == b"two" and second.etag != first.etag
    assert calls == [b"one", b"two"] and (cache.hits, cache.misses) == (1, 2)
    assert cache.peek(key(), "v1") is None, "one entry per key: the old version is gone"


async def test_concurrent_misses_for_one_key_render_once():
    cache, calls = RenderCache(), []
    entries = await asyncio.gather(
        *(cache.get(key(), "v1", producer(b"body", calls)) for _ in range(5))
    )
    assert calls == [b"body"] and all(e is entries[0] for e in entries)
    other = await asyncio.gather(
        cache.get(key(fmt="json"), "v1", producer(b"{}", calls)),
        cache.get(key(), "v2", producer(b"new", calls)),
    )
    assert [e.identity for e in other] == [b"{}", b"new"] and len(calls) == 3


async def test_a_failed_render_reaches_every_waiter_and_is_not_kept():
    cache, calls = RenderCache(), []

    async def broken() -> tuple[bytes, str, dict[str, str]]:
        calls.append(b"broken")
        await asyncio.sleep(0.01)
        raise RuntimeError("template error")

    results = await asyncio.gather(
        *(cache.get(key(), "v1", broken) for _ in range(3)), return_exceptions=True
    )
    assert calls == [b"broken"]
    assert all(isinstance(r, RuntimeError) and str(r) == "template error" for r in results)
    entry = await cache.get(key(), "v1", producer(b"fixed", calls))
    assert entry.identity == b"fixed", "the next request renders again"


async def test_bodies_are_compressed_once_and_tagged_by_what_is_served():
    cache, calls = RenderCache(), []
    big = b"<p>post</p>" * COMPRESS_MIN
    entry = await cache.get(key(), "v1", producer(big, calls))
    assert gzip.decompress(entry.gzip) == big and brotli.decompress(entry.br) == big
    small = await cache.get(key("tiny"), "v1", producer(b"<p>x</p>", calls))
    assert small.gzip is None and small.br is None
    image = await cache.get(key("png"), "v1", producer(big, calls, "image/png"))
    assert image.gzip is None
    same = await cache.get(key("copy"), "v9", producer(big, calls))
    assert same.etag == entry.etag and same.etag.startswith('"') and same.etag.endswith('"')


@pytest.mark.parametrize("maxsize", [2, 3])
async def test_resize_keeps_the_most_recent_entries(maxsize):
    cache, calls = RenderCache(maxsize=4), []
    for name in ("a", "b", "c", "d"):
        await cache.get(key(name), "v1", producer(name.encode(), calls))
    cache.resize(maxsize)
    kept = [name for name in "abcd" if cache.peek(key(name), "v1") is not None]
    assert kept == list("abcd")[-maxsize:]
    await cache.get(key("e"), "v1", producer(b"e", calls))
    assert sum(cache.peek(key(n), "v1") is not None for n in "abcde") == maxsize


async def test_keys_for_and_clear():
    cache, calls = RenderCache(), []
    for fmt in ("html", "json"):
        await cache.get(key("side", fmt), "v1", producer(b"x", calls))
    await cache.get(key("wall"), "v1", producer(b"x", calls))
    assert sorted(k.fmt for k in cache.keys_for("side")) == ["html", "json"]
    cache.clear()
    assert cache.keys_for("side") == [] and cache.peek(key("wall"), "v1") is None
