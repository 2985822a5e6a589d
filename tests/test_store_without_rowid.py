"""Schema 8: the items table is keyed by (source, id) alone, WITHOUT ROWID. A store of the
release before moves to it as it opens, every row as it was, and takes fewer pages."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from feedhub.models import FetchState, item_json
from feedhub.store.compact import pack
from feedhub.store.schema import SQLITE_STEPS, SQLITE_VERSION, migrate_sqlite
from feedhub.store.sqlite import SqliteStore
from tests.store_support import items_of

Row = tuple[str, str, bytes | str, float | None]


def version_7_store(path: Path, sources: dict[str, int]) -> list[Row]:
    """A file as the release before wrote it (a rowid table of items, compact rows), with
    the rows of the source `old` as JSON text, one of them not yet ranked (as releases before
    ranks wrote them); the rows it holds."""
    rows: list[Row] = []
    for sid, n in sources.items():
        for it in items_of(sid, n):
            text = item_json(it)
            data = text if sid == "old" else pack(text, it.id, sid)
            rows.append((sid, it.id, data, None if it.id == "old-3" else it.rank))
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        migrate_sqlite(db, str(path), SQLITE_STEPS[:7])
        db.execute("PRAGMA journal_mode=WAL")
        for sid in sources:
            state = FetchState(etag=f'"{sid}"', item_count=sources[sid])
            db.execute("INSERT INTO state VALUES (?, ?)", (sid, json.dumps(state.to_dict())))
        db.executemany("INSERT INTO items VALUES (?, ?, ?, ?)", rows)
    return rows


def file_rows(path: Path) -> list[Row]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT source, id, data, rank FROM items ORDER BY source, id").fetchall()


def layout(path: Path) -> tuple[str, list[str], int]:
    """The items table's SQL, the b-trees beside it (its indexes), and the file's pages in
    use."""
    with closing(sqlite3.connect(path)) as db:
        (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'items'").fetchone()
        indexes = [
            name
            for (name,) in db.execute("SELECT DISTINCT name FROM dbstat")
            if name != "items" and ("items" in name or name.startswith("sqlite_autoindex_items"))
        ]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
    return sql, sorted(indexes), pages - free


async def test_a_store_of_the_release_before_opens_keyed_by_source_and_id(tmp_path):
    path = tmp_path / "feedhub.sqlite3"
    written = version_7_store(path, {"blog": 30, "old": 5})
    before = {(s, i): (d, r) for s, i, d, r in written}
    assert "WITHOUT ROWID" not in layout(path)[0]

    store = SqliteStore(path)
    await store.open()
    try:
        newest = await store.page("blog", 3)
        old = await store.get_items("old")
    finally:
        await store.close()

    sql, indexes, _ = layout(path)
    assert "WITHOUT ROWID" in sql and indexes == ["items_order"]
    after = file_rows(path)
    assert len(after) == len(written) == 35
    blog = {it.id: it for it in items_of("blog", 30)}
    for source, item_id, data, rank in after:
        was_data, was_rank = before[(source, item_id)]
        assert data == was_data  # bytes and text alike, as they were
        # The unranked row is ranked as the store opens, as any such row always was.
        assert rank == (items_of("old", 5)[3].rank if was_rank is None else was_rank)
    assert [it.id for it in newest] == [
        it.id for it in sorted(blog.values(), key=lambda it: (it.rank, it.id), reverse=True)[:3]
    ]
    assert sorted(it.id for it in old) == sorted(it.id for it in items_of("old", 5))
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SQLITE_VERSION == 8


async def test_the_moved_file_is_smaller_than_before_not_twice_its_size(tmp_path):
    # The move copies every row, which leaves the old table's pages free: the file is
    # vacuumed once after it, so it does not stay twice its size.
    old, new = tmp_path / "old.sqlite3", tmp_path / "new.sqlite3"
    version_7_store(old, {f"s{n}": 50 for n in range(40)})
    version_7_store(new, {f"s{n}": 50 for n in range(40)})
    store = SqliteStore(new)
    await store.open()
    await store.close()
    assert file_rows(new) == file_rows(old)
    assert new.stat().st_size < 0.95 * old.stat().st_size
    assert layout(new)[2] < 0.95 * layout(old)[2]


async def test_saves_in_a_feeds_order_fill_the_tables_pages(tmp_path):
    # A save inserts its rows in key order: in a feed's order (ids at random), nearly every
    # insert split a page in the middle of the table, and a quarter of its pages stayed empty.
    path = tmp_path / "feedhub.sqlite3"
    store = SqliteStore(path)
    await store.open()
    try:
        for n in random.Random(3).sample(range(200), 200):
            items = [
                replace(it, id=hashlib.sha1(it.id.encode()).hexdigest()[:24])
                for it in items_of(f"s{n}", 50)
            ]
            await store.save(f"s{n}", FetchState(), items)
    finally:
        await store.close()
    with closing(sqlite3.connect(path)) as db:
        size, unused = db.execute(
            "SELECT sum(pgsize), sum(unused) FROM dbstat WHERE name = 'items'"
        ).fetchone()
    assert unused < 0.2 * size  # 18% in key order; 25% in the feeds' order
