"""Is a store whole? SQLite's own checks, or the shape of feedhub's keys in Redis.

The schema version is reported as found (SQLite's `PRAGMA user_version`, Redis's
`{prefix}:schema`); deciding what a version means is the migrations' business.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedhub.store.errors import describe

# The data columns that hold JSON, per table: read back by the backend, so checked too.
JSON_COLUMNS = {"items": "data", "state": "data"}
# The type of each kind of key under the prefix (the part after `{prefix}:`).
KEY_TYPES = {"states": "hash", "items": "string", "ranked": "list", "lease": "string",
             "schema": "string"}
JSON_KINDS = {"states", "items", "ranked"}


@dataclass
class CheckReport:
    """What a check found: problems (none when whole), the schema version, and sizes."""

    where: str
    problems: list[str] = field(default_factory=list)
    version: int | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        version = "none recorded" if not self.version else str(self.version)
        sizes = ", ".join(f"{name}: {n}" for name, n in sorted(self.counts.items()))
        head = f"{self.where}: {'ok' if self.ok else 'DAMAGED'} (schema version {version}"
        return [head + (f"; {sizes})" if sizes else ")")] + [f"  {p}" for p in self.problems]


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file (a damaged one must stay as it is)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                           isolation_level=None)


def tables(db: sqlite3.Connection) -> list[str]:
    """The file's own tables, in the order they were created."""
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                      "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
    return [name for (name,) in rows]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_sqlite(path: Path, *, full: bool = False) -> CheckReport:
    """`quick_check` (at start) or `integrity_check` and every JSON value (`full`)."""
    report = CheckReport(str(path))
    if not path.exists():
        report.problems.append("no such file (the first `feedhub serve` creates it)")
        return report
    db = read_only(path)
    try:
        pragma = "integrity_check" if full else "quick_check"
        found = [row for (row,) in db.execute(f"PRAGMA {pragma}(100)").fetchall()]
        if found != ["ok"]:
            report.problems += found
        report.version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if full and report.ok:
            for name in tables(db):
                report.counts[name] = db.execute(f"SELECT count(*) FROM {quote(name)}"
                                                 ).fetchone()[0]
                if name in JSON_COLUMNS:
                    report.problems += _bad_json(db, name, JSON_COLUMNS[name])
    except sqlite3.DatabaseError as exc:
        report.problems.append(describe(exc))
    finally:
        db.close()
    return report


def _bad_json(db: sqlite3.Connection, table: str, column: str) -> list[str]:
    bad = db.execute(f"SELECT count(*) FROM {quote(table)} WHERE NOT json_valid({column})"
                     ).fetchone()[0]
    return [f"table {table}: {bad} rows whose {column} is not JSON"] if bad else []


async def check_redis(client: Any, prefix: str, *, full: bool = False) -> CheckReport:
    """The schema key is a number, each kind of key has its type and (`full`) every JSON
    value parses. `client` is a redis.asyncio client with decoded responses."""
    report = CheckReport(f"redis prefix {prefix!r}")
    raw = await client.get(f"{prefix}:schema")
    if raw is not None:
        if str(raw).isdigit():
            report.version = int(raw)
        else:
            report.problems.append(f"{prefix}:schema holds {str(raw)[:40]!r}, not a number")
    keys = [str(k) async for k in client.scan_iter(match=f"{prefix}:*", count=500)]
    for key in keys:
        kind = key[len(prefix) + 1:].split(":", 1)[0]
        report.counts[kind] = report.counts.get(kind, 0) + 1
        if full or kind in ("states", "schema"):  # the cheap ones are checked at start too
            report.problems += await _key_problems(client, key, kind, full)
    return report


async def _key_problems(client: Any, key: str, kind: str, full: bool) -> list[str]:
    expected = KEY_TYPES.get(kind)
    if expected is None:  # a kind this check does not know: its own code reads it
        return []
    actual = await client.type(key)
    if actual == "none":  # gone since the scan
        return []
    if actual != expected:
        return [f"{key} is a {actual}, not a {expected}"]
    if not full or kind not in JSON_KINDS:
        return []
    if expected == "hash":
        values = list((await client.hgetall(key)).values())
    elif expected == "list":
        values = list(await client.lrange(key, 0, -1))
    else:
        values = [await client.get(key)]
    bad = sum(1 for value in values if not _is_json(value))
    return [f"{key}: {bad} values that are not JSON"] if bad else []


def _is_json(value: str | None) -> bool:
    try:
        json.loads(value or "")
    except ValueError:
        return False
    return True
