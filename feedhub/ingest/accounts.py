"""Accounts connected from /admin: the flow's steps, and the records kept in the store.

A source whose config says `token: stored` reads its token from its account record, kept in
the store encrypted with FEEDHUB_SECRET_KEY (the whole record: token, account, name). The
flow has two steps: `begin` exchanges the pasted short-lived token and lists what it grants,
kept here in memory (never in a page: the form carries only a random id); `finish` keeps the
account the owner picked and tells the service, which polls the source with it at once.
From then on the source renews its token as any other (sources/tokens.py), in its state,
sealed by the store too.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from feedhub.config import Config
from feedhub.fetch.fetcher import Fetcher
from feedhub.sources import fedi_connect, make_adapter
from feedhub.sources.meta_connect import PLATFORMS, Choice, ConnectError, Grant, exchange
from feedhub.store import Store
from feedhub.store.sealing import Sealer

PENDING_FOR = 600.0  # seconds a listed choice waits for the owner's pick

__all__ = ["ConnectError", "Connections", "Pending"]


@dataclass(frozen=True, slots=True)
class Pending:
    id: str
    source_id: str
    grant: Grant
    made: float

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(id, name) of each account or Page: what the page shows."""
        return [(c.id, c.name) for c in self.grant.choices]


class Connections:
    """The connect flow of the running daemon, and the connected accounts' records."""

    def __init__(
        self,
        store: Store,
        config: Callable[[], Config],
        fetcher: Callable[[], Fetcher | None],
        connected: Callable[[str], Awaitable[None]],
    ) -> None:
        self.store = store
        self._config = config
        self._fetcher = fetcher
        self._connected = connected
        self._pending: dict[str, Pending] = {}
        self._authorizing: dict[str, tuple[str, fedi_connect.App, float]] = {}  # state ->
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def kind(self, source_id: str) -> str:
        """How a source connects: "token" (paste a Meta token) or "oauth" (authorize)."""
        oauth = self._config().sources[source_id].type in fedi_connect.PLATFORMS
        return "oauth" if oauth else "token"

    def instances(self) -> list[str]:
        """The origins the owner is sent to authorize feedhub (the page's form-action)."""
        config = self._config()
        found = set()
        for sid in config.stored_sources():
            if self.kind(sid) == "oauth":
                parts = urlsplit(make_adapter(sid, config.sources[sid], config.base_dir).base_url)
                found.add(f"{parts.scheme}://{parts.netloc}")
        return sorted(found)

    def _redirect_uri(self, source_id: str) -> str:
        return f"{self._config().public_url}/admin/connect/{source_id}/callback"

    async def authorize(self, source_id: str) -> str:
        """Register feedhub on the source's instance; where the owner authorizes it."""
        config = self._config()
        cfg = config.sources.get(source_id)
        if cfg is None or source_id not in config.stored_sources():
            raise ConnectError(f"{source_id} is not a source with `token: stored`")
        if cfg.type not in fedi_connect.PLATFORMS:
            raise ConnectError(f"{source_id} connects with a pasted token, not by authorizing")
        base_url = make_adapter(source_id, cfg, config.base_dir).base_url
        if self._session is None:
            self._session = aiohttp.ClientSession()
        redirect = self._redirect_uri(source_id)
        app = await fedi_connect.register(self._session, base_url, redirect, config.public_url)
        now = time.time()
        self._authorizing = {k: v for k, v in self._authorizing.items() if now - v[2] < PENDING_FOR}
        state = secrets.token_urlsafe(24)
        self._authorizing[state] = (source_id, app, now)
        return fedi_connect.authorize_url(base_url, app, redirect, state)

    async def callback(self, source_id: str, state: str, code: str) -> str:
        """The instance sent the owner back with a code: redeem it, keep the account."""
        found = self._authorizing.pop(state, None)
        if found is None or found[0] != source_id or time.time() - found[2] >= PENDING_FOR:
            raise ConnectError("this authorization expired or was not asked here: try again")
        config = self._config()
        cfg = config.sources[source_id]
        base_url = make_adapter(source_id, cfg, config.base_dir).base_url
        if self._session is None:
            self._session = aiohttp.ClientSession()
        token, name = await fedi_connect.redeem(
            self._session, base_url, found[1], self._redirect_uri(source_id), code
        )
        kept = {"token": token, "name": name, "platform": cfg.type, "connected": time.time()}
        await self.store.put_account(source_id, self.sealer().seal(json.dumps(kept)))
        await self._connected(source_id)
        return name

    def sealer(self) -> Sealer:
        key = self._config().secret_key
        if not key:
            raise ConnectError("FEEDHUB_SECRET_KEY is not set: connected tokens need it")
        return Sealer(key)

    async def accounts(self, config: Config) -> dict[str, dict[str, Any]]:
        """The records of `config`'s `stored` sources that are connected, opened."""
        return await read_accounts(self.store, config)

    async def begin(self, source_id: str, short_token: str) -> Pending:
        """Exchange a short-lived token for source `source_id` and list what it grants."""
        config = self._config()
        cfg = config.sources.get(source_id)
        if cfg is None or source_id not in config.stored_sources() or cfg.type not in PLATFORMS:
            raise ConnectError(f"{source_id} is not a Meta source with `token: stored`")
        if not getattr(cfg, "app_secret", ""):
            raise ConnectError(
                f"sources.{source_id}.app_secret is not set: the exchange needs the app's"
                " secret (set app_secret: ${META_APP_SECRET})"
            )
        fetcher = self._fetcher()
        if fetcher is None:
            raise ConnectError("the daemon is not started")
        base_url = make_adapter(source_id, cfg, config.base_dir).base_url
        grant = await exchange(
            fetcher,
            cfg.type,
            base_url,
            short_token.strip(),
            app_secret=getattr(cfg, "app_secret", ""),
            app_id=getattr(cfg, "app_id", ""),
        )
        if not grant.choices:
            raise ConnectError("the token grants no account or Page")
        now = time.time()
        self._pending = {k: p for k, p in self._pending.items() if now - p.made < PENDING_FOR}
        pending = Pending(secrets.token_urlsafe(24), source_id, grant, now)
        self._pending[pending.id] = pending
        return pending

    def pending(self, pending_id: str) -> Pending | None:
        found = self._pending.get(pending_id)
        return found if found and time.time() - found.made < PENDING_FOR else None

    async def finish(self, pending_id: str, choice_id: str) -> str:
        """Keep the picked account for its source; the name of what was connected."""
        pending = self._pending.pop(pending_id, None)
        if pending is None or time.time() - pending.made >= PENDING_FOR:
            raise ConnectError("this choice expired: paste the token again")
        choice = next((c for c in pending.grant.choices if c.id == choice_id), None)
        if choice is None:
            raise ConnectError("pick one of the listed accounts")
        cfg = self._config().sources[pending.source_id]
        await self.store.put_account(
            pending.source_id, self.sealer().seal(json.dumps(record(cfg.type, choice, pending)))
        )
        await self._connected(pending.source_id)
        return choice.name


async def read_accounts(store: Store, config: Config) -> dict[str, dict[str, Any]]:
    """The connected accounts of `config`'s `stored` sources, opened with its key."""
    if not config.stored_sources():
        return {}
    if not config.secret_key:
        raise ConnectError("FEEDHUB_SECRET_KEY is not set: connected tokens need it")
    sealer = Sealer(config.secret_key)
    found = {}
    for sid in config.stored_sources():
        sealed = await store.get_account(sid)
        text = sealer.open(sealed) if sealed else None
        if text:
            found[sid] = json.loads(text)
    return found


def record(platform: str, choice: Choice, pending: Pending) -> dict[str, Any]:
    """What is kept of a connected account: the values that replace `stored` in the source's
    config (`token`, and for a Page its `page_id`), and what /admin shows."""
    kept: dict[str, Any] = {
        "token": choice.token,
        "name": choice.name,
        "account_id": choice.id,
        "platform": platform,
        "connected": time.time(),
        "expires": pending.grant.expires,
    }
    if platform == "facebook":
        kept["page_id"] = choice.id
    return kept
