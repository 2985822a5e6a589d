"""Connecting an account on a Mastodon-API instance (Pixelfed) from /admin: the app is
registered (`POST /api/v1/apps`), the owner authorizes it on the instance (OAuth 2.0
authorization code: `/oauth/authorize`, back to feedhub's callback), the code is redeemed
(`POST /oauth/token`) and the account named (`GET /api/v1/accounts/verify_credentials`).

The client secret, the code and the token are secrets: no message quotes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from feedhub import __version__
from feedhub.sources.meta_connect import ConnectError
from feedhub.sources.social import text

PLATFORMS = {"pixelfed"}
SCOPES = "read"
TIMEOUT = aiohttp.ClientTimeout(total=30)


@dataclass(frozen=True, slots=True)
class App:
    client_id: str
    client_secret: str


async def _json(resp: aiohttp.ClientResponse, what: str) -> dict[str, Any]:
    if resp.status >= 300:
        raise ConnectError(f"{what}: the instance answered HTTP {resp.status}")
    try:
        doc = await resp.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        raise ConnectError(f"{what}: the answer was not JSON") from None
    if not isinstance(doc, dict):
        raise ConnectError(f"{what}: the answer was not a JSON object")
    return doc


async def register(
    session: aiohttp.ClientSession, base_url: str, redirect_uri: str, website: str
) -> App:
    form = {
        "client_name": "feedhub",
        "redirect_uris": redirect_uri,
        "scopes": SCOPES,
        "website": website,
    }
    try:
        async with session.post(
            f"{base_url}/api/v1/apps", data=form, timeout=TIMEOUT, headers=_agent()
        ) as resp:
            doc = await _json(resp, "registering the app failed")
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise ConnectError(f"registering the app failed: {type(exc).__name__}") from None
    app = App(text(doc.get("client_id")), text(doc.get("client_secret")))
    if not app.client_id or not app.client_secret:
        raise ConnectError("registering the app gave no client_id and client_secret")
    return app


def authorize_url(base_url: str, app: App, redirect_uri: str, state: str) -> str:
    """Where the owner's browser goes to authorize feedhub on the instance."""
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": state,
    }
    return f"{base_url}/oauth/authorize?{urlencode(query)}"


async def redeem(
    session: aiohttp.ClientSession, base_url: str, app: App, redirect_uri: str, code: str
) -> tuple[str, str]:
    """The access token for an authorization code, and the account it reads as (@user)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
    }
    try:
        async with session.post(
            f"{base_url}/oauth/token", data=form, timeout=TIMEOUT, headers=_agent()
        ) as resp:
            token = text((await _json(resp, "redeeming the code failed")).get("access_token"))
        if not token:
            raise ConnectError("redeeming the code gave no access_token")
        async with session.get(
            f"{base_url}/api/v1/accounts/verify_credentials",
            timeout=TIMEOUT,
            headers={**_agent(), "Authorization": f"Bearer {token}"},
        ) as resp:
            me = await _json(resp, "reading the account failed")
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise ConnectError(f"redeeming the code failed: {type(exc).__name__}") from None
    name = text(me.get("acct")) or text(me.get("username"))
    return token, f"@{name}" if name else "the account"


def _agent() -> dict[str, str]:
    return {"User-Agent": f"feedhub/{__version__}", "Accept": "application/json"}
