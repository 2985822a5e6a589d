"""Item rows made in the parse workers (and kept through the history merge): the SQLite file
holds the same bytes as when the store's thread packed them, an item the worker could not key
right is packed by the store, and a save writes only the rows whose bytes or rank changed."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from feedhub.ingest.update import encode_merged
from feedhub.models import EncodedItems, FetchState, Item, item_json, items_digest
from feedhub.sources.base import parse_and_encode
from feedhub.sources.feed import parse_feed
from feedhub.store.compact import item_rows, pack
from feedhub.store.rows import decode_items
from feedhub.store.sqlite import SqliteStore
from tests.conftest import make_config
from tests.feeds_support import post, rss
from tests.store_support import items_of

FEED = rss(*(post(f"p{n}", text=f"<p>Post <b>{n}</b> says é ✨</p>") for n in range(30)))


# Every row the store writes from the first look on, logged by triggers in the file (the
# items table has no rowid that a rewrite would change).
WATCH = """
CREATE TABLE IF NOT EXISTS written (id TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS written_insert AFTER INSERT ON items
    BEGIN INSERT INTO written VALUES (new.id); END;
CREATE TRIGGER IF NOT EXISTS written_update AFTER UPDATE ON items
    BEGIN INSERT INTO written VALUES (new.id); END;
"""


def file_rows(path: Path, source: str = "blog") -> dict[str, tuple[int, bytes | str, float]]:
    """id -> (times written since the first look, data, rank) of a source's rows, read from
    the file without the store."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.executescript(WATCH)
        writes = dict(db.execute("SELECT id, count(*) FROM written GROUP BY id").fetchall())
        found = db.execute(
            "SELECT id, data, rank FROM items WHERE source = ?", (source,)
        ).fetchall()
    return {item_id: (writes.get(item_id, 0), data, rank) for item_id, data, rank in found}


async def save(path: Path, items: list[Item], encoded: EncodedItems | None) -> None:
    store = SqliteStore(path)
    await store.open()
    try:
        await store.save("blog", FetchState(digest=items_digest(items)), items, encoded)
    finally:
        await store.close()


async def test_a_polled_feed_is_stored_as_the_store_packed_it_before(
    tmp_path, upstream, feedhub_service
):
    upstream.set("/feed", FEED, etag=False)
    config = make_config(
        tmp_path, {"sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}}}
    )
    run = await feedhub_service(config)
    await run.poll_all()  # parsed, encoded and packed in a parse worker process
    # The same answer, parsed here and packed as the store's thread did before.
    items, _ = parse_feed(FEED, upstream.url("/feed"), "blog")
    assert len(items) == 30
    rows = file_rows(tmp_path / "feedhub.sqlite3")
    assert {i: data for i, (_, data, _) in rows.items()} == {
        it.id: pack(item_json(it), it.id, "blog") for it in items
    }
    assert {i: rank for i, (_, _, rank) in rows.items()} == {it.id: it.rank for it in items}
    assert run.service.states["blog"].digest == items_digest(items)
    assert sorted(await run.service.store.get_items("blog"), key=lambda it: it.id) == sorted(
        items, key=lambda it: it.id
    )


async def test_ready_rows_and_rows_packed_by_the_store_are_the_same_bytes(tmp_path):
    (items, _), encoded = parse_and_encode(
        parse_feed, FEED, "https://e.x/f", "blog", rows=item_rows
    )
    assert encoded.rows == [pack(item_json(it), it.id, "blog") for it in items]
    assert encoded.texts == EncodedItems.of(items).texts
    assert encoded.digest == items_digest(items)
    await save(tmp_path / "ready.sqlite3", items, encoded)
    await save(tmp_path / "json.sqlite3", items, EncodedItems.of(items))  # JSON, no rows
    await save(tmp_path / "none.sqlite3", items, None)  # a one-off command's items
    ready = file_rows(tmp_path / "ready.sqlite3")
    for other in ("json", "none"):
        assert file_rows(tmp_path / f"{other}.sqlite3") == ready
    found, bad = decode_items([data for _, data, _ in ready.values()], [(i, "blog") for i in ready])
    assert bad == [] and sorted(found, key=lambda it: it.id) == sorted(items, key=lambda it: it.id)


async def test_a_ready_row_is_written_as_given(tmp_path):
    # The store's thread does not pack an item the worker packed: what it was given is
    # what the file holds (here a row of another text, to tell them apart).
    items = items_of("blog", 2)
    rows = item_rows(items, [item_json(it) for it in items])
    given = EncodedItems([item_json(it) for it in items], items_digest(items), rows[::-1])
    await save(tmp_path / "s.sqlite3", items, given)
    stored = file_rows(tmp_path / "s.sqlite3")
    assert [stored[it.id][1] for it in items] == rows[::-1]


async def test_an_item_of_another_source_keeps_its_source_in_its_row(tmp_path):
    # The worker keys a row by the item's own source; kept under another key, the store packs
    # it again with the source left in, as it always did.
    items = [*items_of("blog", 2), replace(items_of("other", 1)[0], id="x")]
    (encoded,) = [EncodedItems.of(items, item_rows)]
    assert encoded.rows is not None
    await save(tmp_path / "s.sqlite3", items, encoded)
    stored = file_rows(tmp_path / "s.sqlite3")
    assert stored["x"][1] == pack(item_json(items[2]), "x", None) != encoded.rows[2]
    assert stored["blog-0"][1] == encoded.rows[0]
    store = SqliteStore(tmp_path / "s.sqlite3")
    await store.open()
    try:
        back = {it.id: it for it in await store.get_items("blog")}
    finally:
        await store.close()
    assert back == {it.id: it for it in items} and back["x"].source == "other"


async def test_a_save_rewrites_only_the_rows_that_changed(tmp_path):
    path = tmp_path / "s.sqlite3"
    items = items_of("blog", 50)
    await save(path, items, EncodedItems.of(items, item_rows))
    before = file_rows(path)
    # Two posts edited, one gone, one new, one pinned; the rest as they were.
    edited = {"blog-3", "blog-7"}
    later = [replace(it, title=it.title + " (edited)") if it.id in edited else it for it in items]
    later = [it for it in later if it.id != "blog-9"] + items_of("new", 1)
    later = [replace(later[0], pinned=True), *later[1:]]  # pinned: its bytes and its rank
    assert later[0].rank != items[0].rank
    later = [replace(it, source="blog") for it in later]
    await save(path, later, EncodedItems.of(later, item_rows))
    after = file_rows(path)
    rewritten = {i for i in after if i not in before or after[i][0] != before[i][0]}
    assert rewritten == edited | {"blog-0", "new-0"}
    assert set(after) == {it.id for it in later}
    for it in later:
        assert after[it.id][1:] == (pack(item_json(it), it.id, "blog"), it.rank)


async def test_json_text_rows_of_an_earlier_release_are_rewritten_compact(tmp_path):
    path = tmp_path / "s.sqlite3"
    items = items_of("blog", 3)
    await save(path, items, None)
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.executemany(
            "UPDATE items SET data = ? WHERE source = 'blog' AND id = ?",
            [(item_json(it), it.id) for it in items],
        )
    await save(path, items, EncodedItems.of(items, item_rows))
    assert {i: data for i, (_, data, _) in file_rows(path).items()} == {
        it.id: pack(item_json(it), it.id, "blog") for it in items
    }


def dated_feed(numbers: list[int]) -> bytes:
    """Posts numbered in the order they were written (higher is newer), newest first."""
    return rss(
        *(
            f"<item><guid>https://example.org/{n}</guid><title>Post {n}</title>"
            f"<link>https://example.org/{n}</link><description>Text of {n}</description>"
            f"<pubDate>Mon, 02 Mar 2026 {n // 60:02d}:{n % 60:02d}:00 +0000</pubDate></item>"
            for n in sorted(numbers, reverse=True)
        )
    )


async def test_a_later_poll_writes_only_its_new_rows(tmp_path, upstream, feedhub_service):
    # The answer's posts keep the worker's rows through the history merge; the stored posts
    # that scrolled out are packed by the store; the rows already stored stay untouched.
    upstream.set("/feed", dated_feed(list(range(30))), etag=False)
    config = make_config(
        tmp_path, {"sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}}}
    )
    run = await feedhub_service(config)
    await run.poll_all()
    before = file_rows(tmp_path / "feedhub.sqlite3")
    upstream.set("/feed", dated_feed(list(range(2, 32))), etag=False)  # 0 and 1 scrolled out
    await run.poll_all()
    after = file_rows(tmp_path / "feedhub.sqlite3")
    assert len(before) == 30 and len(after) == 32
    rewritten = {i for i in after if i not in before or after[i][0] != before[i][0]}
    assert len(rewritten) == 2 and not rewritten & set(before)
    items = await run.service.store.get_items("blog")
    assert sorted(it.title for it in items) == sorted(f"Post {n}" for n in range(32))
    for it in items:
        assert after[it.id][1:] == (pack(item_json(it), it.id, "blog"), it.rank)
    assert run.service.states["blog"].digest == items_digest(
        sorted(items, key=lambda it: (it.rank, it.id), reverse=True)
    )


def test_a_merge_keeps_the_workers_json_and_rows_of_the_answers_posts():
    answer = items_of("blog", 3)
    stored = items_of("blog", 5)[3:]  # equal to what a store gives back, not the same objects
    encoded = EncodedItems.of(answer, item_rows)
    merged = [answer[0], stored[0], answer[2], stored[1]]
    again = encode_merged(merged, answer, encoded)
    assert again.texts == EncodedItems.of(merged).texts
    assert again.digest == items_digest(merged)
    assert again.rows == [encoded.rows[0], None, encoded.rows[2], None]  # type: ignore[index]
    assert encode_merged(merged, answer, EncodedItems.of(answer)).rows is None
