"""Mastodon and X as their adapter tests serve them on the local upstream: the recorded
answers with the headers those platforms send (paging links, rate-limit windows)."""

from __future__ import annotations

import time

from aiohttp import web

from tests.conftest import Upstream, fixture_bytes

MASTODON_ACCOUNT_ID = "109318924817261534"
MASTODON_LOOKUP = "/api/v1/accounts/lookup"
MASTODON_STATUSES = f"/api/v1/accounts/{MASTODON_ACCOUNT_ID}/statuses"
# What mastodon.social sends with a statuses page: paging links and its rate-limit window.
_PAGES = f"https://toot.example{MASTODON_STATUSES}?limit=40"
MASTODON_PAGE_HEADERS = {
    "Link": f'<{_PAGES}&max_id=113412345678901234>; rel="next",'
    f' <{_PAGES}&min_id=113520000000000001>; rel="prev"',
    "X-RateLimit-Limit": "300",
    "X-RateLimit-Remaining": "298",
    "X-RateLimit-Reset": "2024-11-22T08:20:00.000000Z",
}


def serve_mastodon_account(upstream: Upstream) -> None:
    """The account lookup, its timeline (with paging and rate-limit headers) and its pins."""
    upstream.set(MASTODON_LOOKUP, fixture_bytes("mastodon/lookup.json"), "application/json")

    async def statuses(request: web.Request) -> web.Response:
        pinned = request.query.get("pinned") == "true"
        name = "pinned.json" if pinned else "statuses.json"
        return web.Response(
            body=fixture_bytes(f"mastodon/{name}"),
            content_type="application/json",
            headers={} if pinned else MASTODON_PAGE_HEADERS,
        )

    upstream.routes[MASTODON_STATUSES] = statuses


X_USER_ID = "1428739211118813184"
X_LOOKUP = "/2/users/by/username/Hubservateur"
X_TWEETS = f"/2/users/{X_USER_ID}/tweets"
X_TOKEN = "AAAAAAAAAAAAAAAAAAAAAtest%2Ftoken"


def serve_x_timeline(upstream: Upstream, tweets: str = "x/tweets.json") -> None:
    """The user lookup and its timeline, `tweets` a fixture, with a rate-limit window."""
    upstream.set(X_LOOKUP, fixture_bytes("x/user.json"), "application/json")
    upstream.set(
        X_TWEETS,
        fixture_bytes(tweets),
        "application/json",
        etag=False,
        headers={
            "x-rate-limit-limit": "1500",
            "x-rate-limit-remaining": "1499",
            "x-rate-limit-reset": str(int(time.time()) + 900),
        },
    )
