"""What a poll's outcome does to a source's fetch state. Pure: no I/O, the clock is passed in."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from feedhub.ingest.schedule import header_hints, hinted_delay, next_check
from feedhub.models import EncodedItems, FetchState, Item, item_json, items_digest
from feedhub.sources.base import PollResult

HISTORY = 30  # recent fetches kept per source, for the admin view
KEEP_INCREMENTAL = 200  # items kept for sources that only send what is new
TTL = "ttl"  # FetchState.meta: seconds the last body said to wait (RSS <ttl>)


def merge_incremental(
    new: list[Item], stored: list[Item], keep: int = KEEP_INCREMENTAL
) -> list[Item]:
    """New items first, then the stored ones they do not replace, newest first, capped."""
    ids = {it.id for it in new}
    merged = new + [it for it in stored if it.id not in ids]
    merged.sort(key=lambda it: it.sort_time, reverse=True)
    return merged[:keep]


def encode_merged(items: list[Item], answer: list[Item], encoded: EncodedItems) -> EncodedItems:
    """The merged `items` encoded, reusing `encoded`'s texts and rows of the `answer` items
    the merge kept as they are (the same objects): only the stored items kept beside them
    are serialized here, and their rows are left to the store."""
    known = {id(it): n for n, it in enumerate(answer)}
    texts: list[str] = []
    rows: list[bytes | None] = []
    for it in items:
        n = known.get(id(it))
        texts.append(item_json(it) if n is None else encoded.texts[n])
        rows.append(None if n is None or encoded.rows is None else encoded.rows[n])
    return EncodedItems.of_texts(texts, rows if encoded.rows is not None else None)


def bound(result: PollResult, max_items: int, mask: Callable[[str], str]) -> None:
    """A poll's outcome as it may be kept: its error without secrets (it is shown on /admin
    and logged), and at most the source's newest `max_items` items (a feed may hold any
    number of entries)."""
    result.error = mask(result.error)
    if result.items is not None and len(result.items) > max_items:
        result.replace_items(sorted(result.items, key=lambda it: it.rank, reverse=True)[:max_items])


def apply_poll(
    state: FetchState,
    result: PollResult,
    *,
    now: float,
    interval: float,
    elapsed: float,
    stored_ids: set[str],
    digest: str = "",
) -> tuple[FetchState, list[Item] | None]:
    """The new state, and the items to store (None: keep what is stored).

    `digest` is the items' `items_digest` when the caller computed it already.
    """
    new = dataclasses.replace(
        state, meta={**state.meta, **result.meta}, history=list(state.history)
    )
    new.last_attempt = now
    # A body's hint (RSS <ttl>) lasts until the next body: a 304 or an error carries none.
    if result.items is not None:
        new.meta.pop(TTL, None)
        if result.ttl:
            new.meta[TTL] = result.ttl
    hint = hinted_delay(result.headers, now, new.meta.get(TTL))
    items = None
    added = 0
    if result.ok:
        new.errors = 0
        new.last_error = ""
        new.last_success = now
        if result.etag or result.last_modified or result.items is not None:
            new.etag, new.last_modified = result.etag, result.last_modified
        if result.items is not None:
            items = result.items
            added = sum(1 for it in items if it.id not in stored_ids)
            digest = digest or items_digest(items)
            if digest == state.digest:
                items = None  # same items: nothing to write, no widget to rebuild
            new.digest = digest
            new.item_count = len(result.items)
    else:
        new.errors = state.errors + 1
        new.last_error = result.error
    new.next_check = next_check(now, interval, errors=new.errors, hint=hint)
    new.history.append(
        {
            "t": now,
            "ok": result.ok,
            "ms": round(elapsed * 1000, 1),
            "new": added,
            "status": result.status,
        }
    )
    del new.history[:-HISTORY]
    new.meta["hints"] = header_hints(result.headers)
    return new, items
