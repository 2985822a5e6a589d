"""contrib/nginx/feedhub.conf in front of a real feedhub: cached per encoding, 304s, ETags."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from feedhub.web.app import create_app
from tests.conftest import ROOT, free_port, make_config, wait_until

CONF = ROOT / "contrib" / "nginx" / "feedhub.conf"
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
    "<link>https://example.org/</link><item><guid>https://example.org/1</guid>"
    "<title>Behind the proxy</title><link>https://example.org/1</link></item></channel></rss>"
)


def local_conf(tmp: Path, listen: int, backend: int) -> Path:
    """The shipped file with only what a test must change: addresses, paths, no TLS."""
    site = CONF.read_text()
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen};")
    site = re.sub(r"\n\s*(ssl_certificate\S*|http2) [^\n]*;", "", site)
    site = site.replace("/var/cache/nginx/feedhub", str(tmp / "cache"))
    site = re.sub(r"upstream feedhub \{[^}]*\}",
                  f"upstream feedhub {{ server 127.0.0.1:{backend}; keepalive 4; }}", site)
    (tmp / "site.conf").write_text(site)
    temp = " ".join(f"{k}_temp_path {tmp / k};" for k in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = tmp / "nginx.conf"
    # As root, nginx's workers would drop to nobody, who cannot write the test's cache.
    user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(f"{user} daemon off; pid {tmp / 'nginx.pid'};\n"
                    f"error_log {tmp / 'error.log'};\n"
                    f"events {{}}\nhttp {{ access_log off; {temp}\n"
                    f"include {tmp / 'site.conf'}; }}\n")
    return main


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
                    seen.append((resp.headers.get("Content-Encoding", ""),
                                 resp.headers["X-Cache-Status"], resp.headers["ETag"]))
            # One entry per encoding: the second gzip client is served from the cache.
            assert [s[:2] for s in seen] == [("gzip", "MISS"), ("gzip", "HIT"), ("br", "MISS"),
                                             ("", "MISS")]
            async with http.get(url, headers={"Accept-Encoding": "gzip",
                                              "If-None-Match": seen[0][2]}) as resp:
                assert resp.status == 304 and resp.headers["X-Cache-Status"] == "HIT"


async def test_the_shipped_nginx_config_keeps_cors_answers_apart_per_origin(
    tmp_path, upstream, aiohttp_client, nginx
):
    """The first requester's Access-Control-Allow-Origin (or its absence) is never served to
    another origin: with `embed_origins` set, the cache keeps one entry per Origin."""
    allowed, other = "https://www.example.org", "https://elsewhere.example"
    async with proxied(tmp_path, upstream, aiohttp_client, nginx,
                       {"embed_origins": [allowed, "https://shop.example.org"]}) as base:
        seen = []
        async with aiohttp.ClientSession() as http:
            for path in ("/w/side.html", "/w/side.json"):
                for origin in ("", allowed, other, allowed, "https://shop.example.org"):
                    headers = {"Origin": origin} if origin else {}
                    async with http.get(base + path, headers=headers) as resp:
                        assert resp.status == 200
                        assert "Origin" in resp.headers.get("Vary", ""), resp.headers
                        seen.append((path, origin, resp.headers.get(
                            "Access-Control-Allow-Origin"), resp.headers["X-Cache-Status"]))
        for path, origin, allow, _ in seen:
            expected = origin if origin in (allowed, "https://shop.example.org") else None
            assert allow == expected, (path, origin, allow, seen)
        # Still a cache: the allowed origin's second request is a hit.
        assert [s[3] for s in seen if s[1] == allowed] == ["MISS", "HIT"] * 2, seen


@contextlib.asynccontextmanager
async def proxied(tmp_path: Path, upstream: Any, aiohttp_client: Any, nginx: str,
                  server: dict[str, Any]) -> AsyncIterator[str]:
    """A feedhub with one widget behind the shipped nginx config; yields nginx's base URL."""
    upstream.set("/feed.xml", RSS)
    backend, listen = free_port(), free_port()
    cfg = make_config(tmp_path, {
        "server": server,
        "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
        "widgets": {"side": {"sources": ["blog"]}},
    })
    client = await aiohttp_client(create_app(cfg, poll=True), server_kwargs={"port": backend})
    await wait_until(lambda: _has_items(client), timeout=10)
    conf = local_conf(tmp_path, listen, backend)
    proc = await start_nginx(nginx, conf, tmp_path)
    try:
        base = f"http://127.0.0.1:{listen}"
        async with aiohttp.ClientSession() as http:
            await wait_until(lambda: _answers(http, f"{base}/healthz"), timeout=10)
        yield base
    finally:
        proc.terminate()
        await proc.wait()


async def start_nginx(nginx: str, conf: Path, prefix: Path) -> asyncio.subprocess.Process:
    """nginx on a checked config, in the foreground of its own process."""
    check = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(prefix)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    return await asyncio.create_subprocess_exec(nginx, "-c", str(conf), "-p", str(prefix))


async def _has_items(client) -> bool:
    resp = await client.get("/w/side.html")
    return "Behind the proxy" in await resp.text()


async def _answers(http: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with http.get(url) as resp:
            return resp.status == 200
    except aiohttp.ClientError:
        return False
