"""A Bluesky (AT Protocol) session made from an app password, for the calls that need one
(`app.bsky.feed.searchPosts`).

The protocol's documentation: `com.atproto.server.createSession`
(https://docs.bsky.app/docs/api/com-atproto-server-create-session) takes `identifier` and
`password` and answers `accessJwt` (short-lived, a couple of hours), `refreshJwt` (months),
`did` and `handle`; `com.atproto.server.refreshSession`
(https://docs.bsky.app/docs/api/com-atproto-server-refresh-session) takes the refresh token as
the bearer and answers a new pair. A call made with an expired access token answers 400
`{"error": "ExpiredToken"}` (or 401): the session is refreshed once, else made again.
createSession is rate limited (30 per 5 minutes, 300 a day per account), so the session is
kept in the source's fetch state (`SESSION`) and reused across polls and restarts.

Like the Meta tokens (`tokens.py`), the session never leaves the store: every message passes
`redact`, the admin page and `/metrics` read nothing of it, and no log line quotes it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from feedhub.fetch.fetcher import FetchResult
from feedhub.models import SESSION
from feedhub.sources import tokens
from feedhub.sources.base import PollContext, SourceAdapter
from feedhub.sources.social import obj

log = logging.getLogger(__name__)
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass(slots=True)
class Session:
    access: str
    refresh: str
    did: str
    of: str  # fingerprint of the identifier and app password it was made with

    def to_meta(self) -> dict[str, Any]:
        return asdict(self)


def stored_session(meta: Mapping[str, Any], of: str) -> Session | None:
    """The session kept in the state, if it was made with the configured credentials."""
    data = meta.get(SESSION)
    if not isinstance(data, dict) or data.get("of") != of:
        return None
    values = [data.get(k) for k in ("access", "refresh", "did")]
    strings = [v for v in values if isinstance(v, str) and v]
    if len(strings) != 3:
        return None
    return Session(strings[0], strings[1], strings[2], of)


def expired(res: FetchResult) -> bool:
    """An answer saying the access token expired (or is no longer valid)."""
    if res.status == 401:
        return True
    if res.status != 400:
        return False
    try:
        error = json.loads(res.body or b"{}").get("error")
    except (ValueError, AttributeError):
        return False
    return error in ("ExpiredToken", "InvalidToken")


class SessionKeeper:
    """Makes, refreshes and uses one account's session for an adapter."""

    def __init__(self, adapter: SourceAdapter, service: str, identifier: str, password: str):
        self.adapter = adapter
        self.service = service
        self.identifier = identifier
        self.password = password
        self.of = tokens.fingerprint(f"{identifier}\n{password}")
        self.session: Session | None = None
        self.problem = ""

    def secrets(self) -> list[str]:
        found = [self.password]
        if self.session is not None:
            found += [self.session.access, self.session.refresh]
        return found

    async def get(
        self, ctx: PollContext, url: str, meta: Mapping[str, Any]
    ) -> tuple[FetchResult | None, dict[str, Any]]:
        """GET `url` as the account: with the kept session, refreshed or made again when it
        expired. The answer (None when no session could be had: `problem` says why), and the
        session to keep."""
        if self.session is None or self.session.of != self.of:
            self.session = stored_session(meta, self.of)
        if self.session is None and not await self._create(ctx):
            return None, {}
        res = await self._call(ctx, url)
        if expired(res):
            if not await self._refresh(ctx) and not await self._create(ctx):
                return None, {}
            res = await self._call(ctx, url)
        assert self.session is not None
        return res, {SESSION: self.session.to_meta()}

    async def _call(self, ctx: PollContext, url: str) -> FetchResult:
        assert self.session is not None
        auth = {"Authorization": f"Bearer {self.session.access}"}
        return await self.adapter.fetch(ctx, url, headers=auth)

    async def _create(self, ctx: PollContext) -> bool:
        body = json.dumps({"identifier": self.identifier, "password": self.password}).encode()
        res = await self.adapter.fetch(
            ctx,
            f"{self.service}/xrpc/com.atproto.server.createSession",
            headers=JSON_HEADERS,
            body=body,
        )
        return self._take(res, "no session for this identifier and app password")

    async def _refresh(self, ctx: PollContext) -> bool:
        assert self.session is not None
        res = await self.adapter.fetch(
            ctx,
            f"{self.service}/xrpc/com.atproto.server.refreshSession",
            headers={**JSON_HEADERS, "Authorization": f"Bearer {self.session.refresh}"},
            body=b"",
        )
        return self._take(res, "session not refreshed")

    def _take(self, res: FetchResult, what: str) -> bool:
        """Keep the session an answer holds; False (and `problem` set) when it holds none."""
        data: Any = None
        if not res.error:
            try:
                data = json.loads(res.body)
            except ValueError:
                data = None
        found = obj(data)
        values = [
            v for k in ("accessJwt", "refreshJwt", "did") if isinstance(v := found.get(k), str)
        ]
        if len(values) != 3 or not all(values):
            said = res.error or "the answer holds no accessJwt, refreshJwt and did"
            self.problem = self.adapter.redact(f"{what}: {said}")
            log.warning("source %s: %s", self.adapter.source_id, self.problem)
            self.session = None
            return False
        self.session = Session(values[0], values[1], values[2], self.of)
        self.problem = ""
        return True
