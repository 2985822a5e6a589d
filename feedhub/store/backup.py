"""Online backups and their restore, whatever the store holds.

SQLite: the backup API copies every page of the file in one step under a read lock, so the
copy is one consistent moment even while the daemon writes (WAL lets it go on meanwhile).
Redis: every key under the prefix, read with DUMP inside one MULTI (so at one moment) and
written back with RESTORE; the poll leases are left out, they only mean something to the
replicas that hold them. Both carry tables and keys they do not know, as they are.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from feedhub.store.check import check_sqlite, read_only
from feedhub.store.errors import StoreDamaged
from feedhub.store.files import move_aside, refuse_if_in_use, remove_with_companions, stamp

SQLITE_MAGIC = b"SQLite format 3\x00"
DUMP_FORMAT = "feedhub-redis-dump"
TRANSIENT_KINDS = {"lease"}  # keys under the prefix that a backup leaves out


def backup_kind(path: Path) -> str:
    """"sqlite" or "redis": which backend a backup file was made from."""
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(b"{"):
        return "redis"
    raise ValueError(f"{path} is neither a SQLite backup nor a feedhub Redis dump")


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file, written beside the target and renamed into place
    (a half-written copy never takes a file's name)."""
    partial = target.with_name(target.name + ".partial")
    remove_with_companions(partial)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = read_only(source)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # The source's WAL mode comes along; a backup is one file, so it leaves WAL.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    except BaseException:
        remove_with_companions(partial)
        raise
    finally:
        src.close()
    partial.replace(target)


def restore_sqlite(backup: Path, path: Path, now: datetime | None = None) -> Path | None:
    """Put a checked backup in the store's place; the store it replaces is kept beside it
    (`NAME.replaced-<time>`), whose name is returned."""
    report = check_sqlite(backup)
    if not report.ok:
        raise StoreDamaged(str(backup), report.problems)
    refuse_if_in_use(path)
    staged = path.with_name(path.name + ".restoring")
    copy_sqlite(backup, staged)
    previous = move_aside(path, now, "replaced") if path.exists() else None
    # Stale WAL or shared-memory files beside a new main file would corrupt it.
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    staged.rename(path)
    return previous


async def dump_redis(client: Any, prefix: str) -> list[tuple[str, bytes]]:
    """(key without the prefix, DUMP payload) of every lasting key under the prefix, read in
    one transaction. `client` is a redis.asyncio client that does not decode responses."""
    keys = [k.decode() async for k in client.scan_iter(match=f"{prefix}:*", count=500)]
    keys = [k for k in keys if k[len(prefix) + 1:].split(":", 1)[0] not in TRANSIENT_KINDS]
    async with client.pipeline(transaction=True) as tx:
        for key in keys:
            tx.dump(key)
        payloads = await tx.execute()
    return [(key[len(prefix) + 1:], payload)
            for key, payload in zip(keys, payloads, strict=True) if payload is not None]


async def load_redis(client: Any, prefix: str, entries: list[tuple[str, bytes]]) -> None:
    """Write dumped keys under `prefix`, all in one transaction, replacing what is there."""
    async with client.pipeline(transaction=True) as tx:
        for rel, payload in entries:
            tx.restore(f"{prefix}:{rel}", 0, payload, replace=True)
        await tx.execute()


async def move_redis_aside(client: Any, prefix: str, now: datetime | None = None,
                           why: str = "damaged") -> tuple[str, int]:
    """Rename every key under `prefix` to `{prefix}.{why}-<UTC time>`: the prefix starts
    empty and the old keys stay for a look or a copy. (The new prefix, keys moved.)"""
    aside = f"{prefix}.{why}-{stamp(now)}"
    keys = [k.decode() async for k in client.scan_iter(match=f"{prefix}:*", count=500)]
    async with client.pipeline(transaction=True) as tx:
        for key in keys:
            tx.rename(key, aside + key[len(prefix):])
        await tx.execute()
    return aside, len(keys)


def write_dump(path: Path, prefix: str, entries: list[tuple[str, bytes]]) -> None:
    """A Redis dump as JSON lines: a header, then one key per line (payloads in base64)."""
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    with partial.open("w") as f:
        f.write(json.dumps({"format": DUMP_FORMAT, "version": 1, "prefix": prefix,
                            "created": stamp(), "keys": len(entries)}) + "\n")
        for rel, payload in entries:
            f.write(json.dumps({"key": rel, "dump": base64.b64encode(payload).decode()}) + "\n")
    partial.replace(path)


def read_dump(path: Path) -> list[tuple[str, bytes]]:
    """The keys of a dump written by `write_dump`; a cut or altered file is refused."""
    with path.open() as f:
        lines = f.read().splitlines()
    try:
        header = json.loads(lines[0])
        entries = [(str(e["key"]), base64.b64decode(e["dump"], validate=True))
                   for e in map(json.loads, lines[1:])]
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise StoreDamaged(str(path), [f"not a whole feedhub Redis dump: {exc}"]) from exc
    if header.get("format") != DUMP_FORMAT or header.get("keys") != len(entries):
        raise StoreDamaged(str(path), [
            f"not a whole feedhub Redis dump (expected {header.get('keys')} keys, "
            f"found {len(entries)})"])
    return entries
