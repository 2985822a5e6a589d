"""Connecting a Meta account from /admin: a short-lived token from Meta's tools is exchanged
for a long-lived one, and what it grants is listed for the owner to pick.

- Instagram (Instagram API with Instagram Login): `GET /access_token?grant_type=
  ig_exchange_token`, then `GET /me?fields=user_id,username`: the one account.
- Threads: `GET /access_token?grant_type=th_exchange_token`, then `GET /me?fields=id,username`.
- Facebook: `GET /{v}/oauth/access_token?grant_type=fb_exchange_token`, then
  `GET /{v}/me/accounts`: the Pages the user manages, each with its own Page token (which does
  not expire when it comes from a long-lived user token).

Every URL here carries a secret (the token, the app secret): a message never quotes one
without `redact`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from feedhub.fetch.fetcher import Fetcher, Request
from feedhub.sources.graph import graph_error
from feedhub.sources.social import obj, text
from feedhub.sources.tokens import redact

PLATFORMS = {"instagram", "threads", "facebook"}
FB_VERSION = "v22.0"


class ConnectError(Exception):
    """Meta did not give what the flow needs; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class Choice:
    """An account or Page the token grants, and the token that reads it."""

    id: str
    name: str
    token: str


@dataclass(frozen=True, slots=True)
class Grant:
    """A long-lived token and what it grants."""

    expires: float | None
    choices: tuple[Choice, ...]


async def _get(fetcher: Fetcher, url: str, secrets: list[str], what: str) -> dict[str, Any]:
    res = await fetcher.get(Request(url=url, timeout=30.0, max_bytes=1024 * 1024))
    if res.error:
        error = graph_error(res.body)
        message = text(error.get("message")) or res.error
        code = error.get("code")
        detail = f"{message} (code {code})" if code is not None else message
        raise ConnectError(redact(f"{what}: {detail}", *secrets))
    try:
        doc = json.loads(res.body)
    except (ValueError, UnicodeDecodeError):
        raise ConnectError(f"{what}: the answer was not JSON") from None
    if not isinstance(doc, dict):
        raise ConnectError(f"{what}: the answer was not a JSON object")
    return doc


async def exchange(
    fetcher: Fetcher,
    platform: str,
    base_url: str,
    short: str,
    *,
    app_secret: str,
    app_id: str = "",
) -> Grant:
    """Exchange a short-lived token and list what the long-lived one grants."""
    secrets = [short, app_secret]
    if platform == "facebook":
        query = {
            "grant_type": "fb_exchange_token",
            "client_id": app_id,
            "client_secret": app_secret,
            "fb_exchange_token": short,
        }
        url = f"{base_url}/{FB_VERSION}/oauth/access_token?{urlencode(query)}"
    else:
        grant = "ig_exchange_token" if platform == "instagram" else "th_exchange_token"
        query = {"grant_type": grant, "client_secret": app_secret, "access_token": short}
        url = f"{base_url}/access_token?{urlencode(query)}"
    answer = await _get(fetcher, url, secrets, "the token exchange failed")
    long = answer.get("access_token")
    if not isinstance(long, str) or not long:
        raise ConnectError("the token exchange gave no access_token")
    secrets.append(long)
    expires_in = answer.get("expires_in")
    expires = time.time() + float(expires_in) if isinstance(expires_in, int | float) else None
    if platform == "facebook":
        pages = await _get(
            fetcher,
            f"{base_url}/{FB_VERSION}/me/accounts?"
            + urlencode({"fields": "id,name,access_token", "access_token": long}),
            secrets,
            "listing the Pages failed",
        )
        listed = pages.get("data")
        choices = tuple(
            Choice(text(p.get("id")), text(p.get("name")) or text(p.get("id")), token)
            for page in (listed if isinstance(listed, list) else [])
            if (p := obj(page)) and text(p.get("id")) and (token := text(p.get("access_token")))
        )
        return Grant(None, choices)  # a Page token from a long-lived user token lasts
    fields = "user_id,username" if platform == "instagram" else "id,username"
    me = await _get(
        fetcher,
        f"{base_url}/me?" + urlencode({"fields": fields, "access_token": long}),
        secrets,
        "reading the account failed",
    )
    account = text(me.get("user_id")) or text(me.get("id"))
    if not account:
        raise ConnectError("the token names no account")
    name = text(me.get("username"))
    return Grant(expires, (Choice(account, f"@{name}" if name else account, long),))
