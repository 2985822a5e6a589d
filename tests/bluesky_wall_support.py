"""A Bluesky account's service on the local upstream, for searches: createSession and
refreshSession as the PDS answers them, and `app.bsky.feed.searchPosts` that wants a live
access token (an expired one gets 400 ExpiredToken). The posts are written here in the shape
of post views: `uri`, `cid`, `author` (with `labels`), `record` (text, facets with UTF-8 byte
offsets, langs), counts and `indexedAt`."""

from __future__ import annotations

import itertools
import json
from typing import Any

from aiohttp import web

from tests.conftest import Upstream

HANDLE = "ville-de-lyon.example"
PASSWORD = "abcd-efgh-ijkl-mnop"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
CREATE = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
DID = "did:plc:vq3kz7wiltfgxz5nh2d4ka6u"
TAG = "fete-des-lumieres"


def post_view(
    n: int, who: str, created: str, words: str, *, opted_out: bool = False
) -> dict[str, Any]:
    did = f"did:plc:{who}{'x' * (24 - len(who))}"
    text = f"{words} #{TAG}"
    start = len(words.encode()) + 1
    self_label = {
        "src": did,
        "uri": f"at://{did}/app.bsky.actor.profile/self",
        "val": "!no-unauthenticated",
        "cts": "2024-01-01T00:00:00.000Z",
    }
    labels = [self_label] if opted_out else []
    return {
        "uri": f"at://{did}/app.bsky.feed.post/3lfdl{n:08d}",
        "cid": f"bafyreifdl{n:050d}",
        "author": {
            "did": did,
            "handle": f"{who}.bsky.social",
            "displayName": who.capitalize(),
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/bafkrei{who}@jpeg",
            "labels": labels,
            "createdAt": "2023-09-01T10:00:00.000Z",
        },
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": created,
            "langs": ["fr"],
            "text": text,
            "facets": [
                {
                    "$type": "app.bsky.richtext.facet",
                    "index": {"byteStart": start, "byteEnd": start + len(TAG) + 1},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": TAG}],
                }
            ],
        },
        "bookmarkCount": 0,
        "replyCount": 0,
        "repostCount": 2,
        "likeCount": 9,
        "quoteCount": 0,
        "indexedAt": created,
        "labels": [],
    }


def search_posts() -> list[dict[str, Any]]:
    return [
        post_view(1, "gaspard", "2026-12-06T20:45:00.000Z", "Les projections sur la cathédrale"),
        post_view(
            2, "hortense", "2026-12-06T20:35:00.000Z", "Je préfère rester anonyme", opted_out=True
        ),
        post_view(3, "irene", "2026-12-06T20:15:00.000Z", "Vue depuis la passerelle"),
    ]  # fmt: skip


class BlueskyService:
    """The PDS stand-in: sessions it gave out, which ones are still live, and what it saw."""

    def __init__(self, upstream: Upstream, posts: list[dict[str, Any]] | None = None) -> None:
        self.posts = posts if posts is not None else search_posts()
        self.counter = itertools.count(1)
        self.live_access: set[str] = set()
        self.live_refresh: set[str] = set()
        self.given: list[str] = []  # every token handed out
        self.created = self.refreshed = 0
        upstream.routes[CREATE] = self.create
        upstream.routes[REFRESH] = self.refresh
        upstream.routes[SEARCH] = self.search

    def _pair(self) -> dict[str, str]:
        n = next(self.counter)
        access, refresh = f"eyJhY2Nlc3Mi.{n:04d}.acc", f"eyJyZWZyZXNoIi.{n:04d}.ref"
        self.live_access.add(access)
        self.live_refresh.add(refresh)
        self.given += [access, refresh]
        return {"accessJwt": access, "refreshJwt": refresh}

    def expire_access(self) -> None:
        self.live_access.clear()

    async def create(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        if body != {"identifier": HANDLE, "password": PASSWORD}:
            return web.json_response(
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                status=401,
            )
        self.created += 1
        return web.json_response(
            {**self._pair(), "handle": HANDLE, "did": DID, "active": True, "email": "x@example.org"}
        )

    async def refresh(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.live_refresh:
            return web.json_response(
                {"error": "ExpiredToken", "message": "Token has expired"}, status=400
            )
        self.live_refresh.discard(token)
        self.refreshed += 1
        return web.json_response({**self._pair(), "handle": HANDLE, "did": DID, "active": True})

    async def search(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not token:
            return web.json_response(
                {"error": "AuthMissing", "message": "Authentication Required"}, status=401
            )
        if token not in self.live_access:
            return web.json_response(
                {"error": "ExpiredToken", "message": "Token has expired"}, status=400
            )
        return web.json_response({"posts": self.posts, "hitsTotal": len(self.posts)})


def search_source(upstream: Upstream) -> dict[str, Any]:
    return {
        "type": "bluesky_search",
        "q": f"#{TAG}",
        "identifier": "${BLUESKY_HANDLE}",
        "app_password": "${BLUESKY_APP_PASSWORD}",
        "base_url": upstream.base_url,
    }
