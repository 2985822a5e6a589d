"""Both single-process backends behind one interface; SQLite survives a reopen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedhub.models import Author, EncodedItems, FetchState, Item, Media
from feedhub.store.memory import MemoryStore
from feedhub.store.sqlite import SqliteStore

ITEM = Item(
    id="1",
    source="s",
    url="https://x.org/1",
    title="Title",
    content_html="<p>x</p>",
    author=Author(name="Ann", handle="@ann"),
    published=datetime(2026, 1, 2, tzinfo=UTC),
    media=(Media(url="https://x.org/i.png", width=10, height=5, alt="alt"),),
    repost=True,
    reposted_by=Author(name="Bob"),
)


@pytest.fixture(params=["memory", "sqlite"])
async def store(request, tmp_path):
    s = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "db.sqlite3")
    await s.open()
    yield s
    await s.close()


async def test_items_and_state_round_trip(store):
    state = FetchState(
        etag='"e1"', last_modified="Mon", errors=2, next_check=123.5, meta={"account_id": "42"}
    )
    await store.save("s", state, [ITEM])
    assert await store.get_items("s") == [ITEM]
    assert await store.item_ids("s") == {"1"} and await store.item_ids("other") == set()
    assert await store.get_state("s") == state
    assert await store.all_states() == {"s": state}
    assert await store.get_state("other") is None


async def test_items_saved_with_their_json_read_back_the_same(store):
    # The parse worker sends each item's JSON along; the store writes that text as it is.
    await store.save("s", FetchState(), [ITEM], EncodedItems.of([ITEM]))
    assert await store.get_items("s") == [ITEM]


async def test_save_without_items_keeps_items(store):
    await store.save("s", FetchState(), [ITEM])
    await store.save("s", FetchState(errors=1), None)
    assert await store.get_items("s") == [ITEM]
    assert (await store.get_state("s")).errors == 1


async def test_save_replaces_items_and_delete_forgets(store):
    await store.save("s", FetchState(), [ITEM])
    other = Item(id="2", source="s", url="https://x.org/2")
    await store.save("s", FetchState(), [other])
    assert await store.get_items("s") == [other]
    await store.delete("s")
    assert await store.get_items("s") == [] and await store.get_state("s") is None


async def test_sqlite_survives_reopen(tmp_path):
    path = tmp_path / "nested" / "db.sqlite3"
    first = SqliteStore(path)
    await first.open()
    await first.save("s", FetchState(etag='"v"'), [ITEM])
    await first.close()
    second = SqliteStore(path)
    await second.open()
    assert await second.get_items("s") == [ITEM]
    assert (await second.get_state("s")).etag == '"v"'
    assert await second.ping()
    await second.close()
