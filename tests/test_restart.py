"""A hard stop, the upstream gone, a restart: the same items are served at once."""

from __future__ import annotations

import json
import signal
import sqlite3
import urllib.request

from tests.conftest import fixture_bytes, free_port, wait_until, write_config


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.status, resp.read().decode()


async def test_kill_9_then_restart_without_upstream_serves_stored_items(
    tmp_path, upstream, daemon
):
    upstream.set("/feed", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    port = free_port()
    db = tmp_path / "var" / "feedhub.sqlite3"
    path = write_config(tmp_path, {
        "server": {"port": port},
        "storage": {"backend": "sqlite", "path": str(db)},
        "fetch": {"allow_private_addresses": True, "interval": "1h"},
        "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
        "widgets": {"side": {"sources": ["blog"]}},
    })
    first = daemon(path, port)

    async def served():
        import asyncio
        status, body = await asyncio.to_thread(fetch, f"{first.url}/w/side.html")
        return "Entry two" in body

    await wait_until(served)
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()

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
