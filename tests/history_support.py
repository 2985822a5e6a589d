"""What the tests of a source's history share: a dated feed whose length the test sets, a
daemon polling it every second, and waiting for the poll after a change of the upstream."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import Daemon, Upstream, free_port, wait_until, write_config
from tests.feeds_support import rss

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def dated_post(n: int) -> str:
    """Post n, published n hours after START: higher numbers are newer."""
    when = format_datetime(START + timedelta(hours=n))
    url = f"https://blog.example.org/posts/{n}"
    return (
        f"<item><guid>{url}</guid><title>Post {n}</title><link>{url}</link>"
        f"<pubDate>{when}</pubDate><description>Text of post {n}</description></item>"
    )


def feed_of(numbers: list[int]) -> bytes:
    """A feed listing these posts, newest first, as feeds list them."""
    return rss(*(dated_post(n) for n in sorted(numbers, reverse=True)))


def daemon_config(
    tmp_path: Path,
    upstream: Upstream,
    port: int,
    storage: dict[str, Any],
    *,
    source: dict[str, Any] | None = None,
    limit: int = 200,
    name: str = "config.yaml",
) -> Path:
    """`blog` (the upstream's /feed, polled every second) shown by the widget `all`."""
    return write_config(
        tmp_path,
        {
            "server": {"port": port, "public_url": f"http://127.0.0.1:{port}"},
            "storage": storage,
            "fetch": {"allow_private_addresses": True, "interval": "1s"},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed"), **(source or {})}},
            "widgets": {"all": {"sources": ["blog"], "limit": limit}},
        },
        name,
    )


def start_daemon(
    daemon: Any, tmp_path: Path, upstream: Upstream, storage: dict, **kw: Any
) -> Daemon:
    port = free_port()
    return daemon(daemon_config(tmp_path, upstream, port, storage, **kw), port)


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return resp.status, (await resp.read()).decode(errors="replace")


async def titles(d: Daemon, widget: str = "all") -> list[str]:
    status, body = await get(f"{d.url}/w/{widget}.json")
    assert status == 200, body
    return [it.get("title", "") for it in json.loads(body)["items"]]


async def shows(d: Daemon, count: int, widget: str = "all") -> list[str]:
    """The widget's titles once it shows `count` items (fails after the wait)."""

    async def enough() -> bool:
        return len(await titles(d, widget)) == count

    await wait_until(enough, timeout=20)
    return await titles(d, widget)


async def changed(upstream: Upstream, path: str, body: bytes, **kw: Any) -> None:
    """Change what the upstream answers, and return once a poll that read the new answer
    has been recorded (the poll after it has started)."""
    before = len(upstream.requests_to(path))
    upstream.set(path, body, **kw)
    await wait_until(lambda: len(upstream.requests_to(path)) >= before + 2, timeout=20)


def numbered(titles_shown: list[str]) -> list[int]:
    return [int(t.removeprefix("Post ")) for t in titles_shown]
