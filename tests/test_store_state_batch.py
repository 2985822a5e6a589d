"""Fetch states saved without items (a pass of 304s) are written to the SQLite file together,
in the order they were asked for among the store's other writes, and one state that cannot
be written keeps no other out."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from pathlib import Path

import pytest

from feedhub.models import FetchState
from feedhub.store.sealing import state_dict
from feedhub.store.sqlite import SqliteStore
from tests.store_support import items_of


async def _reopened(path: Path) -> dict[str, FetchState]:
    store = SqliteStore(path)
    await store.open()
    try:
        return await store.all_states()
    finally:
        await store.close()


async def test_states_saved_at_once_are_one_transaction(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    await store.open()
    commits: list[str] = []
    store.db.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    states = {
        f"s{n}": FetchState(etag=f'"e{n}"', next_check=100.0 + n, history=[{"t": 1.0, "ok": True}])
        for n in range(50)
    }
    await asyncio.gather(*(store.save(sid, state, None) for sid, state in states.items()))
    store.db.set_trace_callback(None)
    await store.close()
    assert commits == ["COMMIT"]
    assert await _reopened(tmp_path / "s.sqlite3") == states


@pytest.mark.parametrize("items_first", [False, True])
async def test_a_state_and_an_items_save_keep_their_order(
    tmp_path: Path, items_first: bool
) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    await store.open()
    alone = FetchState(etag='"alone"')
    with_items = FetchState(etag='"with-items"', item_count=3)
    saves = [store.save("s", alone, None), store.save("s", with_items, items_of("s", 3))]
    await asyncio.gather(*(reversed(saves) if items_first else saves))
    await store.close()
    expected = alone if items_first else with_items
    assert (await _reopened(tmp_path / "s.sqlite3"))["s"].etag == expected.etag


async def test_a_state_that_cannot_be_written_keeps_no_other_out(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    await store.open()
    bad = FetchState(meta={"not json": {1, 2}})
    good = FetchState(etag='"good"')
    outcomes = await asyncio.gather(
        store.save("bad", bad, None), store.save("good", good, None), return_exceptions=True
    )
    await store.close()
    assert isinstance(outcomes[0], TypeError) and outcomes[1] is None
    assert await _reopened(tmp_path / "s.sqlite3") == {"good": good}


def test_state_dict_is_asdicts() -> None:
    """The hand-made copy gives what asdict gives, copies and all, and asdict's result for
    values that are not JSON-shaped."""
    state = FetchState(
        etag='"e"',
        meta={"hints": {"cache-control": "max-age=60"}, "order": ["a", "b"], "n": None},
        history=[{"t": 1.0, "ok": True, "ms": 2.5, "new": 0, "status": 304}],
    )
    data = state_dict(state)
    assert data == asdict(state) and list(data) == list(asdict(state))
    assert data["history"][0] is not state.history[0] and data["meta"] is not state.meta
    odd = FetchState(meta={"pair": (1, [2])})
    assert state_dict(odd) == asdict(odd) and state_dict(odd)["meta"]["pair"] == (1, [2])


async def test_a_state_saved_after_close_is_refused_not_left_waiting(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    await store.open()
    await store.close()
    with pytest.raises(RuntimeError):
        async with asyncio.timeout(10):
            await store.save("s", FetchState(), None)
