"""Pages of a widget: everything its sources hold, newest first, a page at a time.

A widget's items are in one order: by rank (`Item.rank`: a platform's pinned posts, then the
newest), then source, then id, all descending. A cursor names a position in that order (the
last item a page showed, or the last one it read): the next page holds what comes after it.
A post that arrives between two page requests ranks above every cursor already given, so it
neither repeats an item of a later page nor pushes one out of it. Pure: no I/O.

A cursor is opaque to visitors (base64url of `[rank, source, id]`); one that does not decode
is a 400. Posts a widget pins by id (`pin`) show on its first page only.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from feedhub.config import WidgetConfig
from feedhub.models import PINNED_RANK, Item
from feedhub.publish.selection import select
from feedhub.store.base import LAST_ID, Position

Cursor = tuple[float, str, str]  # (rank, source, id)
MAX_CURSOR = 600  # characters of `?before=`: more is not one of ours


def order_key(item: Item) -> Cursor:
    return (item.rank, item.source, item.id)


def encode_cursor(cursor: Cursor) -> str:
    raw = json.dumps(list(cursor), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor | None:
    """The position a `?before=` value names; None when it is not a cursor of ours."""
    if not text or len(text) > MAX_CURSOR:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not (isinstance(value, list) and len(value) == 3):
        return None
    rank, source, item_id = value
    if isinstance(rank, bool) or not isinstance(rank, int | float) or not math.isfinite(rank):
        return None
    if not isinstance(source, str) or not isinstance(item_id, str):
        return None
    return (float(rank), source, item_id)


def source_after(cursor: Cursor | None, source_id: str) -> Position | None:
    """The position in one source's items where the widget's page after `cursor` starts."""
    if cursor is None:
        return None
    rank, source, item_id = cursor
    if source_id == source:
        return (rank, item_id)
    # Ties of rank: sources that sort below the cursor's come after it, those above before.
    return (rank, LAST_ID) if source_id < source else (rank, "")


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Item]
    next: Cursor | None  # where the next page starts; None: this is the last


def page_of(
    read: Mapping[str, Sequence[Item]],
    window: int,
    widget: WidgetConfig,
    now: datetime,
    limit: int,
    before: Cursor | None,
) -> Page:
    """One page from what was read of each source (`window` items after `before` each).

    Only items at or above the lowest position every source was read to are known whole:
    below it, a source cut off by its window may hold more. The page shows up to `limit` of
    those; the next one starts after its last item or, when fewer showed, after that line."""
    items = [it for found in read.values() for it in found]
    known: Cursor | None = None
    for found in read.values():
        if len(found) >= window:
            last = order_key(found[-1])
            known = last if known is None else max(known, last)
    if known is not None:
        items = [it for it in items if order_key(it) >= known]
    pins = set(widget.pin)
    if before is not None:  # pinned by the widget: on the first page only
        items = [it for it in items if it.id not in pins]
    shown = select(items, widget, now, limit + 1)
    more = len(shown) > limit
    shown = shown[:limit]
    if more:
        natural = [order_key(it) for it in shown if before is not None or it.id not in pins]
        return Page(shown, min(natural) if natural else known)
    if known is None or _too_old(known, widget, now):
        return Page(shown, None)
    return Page(shown, known)


def _too_old(cursor: Cursor, widget: WidgetConfig, now: datetime) -> bool:
    """Past the widget's `filters.max_age`: nothing after the cursor may show."""
    max_age = widget.filters.max_age
    if not max_age or cursor[0] >= PINNED_RANK:
        return False
    return cursor[0] < (now - timedelta(seconds=max_age)).timestamp()
