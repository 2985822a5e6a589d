"""Compact item rows: every field of an item comes back as it went in, rows the release before
wrote (JSON text) still read beside them, a damaged compact row is reported like any other
unreadable row, and backups, copies, checks and recovery carry them."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import MISSING, fields
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from feedhub.models import Author, FetchState, Item, Media, item_json
from feedhub.store.backup import copy_sqlite
from feedhub.store.check import check_sqlite
from feedhub.store.compact import DEFLATED_V1, holds_json, pack, unpack
from feedhub.store.memory import MemoryStore
from feedhub.store.recover import recover_sqlite
from feedhub.store.rows import decode_items
from feedhub.store.schema import SQLITE_STEPS, SQLITE_VERSION, migrate_sqlite
from feedhub.store.sqlite import SqliteStore
from feedhub.store.transfer import copy_records
from tests.store_support import items_of

EVERYTHING = Item(
    id="ügen-💬-1",
    source="wall",
    url="https://example.org/p/1?q=é&x=1",
    title="Grüße aus Köln — 日本語のタイトル",
    content_html="<p>" + "Ünïcödé text with <a href='https://x.example'>links</a> ✨ " * 4000,
    summary="Plain words\nwith a line break and an emoji 🎉",
    author=Author(name="Zoë", handle="@zoe@example.social", url="https://e.x/@zoe", avatar="a"),
    published=datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
    updated=datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=-5))),
    media=(
        Media("https://e.x/1.jpg", width=1200, height=800, alt="a cat", preview_url="p"),
        Media("https://e.x/a.mp3", type="audio", mime="audio/mpeg", size=123456),
    ),
    reply=True,
    repost=True,
    pinned=True,
    lang="de",
    network="mastodon",
    reposted_by=Author(name="Ann", handle="@ann"),
    content_warning="spoilers ‼",
    sensitive=True,
    # Keys of the item's own beside the same values: only the item's own are the row's key.
    extra={
        "id": "ügen-💬-1",
        "lang": "de",
        "source": "wall",
        "summary": "",
        "nested": {"list": [1, 2.5, None, "ß"]},
    },
    replies=3,
    reposts=0,
    likes=1_000_000,
)


def test_a_compact_row_gives_back_every_field_of_the_item():
    # Every field is set off its default, so a field the encoding dropped would show.
    for f in fields(Item):
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        assert getattr(EVERYTHING, f.name) != default, f.name
    for item in (EVERYTHING, Item(id="x", source="s", url="")):
        row = pack(item_json(item))
        assert row[0] == DEFLATED_V1
        (back,), bad = decode_items([row])
        assert bad == [] and back == item
        assert unpack(row).decode() == item_json(item)  # type: ignore[union-attr]
        # Kept without its key (id, source), which the reader gives back from the row's key.
        keyed = pack(item_json(item), item.id, item.source)
        assert len(keyed) < len(row)
        assert decode_items([keyed], [(item.id, item.source)]) == ([item], [])
        bare = json.loads(unpack(keyed))
        assert "source" not in bare and "id" not in bare and bare["extra"] == item.extra
    # Large content is kept whole, and repeated text costs little.
    assert len(pack(item_json(EVERYTHING))) < len(item_json(EVERYTHING).encode()) // 20


def test_a_typical_item_row_is_a_third_of_its_json():
    item = items_of("blog", 1)[0]
    assert len(pack(item_json(item))) * 2 < len(item_json(item).encode())


def test_damaged_compact_rows_are_reported_not_guessed():
    good = pack(item_json(EVERYTHING))
    cut = good[: len(good) // 2]
    unknown = bytes([0x7F]) + good[1:]
    garbage = good[:1] + b"\x00\xff" * 20
    items, bad = decode_items([cut, unknown, garbage, good])
    assert items == [EVERYTHING] and len(bad) == 3
    assert "cut" in bad[0] and "unknown item row encoding" in bad[1]
    assert not any(holds_json(row) for row in (cut, unknown, garbage))
    assert holds_json(good) and holds_json(item_json(EVERYTHING))


def old_release_store(path: Path, sources: dict[str, list[Item]]) -> None:
    """A file as the release before wrote it: schema version 6, items as JSON text."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        migrate_sqlite(db, str(path), SQLITE_STEPS[:6])
        for sid, items in sources.items():
            state = FetchState(etag=f'"{sid}"', item_count=len(items))
            db.execute("INSERT INTO state VALUES (?, ?)", (sid, json.dumps(state.to_dict())))
            db.executemany(
                "INSERT INTO items VALUES (?, ?, ?, ?)",
                [(sid, it.id, item_json(it), it.rank) for it in items],
            )


def by_id(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda it: it.id)


def row_types(path: Path) -> dict[str, set[str]]:
    with closing(sqlite3.connect(path)) as db:
        found: dict[str, set[str]] = {}
        for sid, kind in db.execute("SELECT source, typeof(data) FROM items"):
            found.setdefault(sid, set()).add(kind)
        return found


async def test_rows_of_the_release_before_read_beside_compact_ones(tmp_path):
    path = tmp_path / "feedhub.sqlite3"
    old = {"blog": items_of("blog", 12), "news": items_of("news", 7)}
    old_release_store(path, old)

    store = SqliteStore(path)
    await store.open()
    try:
        assert {sid: by_id(await store.get_items(sid)) for sid in old} == {
            sid: by_id(items) for sid, items in old.items()
        }
        fresh = items_of("blog", 15)
        await store.save("blog", FetchState(etag='"b2"'), fresh)
        assert by_id(await store.get_items("blog")) == by_id(fresh)
        assert await store.page("news", 3) == by_id(old["news"])[::-1][:3]
        assert not store.unreadable.by_source
    finally:
        await store.close()
    # Saved again: compact; left alone: as the release before wrote it.
    assert row_types(path) == {"blog": {"blob"}, "news": {"text"}}
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SQLITE_VERSION == 8
    report = check_sqlite(path, full=True)
    assert report.ok and report.counts["items"] == 15 + 7


async def test_checks_backups_copies_and_recovery_carry_compact_rows(tmp_path):
    path = tmp_path / "feedhub.sqlite3"
    store = SqliteStore(path)
    await store.open()
    await store.save("wall", FetchState(), [EVERYTHING, *items_of("wall", 5)])
    await store.close()
    assert row_types(path) == {"wall": {"blob"}}

    backup = tmp_path / "backup.sqlite3"
    copy_sqlite(path, backup)
    restored = SqliteStore(backup)
    await restored.open()
    memory = MemoryStore()
    try:
        report = await copy_records(restored, memory)
        assert report.items == 6
        assert EVERYTHING in await memory.get_items("wall")
    finally:
        await restored.close()

    # One compact row damaged by hand: the check names it, recovery leaves it out.
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE items SET data = substr(data, 1, 20) WHERE id = ?", (EVERYTHING.id,))
    report = check_sqlite(path, full=True)
    assert report.problems == ["table items: 1 rows whose data is not JSON"]
    recovered = recover_sqlite(path)
    assert recovered.tables["items"].dropped == 1
    assert recovered.items["wall"] == (5, 6)
    assert check_sqlite(path, full=True).ok
