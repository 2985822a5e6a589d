"""A store that fails while the daemon runs: each poll that meets it is one recorded source
error with backoff and nothing half-written, widgets keep their rendered versions, /readyz
says why until the store works again, and the log has one line per fault and per recovery."""

from __future__ import annotations

import logging
import random
import sqlite3
import time

from tests import redis_support
from tests.conftest import make_config
from tests.feeds_support import post, rss
from tests.store_support import item_data

redis_prefix = redis_support.redis_prefix


SHORT = "text " * 5
# Words that deflate little: rows too big for the pages a file keeps free.
WORDS = random.Random(7)
LONG = " ".join(f"{WORDS.getrandbits(32):x}" for _ in range(200))


def stored_titles(path) -> set[str]:
    """What the file holds, read by a connection of its own."""
    db = sqlite3.connect(path)
    try:
        return {item_data(data)["title"] for (data,) in db.execute("SELECT data FROM items")}
    finally:
        db.close()


async def test_a_full_disk_is_a_recorded_error_then_the_next_poll_stores(
    tmp_path, upstream, feedhub_service, caplog
):
    caplog.set_level(logging.INFO, logger="feedhub")
    upstream.set("/feed.xml", rss(post("first", text=SHORT), post("second", text=SHORT)))
    cfg = make_config(
        tmp_path,
        {
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    db = tmp_path / "feedhub.sqlite3"
    run = await feedhub_service(cfg)
    svc = run.service
    await run.poll_all()
    status, before, headers = await run.get("/w/side.html")
    assert status == 200 and "second" in before
    assert (await run.get("/readyz"))[0] == 200

    # The disk is full: no page may be added to the file.
    def limit(db: sqlite3.Connection, pages: int | None) -> None:
        count = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages or count}")

    await svc.store._run(limit, svc.store.db, None)
    many = [f"new-{n}" for n in range(40)]
    upstream.set("/feed.xml", rss(*(post(t, text=LONG) for t in many)))
    for attempt in (1, 2):
        result = await svc.polling.poll("blog")
        assert result.error.startswith("store: ") and "SQLITE_FULL" in result.error
        state = svc.states["blog"]
        assert state.errors == attempt and state.last_error == result.error
        assert state.next_check > time.time() + 3000  # backed off (interval 1h, then 2h)
        assert stored_titles(db) == {"first", "second"}  # nothing of the poll written
        status, text, _ = await run.get("/readyz")
        assert status == 503 and "SQLITE_FULL" in text and str(db) in text
        status, body, _ = await run.get("/w/side.html")
        assert status == 200 and body == before
        status, _, _ = await run.get("/w/side.html", headers={"If-None-Match": headers["ETag"]})
        assert status == 304

    await svc.store._run(limit, svc.store.db, 1_000_000)
    result = await svc.polling.poll("blog")
    assert result.ok and svc.states["blog"].errors == 0
    # The two posts before scrolled out of the feed (listed below the new ones): kept.
    assert stored_titles(db) == set(many) | {"first", "second"}
    assert (await run.get("/readyz"))[0] == 200
    status, body, _ = await run.get("/w/side.html")
    assert status == 200 and ">new-" in body and "second" not in body

    store_lines = [r for r in caplog.records if r.name == "feedhub.store"]
    assert [r.levelno for r in store_lines] == [logging.ERROR, logging.INFO]
    assert "SQLITE_FULL" in store_lines[0].getMessage()
    assert "works again" in store_lines[1].getMessage()
    assert not any(r.exc_info for r in caplog.records)


async def test_redis_gone_during_a_poll_is_a_recorded_error_and_readyz_follows_it(
    tmp_path, upstream, feedhub_service, redis_prefix
):
    from urllib.parse import urlsplit

    from tests.redis_support import REDIS_URL, Proxy

    parts = urlsplit(REDIS_URL)
    proxy = Proxy(parts.port or 6379)
    await proxy.start()
    upstream.set("/feed.xml", rss(post("kept", text=SHORT)))
    cfg = make_config(
        tmp_path,
        {
            "storage": {
                "backend": "redis",
                "url": f"redis://127.0.0.1:{proxy.port}{parts.path}",
                "prefix": redis_prefix,
            },
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    run = await feedhub_service(cfg)
    await run.poll_all()
    assert "kept" in (await run.get("/w/side.html"))[1]

    await proxy.cut()
    upstream.set("/feed.xml", rss(post("lost in transit", text=SHORT)))
    fetched = len(upstream.seen)
    result = await run.service.polling.poll("blog")
    assert result.error.startswith("store: redis unreachable")
    assert run.service.states["blog"].errors == 1
    assert len(upstream.seen) == fetched  # its state unreadable, the upstream is not asked
    status, text, _ = await run.get("/readyz")
    assert status == 503 and "redis unreachable" in text
    status, body, _ = await run.get("/w/side.html")
    assert status == 200 and "kept" in body

    await proxy.start()
    assert (await run.get("/readyz"))[0] == 200
    await proxy.cut()
