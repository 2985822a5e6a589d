"""A post cross-posted to Mastodon, Bluesky and X is shown once in a mixed widget, with
"also on" links to the other copies; `dedupe: false` shows every copy. Posts that only
share a time (different words, different links) stay apart."""

from __future__ import annotations

import json
import re

from tests.conftest import Upstream, fixture_bytes, make_config

JSON = "application/json"
TEXT = "Les rails de la ligne 4 sont posés place Centrale"


def serve(up: Upstream) -> None:
    up.set("/api/v1/accounts/lookup", fixture_bytes("mastodon/lookup.json"), JSON)
    up.set(
        "/api/v1/accounts/109318924817261534/statuses",
        fixture_bytes("crosspost/mastodon.json"),
        JSON,
    )
    up.set("/xrpc/app.bsky.feed.getAuthorFeed", fixture_bytes("crosspost/bluesky.json"), JSON)
    up.set("/2/users/by/username/Hubservateur", fixture_bytes("x/user.json"), JSON)
    up.set(
        "/2/users/1428739211118813184/tweets", fixture_bytes("crosspost/x.json"), JSON, etag=False
    )


async def start(tmp_path, upstream, feedhub_service):
    serve(upstream)
    base = upstream.base_url
    config = make_config(
        tmp_path,
        {
            "sources": {
                "toots": {
                    "type": "mastodon",
                    "account": "@hubservateur@toot.example",
                    "base_url": base,
                    "pinned": False,
                },
                "sky": {
                    "type": "bluesky",
                    "handle": "hubservateur.bsky.social",
                    "base_url": base,
                    "pinned": False,
                },
                "tw": {
                    "type": "x",
                    "username": "Hubservateur",
                    "bearer_token": "t",
                    "base_url": base,
                },
            },
            "widgets": {
                "wall": {"sources": ["toots", "sky", "tw"], "limit": 50, "locale": "fr"},
                "every": {"sources": ["toots", "sky", "tw"], "limit": 50, "dedupe": False},
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    return running


async def test_one_post_once_with_also_on_links(tmp_path, upstream, feedhub_service):
    running = await start(tmp_path, upstream, feedhub_service)
    _, wall, _ = await running.get("/w/wall.html")
    articles = re.findall(r"<article.*?</article>", wall, re.S)
    crossposts = [a for a in articles if TEXT in a]
    assert len(crossposts) == 1, "three copies shown once"
    (merged,) = crossposts
    assert "fh-net-mastodon" in merged  # the first source of the widget keeps it
    also = re.search(r'<p class="fh-also">(.*?)</p>', merged, re.S)
    assert also, merged
    assert "Aussi sur :" in also.group(1)
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', also.group(1))
    assert links == [
        ("https://bsky.app/profile/hubservateur.bsky.social/post/3lcrosspost44", "Bluesky"),
        ("https://x.com/Hubservateur/status/1860250000000000000", "X"),
    ]
    # Same second, different words and links: the "Café" posts of each network stay apart.
    assert sum("Café" in a for a in articles) == 2
    _, feed, _ = await running.get("/w/wall.json")
    items = json.loads(feed)["items"]
    assert sum(TEXT in (it.get("content_html") or "") for it in items) == 1


async def test_dedupe_false_shows_every_copy(tmp_path, upstream, feedhub_service):
    running = await start(tmp_path, upstream, feedhub_service)
    _, every, _ = await running.get("/w/every.html")
    articles = re.findall(r"<article.*?</article>", every, re.S)
    assert sum(TEXT in a for a in articles) == 3
    assert 'class="fh-also"' not in every
