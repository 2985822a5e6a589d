"""A hard stop, the upstream gone, a restart: the same items are served at once."""

from __future__ import annotations

import json
import signal
import sqlite3
import urllib.request
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from tests.conftest import fixture_bytes, free_port, wait_until, write_config
from tests.store_support import item_data

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (its forkserver and parse workers, here)."""
    from pathlib import Path

    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.status, resp.read().decode()


async def test_kill_9_then_restart_without_upstream_serves_stored_items(tmp_path, upstream, daemon):
    upstream.set("/feed", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    port = free_port()
    db = tmp_path / "var" / "feedhub.sqlite3"
    path = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(db)},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    first = daemon(path, port)

    async def served():
        import asyncio

        status, body = await asyncio.to_thread(fetch, f"{first.url}/w/side.html")
        return "Entry two" in body

    await wait_until(served)
    workers = descendants(first.proc.pid)
    assert workers  # the feed was parsed in worker processes
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()
    # Orphaned parse workers notice and exit: a hard stop leaks no processes.
    from pathlib import Path

    await wait_until(lambda: not any(Path(f"/proc/{p}").exists() for p in workers))

    # The database a kill -9 left behind is readable and whole.
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    (state_json,) = con.execute("SELECT data FROM state WHERE source='blog'").fetchone()
    con.close()
    state = json.loads(state_json)
    assert state["etag"] and state["errors"] == 0 and state["next_check"] > 0

    await upstream.server.close()  # the upstream is gone for good
    seen_before = len(upstream.seen)
    second = daemon(path, port)
    status, body = fetch(f"{second.url}/w/side.html")  # the very first request
    assert status == 200
    assert "Entry two" in body and "Entry one" in body
    assert len(upstream.seen) == seen_before
    second.proc.send_signal(signal.SIGTERM)
    assert second.proc.wait(timeout=15) == 0
    assert "stopped" in second.output()


async def test_kill_9_at_any_moment_leaves_a_whole_database(tmp_path, upstream, daemon):
    """Kill the daemon while it rewrites a changing feed many times a second, then look."""
    import asyncio
    import random

    from aiohttp import web

    counter = 0

    async def changing(request):
        nonlocal counter
        counter += 1
        # Each poll's items newer than the last's: with `max_items: 50` the store keeps
        # exactly the latest poll (the ones before scrolled out and are past the bound).
        entries = "".join(
            f"<item><title>poll {counter} item {i}</title><guid>{counter}-{i}</guid>"
            f"<pubDate>{format_datetime(EPOCH + timedelta(minutes=counter, seconds=i))}"
            "</pubDate></item>"
            for i in range(50)
        )
        return web.Response(
            text=f"<rss version='2.0'><channel><title>t</title>{entries}</channel></rss>",
            content_type="application/rss+xml",
        )

    upstream.routes["/feed"] = changing
    port = free_port()
    db = tmp_path / "feedhub.sqlite3"
    path = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(db)},
            "fetch": {"allow_private_addresses": True, "interval": "0.05s"},
            "sources": {
                f"s{i}": {"type": "feed", "url": upstream.url("/feed"), "max_items": 50}
                for i in range(3)
            },
            "widgets": {"side": {"sources": ["s0", "s1", "s2"]}},
        },
    )
    rng = random.Random(1)
    for _ in range(4):
        d = daemon(path, port)
        before = counter
        await wait_until(lambda before=before: counter > before + 5)
        await asyncio.sleep(rng.uniform(0, 0.3))
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        per_source = dict(con.execute("SELECT source, count(*) FROM items GROUP BY source"))
        # each source has all 50 items of one poll: never half of one and half of another
        for sid, count in per_source.items():
            assert count == 50, (sid, count)
            polls = {
                item_data(row[0])["title"].split(" item ")[0]
                for row in con.execute("SELECT data FROM items WHERE source = ?", (sid,))
            }
            assert len(polls) == 1
        con.close()
