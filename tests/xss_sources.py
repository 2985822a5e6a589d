"""Every source type, served with the XSS corpus placed in every field of its fixture.

For each type and each round r there is one source: its upstream answers are the type's
real-shaped fixtures with `tests.xss_corpus.placed_*(…, r)` applied, under a path of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import Upstream, fixture_bytes
from tests.xss_corpus import placed_json, placed_xml

JSON = "application/json"
ATOM = "application/atom+xml"
RSS = "application/rss+xml"
MASTODON_ID = "109318924817261534"
X_ID = "1428739211118813184"
PAGE_ID = "104512345678901"
PIXELFED_ID = "702145896321547011"


def _json(name: str, r: int) -> bytes:
    return json.dumps(placed_json(json.loads(fixture_bytes(name)), r)).encode()


@dataclass(frozen=True)
class SourceType:
    """How one round of a source type is configured and what its upstream paths answer."""

    config: Callable[[str, int], dict[str, Any]]  # (base url of the round, round) -> source
    # round -> {path: (body, type)} or {path: (body, type, status)}
    routes: Callable[[int], dict[str, tuple[Any, ...]]]


def _feed(fixture: str, ctype: str, as_json: bool = False) -> SourceType:
    return SourceType(
        config=lambda base, r: {"type": "feed", "url": f"{base}/feed"},
        routes=lambda r: {
            "/feed": (
                _json(fixture, r) if as_json else placed_xml(fixture_bytes(fixture), r),
                ctype,
            )
        },
    )


TYPES: dict[str, SourceType] = {
    "rss": _feed("feeds/rss20.xml", RSS),
    "atom": _feed("feeds/atom.xml", ATOM),
    "jsonfeed": _feed("feeds/feed.json", "application/feed+json", as_json=True),
    "mastodon": SourceType(
        config=lambda base, r: {
            "type": "mastodon",
            "account": "@hubservateur@toot.example",
            "base_url": base,
        },
        routes=lambda r: {
            "/api/v1/accounts/lookup": (_json("mastodon/lookup.json", r), JSON),
            f"/api/v1/accounts/{MASTODON_ID}/statuses": (_json("mastodon/statuses.json", r), JSON),
        },
    ),
    "bluesky": SourceType(
        config=lambda base, r: {
            "type": "bluesky",
            "handle": "hubservateur.bsky.social",
            "base_url": base,
        },
        routes=lambda r: {
            "/xrpc/app.bsky.feed.getAuthorFeed": (_json("bluesky/author_feed.json", r), JSON)
        },
    ),
    "youtube": SourceType(
        config=lambda base, r: {
            "type": "youtube",
            "channel_id": "UCxyzAbCdEfGhIjKlMnOpQrS",
            "base_url": base,
        },
        routes=lambda r: {
            "/feeds/videos.xml": (placed_xml(fixture_bytes("youtube/videos.xml"), r), ATOM)
        },
    ),
    "reddit": SourceType(
        config=lambda base, r: {"type": "reddit", "subreddit": "selfhosted", "base_url": base},
        routes=lambda r: {
            "/r/selfhosted/new/.rss": (placed_xml(fixture_bytes("reddit/new.rss"), r), ATOM)
        },
    ),
    "x": SourceType(
        config=lambda base, r: {
            "type": "x",
            "username": "Hubservateur",
            "bearer_token": "test-token",
            "base_url": base,
        },
        routes=lambda r: {
            "/2/users/by/username/Hubservateur": (_json("x/user.json", r), JSON),
            f"/2/users/{X_ID}/tweets": (_json("x/tweets.json", r), JSON),
        },
    ),
    "instagram": SourceType(
        config=lambda base, r: {"type": "instagram", "token": "IGAAR-xss", "base_url": base},
        routes=lambda r: {
            "/v22.0/me/media": (_json("instagram/media.json", r), JSON),
            "/refresh_access_token": (_json("instagram/refresh.json", r), JSON),
        },
    ),
    "threads": SourceType(
        config=lambda base, r: {"type": "threads", "token": "THAA-xss", "base_url": base},
        routes=lambda r: {
            "/v1.0/me/threads": (_json("threads/threads.json", r), JSON),
            "/refresh_access_token": (_json("threads/refresh.json", r), JSON),
        },
    ),
    "facebook": SourceType(
        config=lambda base, r: {
            "type": "facebook",
            "page_id": PAGE_ID,
            "token": "EAA-xss",
            "base_url": base,
        },
        routes=lambda r: {f"/v22.0/{PAGE_ID}/posts": (_json("facebook/posts.json", r), JSON)},
    ),
    "peertube": SourceType(
        config=lambda base, r: {
            "type": "peertube",
            "channel": "ligne4@tube.example",
            "sensitive": "fold",
            "base_url": base,
        },
        routes=lambda r: {
            "/api/v1/video-channels/ligne4@tube.example/videos": (
                _json("peertube/videos.json", r),
                JSON,
            )
        },
    ),
    "lemmy": SourceType(
        config=lambda base, r: {
            "type": "lemmy",
            "community": "ligne4@lemmy.example",
            "sensitive": "fold",
            "base_url": base,
        },
        routes=lambda r: {"/api/v3/post/list": (_json("lemmy/post_list.json", r), JSON)},
    ),
    "pixelfed": SourceType(
        config=lambda base, r: {
            "type": "pixelfed",
            "account": "@hubservateur@pixel.example",
            "sensitive": "fold",
            "base_url": base,
        },
        routes=lambda r: {
            "/api/v1/accounts/lookup": (_json("pixelfed/lookup.json", r), JSON),
            f"/api/v1/accounts/{PIXELFED_ID}/statuses": (_json("pixelfed/statuses.json", r), JSON),
        },
    ),
    "pixelfed_atom": SourceType(
        config=lambda base, r: {
            "type": "pixelfed",
            "account": "@hubservateur@pixel.example",
            "base_url": base,
        },
        routes=lambda r: {  # an instance that closes its API to anonymous clients
            "/api/v1/accounts/lookup": (fixture_bytes("pixelfed/unauthorized.json"), JSON, 401),
            "/users/hubservateur.atom": (placed_xml(fixture_bytes("pixelfed/user.atom"), r), ATOM),
        },
    ),
    "tumblr": SourceType(
        config=lambda base, r: {
            "type": "tumblr",
            "blog": "hubservateur",
            "api_key": "k-xss",
            "sensitive": "fold",
            "base_url": base,
        },
        routes=lambda r: {"/v2/blog/hubservateur/posts": (_json("tumblr/posts.json", r), JSON)},
    ),
}


# Checked a group at a time: all of them at once is more polling than a shared test machine
# does within the fetch timeout.
GROUPS = {"feeds_and_timelines": list(TYPES)[:8], "graph_fediverse_tumblr": list(TYPES)[8:]}


def serve_all(
    upstream: Upstream, rounds: int, kinds: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Set every round of every type (or of `kinds`) on the upstream; the sources' config,
    by source id."""
    sources = {}
    for kind in kinds or list(TYPES):
        st = TYPES[kind]
        for r in range(rounds):
            prefix = f"/{kind}/{r}"
            for path, (body, ctype, *status) in st.routes(r).items():
                upstream.set(prefix + path, body, ctype, status=status[0] if status else 200)
            sources[f"{kind}-{r}"] = st.config(upstream.url(prefix), r)
    return sources
