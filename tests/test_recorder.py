"""The recorder, the one way an outcome is stored: images settled before the save, listeners
told after it in their order, a store fault kept as the source's error with no listener told,
and a pushed body stored exactly as the same body polled. Real SQLite files throughout."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedhub.ingest.recorder import Recorder
from feedhub.metrics import Metrics
from feedhub.models import FetchState, Item
from feedhub.sources.base import PollResult
from feedhub.store import Store, open_store
from feedhub.store.health import StoreHealth
from tests.conftest import make_config
from tests.feeds_support import post, rss

SOURCE = "blog"


def found(*titles: str) -> list[Item]:
    return [
        Item(
            id=f"https://example.org/{t}",
            source=SOURCE,
            url=f"https://example.org/{t}",
            title=t,
            published=datetime(2026, 11, 1, 9, n, tzinfo=UTC),
        )
        for n, t in enumerate(titles)
    ]


class Settler:
    """Stands in for the media cache: notes what the store held when it was asked."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.saw_stored: list[list[str]] = []
        self.asked: list[list[str]] = []

    async def settle(self, items: list[Item], source_id: str) -> None:
        self.asked.append([it.title for it in items])
        self.saw_stored.append([it.title for it in await self.store.get_items(source_id)])


@pytest.fixture
async def parts(tmp_path) -> AsyncIterator[tuple[Recorder, Store, Settler]]:
    config = make_config(
        tmp_path,
        {
            "sources": {SOURCE: {"type": "feed", "url": "https://example.org/feed.xml"}},
            "widgets": {"side": {"sources": [SOURCE]}},
        },
    )
    store = open_store(config.storage, config.base_dir)
    await store.open()
    settler = Settler(store)
    recorder = Recorder(
        store=store,
        states={},
        health=StoreHealth(store.where),
        metrics=Metrics(),
        config=lambda: config,
        interval=lambda sid: 600.0,
        images=settler,
    )
    try:
        yield recorder, store, settler
    finally:
        await store.close()


async def test_images_are_settled_before_the_items_are_saved(parts):
    recorder, store, settler = parts
    await recorder.record(SOURCE, PollResult(items=found("one", "two"), status=200))
    assert settler.asked == [["one", "two"]]
    assert settler.saw_stored == [[]], "the items were stored before their images settled"
    assert sorted(it.title for it in await store.get_items(SOURCE)) == ["one", "two"]

    # The same items again: nothing to save, nothing to settle.
    await recorder.record(SOURCE, PollResult(items=found("one", "two"), status=200))
    assert len(settler.asked) == 1


async def test_listeners_run_after_the_save_in_the_order_they_were_added(parts):
    recorder, store, _ = parts
    heard: list[tuple[str, str, list[str], str]] = []

    def listener(name: str):
        async def hear(source_id: str, state: FetchState) -> None:
            stored = sorted(it.title for it in await store.get_items(source_id))
            saved = await store.get_state(source_id)
            assert saved is not None and saved.digest == state.digest
            heard.append((name, source_id, stored, state.digest))

        return hear

    recorder.listeners += [listener("widgets"), listener("subscriber"), listener("replicas")]
    await recorder.record(SOURCE, PollResult(items=found("one"), status=200))
    digest = recorder.states[SOURCE].digest
    assert heard == [
        (name, SOURCE, ["one"], digest) for name in ("widgets", "subscriber", "replicas")
    ]

    heard.clear()  # unchanged items, an error: no listener
    await recorder.record(SOURCE, PollResult(items=found("one"), status=200))
    await recorder.record(SOURCE, PollResult(error="HTTP 503", status=503))
    assert heard == []
    assert recorder.states[SOURCE].errors == 1


async def test_a_store_fault_is_the_sources_error_and_tells_no_listener(parts):
    recorder, store, settler = parts
    heard: list[str] = []

    async def hear(source_id: str, state: FetchState) -> None:
        heard.append(source_id)

    recorder.listeners.append(hear)
    await recorder.record(SOURCE, PollResult(items=found("one"), status=200))
    assert heard == [SOURCE]

    def full(db: sqlite3.Connection, pages: int | None) -> None:  # the disk is full
        count = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages or count}")

    await store._run(full, store.db, None)
    many = found(*(f"post {n} " + "words " * 400 for n in range(30)))
    result = await recorder.record(SOURCE, PollResult(items=many, status=200))
    assert result.error.startswith("store: ") and "SQLITE_FULL" in result.error
    assert heard == [SOURCE], "a listener was told of items that were not stored"
    state = recorder.states[SOURCE]
    assert state.errors == 1 and state.last_error == result.error
    assert state.next_check > time.time() + 60  # backed off, as for any failure
    assert [it.title for it in await store.get_items(SOURCE)] == ["one"]
    assert recorder.health.ok is False

    await store._run(full, store.db, 1_000_000)
    result = await recorder.record(SOURCE, PollResult(items=many, status=200))
    assert result.ok and heard == [SOURCE, SOURCE] and recorder.health.ok


def feed_config(tmp_path: Path, upstream, name: str):
    return make_config(
        tmp_path / name,
        {
            "sources": {SOURCE: {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": [SOURCE]}},
        },
    )


async def test_a_push_and_a_poll_of_the_same_bytes_leave_the_same_stored_state(
    tmp_path, upstream, feedhub_service
):
    body = rss(
        post("Tram line 4", text="Rails <b>laid</b> on Rue Haute"),
        post("Budget voted", text="By 31 votes to 12"),
        post("Market moves", slug="market"),
    )
    upstream.set("/feed.xml", body, content_type="application/rss+xml")
    (tmp_path / "polled").mkdir()
    (tmp_path / "pushed").mkdir()
    polled = await feedhub_service(feed_config(tmp_path, upstream, "polled"))
    assert (await polled.service.polling.poll(SOURCE)).ok

    pushed = await feedhub_service(feed_config(tmp_path, upstream, "pushed"))
    svc = pushed.service
    secret = "a-secret-the-hub-was-given"
    subscribed = FetchState(
        meta={
            "websub": {
                "status": "active",
                "secret": secret,
                "hub": upstream.url("/hub"),
                "topic": upstream.url("/feed.xml"),
                "expires": time.time() + 3600,
                "granted": 3600,
            }
        }
    )
    svc.states[SOURCE] = subscribed
    await svc.store.save(SOURCE, subscribed, None)
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    resp = await pushed.client.post(
        f"/websub/{SOURCE}",
        data=body,
        headers={"Content-Type": "application/rss+xml", "X-Hub-Signature": signature},
    )
    assert resp.status == 202 and await resp.text() == "stored\n"

    def stored(items: list[Item]) -> list[dict]:
        return sorted((it.to_dict() for it in items), key=lambda d: d["id"])

    a = await polled.service.store.get_items(SOURCE)
    b = await svc.store.get_items(SOURCE)
    assert len(a) == 3 and stored(a) == stored(b)
    sa, sb = await polled.service.store.get_state(SOURCE), await svc.store.get_state(SOURCE)
    assert sa is not None and sb is not None
    assert (sa.digest, sa.item_count, sa.errors) == (sb.digest, sb.item_count, sb.errors)
    assert sb.meta["websub"]["status"] == "active", "the push kept the subscription"
    assert polled.service.widgets.versions["side"] == svc.widgets.versions["side"]
