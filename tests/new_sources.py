"""The seven source types added beside the first six, each served on the local upstream as
its platform would answer: their config (without `base_url`) and a function serving it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import Upstream, fixture_bytes
from tests.meta_upstream import FakeGraph

JSON = "application/json"
IG_TOKEN = "IGAAR-wall-token-0001"
TH_TOKEN = "THAA-wall-token-0001"
FB_TOKEN = "EAAG-wall-page-token-0001"
PAGE_ID = "104512345678901"


@dataclass(frozen=True)
class NewType:
    source: dict[str, Any]
    serve: Callable[[Upstream], Any]
    shows: tuple[str, ...]  # what its widget shows
    prefix: str = ""  # where on the upstream it is served (paths another type also uses)


def serve_instagram(up: Upstream) -> FakeGraph:
    graph = FakeGraph(up, grant="ig_refresh_token")
    graph.edge("/v22.0/me/media", ["instagram/media.json", "instagram/media_page2.json"])
    graph.issue(IG_TOKEN, age_days=59)
    return graph


def serve_threads(up: Upstream) -> FakeGraph:
    graph = FakeGraph(up, grant="th_refresh_token")
    graph.edge("/v1.0/me/threads", ["threads/threads.json"])
    graph.issue(TH_TOKEN, age_days=20)
    return graph


def serve_facebook(up: Upstream) -> FakeGraph:
    graph = FakeGraph(up, expired_fixture="facebook/invalid_token.json")
    graph.edge(f"/v22.0/{PAGE_ID}/posts", ["facebook/posts.json", "facebook/posts_page2.json"])
    graph.issued[FB_TOKEN] = 1e18  # a page token that does not expire
    return graph


def serve_pixelfed(up: Upstream) -> None:
    # Mastodon's API paths: under a prefix, so that a mastodon source can be served beside.
    up.set("/pixelfed/api/v1/accounts/lookup", fixture_bytes("pixelfed/lookup.json"), JSON)
    up.set(
        "/pixelfed/api/v1/accounts/702145896321547011/statuses",
        fixture_bytes("pixelfed/statuses.json"),
        JSON,
    )


NEW_TYPES = {
    "instagram": NewType(
        {"type": "instagram", "token": IG_TOKEN},
        serve_instagram,
        (
            "fh-net-instagram",
            "https://www.instagram.com/p/DCxCarousel1/",
            "468002_n.jpg",
            'href="https://www.instagram.com/explore/tags/ligne4/"',
            "Instagram",
        ),
    ),
    "threads": NewType(
        {"type": "threads", "token": TH_TOKEN},
        serve_threads,
        (
            "fh-net-threads",
            "La piste de la rue Garibaldi ouvre lundi.",
            ">@velo_lyon</a>",
            "hubservateur reposted",
            "@mairie_centre",
            "Threads",
        ),
    ),
    "facebook": NewType(
        {"type": "facebook", "page_id": PAGE_ID, "token": FB_TOKEN},
        serve_facebook,
        (
            "fh-net-facebook",
            'alt="Les enfants dans la cabine de la rame"',
            'href="https://www.example.org/ligne-4/calendrier?fbclid=',
            "Facebook",
        ),
    ),
    "peertube": NewType(
        {"type": "peertube", "channel": "ligne4@tube.example"},
        lambda up: up.set(
            "/api/v1/video-channels/ligne4@tube.example/videos",
            fixture_bytes("peertube/videos.json"),
            JSON,
        ),
        (
            "fh-net-peertube",
            "Visite du dépôt de la ligne 4",
            '<span class="fh-duration">1:02:05</span>',
            '<span class="fh-duration">4:05</span>',
            "PeerTube",
        ),
    ),
    "lemmy": NewType(
        {"type": "lemmy", "community": "ligne4@lemmy.example"},
        lambda up: up.set("/api/v3/post/list", fixture_bytes("lemmy/post_list.json"), JSON),
        (
            "fh-net-lemmy",
            '<span class="fh-score"><span aria-hidden="true">▲</span> 42</span>',
            '<span class="fh-count fh-replies"><span aria-hidden="true">↩</span>'
            '<span class="fh-visually-hidden">Replies</span> 7</span>',
            'href="https://www.example.org/ligne-4/calendrier"',
            "Lemmy",
        ),
    ),
    "pixelfed": NewType(
        {"type": "pixelfed", "account": "@hubservateur@pixel.example"},
        serve_pixelfed,
        ("fh-net-pixelfed", 'alt="Le viaduc dans la brume"', "Pixelfed"),
        "/pixelfed",
    ),
    "tumblr": NewType(
        {"type": "tumblr", "blog": "hubservateur", "api_key": "tumblr-key-wall"},
        lambda up: up.set("/v2/blog/hubservateur/posts", fixture_bytes("tumblr/posts.json"), JSON),
        (
            "fh-net-tumblr",
            "Hubservateur reposted",
            "Vélo à Lyon",
            'alt="La place Centrale vue du toit"',
            "Tumblr",
        ),
    ),
}
