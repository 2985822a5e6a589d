"""An RSS `<ttl>` keeps lengthening the wait after the feed answers 304, and after a restart:
the hint is stored with the fetch state, not only read from a changed body."""

from __future__ import annotations

import time

from tests.conftest import make_config
from tests.fault_upstream import good_feed

HOUR = 3600.0


def ttl_feed() -> bytes:
    return good_feed("post").replace(b"<channel>", b"<channel><ttl>120</ttl>")  # minutes


async def test_ttl_survives_304_and_restart(tmp_path, upstream, feedhub_service):
    upstream.set("/feed", ttl_feed(), "application/rss+xml")
    config = make_config(
        tmp_path,
        {
            "fetch": {"interval": "1m"},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    running = await feedhub_service(config)
    svc = running.service
    started = time.time()
    await svc.polling.poll("blog")
    assert upstream.requests_to("/feed")[-1].status == 200
    assert svc.states["blog"].next_check >= started + 0.89 * 2 * HOUR
    await svc.polling.poll("blog")
    assert upstream.requests_to("/feed")[-1].status == 304
    assert svc.states["blog"].next_check >= started + 0.89 * 2 * HOUR, (
        "the 304 kept the feed's <ttl> of 2 hours"
    )
    await running.client.close()

    # A restart reads the hint back with the state: the next 304 still honours it.
    again = await feedhub_service(config)
    await again.service.polling.poll("blog")
    assert upstream.requests_to("/feed")[-1].status == 304
    assert again.service.states["blog"].next_check >= started + 0.89 * 2 * HOUR
    status, page, _ = await again.get("/w/side.html")
    assert status == 200 and "post 2" in page
