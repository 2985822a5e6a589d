"""How the `sqlite` backend writes a source's item rows, in its one thread.

A row is `compact.pack` of the item's canonical JSON. The parse worker made it already when
the items are the ones it parsed (`compact.item_rows`, keyed by each item's own source): the
store's thread packs only the others, and then writes only the rows whose bytes or rank
changed, so a poll that brings two new posts of fifty rewrites two rows, not fifty.
"""

from __future__ import annotations

import json
import sqlite3

from feedhub.models import EncodedItems, Item
from feedhub.store.base import item_texts
from feedhub.store.compact import pack

Row = tuple[str, str, bytes, float]  # (source, id, data, rank): the items table's columns


def source_rows(source_id: str, items: list[Item], encoded: EncodedItems | None) -> list[Row]:
    """The rows of a source's items: the worker's where it made them for this key, the
    others packed now (the item's `source` is left out of a row only when it is the key's)."""
    ready = encoded.rows if encoded is not None else None
    texts = item_texts(items, encoded)  # the caller's when it has them: then nothing is made
    rows = []
    for n, it in enumerate(items):
        data = ready[n] if ready is not None and it.source == source_id else None
        if data is None:
            data = pack(texts[n], it.id, source_id if it.source == source_id else None)
        rows.append((source_id, it.id, data, it.rank))
    return rows


def replace_rows(db: sqlite3.Connection, source_id: str, rows: list[Row]) -> None:
    """Within the caller's transaction, the source's rows become `rows`: those whose bytes
    and rank are stored already stay as they are, the others are written, and the rows of
    items no longer there are deleted."""
    stored = {
        item_id: (data, rank)
        for item_id, data, rank in db.execute(
            "SELECT id, data, rank FROM items WHERE source = ?", (source_id,)
        )
    }
    # An id twice among the rows: its first pops the stored row, its last is written last.
    changed = [row for row in rows if stored.pop(row[1], None) != (row[2], row[3])]
    if stored:
        db.executemany(
            "DELETE FROM items WHERE source = ? AND id = ?", [(source_id, i) for i in stored]
        )
    # In key order: rows inserted one after another into the table (keyed by source and id)
    # fill its pages, where rows in a feed's order split a page at nearly every insert and
    # left a fifth of each page empty.
    changed.sort(key=lambda row: row[1])
    db.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?)", changed)


def fill_ranks(db: sqlite3.Connection) -> None:
    """Rows a store held before items had a rank (schema step 2 adds the column empty) get
    theirs, computed from the item, in one transaction; nothing to do on later opens."""
    if db.execute("SELECT 1 FROM items WHERE rank IS NULL LIMIT 1").fetchone() is None:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        rows = db.execute("SELECT source, id, data FROM items WHERE rank IS NULL").fetchall()
        db.executemany(
            "UPDATE items SET rank = ? WHERE source = ? AND id = ?",
            [  # JSON text: the releases before ranks wrote no compact rows
                (Item.from_dict(json.loads(data)).rank, source, item_id)
                for source, item_id, data in rows
            ],
        )
        db.execute("COMMIT")
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")
