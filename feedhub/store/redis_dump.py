"""Redis's backups: every key under the prefix, read with DUMP inside one MULTI (so at one
moment) and written back with RESTORE, kept in a file of JSON lines. The poll leases are left
out, they only mean something to the replicas that hold them; keys this code does not know
come along as they are. Also how a prefix's keys are set aside.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from feedhub.store.errors import StoreDamaged
from feedhub.store.files import stamp

DUMP_FORMAT = "feedhub-redis-dump"
TRANSIENT_KINDS = {"lease"}  # keys under the prefix that a backup leaves out


async def dump_redis(client: Any, prefix: str) -> list[tuple[str, bytes]]:
    """(key without the prefix, DUMP payload) of every lasting key under the prefix, read in
    one transaction. `client` is a redis.asyncio client that does not decode responses."""
    keys = [k.decode() async for k in client.scan_iter(match=f"{prefix}:*", count=500)]
    keys = [k for k in keys if k[len(prefix) + 1 :].split(":", 1)[0] not in TRANSIENT_KINDS]
    async with client.pipeline(transaction=True) as tx:
        for key in keys:
            tx.dump(key)
        payloads = await tx.execute()
    return [
        (key[len(prefix) + 1 :], payload)
        for key, payload in zip(keys, payloads, strict=True)
        if payload is not None
    ]


async def load_redis(client: Any, prefix: str, entries: list[tuple[str, bytes]]) -> None:
    """Write dumped keys under `prefix`, all in one transaction, replacing what is there."""
    async with client.pipeline(transaction=True) as tx:
        for rel, payload in entries:
            tx.restore(f"{prefix}:{rel}", 0, payload, replace=True)
        await tx.execute()


async def move_redis_aside(
    client: Any, prefix: str, now: datetime | None = None, why: str = "damaged"
) -> tuple[str, int]:
    """Rename every key under `prefix` to `{prefix}.{why}-<UTC time>`: the prefix starts
    empty and the old keys stay for a look or a copy. (The new prefix, keys moved.)"""
    aside = f"{prefix}.{why}-{stamp(now)}"
    keys = [k.decode() async for k in client.scan_iter(match=f"{prefix}:*", count=500)]
    async with client.pipeline(transaction=True) as tx:
        for key in keys:
            tx.rename(key, aside + key[len(prefix) :])
        await tx.execute()
    return aside, len(keys)


def write_dump(path: Path, prefix: str, entries: list[tuple[str, bytes]]) -> None:
    """A Redis dump as JSON lines: a header, then one key per line (payloads in base64)."""
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    with partial.open("w") as f:
        f.write(
            json.dumps(
                {
                    "format": DUMP_FORMAT,
                    "version": 1,
                    "prefix": prefix,
                    "created": stamp(),
                    "keys": len(entries),
                }
            )
            + "\n"
        )
        for rel, payload in entries:
            f.write(json.dumps({"key": rel, "dump": base64.b64encode(payload).decode()}) + "\n")
    partial.replace(path)


def read_dump(path: Path) -> list[tuple[str, bytes]]:
    """The keys of a dump written by `write_dump`; a cut or altered file is refused."""
    with path.open() as f:
        lines = f.read().splitlines()
    try:
        header = json.loads(lines[0])
        entries = [
            (str(e["key"]), base64.b64decode(e["dump"], validate=True))
            for e in map(json.loads, lines[1:])
        ]
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise StoreDamaged(str(path), [f"not a whole feedhub Redis dump: {exc}"]) from exc
    if header.get("format") != DUMP_FORMAT or header.get("keys") != len(entries):
        raise StoreDamaged(
            str(path),
            [
                f"not a whole feedhub Redis dump (expected {header.get('keys')} keys, "
                f"found {len(entries)})"
            ],
        )
    return entries
