"""The `sqlite` backend (the default): one file in WAL mode, written from one thread.

Every save is one transaction, so a `kill -9` leaves either the old or the new items of a
source, never half of each; WAL keeps readers going while the poller writes.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from feedhub.models import EncodedItems, FetchState, Item, RowMaker
from feedhub.store.base import ALERTS_KEPT, Maintenance, Position, Store
from feedhub.store.batching import Entry, StateBatch
from feedhub.store.check import check_sqlite
from feedhub.store.compact import item_rows
from feedhub.store.errors import StoreDamaged
from feedhub.store.rows import decode_items, decode_state
from feedhub.store.schema import migrate_sqlite, vacuum_after_copy
from feedhub.store.sealing import state_data, state_text
from feedhub.store.sqlite_decisions import SqliteDecisions
from feedhub.store.sqlite_maintenance import SqliteMaintenance
from feedhub.store.sqlite_rows import fill_ranks, replace_rows, source_rows

T = TypeVar("T")


class SqliteStore(SqliteDecisions, Store):
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self._db: sqlite3.Connection | None = None
        # sqlite3 connections are not to be shared across threads: one worker owns it.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feedhub-sqlite")
        self._states = StateBatch(self._thread, self._save_states)

    async def _run(self, fn: Any, *args: Any) -> Any:
        self._states.flush()  # the states saved before this go first
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    async def open(self) -> None:
        await self._run(self._open)

    def _open(self) -> None:
        # Checked read-only first: a damaged file must not be written to, not even the WAL
        # mode switch, so that what the operator recovers from is what the disk had.
        if self.path.exists():
            report = check_sqlite(self.path)
            if not report.ok:
                raise StoreDamaged(self.where, report.problems)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout=5000")
            # Before anything writes (even the switch to WAL): a newer store stays as it is.
            found = migrate_sqlite(db, str(self.path))
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # A read in WAL mode first: after step 8's rename, SQLite 3.40 refused checkpoints.
            fill_ranks(db)
            vacuum_after_copy(db, found)
        except BaseException:
            db.close()
            raise
        self._db = db

    async def close(self) -> None:
        if self._db is not None:
            await self._run(self._close)
        self._thread.shutdown(wait=True)

    def _close(self) -> None:
        assert self._db is not None
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()
        self._db = None

    def maintenance(self) -> Maintenance:
        return SqliteMaintenance(self.path)

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    async def get_items(self, source_id: str) -> list[Item]:
        return await self._read_items(
            source_id, "SELECT id, source, data FROM items WHERE source = ?", (source_id,)
        )

    async def page(self, source_id: str, count: int, after: Position | None = None) -> list[Item]:
        if after is None:
            return await self._read_items(
                source_id,
                "SELECT id, source, data FROM items WHERE source = ? "
                "ORDER BY rank DESC, id DESC LIMIT ?",
                (source_id, count),
            )
        rank, item_id = after
        return await self._read_items(
            source_id,
            "SELECT id, source, data FROM items WHERE source = ? AND (rank, id) < (?, ?) "
            "ORDER BY rank DESC, id DESC LIMIT ?",
            (source_id, rank, item_id, count),
        )

    async def _read_items(self, source_id: str, sql: str, params: tuple[Any, ...]) -> list[Item]:
        items, bad = await self._run(self._items, sql, params)
        self.unreadable.note(source_id, "item", bad)
        return items

    async def item_ids(self, source_id: str) -> set[str]:
        rows = await self._run(self._select, "SELECT id FROM items WHERE source = ?", (source_id,))
        return {item_id for (item_id,) in rows}

    def _select(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()

    def _items(self, sql: str, params: tuple[Any, ...]) -> tuple[list[Item], list[str]]:
        """Items read and decoded in the store's thread: the event loop gets them ready."""
        rows = self._select(sql, params)
        return decode_items([data for _, _, data in rows], [(i, s) for i, s, _ in rows])

    async def save(
        self,
        source_id: str,
        state: FetchState,
        items: list[Item] | None,
        encoded: EncodedItems | None = None,
    ) -> None:
        if items is None:  # a state alone (an answer as before): written with others
            await self._states.save(source_id, state)
            return
        # Whatever is left to serialize is serialized in the store's thread, not on the loop.
        await self._run(self._save, source_id, state, items, encoded)
        self.unreadable.rewritten(source_id)

    def row_maker(self) -> RowMaker:
        return item_rows

    def _save(
        self,
        source_id: str,
        state: FetchState,
        items: list[Item],
        encoded: EncodedItems | None,
    ) -> None:
        state_json = state_text(state, self.sealer)
        # Compact rows (a third of the JSON, the key kept once); digests are the JSON's.
        rows = source_rows(source_id, items, encoded)
        with _transaction(self.db) as db:
            replace_rows(db, source_id, rows)
            db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (source_id, state_json))

    def _save_states(self, batch: list[Entry]) -> list[BaseException | None]:
        rows: list[tuple[str, str]] = []
        errors: list[BaseException | None] = []
        for source_id, state in batch:
            try:
                rows.append((source_id, state_text(state, self.sealer)))
                errors.append(None)
            except Exception as exc:  # that state alone stays out
                errors.append(exc)
        with _transaction(self.db) as db:
            db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", rows)
        return errors

    async def get_state(self, source_id: str) -> FetchState | None:
        rows = await self._run(
            self._select, "SELECT data FROM state WHERE source = ?", (source_id,)
        )
        return self._state(source_id, rows[0][0]) if rows else None

    async def all_states(self) -> dict[str, FetchState]:
        rows = await self._run(self._select, "SELECT source, data FROM state", ())
        states = {sid: self._state(sid, data) for sid, data in rows}
        return {sid: state for sid, state in states.items() if state is not None}

    def _state(self, source_id: str, text: str) -> FetchState | None:
        state = decode_state(text, lambda raw: state_data(raw, self.sealer))
        if isinstance(state, str):
            self.unreadable.note(source_id, "state", [state])
            return None
        return state

    async def delete(self, source_id: str) -> None:
        await self._run(self._delete, source_id)

    def _delete(self, source_id: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM items WHERE source = ?", (source_id,))
            self.db.execute("DELETE FROM state WHERE source = ?", (source_id,))

    async def media_records(self) -> list[str]:
        rows = await self._run(self._select, "SELECT data FROM media_records", ())
        return [data for (data,) in rows]

    async def get_media(self, urls: list[str]) -> dict[str, str]:
        return dict(await self._run(self._select_media, urls))

    def _select_media(self, urls: list[str]) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(urls), 500):  # under SQLite's limit on parameters
            chunk = urls[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found += self.db.execute(
                f"SELECT url, data FROM media_records WHERE url IN ({marks})", chunk
            ).fetchall()
        return found

    async def media_by_digest(self, digest: str) -> str | None:
        rows = await self._run(
            self._select, "SELECT data FROM media_records WHERE digest = ? LIMIT 1", (digest,)
        )
        return rows[0][0] if rows else None

    async def put_media(self, url: str, digest: str, text: str) -> None:
        await self._run(
            self._write,
            "INSERT OR REPLACE INTO media_records VALUES (?, ?, ?)",
            [(url, digest, text)],
        )

    async def delete_media(self, urls: list[str]) -> None:
        await self._run(
            self._write, "DELETE FROM media_records WHERE url = ?", [(u,) for u in urls]
        )

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self.db:
            self.db.executemany(sql, rows)

    # -- alert deliveries and connected accounts --------------------------------------

    async def add_alert(self, text: str, when: float) -> None:
        await self._run(self._add_alert, text, when)

    def _add_alert(self, text: str, when: float) -> None:
        with self.db:
            self.db.execute("INSERT INTO alert_log (sent, data) VALUES (?, ?)", (when, text))
            self.db.execute(
                "DELETE FROM alert_log WHERE id <= (SELECT MAX(id) FROM alert_log) - ?",
                (ALERTS_KEPT,),
            )

    async def recent_alerts(self, count: int) -> list[str]:
        rows = await self._run(
            self._select, "SELECT data FROM alert_log ORDER BY id DESC LIMIT ?", (count,)
        )
        return [data for (data,) in rows]

    async def alert_sent(self, key: str) -> float | None:
        rows = await self._run(self._select, "SELECT sent FROM alert_sent WHERE key = ?", (key,))
        return float(rows[0][0]) if rows else None

    async def mark_sent(self, keys: list[str], when: float) -> None:
        await self._run(
            self._write,
            "INSERT OR REPLACE INTO alert_sent VALUES (?, ?)",
            [(k, when) for k in keys],
        )

    async def get_account(self, source_id: str) -> str | None:
        rows = await self._run(
            self._select, "SELECT data FROM accounts WHERE source = ?", (source_id,)
        )
        return str(rows[0][0]) if rows else None

    async def put_account(self, source_id: str, text: str) -> None:
        await self._run(
            self._write, "INSERT OR REPLACE INTO accounts VALUES (?, ?)", [(source_id, text)]
        )

    async def ping(self) -> bool:
        try:  # a page of the file, not just the connection
            await self._run(self._select, "SELECT source FROM state LIMIT 1", ())
        except (sqlite3.Error, RuntimeError):
            return False
        return True


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken at once (no upgrade from a read lock to fail later)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        # SQLite has already rolled back after some errors (SQLITE_FULL): a second
        # rollback would fail and hide the error that says what happened.
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
