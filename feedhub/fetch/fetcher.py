"""The one place that talks HTTP to upstreams: conditional GET, caps, limits, address checks."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import SplitResult, urljoin, urlsplit

import aiohttp

from feedhub import __version__
from feedhub.aio import within
from feedhub.fetch.addresses import AddressRefused, PublicOnlyResolver, is_public_address

MAX_REDIRECTS = 10
READ_CHUNK = 64 * 1024  # an error answer's (a body is read in the pieces the socket gives)
# The headers that say how to read a body: its charset, the base of its relative links, and
# its language. They go with the body to the parse step.
DOCUMENT_HEADERS = ("content-type", "content-location", "content-language")
ERROR_BODY = 64 * 1024  # of an error answer, kept for adapters that read platforms' error codes
# A URL is parsed at each request, not kept parsed between a source's polls: at 10,000
# sources a cache of them held 20,000 objects that every full pass of the garbage collector
# walked (18 ms of each pass, each one a stall of the event loop), to save 7 µs a request.


@dataclass(slots=True)
class FetchResult:
    """An upstream's answer, or why there is none (`error`)."""

    url: str
    status: int = 0
    body: bytes = b""  # of an error answer too (its first ERROR_BODY bytes)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    not_modified: bool = False
    error: str = ""
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")

    @property
    def document_headers(self) -> dict[str, str]:
        """The DOCUMENT_HEADERS of an HTTP answer, Content-Location made absolute (the answer's
        own URL when it has none); a local file has none."""
        if not urlsplit(self.url).scheme:
            return {}
        found = {name: self.headers[name] for name in DOCUMENT_HEADERS if name in self.headers}
        found["content-location"] = urljoin(self.url, found.get("content-location", ""))
        return found


@dataclass(frozen=True, slots=True)
class Request:
    """What a source adapter asks for; the fetcher adds manners and limits."""

    url: str
    etag: str = ""
    last_modified: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    body: bytes | None = None  # sent as a POST (a session login), never redirected


class Fetcher:
    """Owns the app's one ClientSession and the global and per-host concurrency limits."""

    def __init__(
        self,
        *,
        public_url: str,
        concurrency: int = 16,
        per_host: int = 2,
        allow_private: bool = False,
        user_agent: str = "",
    ) -> None:
        self.user_agent = user_agent or f"feedhub/{__version__} (+{public_url})"
        self.allow_private = allow_private
        self.active = 0  # requests under way: background work waits for a quiet moment
        self._global = asyncio.Semaphore(concurrency)
        self._per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(per_host)
        )
        connector = aiohttp.TCPConnector(
            limit=concurrency,
            limit_per_host=per_host,
            resolver=None if allow_private else PublicOnlyResolver(),
            ttl_dns_cache=300,
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.user_agent},
            auto_decompress=True,
        )

    async def close(self) -> None:
        await self.session.close()

    async def get(self, req: Request) -> FetchResult:
        """GET with conditional headers, bounded redirects and a body cap; never raises."""
        parts = urlsplit(req.url)
        if not parts.scheme:
            return await read_file(req.url, req.etag, req.max_bytes)
        host = parts.hostname or ""
        started = time.monotonic()
        self.active += 1
        try:
            result = await self._limited(req, host, parts)
        finally:
            self.active -= 1
        result.elapsed = time.monotonic() - started
        return result

    async def _limited(self, req: Request, host: str, parts: SplitResult) -> FetchResult:
        # The host's own turn first: a request waiting on a busy host must not hold a global
        # slot meanwhile, or one host's backlog (a feed's hundred images) stalls every other.
        async with self._per_host[host], self._global:
            try:
                result = await within(self._get(req, parts), req.timeout)
            except TimeoutError:
                result = FetchResult(req.url, error=f"timed out after {req.timeout:g}s")
            except AddressRefused as exc:
                result = FetchResult(req.url, error=f"refused: {exc}")
            except aiohttp.ClientConnectorError as exc:
                cause = exc.os_error
                if isinstance(cause, AddressRefused):
                    result = FetchResult(req.url, error=f"refused: {cause}")
                else:
                    result = FetchResult(req.url, error=f"cannot connect to {host}: {cause}")
            except aiohttp.ClientPayloadError as exc:
                result = FetchResult(req.url, error=f"broken response body: {exc}")
            except aiohttp.ClientError as exc:
                result = FetchResult(req.url, error=f"{type(exc).__name__}: {exc}")
        return result

    async def _get(self, req: Request, parts: SplitResult) -> FetchResult:
        headers = {"Accept-Encoding": "gzip, deflate, br", **req.headers}
        if req.etag:
            headers["If-None-Match"] = req.etag
        if req.last_modified:
            headers["If-Modified-Since"] = req.last_modified
        timeout = _client_timeout(req.timeout)
        url, seen = req.url, set()
        for hop in range(MAX_REDIRECTS + 1):
            if hop:
                parts = urlsplit(url)
            if parts.scheme not in ("http", "https"):
                return FetchResult(url, error=f"refused: scheme {parts.scheme!r} is not http(s)")
            if not self.allow_private and not is_public_address(parts.hostname or ""):
                return FetchResult(url, error=f"refused: {parts.hostname} is a private address")
            seen.add(url)
            async with self.session.request(
                "GET" if req.body is None else "POST",
                url,
                headers=headers,
                data=req.body,
                timeout=timeout,
                allow_redirects=False,
            ) as resp:
                redirect = resp.status in (301, 302, 303, 307, 308) and req.body is None
                if redirect and "Location" in resp.headers:
                    url = urljoin(url, resp.headers["Location"])
                    if url in seen:
                        return FetchResult(url, status=resp.status, error="redirect loop")
                    continue
                return await _read(resp, url, req.max_bytes)
        return FetchResult(url, error=f"more than {MAX_REDIRECTS} redirects")


@lru_cache(maxsize=64)
def _client_timeout(seconds: float) -> aiohttp.ClientTimeout:
    """Each hop's own limits (immutable: one per value, not one per request)."""
    return aiohttp.ClientTimeout(total=seconds, connect=min(10.0, seconds), sock_read=seconds)


async def _read(resp: aiohttp.ClientResponse, url: str, max_bytes: int) -> FetchResult:
    headers = {k.lower(): v for k, v in resp.headers.items()}
    result = FetchResult(url, status=resp.status, headers=headers)
    if resp.status == 304:
        result.not_modified = True
        return result
    if resp.status >= 400:
        reason = resp.reason or ""
        result.error = f"HTTP {resp.status} {reason}".strip() + f" from {url}"
        result.body = await _first_bytes(resp, ERROR_BODY)
        return result
    declared = resp.content_length
    if declared is not None and declared > max_bytes and "content-encoding" not in headers:
        result.error = f"body of {declared} bytes is over the {max_bytes}-byte cap"
        return result
    # As the socket gave them: cutting them into fixed pieces first copied every byte once
    # more, on the event loop (a 7 MB image cost it 6-25 ms, 5-13 ms without).
    chunks, size = [], 0
    async for chunk in resp.content.iter_any():
        size += len(chunk)
        if size > max_bytes:
            result.error = f"body is over the {max_bytes}-byte cap"
            return result
        chunks.append(chunk)
    result.body = b"".join(chunks)
    return result


async def _first_bytes(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in resp.content.iter_chunked(READ_CHUNK):
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


async def read_file(path: str, etag: str, max_bytes: int) -> FetchResult:
    """A local feed file (a site's own generated feed); its mtime and size act as the ETag."""

    def read() -> FetchResult:
        p = Path(path)
        try:
            st = p.stat()
            tag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
            if tag == etag:
                return FetchResult(path, status=304, not_modified=True, headers={"etag": tag})
            if st.st_size > max_bytes:
                return FetchResult(path, error=f"file is over the {max_bytes}-byte cap")
            return FetchResult(path, status=200, body=p.read_bytes(), headers={"etag": tag})
        except OSError as exc:
            return FetchResult(path, error=f"cannot read {path}: {exc.strerror}")

    return await asyncio.to_thread(read)
