"""Each social source through the whole service: local upstream, poller, store, widget HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from tests.conftest import Upstream, fixture_bytes, make_config
from tests.new_sources import NEW_TYPES

JSON = "application/json"
ATOM = "application/atom+xml"


@dataclass(frozen=True)
class Case:
    source: dict[str, Any]
    serve: Callable[[Upstream], None]
    shows: tuple[str, ...]
    prefix: str = ""  # of its paths on the upstream


def serve_mastodon(up: Upstream) -> None:
    up.set("/api/v1/accounts/lookup", fixture_bytes("mastodon/lookup.json"), JSON)

    async def statuses(request: web.Request) -> web.Response:
        name = "pinned" if request.query.get("pinned") == "true" else "statuses"
        return web.Response(body=fixture_bytes(f"mastodon/{name}.json"), content_type=JSON)

    up.routes["/api/v1/accounts/109318924817261534/statuses"] = statuses


def serve_x(up: Upstream) -> None:
    up.set("/2/users/by/username/Hubservateur", fixture_bytes("x/user.json"), JSON)
    up.set("/2/users/1428739211118813184/tweets", fixture_bytes("x/tweets.json"), JSON,
           etag=False)


CASES = {
    "mastodon": Case(
        {"type": "mastodon", "account": "@hubservateur@toot.example"},
        serve_mastodon,
        ("fh-net-mastodon", "@hubservateur@toot.example", "Accident, blessés",
         "Une grue jaune au-dessus de la place", "@velo_lyon@piaille.example",
         "example.org/faq-ligne-4-travau…", "fh-pinned"),
    ),
    "bluesky": Case(
        {"type": "bluesky", "handle": "hubservateur.bsky.social"},
        lambda up: up.set("/xrpc/app.bsky.feed.getAuthorFeed",
                          fixture_bytes("bluesky/author_feed.json"), JSON),
        ("fh-net-bluesky", '<a href="https://www.example.org/ligne-4"',
         "https://bsky.app/profile/hubservateur.bsky.social/post/3lbxphotos222",
         "Rails neufs devant l&#39;hôtel de ville", "fh-pinned"),
    ),
    "youtube": Case(
        {"type": "youtube", "channel_id": "UCxyzAbCdEfGhIjKlMnOpQrS"},
        lambda up: up.set("/feeds/videos.xml", fixture_bytes("youtube/videos.xml"), ATOM),
        ("fh-net-youtube", "Réunion publique : la ligne 4 &amp; le tram",
         "https://i2.ytimg.com/vi/dQ4w9WgXcQ0/hqdefault.jpg", 'width="480" height="360"'),
    ),
    "reddit": Case(
        {"type": "reddit", "subreddit": "selfhosted"},
        lambda up: up.set("/r/selfhosted/new/.rss", fixture_bytes("reddit/new.rss"), ATOM),
        ("fh-net-reddit", "Self-hosted social widgets?", "u/quietlantern",
         'href="https://www.example.org/notes"'),
    ),
    "x": Case(
        {"type": "x", "username": "Hubservateur", "bearer_token": "test-token"},
        serve_x,
        ("fh-net-x", "@Hubservateur", 'href="https://www.example.org/ligne-4?utm_source=x"',
         "https://pbs.twimg.com/media/GdAbCdEfGhIjKl.jpg", "@VeloLyon"),
    ),
    **{name: Case(t.source, t.serve, t.shows, t.prefix) for name, t in NEW_TYPES.items()},
}


def config(tmp_path, upstream: Upstream, names: list[str]) -> Any:
    sources = {n: {**CASES[n].source, "base_url": upstream.base_url + CASES[n].prefix}
               for n in names}
    return make_config(tmp_path, {
        "sources": sources,
        "widgets": {"wall": {"title": "Partout", "sources": names, "limit": 30}},
    })


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
    upstream.set("/2/users/1428739211118813184/tweets", fixture_bytes("x/tweets_since.json"),
                 JSON, etag=False)
    await running.service.polling.poll("x")
    assert upstream.requests_to("/2/users/1428739211118813184/tweets")[-1].query[
        "since_id"] == "1859912345678901234"
    _, body, _ = await running.get("/w/wall.html")
    assert "Réunion publique jeudi 18h" in body and "Timelapse du chantier" in body
    assert running.service.polling.interval("x") >= 1800


async def test_rate_limit_sets_the_next_check(tmp_path, upstream, feedhub_service):
    upstream.set("/xrpc/app.bsky.feed.getAuthorFeed", fixture_bytes("bluesky/rate_limited.json"),
                 JSON, status=429, headers={"Retry-After": "7200"})
    running = await feedhub_service(config(tmp_path, upstream, ["bluesky"]))
    before = time.time()
    await running.poll_all()
    state = running.service.states["bluesky"]
    assert state.errors == 1 and state.last_error.startswith("rate limited")
    assert state.next_check >= before + 7200 * 0.9
    status, body, _ = await running.get("/w/wall.html")
    assert status == 200
