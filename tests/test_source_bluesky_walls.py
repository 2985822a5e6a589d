"""The bluesky_feed adapter (a custom feed, a list's feed) and the search's session handling,
against answers served locally."""

from __future__ import annotations

from aiohttp import web

from feedhub.config import BlueskyFeedSource, BlueskySearchSource
from feedhub.models import FetchState
from feedhub.sources.atproto import SESSION
from feedhub.sources.bluesky_feed import BlueskyFeedAdapter
from feedhub.sources.bluesky_search import BlueskySearchAdapter
from tests.bluesky_wall_support import CREATE, HANDLE, PASSWORD, SEARCH, BlueskyService
from tests.conftest import Upstream, fixture_bytes
from tests.source_support import poll_source_fixture  # noqa: F401

FEED = "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.generator/fete-lyon"
LIST = "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.graph.list/3kfdlmembers"


async def test_a_custom_feed_and_a_list_feed_are_read_on_the_appview(upstream, poll_source):
    body = fixture_bytes("bluesky/author_feed.json")  # getFeed answers the same entries
    for call in ("getFeed", "getListFeed"):
        upstream.set(f"/xrpc/app.bsky.feed.{call}", body, "application/json")
    feed = BlueskyFeedAdapter(
        "f", BlueskyFeedSource(type="bluesky_feed", feed=FEED, base_url=upstream.base_url)
    )
    result = await poll_source(feed)
    assert result.ok, result.error and result.items
    (seen,) = upstream.requests_to("/xrpc/app.bsky.feed.getFeed")
    assert seen.query == {"feed": FEED, "limit": "30"}
    listed = BlueskyFeedAdapter(
        "l", BlueskyFeedSource(type="bluesky_feed", list=LIST, limit=50, base_url=upstream.base_url)
    )
    assert (await poll_source(listed)).ok
    (seen,) = upstream.requests_to("/xrpc/app.bsky.feed.getListFeed")
    assert seen.query == {"list": LIST, "limit": "50"}

    async def gone(request: web.Request) -> web.Response:
        return web.json_response({"error": "UnknownFeed", "message": "Unknown feed"}, status=400)

    upstream.routes["/xrpc/app.bsky.feed.getFeed"] = gone
    failed = await poll_source(feed)
    assert failed.error.startswith(f"feed {FEED} not found")


def search(upstream: Upstream, password: str = PASSWORD) -> BlueskySearchAdapter:
    cfg = BlueskySearchSource(
        type="bluesky_search",
        q="#fete-des-lumieres",
        identifier=HANDLE,
        app_password=password,
        base_url=upstream.base_url,
    )
    return BlueskySearchAdapter("s", cfg)


async def test_the_session_is_kept_reused_and_a_wrong_password_is_said_plainly(
    upstream, poll_source
):
    service = BlueskyService(upstream)
    first = await poll_source(search(upstream))
    assert first.ok and [it.author.name for it in first.items] == ["Gaspard", "Irene"]
    assert first.meta["withheld"] == {"@hortense.bsky.social": "!no-unauthenticated label"}
    kept = FetchState(meta={SESSION: first.meta[SESSION]})
    again = await poll_source(search(upstream), kept)  # a new adapter: a restart
    assert again.ok and service.created == 1  # the kept session, no new login
    # Another password (the owner replaced it): the kept session is not used.
    wrong = await poll_source(search(upstream, "wrong-pass-word-0000"), kept)
    assert not wrong.ok and len(upstream.requests_to(CREATE)) == 2
    assert wrong.error.startswith("no session for this identifier and app password: HTTP 401")
    assert "wrong-pass-word-0000" not in wrong.error
    assert len(upstream.requests_to(SEARCH)) == 2
