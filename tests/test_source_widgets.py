"""Each social source through the whole service: local upstream, poller, store, widget HTTP."""

from __future__ import annotations

import time

import pytest

from tests.conftest import fixture_bytes
from tests.widget_cases import CASES, JSON, config, serve_x


@pytest.mark.parametrize("network", list(CASES))
async def test_widget_shows_the_sources_posts(tmp_path, upstream, feedhub_service, network):
    case = CASES[network]
    case.serve(upstream)
    running = await feedhub_service(config(tmp_path, upstream, [network]))
    await running.poll_all()
    assert running.service.states[network].errors == 0, running.service.states[network]
    status, body, _ = await running.get("/w/wall.html")
    assert status == 200
    for text in case.shows:
        assert text in body, f"{network}: {text!r} not in the widget"
    assert "t.co/" not in body and "<script>alert" not in body


async def test_mixed_widget(tmp_path, upstream, feedhub_service):
    names = ["mastodon", "bluesky", "youtube"]
    for name in names:
        CASES[name].serve(upstream)
    running = await feedhub_service(config(tmp_path, upstream, names))
    await running.poll_all()
    status, body, _ = await running.get("/w/wall.html")
    assert status == 200
    for name in names:
        assert f"fh-net-{name}" in body
    # Pinned posts first, then newest first across the networks.
    assert body.index("3kz2pinnedaa2") < body.index("113520000000000001")
    assert body.index("113520000000000001") < body.index("dQ4w9WgXcQ0")


async def test_x_incremental_polls_keep_earlier_posts(tmp_path, upstream, feedhub_service):
    serve_x(upstream)
    running = await feedhub_service(config(tmp_path, upstream, ["x"]))
    await running.service.polling.poll("x")
    upstream.set(
        "/2/users/1428739211118813184/tweets",
        fixture_bytes("x/tweets_since.json"),
        JSON,
        etag=False,
    )
    await running.service.polling.poll("x")
    assert (
        upstream.requests_to("/2/users/1428739211118813184/tweets")[-1].query["since_id"]
        == "1859912345678901234"
    )
    _, body, _ = await running.get("/w/wall.html")
    assert "Réunion publique jeudi 18h" in body and "Timelapse du chantier" in body
    assert running.service.polling.interval("x") >= 1800


async def test_rate_limit_sets_the_next_check(tmp_path, upstream, feedhub_service):
    upstream.set(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        fixture_bytes("bluesky/rate_limited.json"),
        JSON,
        status=429,
        headers={"Retry-After": "7200"},
    )
    running = await feedhub_service(config(tmp_path, upstream, ["bluesky"]))
    before = time.time()
    await running.poll_all()
    state = running.service.states["bluesky"]
    assert state.errors == 1 and state.last_error.startswith("rate limited")
    assert state.next_check >= before + 7200 * 0.9
    status, body, _ = await running.get("/w/wall.html")
    assert status == 200
