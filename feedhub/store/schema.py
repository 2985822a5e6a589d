"""The persistent stores' schema versions, and the steps that bring an older store up to date.

A store carries the version of its layout: SQLite in `PRAGMA user_version`, Redis in the key
`{prefix}:schema`. Version 0 is a store written before versions existed, or a new, empty
one. Opening a store runs the steps from its version up to the current one, then
stamps it; a store stamped by a newer release is refused and left as it was.

To change a layout, append one step to `SQLITE_STEPS` or `REDIS_STEPS`: its position in the
list is the version it brings a store to. A SQLite step is SQL (one or more statements); all
the steps a store needs run in one transaction, so a failing one leaves the file as it was.
A Redis step is a Lua script body (`ARGV[1]` is the key prefix) run by one EVAL together with
the version check and the new stamp: no other client sees a half-migrated store, and replicas
that start together migrate it once. Redis does not undo the writes of a script that fails
half-way, so a Redis step checks what it reads before it changes anything.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from feedhub import __version__

if TYPE_CHECKING:
    import redis.asyncio as aioredis

log = logging.getLogger("feedhub.store.schema")

SQLITE_STEPS: Sequence[str] = (
    # 1: items and fetch state per source, as the releases before versions made them.
    """
    CREATE TABLE IF NOT EXISTS items (
        source TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (source, id)
    );
    CREATE TABLE IF NOT EXISTS state (source TEXT PRIMARY KEY, data TEXT NOT NULL);
    """,
    # 2: each item's rank (Item.rank), indexed, so a widget reads only the rows it can show.
    # Rows stored before are ranked by the backend right after, from their data.
    """
    ALTER TABLE items ADD COLUMN rank REAL;
    CREATE INDEX IF NOT EXISTS items_rank ON items (source, rank DESC);
    """,
    # 3: the media cache's record of each image URL (its cached files, or its last error).
    """
    CREATE TABLE IF NOT EXISTS media_records (
        url TEXT PRIMARY KEY,
        digest TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS media_records_digest ON media_records (digest);
    """,
    # 4: a source keeps its history (posts that left the upstream's answer), read a page at
    # a time from a position (rank, id): the index orders ties of rank by id.
    """
    CREATE INDEX IF NOT EXISTS items_order ON items (source, rank DESC, id DESC);
    DROP INDEX IF EXISTS items_rank;
    """,
    # 5: alert deliveries (a log, and when each event was last sent) and connected accounts
    # (each one's token encrypted with FEEDHUB_SECRET_KEY).
    """
    CREATE TABLE IF NOT EXISTS alert_log (
        id INTEGER PRIMARY KEY,
        sent REAL NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS alert_sent (key TEXT PRIMARY KEY, sent REAL NOT NULL);
    CREATE TABLE IF NOT EXISTS accounts (source TEXT PRIMARY KEY, data TEXT NOT NULL);
    """,
    # 6: moderation decisions per widget and item (approve, reject, pin: who and when).
    """
    CREATE TABLE IF NOT EXISTS decisions (
        widget TEXT NOT NULL,
        item TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (widget, item)
    );
    """,
    # 7: an item's data may be a compact row (a BLOB: feedhub.store.compact) beside the JSON
    # text of the rows written before, which are read as they are and made compact when their
    # source is saved again. Nothing to change, only the stamp: a release that cannot read
    # compact rows refuses the store instead of finding every row unreadable.
    "",
    # 8: items keyed by (source, id) alone, WITHOUT ROWID: the table is itself ordered by its
    # key, so the key's separate index (a second copy of every source and id, 8% of the
    # file) goes. Every row is copied once, in key order; the pages the old table leaves free
    # are given back by a VACUUM after the move (`vacuum_after_copy`).
    """
    CREATE TABLE items_by_key (
        source TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        rank REAL,
        PRIMARY KEY (source, id)
    ) WITHOUT ROWID;
    INSERT INTO items_by_key (source, id, data, rank)
        SELECT source, id, data, rank FROM items ORDER BY source, id;
    DROP TABLE items;
    ALTER TABLE items_by_key RENAME TO items;
    CREATE INDEX items_order ON items (source, rank DESC, id DESC);
    """,
)

REDIS_STEPS: Sequence[str] = (
    # 1: `{p}:items:{source}` JSON lists and the `{p}:states` hash, as the releases before
    # versions wrote them: nothing to change, only the stamp.
    "",
    # 2: a source's items as `{p}:order:{source}` (a sorted set: item id scored by its rank)
    # and `{p}:item:{source}` (a hash: item id -> JSON), read a page at a time. The backend
    # moves a source kept the earlier way (`ranked`, `items`) when it first reads it: a rank
    # is computed from the item, which a script cannot do.
    "",
    # 3: moderation decisions as `{p}:decisions:{widget}` (a hash: item id -> JSON): new
    # keys, nothing to move.
    "",
)

SQLITE_VERSION = len(SQLITE_STEPS)
# Steps that copy a whole table: they leave as many pages free as its rows took, and the
# file, twice its size, is vacuumed once after them rather than left so until rows reuse them.
SQLITE_COPYING_STEPS = (8,)
REDIS_VERSION = len(REDIS_STEPS)

# Runs one Redis step if the store is still at the version before it; returns the version
# found. KEYS[1]: the schema key; ARGV: prefix, version before, version after.
_REDIS_STEP = """
local found = tonumber(redis.call('GET', KEYS[1]) or '0')
if found ~= tonumber(ARGV[2]) then return found end
{step}
redis.call('SET', KEYS[1], ARGV[3])
return found
"""


class SchemaError(Exception):
    """A store this release will not use: stamped by a newer release, or its migration failed."""


def newer_store(where: str, found: int, current: int) -> SchemaError:
    return SchemaError(
        f"{where} has schema version {found}, written by a newer feedhub; this release "
        f"({__version__}) reads versions up to {current}. Upgrade feedhub, or point storage "
        f"at a new file or prefix; the store was left as it is"
    )


def sqlite_version(db: sqlite3.Connection) -> int:
    """The schema version a SQLite store is stamped with (0: never stamped)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate_sqlite(db: sqlite3.Connection, where: str, steps: Sequence[str] = SQLITE_STEPS) -> int:
    """Bring a SQLite store (autocommit connection) up to `len(steps)`; return the version found.

    A newer store is refused before anything is written. The pending steps and the new stamp
    are one transaction: on any error it is rolled back and the file keeps its old contents.
    """
    current = len(steps)
    found = sqlite_version(db)
    if found > current:
        raise newer_store(where, found, current)
    if found == current:
        return found
    new = db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None
    try:
        db.execute("BEGIN IMMEDIATE")
        found = sqlite_version(db)  # another process may have migrated it meanwhile
        if found > current:
            raise newer_store(where, found, current)
        for step in steps[found:]:
            for statement in _statements(step):
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {current}")
        db.execute("COMMIT")
        if not new:  # a file made just now is not news
            _migrated(where, found, current)
    except sqlite3.Error as exc:
        raise SchemaError(
            f"{where}: migrating from schema version {found} to {current} "
            f"failed ({exc}); the store was left as it was"
        ) from exc
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")
    return found


def vacuum_after_copy(db: sqlite3.Connection, found: int) -> None:
    """After `migrate_sqlite` from version `found`: the file rewritten without the pages a
    copying step freed (500,000 items: about 2 s, and as much free disk as the file takes)."""
    if any(found < step for step in SQLITE_COPYING_STEPS):
        db.execute("VACUUM")


def _statements(script: str) -> list[str]:
    """The SQL statements of a step, split where SQLite sees a complete statement."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \t\n;"):
        statements.append(pending.strip())  # unfinished: let SQLite say what is wrong
    return statements


def redis_schema_key(prefix: str) -> str:
    return f"{prefix}:schema"


async def redis_version(r: aioredis.Redis, prefix: str) -> int:
    """The schema version a Redis store is stamped with (0: never stamped)."""
    return int(await r.get(redis_schema_key(prefix)) or 0)


async def migrate_redis(r: aioredis.Redis, prefix: str, steps: Sequence[str] = REDIS_STEPS) -> int:
    """Bring the Redis keys under `prefix` up to `len(steps)`; return the version found."""
    from redis.exceptions import RedisError  # here: a SQLite store never loads the client

    key, current = redis_schema_key(prefix), len(steps)
    found = await redis_version(r, prefix)
    where = f"redis store {prefix!r}"
    if found > current:
        raise newer_store(where, found, current)
    for version in range(found + 1, current + 1):
        script = _REDIS_STEP.format(step=steps[version - 1])
        try:
            seen = int(await r.eval(script, 1, key, prefix, version - 1, version))
        except RedisError as exc:
            raise SchemaError(
                f"{where}: migrating from schema version {version - 1} to {version} failed ({exc})"
            ) from exc
        if seen > current:  # a newer replica stamped it meanwhile
            raise newer_store(where, seen, current)
    if found < current and (found or await r.exists(f"{prefix}:states")):
        _migrated(where, found, current)
    return found


def _migrated(where: str, found: int, current: int) -> None:
    log.info("%s: schema version %d migrated to %d", where, found, current)
