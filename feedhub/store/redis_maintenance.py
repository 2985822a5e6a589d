"""`feedhub store …` on a Redis store: the keys under its prefix checked, dumped, restored,
set aside or copied, each through a client of its own. Whatever replaces the keys under
running replicas is announced to them as a change of every source."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis

from feedhub.config import StorageConfig
from feedhub.store.base import Maintenance, Outcome, Refused, Store, announce
from feedhub.store.redis_check import check_redis
from feedhub.store.redis_dump import (
    dump_redis,
    load_redis,
    move_redis_aside,
    read_dump,
    write_dump,
)

# The kinds of keys the store interface carries into another backend (or leaves, as leases).
# `alerts` (the log, and when each event was last sent) is carried in part: the log.
CARRIED_KINDS = {
    "items",
    "ranked",
    "order",
    "item",
    "states",
    "lease",
    "schema",
    "media_records",
    "accounts",
    "decisions",
}


@contextlib.asynccontextmanager
async def connected(url: str, *, decode: bool) -> AsyncIterator[Any]:
    client = aioredis.from_url(url, decode_responses=decode, socket_connect_timeout=2.0)
    try:
        yield client
    finally:
        await client.aclose()


class RedisMaintenance(Maintenance):
    backup_noun = "a feedhub Redis dump"
    url_forms = ("redis://host:port/db",)

    def __init__(self, store: Store, url: str, prefix: str) -> None:
        self.store = store  # not open: opened only to announce a change
        self.url, self.prefix = url, prefix
        self.place = (url, prefix)

    def names(self, url: str, prefix: str) -> StorageConfig | None:
        """`redis://host:port/db` (`rediss://`, `unix://` too), keys under `prefix`."""
        parts = urlsplit(url)
        if parts.scheme in ("redis", "rediss", "unix") and (parts.netloc or parts.path):
            return StorageConfig(backend="redis", url=url, prefix=prefix)
        return None

    def made(self, path: Path) -> bool:
        with path.open("rb") as f:
            return f.read(1) == b"{"

    async def check(self) -> Outcome:
        async with connected(self.url, decode=True) as client:
            report = await check_redis(client, self.prefix, full=True)
        return Outcome(report.lines(), report.ok)

    async def backup(self, target: Path) -> Outcome:
        async with connected(self.url, decode=False) as client:
            entries = await dump_redis(client, self.prefix)
        write_dump(target, self.prefix, entries)
        return Outcome([f"backed up {len(entries)} keys under {self.prefix!r} to {target}"])

    async def restore(self, source: Path) -> Outcome:
        entries = read_dump(source)
        async with connected(self.url, decode=False) as client:
            aside, moved = await move_redis_aside(client, self.prefix, why="replaced")
            await load_redis(client, self.prefix, entries)
        await announce(self.store)
        kept = [f"the {moved} keys it replaced are kept under {aside!r}"] if moved else []
        return Outcome([f"restored {len(entries)} keys from {source} under {self.prefix!r}", *kept])

    async def quarantine(self) -> Outcome:
        async with connected(self.url, decode=False) as client:
            aside, moved = await move_redis_aside(client, self.prefix)
        return Outcome(
            [
                f"moved {moved} keys from {self.prefix!r} to {aside!r}; the replicas "
                "poll every source afresh"
            ]
        )

    async def copy(self, target: Maintenance, shown: str, force: bool) -> Outcome:
        assert isinstance(target, RedisMaintenance)
        async with (
            connected(self.url, decode=False) as src,
            connected(target.url, decode=False) as dst,
        ):
            entries = await dump_redis(src, self.prefix)
            if any([k async for k in dst.scan_iter(match=f"{target.prefix}:*", count=100)]):
                if not force:
                    raise Refused(
                        f"{shown} holds keys under {target.prefix!r}; --force "
                        "replaces them (they are kept under a .replaced- prefix)"
                    )
                await move_redis_aside(dst, target.prefix, why="replaced")
            await load_redis(dst, target.prefix, entries)
        await announce(target.store)
        return Outcome([f"copied {len(entries)} keys to {shown} under {target.prefix!r}"])

    async def left_out(self) -> list[str]:
        async with connected(self.url, decode=True) as client:
            keys = [str(k) async for k in client.scan_iter(match=f"{self.prefix}:*")]
        kinds = {k[len(self.prefix) + 1 :].split(":", 1)[0] for k in keys}
        return [f"keys {k}:*" for k in sorted(kinds) if k not in CARRIED_KINDS]
