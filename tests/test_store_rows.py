"""A stored row that cannot be read costs its source that row until a poll rewrites it: the
widget and /admin keep answering, /readyz and /admin say which rows, one log line, no
traceback; the next poll asks without validators so a 304 cannot keep the bad row."""

from __future__ import annotations

import json
import logging
import signal
import sqlite3
from pathlib import Path

import aiohttp

from feedhub.store.rows import decode_items, decode_state
from tests.conftest import free_port, make_config, wait_until, write_config
from tests.fault_upstream import good_feed
from tests.serve_support import base_config
from tests.store_support import item_data


def damage(db_path: Path, sql: str, *params: object) -> None:
    with sqlite3.connect(db_path) as db:
        assert db.execute(sql, params).rowcount == 1


async def test_a_bad_item_row_is_skipped_reported_and_rewritten(
    tmp_path, upstream, feedhub_service, caplog
):
    upstream.set("/feed", good_feed("post"), "application/rss+xml")
    config = make_config(
        tmp_path,
        {
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
            "widgets": {"side": {"sources": ["blog"], "limit": 5}},
        },
    )
    first = await feedhub_service(config)
    await first.poll_all()

    db_path = tmp_path / "feedhub.sqlite3"
    with sqlite3.connect(db_path) as db:
        (one,) = [
            i
            for i, data in db.execute("SELECT id, data FROM items")
            if "post 1" in str(item_data(data))
        ]
    damage(db_path, "UPDATE items SET data = ? WHERE id = ?", b"\xff{not json", one)
    running = await feedhub_service(config)  # a restart: nothing of the items in memory

    with caplog.at_level(logging.ERROR, logger="feedhub.store"):
        code, page, _ = await running.get("/w/side.html")
        assert code == 200 and "post 0" in page and "post 2" in page and "post 1" not in page
        code, admin, _ = await running.get("/admin")
        assert code == 200 and 'id="unreadable-rows"' in admin
        assert "blog: 1 item row cannot be read" in admin
        code, ready, _ = await running.get("/readyz")
        assert code == 200 and "source blog: 1 item row cannot be read" in ready
    lines = [r for r in caplog.records if "cannot be read" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None

    # The next poll asks without validators: a 304 would leave the bad row in place.
    await running.poll_all()
    last = upstream.requests_to("/feed")[-1]
    assert "If-None-Match" not in last.headers and last.status == 200
    with sqlite3.connect(db_path) as db:
        (data,) = db.execute("SELECT data FROM items WHERE id = ?", (one,)).fetchone()
    assert "post 1" in str(item_data(data))
    await wait_until(lambda: _shows(running, "/w/side.html", "post 1"))
    assert 'id="unreadable-rows"' not in (await running.get("/admin"))[1]
    assert (await running.get("/readyz"))[1] == "ready\n"
    # And then validators again, as before.
    await running.poll_all()
    assert upstream.requests_to("/feed")[-1].status == 304


async def test_a_bad_state_row_does_not_stop_serve(tmp_path, upstream, daemon):
    upstream.set("/feed", good_feed("post"), "application/rss+xml")
    port = free_port()
    path = write_config(
        tmp_path, base_config(tmp_path, upstream, port, {"side": {"sources": ["blog"]}})
    )
    proc = daemon(path, port)
    async with aiohttp.ClientSession() as http:
        await wait_until(lambda: _served(http, proc.url + "/w/side.html", "post 0"))
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.proc.wait(timeout=15) == 0
    damage(tmp_path / "feedhub.sqlite3", "UPDATE state SET data = '[1, 2' WHERE source = 'blog'")

    proc = daemon(path, port)
    async with aiohttp.ClientSession() as http:
        async with http.get(proc.url + "/readyz") as resp:
            assert resp.status == 200
            assert "source blog: 1 state row cannot be read" in await resp.text()
        # Its items still serve, and the source, without a state, is polled and rewritten.
        await wait_until(lambda: _served(http, proc.url + "/w/side.html", "post 0"))
        await wait_until(lambda: _served(http, proc.url + "/readyz", "ready\n", exact=True))
    with sqlite3.connect(tmp_path / "feedhub.sqlite3") as db:
        (data,) = db.execute("SELECT data FROM state WHERE source = 'blog'").fetchone()
    assert json.loads(data)["item_count"] == 3
    log = proc.output()
    assert "Traceback" not in log and "source blog: 1 state row cannot be read" in log


def test_decoding_names_what_is_wrong():
    items, bad = decode_items(
        ['{"id": "a", "source": "s", "url": "https://e.org/a"}', "{", '"just a string"', b"\xff"]
    )
    assert [it.id for it in items] == ["a"] and len(bad) == 3
    assert all(why.split(":")[0].endswith("Error") for why in bad)
    assert isinstance(decode_state("[]"), str) and isinstance(decode_state("{"), str)
    assert decode_state('{"etag": "x"}').etag == "x"  # type: ignore[union-attr]


async def _shows(running, path: str, text: str) -> bool:
    code, body, _ = await running.get(path)
    return code == 200 and text in body


async def _served(http: aiohttp.ClientSession, url: str, text: str, exact: bool = False) -> bool:
    async with http.get(url) as resp:
        body = await resp.text()
        return resp.status == 200 and (body == text if exact else text in body)
