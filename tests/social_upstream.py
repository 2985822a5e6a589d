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


class OAuthInstance:
    """A Mastodon-API instance's side of OAuth on the local upstream: it registers apps,
    "the owner approves" at once (`/oauth/authorize` sends the browser back with a code),
    redeems codes for tokens and names the account."""

    def __init__(self, upstream: Upstream, acct: str) -> None:
        self.upstream = upstream
        self.acct = acct
        self.apps: dict[str, dict[str, str]] = {}  # client_id -> its registration
        self.codes: dict[str, str] = {}  # code -> client_id
        self.tokens: list[str] = []
        for path, handler in (
            ("/api/v1/apps", self.register),
            ("/oauth/authorize", self.authorize),
            ("/oauth/token", self.token),
            ("/api/v1/accounts/verify_credentials", self.whoami),
        ):
            upstream.routes[path] = handler

    async def register(self, request: web.Request) -> web.Response:
        form = await request.post()
        client_id = f"client-{len(self.apps) + 1}"
        self.apps[client_id] = {
            "secret": f"secret-{client_id}-Zq8",
            "redirect_uri": str(form["redirect_uris"]),
            "scopes": str(form["scopes"]),
        }
        return web.json_response(
            {
                "id": str(len(self.apps)),
                "name": str(form["client_name"]),
                "client_id": client_id,
                "client_secret": self.apps[client_id]["secret"],
                "redirect_uri": str(form["redirect_uris"]),
            }
        )

    async def authorize(self, request: web.Request) -> web.Response:
        q = request.query
        app = self.apps.get(q.get("client_id", ""))
        if app is None or q.get("redirect_uri") != app["redirect_uri"]:
            return web.json_response({"error": "invalid_client"}, status=400)
        code = f"code-{len(self.codes) + 1}-Yv2"
        self.codes[code] = q["client_id"]
        raise web.HTTPFound(f"{app['redirect_uri']}?code={code}&state={q.get('state', '')}")

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        client_id = self.codes.pop(str(form.get("code", "")), "")
        app = self.apps.get(client_id)
        if (
            app is None
            or form.get("client_id") != client_id
            or form.get("client_secret") != app["secret"]
            or form.get("redirect_uri") != app["redirect_uri"]
        ):
            return web.json_response({"error": "invalid_grant"}, status=400)
        token = f"pf-oauth-token-{len(self.tokens) + 1}-Hk4"
        self.tokens.append(token)
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "scope": "read", "created_at": 1}
        )

    async def whoami(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return web.json_response({"error": "The access token is invalid"}, status=401)
        user = self.acct.split("@")[0]
        return web.json_response({"id": "702145896321547011", "username": user, "acct": user})
