"""contrib/nginx/feedhub.conf in front of a real feedhub: cached per encoding, 304s, ETags."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from feedhub.web.app import create_app
from tests.conftest import free_port, make_config, wait_until
from tests.nginx_support import RSS, answers, local_conf, start_nginx


async def test_the_shipped_nginx_config_caches_widgets_per_encoding_and_answers_304s(
    tmp_path, upstream, aiohttp_client, nginx
):
    async with proxied(tmp_path, upstream, aiohttp_client, nginx, {}) as base:
        url = f"{base}/w/side.html"
        async with aiohttp.ClientSession(auto_decompress=False) as http:
            seen = []
            for encoding in ("gzip", "gzip, deflate", "br, gzip", ""):
                async with http.get(url, headers={"Accept-Encoding": encoding}) as resp:
                    assert resp.status == 200
                    seen.append(
                        (
                            resp.headers.get("Content-Encoding", ""),
                            resp.headers["X-Cache-Status"],
                            resp.headers["ETag"],
                        )
                    )
            # One entry per encoding: the second gzip client is served from the cache.
            assert [s[:2] for s in seen] == [
                ("gzip", "MISS"),
                ("gzip", "HIT"),
                ("br", "MISS"),
                ("", "MISS"),
            ]
            async with http.get(
                url, headers={"Accept-Encoding": "gzip", "If-None-Match": seen[0][2]}
            ) as resp:
                assert resp.status == 304 and resp.headers["X-Cache-Status"] == "HIT"


async def test_the_shipped_nginx_config_keeps_cors_answers_apart_per_origin(
    tmp_path, upstream, aiohttp_client, nginx
):
    """The first requester's Access-Control-Allow-Origin (or its absence) is never served to
    another origin: with `embed_origins` set, the cache keeps one entry per Origin."""
    allowed, other = "https://www.example.org", "https://elsewhere.example"
    async with proxied(
        tmp_path,
        upstream,
        aiohttp_client,
        nginx,
        {"embed_origins": [allowed, "https://shop.example.org"]},
    ) as base:
        seen = []
        async with aiohttp.ClientSession() as http:
            for path in ("/w/side.html", "/w/side.json"):
                for origin in ("", allowed, other, allowed, "https://shop.example.org"):
                    headers = {"Origin": origin} if origin else {}
                    async with http.get(base + path, headers=headers) as resp:
                        assert resp.status == 200
                        assert "Origin" in resp.headers.get("Vary", ""), resp.headers
                        seen.append(
                            (
                                path,
                                origin,
                                resp.headers.get("Access-Control-Allow-Origin"),
                                resp.headers["X-Cache-Status"],
                            )
                        )
        for path, origin, allow, _ in seen:
            expected = origin if origin in (allowed, "https://shop.example.org") else None
            assert allow == expected, (path, origin, allow, seen)
        # Still a cache: the allowed origin's second request is a hit.
        assert [s[3] for s in seen if s[1] == allowed] == ["MISS", "HIT"] * 2, seen


@contextlib.asynccontextmanager
async def proxied(
    tmp_path: Path, upstream: Any, aiohttp_client: Any, nginx: str, server: dict[str, Any]
) -> AsyncIterator[str]:
    """A feedhub with one widget behind the shipped nginx config; yields nginx's base URL."""
    upstream.set("/feed.xml", RSS)
    backend, listen = free_port(), free_port()
    cfg = make_config(
        tmp_path,
        {
            "server": server,
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    client = await aiohttp_client(create_app(cfg, poll=True), server_kwargs={"port": backend})
    await wait_until(lambda: _has_items(client), timeout=10)
    conf = local_conf(tmp_path, listen, backend)
    proc = await start_nginx(nginx, conf, tmp_path)
    try:
        base = f"http://127.0.0.1:{listen}"
        async with aiohttp.ClientSession() as http:
            await wait_until(lambda: answers(http, f"{base}/healthz"), timeout=10)
        yield base
    finally:
        proc.terminate()
        await proc.wait()


async def _has_items(client) -> bool:
    resp = await client.get("/w/side.html")
    return "Behind the proxy" in await resp.text()
