"""A stand-in for Meta's Graph hosts (graph.instagram.com, graph.threads.net, graph.facebook.com)
on the local `upstream`: it knows which tokens it issued and when, answers edges for valid
ones, renews them as `/refresh_access_token` does, and answers Meta's error bodies otherwise."""

from __future__ import annotations

import itertools
import json
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from tests.conftest import Upstream, fixture_bytes

DAY = 86400.0
LIFETIME = 60 * DAY
# One upstream may play several Meta hosts: `/refresh_access_token` goes to the fake whose
# grant type the request names.
_RENEWERS: weakref.WeakKeyDictionary[Upstream, dict[str, FakeGraph]] = weakref.WeakKeyDictionary()


@dataclass
class FakeGraph:
    """Tokens and pages of one Meta platform; `pages` maps an edge path to its fixture
    pages, the first answered without `after`, the next one for the first page's cursor."""

    upstream: Upstream
    grant: str = ""  # ig_refresh_token / th_refresh_token; "" = no renewal endpoint
    issued: dict[str, float] = field(default_factory=dict)  # token -> when issued
    renewed_to: list[str] = field(default_factory=list)
    usage: dict[str, str] = field(default_factory=dict)  # headers sent with every answer
    expired_fixture: str = "instagram/expired.json"
    lifetime: float = LIFETIME  # what a renewed token is said to last (`expires_in`)
    exchanged_to: list[str] = field(default_factory=list)
    short_lived: str = ""
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(2))

    def issue(self, token: str, age_days: float) -> str:
        self.issued[token] = time.time() - age_days * DAY
        return token

    def valid(self, token: str) -> bool:
        issued = self.issued.get(token)
        return issued is not None and time.time() - issued < LIFETIME

    def error(self, fixture: str, status: int = 400) -> web.Response:
        return web.Response(
            body=fixture_bytes(fixture),
            status=status,
            content_type="application/json",
            headers=self.usage,
        )

    def edge(self, path: str, pages: list[str]) -> None:
        first = json.loads(fixture_bytes(pages[0]))
        cursor = first.get("paging", {}).get("cursors", {}).get("after", "")

        async def handle(request: web.Request) -> web.StreamResponse:
            if not self.valid(request.query.get("access_token", "")):
                return self.error(self.expired_fixture)
            page = pages[1] if request.query.get("after") == cursor and len(pages) > 1 else pages[0]
            body = fixture_bytes(page)
            tag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            if request.headers.get("If-None-Match") == tag:
                return web.Response(status=304, headers={"ETag": tag, **self.usage})
            return web.Response(
                body=body, content_type="application/json", headers={"ETag": tag, **self.usage}
            )

        self.upstream.routes[path] = handle
        if self.grant:
            fakes = _RENEWERS.setdefault(self.upstream, {})
            fakes[self.grant] = self

            async def renew(request: web.Request) -> web.StreamResponse:
                fake = fakes.get(request.query.get("grant_type", ""))
                if fake is None:
                    return web.json_response(
                        {
                            "error": {
                                "message": "Unsupported grant_type",
                                "type": "OAuthException",
                                "code": 100,
                            }
                        },
                        status=400,
                    )
                return await fake.refresh(request)

            self.upstream.routes["/refresh_access_token"] = renew

    async def refresh(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("access_token", "")
        if not self.valid(token):
            return self.error(self.expired_fixture)
        new = f"{self.grant}-renewed-{next(self._numbers):04d}-{token[-6:]}"
        self.issued[new] = time.time()
        self.renewed_to.append(new)
        return web.json_response(
            {"access_token": new, "token_type": "bearer", "expires_in": int(self.lifetime) - 56},
            headers=self.usage,
        )

    def connectable(self, app_secret: str, short: str, me: dict[str, str]) -> None:
        """Answer the connect flow: `/access_token` exchanges the short-lived token `short`
        for a long-lived one when the app secret is right, `/me` names the account."""
        self.short_lived = short

        async def exchange(request: web.Request) -> web.StreamResponse:
            if request.query.get("client_secret") != app_secret:
                return web.json_response(
                    {"error": {"message": "Error validating client secret.", "code": 101}},
                    status=400,
                )
            if request.query.get("access_token") != self.short_lived:
                return self.error(self.expired_fixture)
            long = f"IGAA-long-lived-{next(self._numbers):04d}-x9Qw"
            self.issued[long] = time.time()
            self.exchanged_to.append(long)
            return web.json_response(
                {"access_token": long, "token_type": "bearer", "expires_in": int(self.lifetime)}
            )

        async def account(request: web.Request) -> web.StreamResponse:
            if not self.valid(request.query.get("access_token", "")):
                return self.error(self.expired_fixture)
            return web.json_response(me)

        self.upstream.routes["/access_token"] = exchange
        self.upstream.routes["/me"] = account

    def pages_connectable(
        self, app_id: str, app_secret: str, short: str, pages: dict[str, str]
    ) -> dict[str, str]:
        """Answer Facebook's side of the connect flow: `fb_exchange_token` for the app, then
        `/me/accounts` listing `pages` ({id: name}), each with its own Page token (returned)."""
        self.short_lived = short
        page_tokens = {
            pid: self.issue(f"EAAPage-{pid[-4:]}-tok-{n}", 0) for n, pid in enumerate(pages)
        }

        async def exchange(request: web.Request) -> web.StreamResponse:
            q = request.query
            if (q.get("client_id"), q.get("client_secret")) != (app_id, app_secret):
                return web.json_response(
                    {"error": {"message": "Error validating client secret.", "code": 1}},
                    status=400,
                )
            if q.get("fb_exchange_token") != self.short_lived:
                return self.error(self.expired_fixture)
            long = self.issue(f"EAAuser-long-lived-{next(self._numbers):04d}", 0)
            self.exchanged_to.append(long)
            return web.json_response({"access_token": long, "token_type": "bearer"})

        async def accounts(request: web.Request) -> web.StreamResponse:
            if request.query.get("access_token") not in self.exchanged_to:
                return self.error(self.expired_fixture)
            data = [
                {"id": pid, "name": name, "access_token": page_tokens[pid], "tasks": ["ANALYZE"]}
                for pid, name in pages.items()
            ]
            return web.json_response(
                {"data": data, "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}}}
            )

        self.upstream.routes["/v22.0/oauth/access_token"] = exchange
        self.upstream.routes["/v22.0/me/accounts"] = accounts
        return page_tokens

    def tokens_seen(self, path: str) -> list[str]:
        return [s.query.get("access_token", "") for s in self.upstream.requests_to(path)]


Serve = Callable[[Upstream], FakeGraph]
