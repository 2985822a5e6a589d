"""The history rule in the write path (the recorder), over a real SQLite file and the app over
HTTP: undated feeds by document order, an unchanged answer writes nothing, an empty answer
loses nothing."""

from __future__ import annotations

import json

from tests.conftest import make_config
from tests.feeds_support import post, rss
from tests.history_support import feed_of


def undated_feed(names: list[str]) -> bytes:
    return rss(*(post(name) for name in names))


def config(tmp_path, upstream):  # type: ignore[no-untyped-def]
    return make_config(
        tmp_path,
        {
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
            "widgets": {"all": {"sources": ["blog"], "limit": 200}},
        },
    )


async def titles(run) -> list[str]:  # type: ignore[no-untyped-def]
    status, body, _ = await run.get("/w/all.json")
    assert status == 200
    return [it["title"] for it in json.loads(body)["items"]]


async def test_an_undated_feed_follows_document_order(tmp_path, upstream, feedhub_service):
    upstream.set("/feed", undated_feed(["a", "b", "c", "d", "e", "f"]), etag=False)
    run = await feedhub_service(config(tmp_path, upstream))
    await run.poll_all()
    assert sorted(await titles(run)) == ["a", "b", "c", "d", "e", "f"]
    # "c" was deleted; "e" and "f" scrolled out below "d"; "n" is new on top.
    upstream.set("/feed", undated_feed(["n", "a", "b", "d"]), etag=False)
    await run.poll_all()
    assert sorted(await titles(run)) == ["a", "b", "d", "e", "f", "n"]
    state = run.service.states["blog"]
    assert state.item_count == 6


async def test_an_unchanged_answer_writes_nothing_and_an_empty_one_loses_nothing(
    tmp_path, upstream, feedhub_service
):
    upstream.set("/feed", feed_of(list(range(1, 21))), etag=False)
    run = await feedhub_service(config(tmp_path, upstream))
    await run.poll_all()
    upstream.set("/feed", feed_of(list(range(11, 21))), etag=False)
    await run.poll_all()
    digest = run.service.states["blog"].digest
    assert len(await titles(run)) == 20
    await run.poll_all()  # the same ten again: nothing to merge, nothing written
    assert run.service.states["blog"].digest == digest
    assert run.service.states["blog"].item_count == 20
    assert run.service.states["blog"].history[-1]["new"] == 0
    upstream.set("/feed", rss(), etag=False)  # a feed that lists nothing for a while
    await run.poll_all()
    assert len(await titles(run)) == 20
