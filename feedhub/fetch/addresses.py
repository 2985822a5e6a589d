"""Which addresses an upstream may have: the guard against SSRF and DNS rebinding."""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver


class AddressRefused(Exception):
    pass


# IPv6 prefixes whose last 32 bits are an IPv4 address the packets end up at.
_LAST_32_BITS = (
    ipaddress.IPv6Network("::ffff:0:0/96"),  # IPv4-mapped
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # SIIT, IPv4-translated (RFC 2765)
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64, well-known prefix (RFC 6052)
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible: deprecated, still routed by some stacks
)
# NAT64 local-use (RFC 8215): the site picks the prefix length, so where the IPv4 address
# sits cannot be known from the address; every one is refused.
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 transition address leads to (mapped, SIIT, NAT64,
    compatible, 6to4, Teredo's server and client), else none: the guard judges where the
    packets end up."""
    if any(ip in net for net in _LAST_32_BITS) and int(ip) > 1:  # not :: and ::1
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)
    return []


@lru_cache(maxsize=4096)  # asked again at every request to the same host
def is_public_address(host: str) -> bool:
    """False for loopback, private, link-local (cloud metadata), multicast and reserved, and
    for IPv6 addresses that embed such an IPv4 address."""
    try:
        ip = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return True  # a name, not an address: the resolver checks what it resolves to
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        inner = embedded_ipv4(ip)
        if inner:
            return all(v4.is_global and not v4.is_multicast for v4 in inner)
    return ip.is_global and not ip.is_multicast


class PublicOnlyResolver(AbstractResolver):
    """Resolves names, then refuses any answer that is not a public address (SSRF, rebinding)."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        public = [r for r in results if is_public_address(r["host"])]
        if not public:
            raise AddressRefused(f"{host} resolves to a private or loopback address")
        return public

    async def close(self) -> None:
        await self._inner.close()
