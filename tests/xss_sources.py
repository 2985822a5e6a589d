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


def _json(name: str, r: int) -> bytes:
    return json.dumps(placed_json(json.loads(fixture_bytes(name)), r)).encode()


@dataclass(frozen=True)
class SourceType:
    """How one round of a source type is configured and what its upstream paths answer."""

    config: Callable[[str, int], dict[str, Any]]  # (base url of the round, round) -> source
    routes: Callable[[int], dict[str, tuple[bytes, str]]]  # round -> {path: (body, type)}


def _feed(fixture: str, ctype: str, as_json: bool = False) -> SourceType:
    return SourceType(
        config=lambda base, r: {"type": "feed", "url": f"{base}/feed"},
        routes=lambda r: {"/feed": (_json(fixture, r) if as_json else
                                    placed_xml(fixture_bytes(fixture), r), ctype)},
    )


TYPES: dict[str, SourceType] = {
    "rss": _feed("feeds/rss20.xml", RSS),
    "atom": _feed("feeds/atom.xml", ATOM),
    "jsonfeed": _feed("feeds/feed.json", "application/feed+json", as_json=True),
    "mastodon": SourceType(
        config=lambda base, r: {"type": "mastodon", "account": "@hubservateur@toot.example",
                                "base_url": base},
        routes=lambda r: {
            "/api/v1/accounts/lookup": (_json("mastodon/lookup.json", r), JSON),
            f"/api/v1/accounts/{MASTODON_ID}/statuses": (_json("mastodon/statuses.json", r),
                                                         JSON),
        },
    ),
    "bluesky": SourceType(
        config=lambda base, r: {"type": "bluesky", "handle": "hubservateur.bsky.social",
                                "base_url": base},
        routes=lambda r: {"/xrpc/app.bsky.feed.getAuthorFeed":
                          (_json("bluesky/author_feed.json", r), JSON)},
    ),
    "youtube": SourceType(
        config=lambda base, r: {"type": "youtube", "channel_id": "UCxyzAbCdEfGhIjKlMnOpQrS",
                                "base_url": base},
        routes=lambda r: {"/feeds/videos.xml": (placed_xml(fixture_bytes("youtube/videos.xml"),
                                                           r), ATOM)},
    ),
    "reddit": SourceType(
        config=lambda base, r: {"type": "reddit", "subreddit": "selfhosted", "base_url": base},
        routes=lambda r: {"/r/selfhosted/new/.rss": (placed_xml(fixture_bytes("reddit/new.rss"),
                                                                r), ATOM)},
    ),
    "x": SourceType(
        config=lambda base, r: {"type": "x", "username": "Hubservateur",
                                "bearer_token": "test-token", "base_url": base},
        routes=lambda r: {
            "/2/users/by/username/Hubservateur": (_json("x/user.json", r), JSON),
            f"/2/users/{X_ID}/tweets": (_json("x/tweets.json", r), JSON),
        },
    ),
}


def serve_all(upstream: Upstream, rounds: int) -> dict[str, dict[str, Any]]:
    """Set every round of every type on the upstream; the sources' config, by source id."""
    sources = {}
    for kind, st in TYPES.items():
        for r in range(rounds):
            prefix = f"/{kind}/{r}"
            for path, (body, ctype) in st.routes(r).items():
                upstream.set(prefix + path, body, ctype)
            sources[f"{kind}-{r}"] = st.config(upstream.url(prefix), r)
    return sources
