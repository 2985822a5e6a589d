"""The social source types as the whole-service tests serve them: each one's config (without
`base_url`), what serves its recorded answers on the local upstream, and what its widget shows;
`config` puts a set of them into one widget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    up.set("/2/users/1428739211118813184/tweets", fixture_bytes("x/tweets.json"), JSON, etag=False)


CASES = {
    "mastodon": Case(
        {"type": "mastodon", "account": "@hubservateur@toot.example"},
        serve_mastodon,
        (
            "fh-net-mastodon",
            "@hubservateur@toot.example",
            "Accident, blessés",
            "Une grue jaune au-dessus de la place",
            "@velo_lyon@piaille.example",
            "example.org/faq-ligne-4-travau…",
            "fh-pinned",
        ),
    ),
    "bluesky": Case(
        {"type": "bluesky", "handle": "hubservateur.bsky.social"},
        lambda up: up.set(
            "/xrpc/app.bsky.feed.getAuthorFeed", fixture_bytes("bluesky/author_feed.json"), JSON
        ),
        (
            "fh-net-bluesky",
            '<a href="https://www.example.org/ligne-4"',
            "https://bsky.app/profile/hubservateur.bsky.social/post/3lbxphotos222",
            "Rails neufs devant l&#39;hôtel de ville",
            "fh-pinned",
        ),
    ),
    "youtube": Case(
        {"type": "youtube", "channel_id": "UCxyzAbCdEfGhIjKlMnOpQrS"},
        lambda up: up.set("/feeds/videos.xml", fixture_bytes("youtube/videos.xml"), ATOM),
        (
            "fh-net-youtube",
            "Réunion publique : la ligne 4 &amp; le tram",
            "https://i2.ytimg.com/vi/dQ4w9WgXcQ0/hqdefault.jpg",
            'width="480" height="360"',
        ),
    ),
    "reddit": Case(
        {"type": "reddit", "subreddit": "selfhosted"},
        lambda up: up.set("/r/selfhosted/new/.rss", fixture_bytes("reddit/new.rss"), ATOM),
        (
            "fh-net-reddit",
            "Self-hosted social widgets?",
            "u/quietlantern",
            'href="https://www.example.org/notes"',
        ),
    ),
    "x": Case(
        {"type": "x", "username": "Hubservateur", "bearer_token": "test-token"},
        serve_x,
        (
            "fh-net-x",
            "@Hubservateur",
            'href="https://www.example.org/ligne-4?utm_source=x"',
            "https://pbs.twimg.com/media/GdAbCdEfGhIjKl.jpg",
            "@VeloLyon",
        ),
    ),
    **{name: Case(t.source, t.serve, t.shows, t.prefix) for name, t in NEW_TYPES.items()},
}


def config(tmp_path, upstream: Upstream, names: list[str]) -> Any:
    sources = {
        n: {**CASES[n].source, "base_url": upstream.base_url + CASES[n].prefix} for n in names
    }
    return make_config(
        tmp_path,
        {
            "sources": sources,
            "widgets": {"wall": {"title": "Partout", "sources": names, "limit": 30}},
        },
    )
