"""Recovery of a damaged SQLite store: every row that can still be read goes into a new file.

Rows are read in rowid order; where a damaged page stops the read, the next readable rowid is
found by probing forward (doubling, then bisecting), so one bad page costs the rows it held
and no more. A table WITHOUT ROWID (the items) is read in its key's order; past damage, each
key its indexes still list is read alone. Every table of the file is carried, whatever it
holds; the report counts, per source, the items saved against those the file says it had
(its indexes of items, or the source's fetch state), so the operator knows what the next
polls must bring back.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from feedhub.store.check import JSON_COLUMNS, quote, read_only, tables
from feedhub.store.compact import holds_json
from feedhub.store.errors import StoreDamaged, describe
from feedhub.store.files import move_aside, refuse_if_in_use, remove_with_companions

MIN_ROWID, MAX_ROWID = -(2**63), 2**63 - 1


@dataclass
class TableReport:
    saved: int = 0
    dropped: int = 0  # rows read but unusable (their JSON is damaged)
    gaps: int = 0  # stretches of damaged pages stepped over


@dataclass
class RecoveryReport:
    path: Path
    aside: Path
    tables: dict[str, TableReport] = field(default_factory=dict)
    items: dict[str, tuple[int, int]] = field(default_factory=dict)  # source: (saved, had)
    states: set[str] = field(default_factory=set)  # sources whose fetch state was saved

    def lines(self) -> list[str]:
        out = [f"recovered {self.path}; the damaged file is kept as {self.aside}"]
        for sid in sorted(set(self.items) | self.states):
            saved, had = self.items.get(sid, (0, 0))
            lost = f", {had - saved} lost" if had > saved else ""
            state = (
                "fetch state saved"
                if sid in self.states
                else "fetch state lost (its next poll starts afresh)"
            )
            out.append(f"  source {sid}: {saved} of {had} items saved{lost}; {state}")
        for name, t in self.tables.items():
            damage = f", damaged stretches stepped over: {t.gaps}" if t.gaps else ""
            dropped = f", {t.dropped} unreadable rows dropped" if t.dropped else ""
            out.append(f"  table {name}: {t.saved} rows saved{damage}{dropped}")
        return out


def recover_sqlite(path: Path, now: datetime | None = None) -> RecoveryReport:
    """Copy what can be read into `NAME.recovering`, then set the damaged file aside and put
    the new one in its place. Refused while another process has the file open."""
    refuse_if_in_use(path)
    fresh = path.with_name(path.name + ".recovering")
    remove_with_companions(fresh)
    src = read_only(path)
    try:
        try:
            schema = src.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
            ).fetchall()
            version = int(src.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise StoreDamaged(
                str(path),
                [
                    describe(exc),
                    "its list of tables cannot be read, so nothing can be saved: "
                    "`feedhub store quarantine` sets it aside",
                ],
            ) from exc
        try:
            report = _copy_into(src, fresh, schema, version)
        except BaseException:
            remove_with_companions(fresh)
            raise
    finally:
        src.close()
    report.aside = move_aside(path, now)
    fresh.rename(path)
    report.path = path
    return report


def _copy_into(
    src: sqlite3.Connection, fresh: Path, schema: list[tuple[str, str, str]], version: int
) -> RecoveryReport:
    report = RecoveryReport(fresh, fresh)
    dst = sqlite3.connect(fresh, isolation_level=None)
    try:
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute(f"PRAGMA user_version = {version}")
        dst.execute("BEGIN")
        for kind, name, sql in schema:
            if kind == "table" and not name.startswith("sqlite_"):
                dst.execute(sql)
        for name in tables(src):
            report.tables[name] = _copy_table(src, dst, name)
        for kind, _name, sql in schema:  # indexes and triggers once the rows are in
            if kind != "table":
                dst.execute(sql)
        dst.execute("COMMIT")
        _count_sources(dst, report, _indexed_items(src))
    finally:
        dst.close()
    return report


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, table: str) -> TableReport:
    columns = [row[1] for row in src.execute(f"PRAGMA table_info({quote(table)})")]
    names = ", ".join(quote(c) for c in columns)
    json_at = columns.index(JSON_COLUMNS[table]) if table in JSON_COLUMNS else None
    report = TableReport()
    try:
        src.execute(f"SELECT rowid FROM {quote(table)} LIMIT 0")
        has_rowid = True
    except sqlite3.OperationalError:  # a WITHOUT ROWID table
        has_rowid = False
    if has_rowid:
        insert = (
            f"INSERT INTO {quote(table)} (rowid, {names}) "
            f"VALUES ({', '.join('?' * (len(columns) + 1))})"
        )
        rows = _rows_by_rowid(
            src,
            f"SELECT rowid, {names} FROM {quote(table)} WHERE rowid >= ? ORDER BY rowid",
            report,
        )
        offset = 1
    else:
        insert = f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join('?' * len(columns))})"
        rows = _rows_by_key(src, table, columns, report)
        offset = 0
    for row in rows:
        if json_at is not None and not holds_json(row[json_at + offset]):
            report.dropped += 1
            continue
        dst.execute(insert, row)
        report.saved += 1
    return report


def _rows_by_rowid(
    db: sqlite3.Connection, select: str, report: TableReport
) -> Iterator[tuple[Any, ...]]:
    """Rows a batch at a time; a batch that fails is read again a row at a time up to the
    damage, which is then stepped over."""
    start: int | None = MIN_ROWID
    while start is not None:
        try:
            batch = db.execute(select + " LIMIT 256", (start,)).fetchall()
        except sqlite3.DatabaseError:
            try:
                batch = db.execute(select + " LIMIT 1", (start,)).fetchall()
            except sqlite3.DatabaseError:
                report.gaps += 1
                start = _next_readable(db, select + " LIMIT 1", start - 1)
                continue
        if not batch:
            return
        yield from batch
        start = batch[-1][0] + 1 if batch[-1][0] < MAX_ROWID else None


def _next_readable(db: sqlite3.Connection, probe: str, after: int) -> int | None:
    """The lowest rowid above `after` from which a read succeeds, None if none does.

    Reads fail from `after + 1` up to the end of the damage and succeed past it: double the
    step until one succeeds, then bisect back to the first that does."""

    def readable(rowid: int) -> bool:
        try:
            db.execute(probe, (rowid,)).fetchall()
        except sqlite3.DatabaseError:
            return False
        return True

    low, step = after, 1
    while True:
        high = min(after + step, MAX_ROWID)
        if readable(high):
            break
        if high == MAX_ROWID:
            return None
        low, step = high, step * 2
    while high - low > 1:  # readable above some point and not below it: bisect
        middle = (low + high) // 2
        low, high = (low, middle) if readable(middle) else (middle, high)
    return high


def _rows_by_key(
    db: sqlite3.Connection, table: str, columns: list[str], report: TableReport
) -> Iterator[tuple[Any, ...]]:
    """A table WITHOUT ROWID in its key's order. Where damage stops the read, it is read
    again from its end backwards, then the keys its indexes list (each holds the whole key)
    that neither read reached, one at a time: a key on a damaged page is lost, and the rows
    of every other page are read."""
    info = db.execute(f"PRAGMA table_info({quote(table)})").fetchall()
    key = [name for _, name, _, _, _, pk in sorted(info, key=lambda c: c[5]) if pk]
    at = [columns.index(name) for name in key]
    names, by = ", ".join(quote(c) for c in columns), ", ".join(quote(k) for k in key)
    seen: set[tuple[Any, ...]] = set()
    back = ", ".join(f"{quote(k)} DESC" for k in key)
    for order in (by, back):
        try:
            for row in db.execute(f"SELECT {names} FROM {quote(table)} ORDER BY {order}"):
                if (found := tuple(row[i] for i in at)) in seen:
                    return  # backwards, up to where the first read began: all of it is read
                seen.add(found)
                yield row
            return
        except sqlite3.DatabaseError:
            pass
    listed: set[tuple[Any, ...]] = set()
    for _, index, _, origin, _ in db.execute(f"PRAGMA index_list({quote(table)})").fetchall():
        if origin == "pk":  # the table itself, keyed: read above
            continue
        try:
            for found in db.execute(f"SELECT {by} FROM {quote(table)} INDEXED BY {quote(index)}"):
                listed.add(tuple(found))
        except sqlite3.DatabaseError:
            continue  # as far as it could be read
    # One row, sought from below, then from above: a key a parent page holds between two
    # child pages is reached through the undamaged one; and no next row is read (sqlite3
    # reads one row ahead, dropping the row it has when that next read fails).
    marks = ", ".join("?" * len(key))
    seek = [
        f"SELECT {names} FROM {quote(table)} WHERE ({by}) {op} ({marks}) ORDER BY {o} LIMIT 1"
        for op, o in ((">=", by), ("<=", back))
    ]
    readable = True  # the row before was read: a key that cannot be is a new stretch
    for wanted in sorted(listed - seen, key=repr):
        row = next((hit for sql in seek if (hit := _one(db, sql, wanted, at))), None)
        if row is None:
            report.gaps += readable
            readable = False
            continue
        readable = True
        yield row
    if not report.gaps:  # every key was read alone: the damage the first read met
        report.gaps = 1


def _one(
    db: sqlite3.Connection, sql: str, wanted: tuple[Any, ...], at: list[int]
) -> tuple[Any, ...] | None:
    try:
        row = db.execute(sql, wanted).fetchone()
    except sqlite3.DatabaseError:
        return None
    return row if row is not None and tuple(row[i] for i in at) == wanted else None


def _indexed_items(db: sqlite3.Connection) -> Counter[str]:
    """Items per source as the items table's indexes list them (one may outlive a damaged
    table page), the fullest of them, each as far as it can be read."""
    fullest: Counter[str] = Counter()
    try:
        indexes = [row[1] for row in db.execute("PRAGMA index_list(items)").fetchall()]
    except sqlite3.DatabaseError:
        return fullest
    for index in indexes:
        found: Counter[str] = Counter()
        try:
            for (source,) in db.execute(f"SELECT source FROM items INDEXED BY {quote(index)}"):
                found[source] += 1
        except sqlite3.DatabaseError:
            pass
        if found.total() > fullest.total():
            fullest = found
    return fullest


def _count_sources(db: sqlite3.Connection, report: RecoveryReport, indexed: Counter[str]) -> None:
    """Items saved per source in the new file, against what the old one had."""
    saved: dict[str, int] = {}
    if "items" in report.tables:
        saved = dict(db.execute("SELECT source, count(*) FROM items GROUP BY source"))
    had = Counter(indexed)
    if "state" in report.tables:
        for sid, data in db.execute("SELECT source, data FROM state"):
            report.states.add(sid)
            had[sid] = max(had[sid], int(json.loads(data).get("item_count", 0)))
    for sid in set(saved) | set(had):
        report.items[sid] = (saved.get(sid, 0), max(had[sid], saved.get(sid, 0)))
