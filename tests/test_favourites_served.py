"""Approved by favourite, through `feedhub serve`: the site's Mastodon account favourites a
post on the stand-in, and the wall shows it after the next poll, with no action on /admin; a
Bluesky like names a post the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from feedhub.models import stable_id
from feedhub.sources.bluesky_likes import parse_likes
from tests.conftest import Upstream, wait_until
from tests.wall_support import (
    INSTANCES,
    instance_answers,
    serve_tag,
    shows,
    start_wall,
    status,
    tag_source,
    texts,
)

TOKEN = "site-account-token-0123456789"
FAVOURITES = "/one/api/v1/favourites"


async def test_a_post_the_site_favourited_appears_after_the_next_poll(
    upstream: Upstream, daemon: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    answers = instance_answers()
    serve_tag(upstream, answers)
    favourited: list[dict[str, Any]] = []

    async def favourites(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "The access token is invalid"}, status=401)
        return web.json_response(favourited)

    upstream.routes[FAVOURITES] = favourites
    monkeypatch.setenv("SITE_MASTODON_TOKEN", TOKEN)
    sources = {
        "fete": tag_source(upstream),
        "favs": {
            "type": "mastodon_favourites",
            "instance": INSTANCES["one"],
            "token": "${SITE_MASTODON_TOKEN}",
            "base_url": upstream.url("/one"),
        },
    }
    widget = {"sources": ["fete"], "moderation": "approve", "approve_from": ["favs"]}
    d = start_wall(daemon, tmp_path, sources, widget, interval="2s")
    await wait_until(lambda: upstream.requests_to(FAVOURITES), timeout=20)
    await shows(d, "Quelle foule", present=False)
    assert await texts(d) == []

    # dave's post, favourited by the site's account (as its own instance shows it).
    one, two = INSTANCES["one"], INSTANCES["two"]
    favourited.append(
        status(5, "dave", two, one, "2026-12-06T20:50:00.000Z", "Quelle foule rue de la République")
    )
    await shows(d, "Quelle foule")
    assert len(await texts(d)) == 1  # the others still wait
    async with aiohttp.ClientSession() as http, http.get(f"{d.url}/admin/moderation") as resp:
        page = await resp.text()
    assert "approve by favourite (favs) at" in page
    assert TOKEN not in page and TOKEN not in d.output()


def test_a_bluesky_like_names_the_post_as_its_id() -> None:
    post = "at://did:plc:gaspardxxxxxxxxxxxxxxxxx/app.bsky.feed.post/3lfdl00000001"
    body = {
        "records": [
            {
                "uri": "at://did:plc:vq3kz7wiltfgxz5nh2d4ka6u/app.bsky.feed.like/3lfdllike01",
                "cid": "bafyreilike01",
                "value": {
                    "$type": "app.bsky.feed.like",
                    "subject": {"uri": post, "cid": "bafyreifdl01"},
                    "createdAt": "2026-12-06T21:00:00.000Z",
                },
            },
            {
                "uri": "at://did:plc:vq3kz7wiltfgxz5nh2d4ka6u/app.bsky.feed.like/3lfdllike02",
                "cid": "bafyreilike02",
                "value": {
                    "$type": "app.bsky.feed.like",
                    "subject": {
                        "uri": "at://did:plc:x/app.bsky.feed.generator/fete",
                        "cid": "bafyreigen",
                    },
                    "createdAt": "2026-12-06T21:01:00.000Z",
                },
            },
        ],
        "cursor": "3lfdllike02",
    }
    import json

    (liked,) = parse_likes(json.dumps(body).encode(), "https://pds.example/x", "likes")
    assert liked.id == stable_id(post)  # what the Bluesky adapters name that post
    assert (
        liked.url == "https://bsky.app/profile/did:plc:gaspardxxxxxxxxxxxxxxxxx/post/3lfdl00000001"
    )
