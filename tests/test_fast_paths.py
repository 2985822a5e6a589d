"""The performance shortcuts give the same results as the plain way."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import os
import pickle
import threading

import pytest

from feedhub.ingest import workers
from feedhub.models import Author, EncodedItems, Item, Media, items_digest
from feedhub.sources.base import parse_and_encode
from feedhub.sources.feed import parse_feed
from tests.conftest import FIXTURES


def reference_dict(item: Item) -> dict:
    data = dataclasses.asdict(item)
    for key in ("published", "updated"):
        data[key] = data[key].isoformat() if data[key] else None
    # An enclosure's type and length are kept only when set: items stored before they
    # existed keep their encoding and digest.
    data["media"] = tuple(
        {k: v for k, v in m.items() if v or k not in ("mime", "size")} for m in data["media"]
    )
    for key in ("replies", "reposts", "likes"):  # likewise the engagement counts
        if data[key] is None:
            del data[key]
    return data


@pytest.mark.parametrize("fixture", sorted(p.name for p in (FIXTURES / "feeds").iterdir()))
def test_item_to_dict_matches_dataclasses_asdict_on_the_corpus(fixture):
    body = (FIXTURES / "feeds" / fixture).read_bytes()
    items, _ = parse_feed(body, "https://example.org/feed", "blog")
    assert items
    for item in items:
        assert json.dumps(item.to_dict(), sort_keys=True) == json.dumps(
            reference_dict(item), sort_keys=True
        )
        assert Item.from_dict(item.to_dict()) == item


@pytest.mark.parametrize("fixture", sorted(p.name for p in (FIXTURES / "feeds").iterdir()))
def test_the_worker_encodes_items_as_the_service_would(fixture):
    body = (FIXTURES / "feeds" / fixture).read_bytes()
    (items, _), encoded = parse_and_encode(parse_feed, body, "https://example.org/feed", "blog")
    assert encoded == EncodedItems.of(items)
    assert [Item.from_dict(json.loads(text)) for text in encoded.texts] == items
    # The digest is the one earlier versions stored: an upgrade does not rewrite every source.
    h = hashlib.blake2b(digest_size=12)
    for item in items:
        h.update(json.dumps(item.to_dict(), sort_keys=True, default=str).encode())
    assert encoded.digest == h.hexdigest() == items_digest(items)


def test_item_to_dict_with_every_nested_field():
    item = Item(
        id="1",
        source="s",
        url="u",
        author=Author(name="a"),
        media=(Media(url="m", width=3),),
        reposted_by=Author(handle="h"),
        extra={"nested": [1, {"x": 2}]},
        replies=0,
        likes=1234,
    )
    data = item.to_dict()
    assert data == reference_dict(item)
    assert data["replies"] == 0 and data["likes"] == 1234 and "reposts" not in data
    assert pickle.loads(pickle.dumps(item)) == item  # how parse workers send items
    data["extra"]["nested"].append(3)
    assert item.extra == {"nested": [1, {"x": 2}]}  # a copy, as asdict gave


async def test_workers_run_below_the_loop_and_images_below_parsing():
    here = os.nice(0)
    assert await workers.run_parse(os.nice, 0) == min(19, here + workers.PARSE_NICE)
    assert await workers.run_image(os.nice, 0) == min(19, here + workers.IMAGE_NICE)
    assert workers.PARSE_NICE < workers.IMAGE_NICE
    # Each pool has its own processes: a parse never queues behind an image's bytes.
    parse_pids = {await workers.run_parse(os.getpid) for _ in range(4)}
    image_pids = {await workers.run_image(os.getpid) for _ in range(4)}
    assert parse_pids and image_pids and not parse_pids & image_pids


async def test_workers_start_in_a_thread_before_the_first_parse():
    # Forking them blocks its caller for tens of ms: the service does it off the loop.
    workers.shutdown()
    await asyncio.to_thread(workers.prestart)
    pool = workers._executor()
    assert len(pool._processes) == workers.worker_count()  # type: ignore[attr-defined]
    assert await workers.run_parse(os.getpid) in pool._processes  # type: ignore[attr-defined]


async def test_a_pools_first_job_starts_every_worker_off_the_loop():
    # A pool forks a worker inside `submit`, on the caller's thread, while it has fewer than
    # it may: started by a job (no prestart), it must start them all first, in a thread.
    workers.shutdown()
    loop_thread = threading.get_ident()
    forked_on: list[int] = []
    real = workers.prestart

    def watched(kind: str = workers.PARSE) -> None:
        forked_on.append(threading.get_ident())
        real(kind)

    workers.prestart = watched  # type: ignore[assignment]
    try:
        assert await workers.run_image(os.getpid) > 0
    finally:
        workers.prestart = real  # type: ignore[assignment]
    pool = workers._executor(workers.IMAGE)
    assert len(pool._processes) == workers.worker_count()  # type: ignore[attr-defined]
    assert forked_on and loop_thread not in forked_on
