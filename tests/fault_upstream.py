"""A fault-injection upstream: route handlers that misbehave the ways real upstreams do.

Each factory returns an aiohttp handler for `upstream.routes[path] = ...` (see conftest's
`Upstream`), or bytes for `upstream.set(...)`. `good_feed` builds a valid RSS 2.0 body.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import zlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from email.utils import formatdate
from functools import cache

from aiohttp import web

from tests.feeds_support import rss

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def good_feed(prefix: str, n: int = 3) -> bytes:
    """A valid RSS 2.0 feed whose item titles start with `prefix`."""
    items = "".join(
        f"<item><title>{prefix} {i}</title><link>https://example.org/{prefix}/{i}</link>"
        f"<guid>{prefix}-{i}</guid><pubDate>{formatdate(1_790_000_000 + i * 60, usegmt=True)}"
        f"</pubDate><description>Body of {prefix} {i}</description></item>"
        for i in range(n)
    )
    return rss(items, title=prefix)


def slow_headers(seconds: float = 60.0) -> Handler:
    """Accepts the request, then says nothing: the response line never comes."""

    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return web.Response(text="too late")

    return handler


def dripping_body(every: float = 0.05) -> Handler:
    """Sends headers and then one byte at a time, forever: only a total timeout ends it."""

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await resp.prepare(request)
        await resp.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        try:
            while True:
                await resp.write(b" ")
                await asyncio.sleep(every)
        except (ConnectionError, asyncio.CancelledError):
            pass
        return resp

    return handler


def status(code: int, headers: dict[str, str] | None = None, body: str = "") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=code, text=body or f"error {code}", headers=headers or {})

    return handler


def redirect_to(location: str, code: int = 302) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=code, headers={"Location": location})

    return handler


def big_body(size: int) -> Handler:
    """A plain body of `size` bytes, streamed without a Content-Length."""

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await resp.prepare(request)
        chunk = b"<!-- padding -->" * 4096
        sent = 0
        try:
            while sent < size:
                await resp.write(chunk)
                sent += len(chunk)
        except ConnectionError:
            pass
        return resp

    return handler


@cache
def gzip_bomb(inflated_mib: int = 1024) -> bytes:
    """A gzip body of about 1 MB that inflates to `inflated_mib` MiB of zeros (1 GiB).

    Each MiB is deflated once, ended by a full flush so every block is the same bytes,
    and the block is repeated: building it takes a fraction of a second.
    """
    zeros = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    comp.compress(zeros)
    comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(inflated_mib):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (inflated_mib << 20) & 0xFFFFFFFF)
    return header + block * inflated_mib + comp.flush() + trailer


def gzipped(body: bytes, content_type: str = "application/rss+xml") -> Handler:
    """Serves bytes that are already gzip-compressed, labelled so."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=body, headers={"Content-Encoding": "gzip", "Content-Type": content_type}
        )

    return handler


def truncated(body: bytes, keep: float = 0.6) -> bytes:
    return body[: int(len(body) * keep)]


ENTITY_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaa">\n'
    + b"".join(
        b"<!ENTITY " + bytes([98 + i]) + b' "' + (b"&" + bytes([97 + i]) + b";") * 10 + b'">\n'
        for i in range(9)
    )
    + b']>\n<rss version="2.0"><channel><title>bomb</title>'
    b"<item><title>&j;</title><description>&j;</description></item></channel></rss>"
)
XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    b'<rss version="2.0"><channel><title>xxe</title>'
    b"<item><title>leak &secret;</title></item></channel></rss>"
)

# The same bomb past a naive pre-check: a comment in the DOCTYPE that looks like the root
# element's start tag, and the whole document in UTF-16 (no ASCII "<!ENTITY" bytes at all).
ENTITY_BOMB_COMMENTED = ENTITY_BOMB.replace(
    b"<!DOCTYPE rss [\n", b"<!DOCTYPE rss [\n<!-- <rss> -->\n"
)
XXE_UTF16 = (
    XXE.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
    .decode()
    .encode("utf-16")
)


@contextmanager
def unaccepting_port() -> Iterator[int]:
    """A port whose listen queue is full: a TCP connect to it hangs (a connect timeout)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    try:
        # Fill the accept queue; later SYNs are dropped, so connecting never completes.
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            fillers.append(s)
        yield port
    finally:
        for s in fillers:
            s.close()
        server.close()
