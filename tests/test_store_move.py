"""Moving from SQLite to Redis with `feedhub store copy`, and a replica whose Redis stops."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests import redis_support
from tests.admin_support import csrf_of
from tests.conftest import fixture_bytes, free_port, make_config, wait_until, write_config
from tests.redis_support import REDIS_URL
from tests.social_upstream import X_TOKEN, X_TWEETS, serve_x_timeline
from tests.store_support import feedhub

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
    serve_x_timeline(upstream)  # the timeline lists three posts
    data = {
        "storage": {"backend": "sqlite", "path": "var/feedhub.sqlite3", "prefix": redis_prefix},
        "fetch": {"allow_private_addresses": True, "interval": "1h"},
        "sources": {
            "tw": {
                "type": "x",
                "username": "@Hubservateur",
                "bearer_token": X_TOKEN,
                "base_url": upstream.base_url,
            }
        },
        "widgets": {"wall": {"sources": ["tw"], "limit": 20}},
    }
    run = await feedhub_service(make_config(tmp_path, data))
    await run.poll_all()
    # Later the timeline only gives what is new since the last post seen: the store alone
    # keeps the three older ones.
    upstream.set(X_TWEETS, fixture_bytes("x/tweets_since.json"), "application/json", etag=False)
    await run.poll_all()
    status, body, _ = await run.get("/w/wall.json")
    assert all(i in body for i in [*OLDEST, NEWEST]), body
    upstream.set(X_TWEETS, fixture_bytes("x/tweets_empty.json"), "application/json", etag=False)
    # The last poll an hour ago: a refresh may poll X again (its floor is 30 minutes).
    state = run.service.states["tw"]
    state.last_attempt = (state.last_attempt or 0.0) - 3600
    await run.service.store.save("tw", state, None)

    sqlite_config = write_config(tmp_path, data)
    copied = await asyncio.to_thread(
        feedhub, "store", "copy", "-c", str(sqlite_config), "--to", REDIS_URL
    )
    assert copied.returncode == 0, copied.stderr
    assert "copied 1 sources (4 items" in copied.stdout

    port = free_port()
    replica = daemon(
        write_config(
            tmp_path,
            {
                **data,
                "server": {"port": port},
                "storage": {"backend": "redis", "url": REDIS_URL, "prefix": redis_prefix},
            },
            "replica.yaml",
        ),
        port,
    )
    seen = len(upstream.requests_to(X_TWEETS))
    _, page = await asyncio.to_thread(fetch, f"{replica.url}/admin")
    form = urlencode({"csrf": csrf_of(page)}).encode()
    status, _ = await asyncio.to_thread(fetch, f"{replica.url}/admin/sources/tw/refresh", form)
    assert status == 200, status  # the admin page, after its redirect
    # The replica polls with the copied since_id: the upstream gives nothing older.
    await wait_until(lambda: len(upstream.requests_to(X_TWEETS)) > seen)
    assert upstream.requests_to(X_TWEETS)[-1].query["since_id"] == NEWEST
    status, body = await asyncio.to_thread(fetch, f"{replica.url}/w/wall.json")
    assert status == 200 and all(i in body for i in [*OLDEST, NEWEST])


class RedisServer:
    """A redis-server of the test's own, that keeps its data across a stop and a start."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "3600 1",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True)
            if ping.stdout.strip() == b"PONG":
                return
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)  # saves its data on the way out
        self.proc.wait(timeout=10)


async def test_redis_stopped_under_a_replica_then_back(tmp_path, upstream, daemon):
    upstream.set(
        "/feed.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t'
        "</title><link>https://example.org/</link><item><guid>https://example.org/1"
        "</guid><title>Before the stop</title><link>https://example.org/1</link>"
        "</item></channel></rss>",
    )
    server = RedisServer(tmp_path)
    server.start()
    try:
        port = free_port()
        replica = daemon(
            write_config(
                tmp_path,
                {
                    "server": {"port": port},
                    "storage": {"backend": "redis", "url": f"redis://127.0.0.1:{server.port}/0"},
                    "fetch": {"allow_private_addresses": True, "interval": "1h"},
                    "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
                    "widgets": {"side": {"sources": ["blog"]}},
                },
            ),
            port,
        )

        async def shows() -> bool:
            return (
                "Before the stop"
                in (await asyncio.to_thread(fetch, f"{replica.url}/w/side.html"))[1]
            )

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
        log = replica.output()
        assert "Traceback" not in log
        assert log.count("polls are recorded as errors") == 1, log  # one line per fault
        assert log.count(") works again after") == 1, log
    finally:
        if server.proc is not None and server.proc.poll() is None:
            server.stop()


def test_copy_names_what_it_cannot_carry_and_refuses_a_store_with_data(tmp_path, redis_prefix):
    import asyncio as aio

    from tests.store_support import fill

    db = tmp_path / "var" / "feedhub.sqlite3"
    aio.run(fill(db, {"blog": 5, "news": 3}))
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE media (name TEXT PRIMARY KEY, bytes BLOB)")
    con.commit()
    con.close()
    config = write_config(
        tmp_path,
        {
            "storage": {"backend": "sqlite", "path": "var/feedhub.sqlite3", "prefix": redis_prefix},
            "sources": {"blog": {"type": "feed", "url": "https://example.org/feed.xml"}},
        },
    )
    run = feedhub("store", "copy", "-c", str(config), "--to", REDIS_URL)
    assert run.returncode == 0, run.stderr
    assert "copied 2 sources (8 items" in run.stdout
    assert "not carried: table media" in run.stdout
    again = feedhub("store", "copy", "-c", str(config), "--to", REDIS_URL)
    assert again.returncode == 1 and "already holds feedhub data" in again.stderr
    assert feedhub("store", "copy", "-c", str(config), "--to", REDIS_URL, "--force").returncode == 0

    # SQLite to SQLite: the file as it is, media table included.
    run = feedhub("store", "copy", "-c", str(config), "--to", f"sqlite://{tmp_path}/b.sqlite3")
    assert run.returncode == 0, run.stderr
    other = sqlite3.connect(tmp_path / "b.sqlite3")
    assert [n for (n,) in other.execute("SELECT name FROM sqlite_master WHERE type='table'")] == [
        "state",
        "media_records",
        "alert_log",
        "alert_sent",
        "accounts",
        "decisions",
        "items",
        "media",
    ]
    assert other.execute("SELECT count(*) FROM items").fetchone() == (8,)
    bad = feedhub("store", "copy", "-c", str(config), "--to", "ftp://example.org/x")
    assert bad.returncode == 1 and "expected sqlite:///path" in bad.stderr
    same = feedhub("store", "copy", "-c", str(config), "--to", f"sqlite://{db}")
    assert same.returncode == 1 and "is the configured store itself" in same.stderr
