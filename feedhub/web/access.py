"""Who is asking, and may they manage feedhub: the decisions behind the admin pages' guard.

The peer address is only the asker when nothing relays the request. A proxy on the same
machine makes every visitor a loopback peer, and a plain `proxy_pass` says so in no header.
So an empty `admin.token` ("loopback only") holds only where no proxy can be: feedhub
listens on loopback, `server.trusted_proxies` is empty and `server.public_url` is itself a
loopback address; and even then only for a request whose every header is one a direct client
sends (`direct`). Anywhere else the admin pages stay off until a token is set. A forwarding
header is believed only from a peer listed in `trusted_proxies`, and only the one header
`server.client_header` names. Login attempts are counted per client; sessions are random
and live on the server, so logging out ends them.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cachetools import LRUCache

from feedhub.content.urls import parse_url

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# The headers a client that connects straight to feedhub sends: browsers, curl, HTTP
# libraries and a Prometheus scraper. Tokenless loopback mode trusts a request only when every
# header it carries is one of these: whatever a proxy or CDN adds to name the client
# (`X-Forwarded-For`, `X-Original-Forwarded-For`, `X-ProxyUser-Ip`, `Via`, any new name)
# is outside the list, so the class is closed, not a list of names that grows.
DIRECT_HEADERS = frozenset(
    h.lower()
    for h in (
        "Host", "User-Agent", "Accept", "Accept-Language", "Accept-Encoding", "Accept-Charset",
        "Connection", "Keep-Alive", "Cookie", "Authorization", "Cache-Control", "Pragma",
        "Upgrade-Insecure-Requests", "Referer", "Origin", "Content-Type", "Content-Length",
        "Transfer-Encoding", "Expect", "If-None-Match", "If-Modified-Since", "If-Match",
        "If-Unmodified-Since", "Range", "DNT", "Sec-GPC", "Priority", "TE", "Purpose",
        "Sec-Purpose", "X-Prometheus-Scrape-Timeout-Seconds",
    )
)  # fmt: skip
DIRECT_PREFIXES = ("sec-fetch-", "sec-ch-")  # a browser's fetch metadata and client hints


def address(text: str | None) -> Address | None:
    """An IP address from a peer string or a header entry, else None."""
    if not text:
        return None
    text = text.strip().strip('"')
    if text.startswith("["):  # [v6]:port
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return None


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """`trusted_proxies` entries (addresses or CIDR networks) as networks."""
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def _trusted(addr: Address | None, trusted: tuple[Network, ...]) -> bool:
    return addr is not None and any(addr in net for net in trusted)


def header_clients(name: str, value: str) -> list[str]:
    """The client addresses a forwarding header lists, nearest hop last."""
    if name.lower() == "forwarded":  # RFC 7239: for=client;proto=https, for=proxy
        return [
            part.strip()[4:]
            for element in value.split(",")
            for part in element.split(";")
            if part.strip().lower().startswith("for=")
        ]
    return [v.strip() for v in value.split(",")]


def client_address(
    peer: str | None, headers: Mapping[str, str], trusted: tuple[Network, ...], header: str
) -> str:
    """The asker's address: the peer, unless the peer is a trusted proxy; then the nearest
    address in `header` that is not a trusted proxy itself."""
    addr = address(peer)
    if not _trusted(addr, trusted) or header not in headers:
        return str(addr) if addr is not None else (peer or "")
    for hop in reversed(header_clients(header, headers[header])):
        hop_addr = address(hop)
        if hop_addr is None:
            break  # garbled: believe nothing beyond this point
        if not _trusted(hop_addr, trusted):
            return str(hop_addr)
        addr = hop_addr
    return str(addr)


def direct(headers: Mapping[str, str]) -> bool:
    """Whether a request carries only what a client connected straight to feedhub sends."""
    return all(
        name.lower() in DIRECT_HEADERS or name.lower().startswith(DIRECT_PREFIXES)
        for name in headers
    )


def counted_as(client: str) -> str:
    """The key failed logins are counted under: an IPv4 address, or an IPv6 address's /64."""
    addr = address(client)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((addr, 64), strict=False))
    return str(addr.ipv4_mapped if isinstance(addr, ipaddress.IPv6Address) else addr or client)


def is_loopback(text: str | None) -> bool:
    addr = address(text)
    return addr is not None and addr.is_loopback


def _loopback_host(host: str) -> bool:
    return host in ("localhost", "[::1]", "::1") or is_loopback(host)


@dataclass(frozen=True, slots=True)
class AdminPolicy:
    """How the admin pages may be entered, decided once per config."""

    mode: str  # "token" | "loopback" | "off"
    reason: str  # for "off": what to change, said in the log at start and in the 403
    hosts: frozenset[str]  # Host values /admin answers to, beside loopback names
    trusted: tuple[Network, ...]
    client_header: str


def admin_policy(
    token: str,
    listen_host: str,
    port: int,
    public_url: str,
    trusted_proxies: list[str],
    client_header: str,
) -> AdminPolicy:
    """The admin access mode for a config: a pure decision."""
    public = parse_url(public_url)
    public_host = public.host if public else ""
    netloc = public.href.split("/")[2] if public else ""
    hosts = {netloc} if netloc else set()
    trusted = networks(trusted_proxies)
    if token:
        return AdminPolicy("token", "", frozenset(hosts), trusted, client_header)
    behind = []
    if not _loopback_host(listen_host):
        behind.append(f"server.host is {listen_host}, not a loopback address")
    if trusted_proxies:
        behind.append("server.trusted_proxies is set")
    if public_host and not _loopback_host(public_host):
        behind.append(f"server.public_url is {public_url}")
    if behind:
        return AdminPolicy(
            "off",
            "the admin pages are off: admin.token is empty and feedhub "
            "may be reached through a proxy (" + "; ".join(behind) + "). Set "
            "admin.token to use them.",
            frozenset(),
            trusted,
            client_header,
        )
    return AdminPolicy("loopback", "", frozenset(hosts), trusted, client_header)


def host_allowed(policy: AdminPolicy, host: str) -> bool:
    """DNS rebinding: /admin answers only the public_url's name and loopback names (a
    rebound name is neither)."""
    host = host.lower()
    name = host[: host.rindex("]") + 1] if host.startswith("[") else host.partition(":")[0]
    return host in policy.hosts or _loopback_host(name)


class Throttle:
    """Failed attempts per client: after `burst` failures, one more per `every` seconds."""

    def __init__(self, burst: int = 5, every: float = 12.0, clients: int = 4096) -> None:
        self.burst, self.every = burst, every
        self._next: LRUCache[str, float] = LRUCache(maxsize=clients)  # client -> free again at

    def wait(self, client: str, now: float | None = None) -> float:
        """Seconds before `client` may try again (0: now)."""
        now = time.monotonic() if now is None else now
        return max(0.0, self._next.get(client, 0.0) - self.burst * self.every - now)

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._next[client] = max(self._next.get(client, 0.0), now) + self.every


class Sessions:
    """Login sessions: random ids known only to this process, ended by logout or age."""

    def __init__(self, max_age: float = 12 * 3600, limit: int = 1024) -> None:
        self.max_age = max_age
        self._ends: LRUCache[str, float] = LRUCache(maxsize=limit)

    def start(self) -> str:
        sid = secrets.token_urlsafe(32)
        self._ends[sid] = time.monotonic() + self.max_age
        return sid

    def valid(self, sid: str) -> bool:
        end = self._ends.get(sid) if sid else None
        return end is not None and end > time.monotonic()

    def end(self, sid: str) -> None:
        self._ends.pop(sid, None)

    def clear(self) -> None:
        """Every session ends (the token changed)."""
        self._ends.clear()


COOKIE = "feedhub_admin"  # the admin session's cookie


def access(
    token: str,
    sessions: Sessions,
    remote: str | None,
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> str:
    """How a request may enter: "bearer", "cookie", "loopback", or why not ("login", "guess":
    a wrong Bearer token, "remote")."""
    if token:
        scheme, _, given = headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            return (
                "bearer" if hmac.compare_digest(given.strip().encode(), token.encode()) else "guess"
            )
        return "cookie" if sessions.valid(cookies.get(COOKIE, "")) else "login"
    if is_loopback(remote) and direct(headers):
        return "loopback"
    return "remote"
