"""WebSub push for feed sources: discover the hub, subscribe with a secret, renew, fall back.

The subscription lives in the source's fetch state (`meta["websub"]`), so it survives a
restart and every replica behind a load balancer can answer the hub. Decisions are pure
functions of that record and the clock; `subscriber.Subscriber` does the I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from feedhub.models import FetchState

log = logging.getLogger("feedhub.websub")

LEASE_ASKED = 7 * 86400  # what we ask the hub for; it decides
SAFETY_INTERVAL = 3600.0  # polling while push works: only to catch a silent hub
RETRY_AFTER = 3600.0  # a hub that refused or failed is asked again after this
PENDING_TIMEOUT = 300.0  # a hub that never verifies counts as failed after this
RENEW_SHARE = 0.2  # renew when this share of the granted lease is left
# A granted lease is taken within these bounds: a hub (or whoever forges its verification)
# can neither make feedhub ask again every minute nor make it trust a push forever.
MIN_LEASE = 300.0
MAX_LEASE = 30 * 86400.0
TICK_MAX = 60.0

_LINK_RE = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_REL_RE = re.compile(r';\s*rel\s*=\s*"?([^";]+)"?', re.IGNORECASE)


def parse_link_header(value: str) -> dict[str, list[str]]:
    """`Link: <https://hub>; rel="hub", <https://feed>; rel=self` -> {"hub": [...], ...}."""
    out: dict[str, list[str]] = {}
    for url, params in _LINK_RE.findall(value or ""):
        for rel_match in _REL_RE.finditer(params):
            for rel in rel_match.group(1).split():
                out.setdefault(rel.lower(), []).append(url.strip())
    return out


def discover(meta: Mapping[str, Any], feed_url: str) -> tuple[str, str] | None:
    """(hub, topic) for a feed: Link headers first, then the feed's own links / JSON `hubs`."""
    links = parse_link_header(str(meta.get("hints", {}).get("link", "")))
    hubs = links.get("hub") or list(meta.get("hubs") or [])
    if not hubs:
        return None
    topic = (links.get("self") or [meta.get("self") or feed_url])[0]
    return hubs[0], topic


def subscription(state: FetchState | None) -> dict[str, Any]:
    return dict(state.meta.get("websub") or {}) if state else {}


def is_active(sub: Mapping[str, Any], now: float) -> bool:
    return sub.get("status") == "active" and float(sub.get("expires", 0)) > now


def poll_interval(base: float, state: FetchState | None, now: float) -> float:
    """Slow safety polling while the hub pushes; the normal interval otherwise."""
    return max(base, SAFETY_INTERVAL) if is_active(subscription(state), now) else base


def due_at(sub: Mapping[str, Any], found: tuple[str, str] | None) -> float:
    """When the subscription next needs a (re)subscribe request; inf: never."""
    if found is None:
        return float("inf")
    if (sub.get("hub"), sub.get("topic")) != found or not sub.get("status"):
        return 0.0
    status = sub["status"]
    if status == "active":
        granted = float(sub.get("granted", 0))
        return float(sub["expires"]) - granted * RENEW_SHARE
    if status == "pending":
        return float(sub.get("requested", 0)) + PENDING_TIMEOUT
    return float(sub.get("retry_at", 0))  # failed


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    """X-Hub-Signature: `sha256=<hex>` (or sha1, sha384, sha512) HMAC of the body."""
    method, _, given = header.partition("=")
    if method not in ("sha1", "sha256", "sha384", "sha512") or not given or not secret:
        return False
    expected = hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def verify(
    sub: Mapping[str, Any], query: Mapping[str, str], now: float
) -> tuple[str | None, dict[str, Any]]:
    """The hub's verification GET: (challenge to echo or None to refuse, updated record).

    Only an answer to a request feedhub is waiting on counts: a `subscribe` or `denied` for
    the topic asked, within PENDING_TIMEOUT of asking. Anyone can send this GET."""
    mode, topic = query.get("hub.mode", ""), query.get("hub.topic", "")
    new = dict(sub)
    awaited = (
        bool(sub.get("asking"))
        and now - float(sub.get("requested", 0)) < PENDING_TIMEOUT
        and topic == sub.get("topic")
    )
    if not awaited or mode not in ("subscribe", "denied"):
        return None, new
    new["asking"] = False
    if mode == "denied":
        new.update(
            status="failed",
            retry_at=now + RETRY_AFTER,
            error=query.get("hub.reason", "denied by the hub")[:200],
        )
        return "", new
    challenge = query.get("hub.challenge", "")
    if not challenge:
        return None, dict(sub)
    lease = query.get("hub.lease_seconds", "")
    asked = (
        float(lease)
        if lease.isascii() and lease.isdigit() and len(lease) < 10
        else float(LEASE_ASKED)
    )
    granted = min(MAX_LEASE, max(MIN_LEASE, asked))
    new.update(status="active", granted=granted, expires=now + granted, error="")
    return challenge, new


def sends_secret(hub: str) -> bool:
    """Whether the subscription's secret may go to this hub: over https, or to a hub on this
    machine; never in clear text across a network."""
    parts = urlsplit(hub)
    host = (parts.hostname or "").strip("[]")
    return parts.scheme == "https" or host == "localhost" or _is_loopback(host)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Hubs:
    """What the subscriber needs of the running config; a reload gives a new one."""

    public_url: str
    allow_private: bool
    topics: Mapping[str, str]  # push-capable source id -> the feed URL it polls
    session: Callable[[], aiohttp.ClientSession]  # the fetcher's, as it is now
