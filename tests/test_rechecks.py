"""The re-check of stored posts older than the latest answer, through a real Fetcher against
the local upstream: Mastodon's `GET /api/v1/statuses/:id` and Bluesky's
`app.bsky.feed.getPosts`. Only a plain "deleted" counts; a failure never does."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from feedhub.config import BlueskySource, MastodonSource
from feedhub.fetch.fetcher import Fetcher
from feedhub.models import Item
from feedhub.sources import PollContext
from feedhub.sources.bluesky import BlueskyAdapter
from feedhub.sources.mastodon import MastodonAdapter
from feedhub.sources.rechecks import bluesky_uri
from tests.conftest import Upstream, fixture_bytes
from tests.source_support import poll_source_fixture, run_here  # noqa: F401

GET_POSTS = "/xrpc/app.bsky.feed.getPosts"


def bluesky_adapter(upstream: Upstream) -> BlueskyAdapter:
    cfg = BlueskySource(
        type="bluesky", handle="@hubservateur.bsky.social", base_url=upstream.base_url
    )
    return BlueskyAdapter("sky", cfg)


@pytest.fixture
async def items(upstream, poll_source):  # noqa: F811
    """The posts of the recorded author feed, as the adapter reads them."""
    upstream.set(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        fixture_bytes("bluesky/author_feed.json"),
        "application/json",
    )
    result = await poll_source(bluesky_adapter(upstream))
    assert result.ok, result.error
    return result.items


@pytest.fixture
async def ctx() -> AsyncIterator[PollContext]:
    fetcher = Fetcher(public_url="http://test", allow_private=True)
    yield PollContext(fetcher=fetcher, run_parse=run_here, timeout=10.0, max_bytes=1 << 20)
    await fetcher.close()


def toot(n: int, **kw: object) -> Item:
    return Item(
        id=f"t{n}", source="hub", url=f"https://toot.example/@hub/11352000000000000{n}", **kw
    )  # type: ignore[arg-type]


async def test_mastodon_counts_a_404_and_nothing_else(upstream: Upstream, ctx):
    answers = {"113520000000000001": 200, "113520000000000002": 404, "113520000000000003": 500}
    asked: list[str] = []

    async def status(request: web.Request) -> web.Response:
        status_id = request.path.rsplit("/", 1)[-1]
        asked.append(status_id)
        return web.json_response({"id": status_id}, status=answers.get(status_id, 410))

    for status_id in [*answers, "113520000000000004"]:
        upstream.routes[f"/api/v1/statuses/{status_id}"] = status
    cfg = MastodonSource(type="mastodon", account="@hub@toot.example", base_url=upstream.base_url)
    mastodon = MastodonAdapter("hub", cfg)
    boost = toot(5, repost=True)
    gone = await mastodon.recheck(ctx, [toot(1), toot(2), toot(3), toot(4), boost])
    assert gone == {"t2", "t4"}  # 404, and 410 (gone)
    assert "113520000000000005" not in asked  # another author's post is not asked about


async def test_bluesky_counts_a_post_getposts_leaves_out(upstream: Upstream, ctx, items):
    own = [it for it in items if not it.repost and "3lbquote44444" not in it.url]
    assert len(own) >= 3 and all(bluesky_uri(it) for it in own)
    deleted = own[1]
    asked: list[list[str]] = []

    async def get_posts(request: web.Request) -> web.Response:
        uris = request.query.getall("uris")
        asked.append(uris)
        keep = [u for u in uris if u != bluesky_uri(deleted)[0]]  # type: ignore[index]
        did = [{"uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/" + u.split("/", 3)[3]} for u in keep]
        return web.json_response({"posts": did})

    upstream.routes[GET_POSTS] = get_posts
    sky = bluesky_adapter(upstream)
    assert await sky.recheck(ctx, own) == {deleted.id}
    assert asked and all(u.startswith("at://") for u in asked[0])
    # A repost is another author's post: not asked about.
    boosted = dataclasses.replace(own[0], repost=True)
    assert bluesky_uri(boosted) is None

    # An AppView that resolves none of them (empty answer) or fails says nothing.
    upstream.routes[GET_POSTS] = lambda request: _json({"posts": []})
    assert await sky.recheck(ctx, own) == set()
    upstream.routes[GET_POSTS] = lambda request: _json({"error": "InternalError"}, 500)
    assert await sky.recheck(ctx, own) == set()


async def _json(body: object, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)
