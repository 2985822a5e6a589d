"""Two `feedhub serve` replicas sharing one Redis: one poll per source per interval between
them, a killed replica's sources move to the other, a change reaches the other at once."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web

from tests import redis_support
from tests.conftest import free_port, wait_until, write_config
from tests.feeds_support import post, rss
from tests.redis_support import REDIS_URL

SOURCES = ["a", "b", "c"]
INTERVAL = 1.0
LEASE = 2.0

pytestmark = pytest.mark.redis
redis_prefix = redis_support.redis_prefix  # the fixture, for this module's tests


class Feeds:
    """Upstream feeds that note when each request came; titles can change mid-test."""

    def __init__(self) -> None:
        self.titles = {sid: f"first-{sid}" for sid in SOURCES}
        self.times: dict[str, list[float]] = {sid: [] for sid in SOURCES}
        self.served: dict[str, float] = {}  # title -> when first sent

    async def handle(self, request: web.Request) -> web.Response:
        sid = request.match_info["sid"]
        self.times[sid].append(time.monotonic())
        title = self.titles[sid]
        self.served.setdefault(title, time.monotonic())
        return web.Response(body=rss(post(title)), content_type="application/rss+xml")


def replica_configs(
    tmp_path: Path, upstream: Any, feeds: Feeds, prefix: str
) -> list[tuple[Path, int]]:
    for sid in SOURCES:
        upstream.routes[f"/feed/{sid}.xml"] = _route(feeds, sid)
    out = []
    for n in range(2):
        port = free_port()
        data = {
            "server": {"port": port},
            "storage": {
                "backend": "redis",
                "url": REDIS_URL,
                "prefix": prefix,
                "lease": f"{LEASE}s",
            },
            "fetch": {"interval": f"{INTERVAL}s", "allow_private_addresses": True},
            "sources": {
                sid: {"type": "feed", "url": upstream.url(f"/feed/{sid}.xml")} for sid in SOURCES
            },
            "widgets": {"all": {"sources": SOURCES, "limit": 10}},
        }
        out.append((write_config(tmp_path, data, f"replica{n}.yaml"), port))
    return out


def _route(feeds: Feeds, sid: str) -> Any:
    async def handler(request: web.Request) -> web.Response:
        request.match_info["sid"] = sid
        return await feeds.handle(request)

    return handler


async def widget_text(url: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/w/all.html") as resp:
        return await resp.text() if resp.status == 200 else ""


async def lease_pids(prefix: str) -> dict[str, int]:
    """Which process holds each source's poll lease (owner ids are host:pid:nonce)."""
    client = aioredis.from_url(REDIS_URL, decode_responses=True)
    owners = {sid: await client.get(f"{prefix}:lease:{sid}") for sid in SOURCES}
    await client.aclose()
    return {sid: int(o.split(":")[1]) for sid, o in owners.items() if o}


async def test_two_replicas_poll_once_per_interval_and_a_killed_one_hands_over(
    tmp_path, upstream, daemon, redis_prefix
):
    feeds = Feeds()
    (c0, p0), (c1, p1) = replica_configs(tmp_path, upstream, feeds, redis_prefix)
    replicas = [daemon(c0, p0), daemon(c1, p1)]
    for r in replicas:
        await wait_until(lambda r=r: _all_titles_in(r.url, feeds), timeout=15)

    window_start = time.monotonic()
    await asyncio.sleep(4 * INTERVAL)
    for sid, times in feeds.times.items():
        recent = [t for t in times if t >= window_start]
        gaps = [b - a for a, b in zip(recent, recent[1:], strict=False)]
        assert len(recent) >= 2, f"{sid} stopped being polled"
        # One replica at a time: never two requests for a source within one interval.
        assert min(gaps) > 0.8 * INTERVAL, f"{sid} polled twice in one interval: {gaps}"

    pids = await lease_pids(redis_prefix)
    owner = next(r for r in replicas if r.proc.pid == pids["a"])
    survivor = next(r for r in replicas if r is not owner)
    owned = [sid for sid, pid in pids.items() if pid == owner.proc.pid]
    owner.proc.send_signal(signal.SIGKILL)
    owner.proc.wait()
    killed_at = time.monotonic()

    async def moved() -> bool:
        now = await lease_pids(redis_prefix)
        return all(now.get(sid) == survivor.proc.pid for sid in owned) and all(
            any(t > killed_at for t in feeds.times[sid]) for sid in owned
        )

    # Within one lease (plus one interval for the next poll to fall due).
    await wait_until(moved, timeout=LEASE + INTERVAL + 1.5)
    feeds.titles["a"] = "after-the-kill"
    await wait_until(lambda: _has(survivor.url, "after-the-kill"), timeout=5)


async def test_a_change_polled_by_one_replica_is_served_by_the_other_within_a_second(
    tmp_path, upstream, daemon, redis_prefix
):
    feeds = Feeds()
    (c0, p0), (c1, p1) = replica_configs(tmp_path, upstream, feeds, redis_prefix)
    replicas = [daemon(c0, p0), daemon(c1, p1)]
    for r in replicas:
        await wait_until(lambda r=r: _all_titles_in(r.url, feeds), timeout=15)
    # A lease lapses between polls on a loaded machine: wait until one replica holds b's.
    pids: dict[str, int] = {}

    async def b_leased() -> bool:
        pids.update(await lease_pids(redis_prefix))
        return "b" in pids

    await wait_until(b_leased, timeout=10)
    reader = next(r for r in replicas if r.proc.pid != pids["b"])

    feeds.titles["b"] = "changed-upstream"
    await wait_until(lambda: "changed-upstream" in feeds.served, timeout=5)
    # Measured from the moment the polling replica received the new body.
    await wait_until(
        lambda: _has(reader.url, "changed-upstream"),
        timeout=1.0 - (time.monotonic() - feeds.served["changed-upstream"]),
        every=0.02,
    )


async def _has(url: str, text: str) -> bool:
    return text in await widget_text(url)


async def _all_titles_in(url: str, feeds: Feeds) -> bool:
    body = await widget_text(url)
    return all(title in body for title in feeds.titles.values())
