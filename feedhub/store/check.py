"""Is a store whole? What a check reports, and SQLite's own checks (Redis's: redis_check.py).

The schema version is reported as found (SQLite's `PRAGMA user_version`); deciding what a
version means is the migrations' business.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from feedhub.store.compact import holds_json
from feedhub.store.errors import describe

# The data columns that hold JSON, per table: read back by the backend, so checked too
# (an item's may be a compact row: a BLOB that holds JSON, see feedhub.store.compact).
JSON_COLUMNS = {"items": "data", "state": "data"}


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
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)


def tables(db: sqlite3.Connection) -> list[str]:
    """The file's own tables, in the order they were created."""
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).fetchall()
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
                report.counts[name] = db.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[
                    0
                ]
                if name in JSON_COLUMNS:
                    report.problems += _bad_json(db, name, JSON_COLUMNS[name])
    except sqlite3.DatabaseError as exc:
        report.problems.append(describe(exc))
    finally:
        db.close()
    return report


def _bad_json(db: sqlite3.Connection, table: str, column: str) -> list[str]:
    bad = db.execute(
        f"SELECT count(*) FROM {quote(table)} "
        f"WHERE typeof({column}) != 'blob' AND NOT json_valid({column})"
    ).fetchone()[0]
    blobs = db.execute(f"SELECT {column} FROM {quote(table)} WHERE typeof({column}) = 'blob'")
    bad += sum(1 for (value,) in blobs if not holds_json(value))
    return [f"table {table}: {bad} rows whose {column} is not JSON"] if bad else []
