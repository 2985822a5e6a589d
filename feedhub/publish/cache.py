"""Rendered bytes per widget, format and parameters, kept until the widget's items change.

Each entry holds the body already compressed (gzip, and brotli when available) and its ETag,
so serving a cached widget allocates nothing but the response.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from cachetools import LRUCache

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is a dependency; this keeps a slim install going
    brotli = None

COMPRESS_MIN = 256  # smaller bodies gain nothing from compression


class Key(NamedTuple):
    widget: str
    fmt: str
    limit: int
    locale: str
    theme: str
    scheme: str = ""  # light | dark | auto; "" keeps the widget's own
    before: str = ""  # a page's cursor (publish/paging.py); "" the first page


@dataclass(frozen=True, slots=True)
class Entry:
    version: str
    etag: str  # quoted, strong; per representation
    content_type: str
    identity: bytes
    gzip: bytes | None = None
    br: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def make_entry(
    version: str, key: Key, body: bytes, content_type: str, headers: dict[str, str]
) -> Entry:
    """Compress once and compute the ETag from what is served."""
    tag = hashlib.blake2b(body, digest_size=10).hexdigest()
    gz = br = None
    if len(body) >= COMPRESS_MIN and content_type.split("/")[0] in ("text", "application"):
        gz = gzip.compress(body, compresslevel=6, mtime=0)
        if brotli is not None:
            br = brotli.compress(body, quality=5)
    return Entry(version, f'"{tag}"', content_type, body, gz, br, headers)


Producer = Callable[[], Awaitable[tuple[bytes, str, dict[str, str]]]]


class RenderCache:
    """LRU of entries; concurrent misses for one key render once."""

    def __init__(self, maxsize: int = 2048) -> None:
        self._entries: LRUCache[Key, Entry] = LRUCache(maxsize=maxsize)
        self._pending: dict[tuple[Key, str], asyncio.Future[Entry]] = {}
        self.hits = 0
        self.misses = 0

    def peek(self, key: Key, version: str) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None and entry.version == version:
            self.hits += 1
            return entry
        return None

    async def get(self, key: Key, version: str, produce: Producer) -> Entry:
        entry = self.peek(key, version)
        if entry is not None:
            return entry
        pending = self._pending.get((key, version))
        if pending is not None:
            return await asyncio.shield(pending)
        self.misses += 1
        future: asyncio.Future[Entry] = asyncio.get_running_loop().create_future()
        self._pending[(key, version)] = future
        try:
            body, content_type, headers = await produce()
            # Compressing is CPU too (zlib and brotli let the GIL go): not on the loop.
            entry = await asyncio.to_thread(make_entry, version, key, body, content_type, headers)
            self._entries[key] = entry
            future.set_result(entry)
            return entry
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._pending[(key, version)]

    def resize(self, maxsize: int) -> None:
        """Hold up to `maxsize` entries from now on, keeping those held (most recent last)."""
        if maxsize != self._entries.maxsize:
            entries = list(self._entries.items())
            self._entries = LRUCache(maxsize=maxsize)
            for key, entry in entries[-maxsize:]:
                self._entries[key] = entry

    def keys_for(self, widget: str) -> list[Key]:
        return [k for k in list(self._entries.keys()) if k.widget == widget]

    def clear(self) -> None:
        self._entries.clear()
