"""Which addresses an upstream may have: the guard against SSRF and DNS rebinding."""

from __future__ import annotations

import ipaddress
import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver


class AddressRefused(Exception):
    pass


def is_public_address(host: str) -> bool:
    """False for loopback, private, link-local (cloud metadata), multicast and reserved."""
    try:
        ip = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return True  # a name, not an address: the resolver checks what it resolves to
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
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
