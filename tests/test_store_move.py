"""Moving from SQLite to Redis with `feedhub store copy`, and a replica whose Redis stops."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests import redis_support
from tests.conftest import free_port, make_config, wait_until, write_config
from tests.redis_support import REDIS_URL
from tests.store_support import feedhub
from tests.test_admin import csrf_of
from tests.test_source_x import TOKEN, TWEETS, serve
from tests.test_source_x import fixture_bytes as fixture

redis_prefix = redis_support.redis_prefix
pytestmark = pytest.mark.redis

OLDEST = ["1859912345678901234", "1859700000000000000", "1859000000000000000"]  # status URLs
NEWEST = "1860100000000000000"


def fetch(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


async def test_copy_to_redis_brings_the_posts_the_upstream_no_longer_lists(
    tmp_path, upstream, feedhub_service, daemon, redis_prefix
):
    serve(upstream)  # the timeline lists three posts
    data = {
        "storage": {"backend": "sqlite", "path": "var/feedhub.sqlite3", "prefix": redis_prefix},
        "fetch": {"allow_private_addresses": True, "interval": "1h"},
        "sources": {"tw": {"type": "x", "username": "@Hubservateur", "bearer_token": TOKEN,
                           "base_url": upstream.base_url}},
        "widgets": {"wall": {"sources": ["tw"], "limit": 20}},
    }
    run = await feedhub_service(make_config(tmp_path, data))
    await run.poll_all()
    # Later the timeline only gives what is new since the last post seen: the store alone
    # keeps the three older ones.
    upstream.set(TWEETS, fixture("x/tweets_since.json"), "application/json", etag=False)
    await run.poll_all()
    status, body, _ = await run.get("/w/wall.json")
    assert all(i in body for i in [*OLDEST, NEWEST]), body
    upstream.set(TWEETS, fixture("x/tweets_empty.json"), "application/json", etag=False)

    sqlite_config = write_config(tmp_path, data)
    copied = await asyncio.to_thread(feedhub, "store", "copy", "-c", str(sqlite_config),
                                     "--to", REDIS_URL)
    assert copied.returncode == 0, copied.stderr
    assert "copied 1 sources (4 items" in copied.stdout

    port = free_port()
    replica = daemon(write_config(tmp_path, {
        **data, "server": {"port": port},
        "storage": {"backend": "redis", "url": REDIS_URL, "prefix": redis_prefix},
    }, "replica.yaml"), port)
    seen = len(upstream.requests_to(TWEETS))
    _, page = await asyncio.to_thread(fetch, f"{replica.url}/admin")
    form = urlencode({"csrf": csrf_of(page)}).encode()
    status, _ = await asyncio.to_thread(fetch, f"{replica.url}/admin/sources/tw/refresh", form)
    assert status == 200, status  # the admin page, after its redirect
    # The replica polls with the copied since_id: the upstream gives nothing older.
    await wait_until(lambda: len(upstream.requests_to(TWEETS)) > seen)
    assert upstream.requests_to(TWEETS)[-1].query["since_id"] == NEWEST
    status, body = await asyncio.to_thread(fetch, f"{replica.url}/w/wall.json")
    assert status == 200 and all(i in body for i in [*OLDEST, NEWEST])


class RedisServer:
    """A redis-server of the test's own, that keeps its data across a stop and a start."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "3600 1",
             "--appendonly", "no", "--dir", str(self.folder), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                                  capture_output=True)
            if ping.stdout.strip() == b"PONG":
                return
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)  # saves its data on the way out
        self.proc.wait(timeout=10)


async def test_redis_stopped_under_a_replica_then_back(tmp_path, upstream, daemon):
    upstream.set("/feed.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>t'
                 "</title><link>https://example.org/</link><item><guid>https://example.org/1"
                 "</guid><title>Before the stop</title><link>https://example.org/1</link>"
                 "</item></channel></rss>")
    server = RedisServer(tmp_path)
    server.start()
    try:
        port = free_port()
        replica = daemon(write_config(tmp_path, {
            "server": {"port": port},
            "storage": {"backend": "redis", "url": f"redis://127.0.0.1:{server.port}/0"},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"]}},
        }), port)

        async def shows() -> bool:
            return "Before the stop" in (await asyncio.to_thread(fetch,
                                                                 f"{replica.url}/w/side.html"))[1]

        await wait_until(shows)
        assert (await asyncio.to_thread(fetch, f"{replica.url}/readyz"))[0] == 200

        server.stop()
        status, text = await asyncio.to_thread(fetch, f"{replica.url}/readyz")
        assert status == 503 and "store" in text, text  # at the first check
        status, body = await asyncio.to_thread(fetch, f"{replica.url}/w/side.html")
        assert status == 200 and "Before the stop" in body

        server.start()

        async def ready() -> bool:
            return (await asyncio.to_thread(fetch, f"{replica.url}/readyz"))[0] == 200

        await wait_until(ready, timeout=15)
        status, body = await asyncio.to_thread(fetch, f"{replica.url}/w/side.html")
        assert status == 200 and "Before the stop" in body
        assert "Traceback" not in replica.output()
    finally:
        if server.proc is not None and server.proc.poll() is None:
            server.stop()
