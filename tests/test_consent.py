"""Author consent, one rule across networks: a Mastodon author with `#nobot` in their
profile, or who is not `discoverable`, and a Bluesky author with `!no-unauthenticated`, are
left out of the widget, and `/admin` names them on one line under their source."""

from __future__ import annotations

from aiohttp import web

from tests.conftest import Upstream, fixture_bytes, make_config

JSON = "application/json"
STATUSES = "/api/v1/accounts/109318924817261534/statuses"


def serve_mastodon(up: Upstream, timeline: str) -> None:
    up.set("/api/v1/accounts/lookup", fixture_bytes("mastodon/lookup.json"), JSON)

    async def statuses(request: web.Request) -> web.Response:
        pinned = request.query.get("pinned") == "true"
        name = "mastodon/pinned.json" if pinned else timeline
        return web.Response(body=fixture_bytes(name), content_type=JSON)

    up.routes[STATUSES] = statuses


async def start(tmp_path, upstream, feedhub_service, timeline):
    serve_mastodon(upstream, timeline)
    upstream.set(
        "/xrpc/app.bsky.feed.getAuthorFeed", fixture_bytes("bluesky/author_feed.json"), JSON
    )
    config = make_config(
        tmp_path,
        {
            "sources": {
                "toots": {
                    "type": "mastodon",
                    "account": "@hubservateur@toot.example",
                    "base_url": upstream.base_url,
                },
                "sky": {
                    "type": "bluesky",
                    "handle": "hubservateur.bsky.social",
                    "base_url": upstream.base_url,
                },
            },
            "widgets": {"wall": {"sources": ["toots", "sky"], "limit": 50}},
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    return running


async def test_nobot_author_of_a_boost_is_left_out_and_named_on_admin(
    tmp_path, upstream, feedhub_service
):
    running = await start(tmp_path, upstream, feedhub_service, "consent/statuses_nobot_boost.json")
    _, html, _ = await running.get("/w/wall.html")
    assert "Nouvelle piste cyclable rue Garibaldi" not in html, "the #nobot author's post"
    assert "Le chantier place Centrale ce matin" in html, "the account's own posts stay"
    assert "Je ne veux pas être vu sans connexion" not in html
    status, admin, _ = await running.get("/admin")
    assert status == 200
    assert "left out at their request: @velo_lyon@piaille.example (#nobot in its profile)" in admin
    assert "(!no-unauthenticated label)" in admin


async def test_undiscoverable_account_is_not_shown(tmp_path, upstream, feedhub_service):
    running = await start(
        tmp_path, upstream, feedhub_service, "consent/statuses_undiscoverable.json"
    )
    _, html, _ = await running.get("/w/wall.html")
    assert "Le chantier place Centrale ce matin" not in html
    _, admin, _ = await running.get("/admin")
    assert "@hubservateur@toot.example (discoverable: false)" in admin
