"""Moderation decisions of the running daemon: read from the store, kept in memory per
widget, written through to the store and announced to the other replicas.

A decision is stored under the widget and the item id (`Store.decide`); on a shared store,
the other replicas hear of it on the change channel as the pseudo-source `@moderation:<w>`
(source ids never hold "@") and read that widget's decisions again. An undo puts back the
decision a newer one replaced (kept inside it) within `UNDO_SECONDS`.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import datetime

from feedhub.config import WidgetConfig
from feedhub.models import Item
from feedhub.publish.moderation import Classified, Decision, classify, decisions_of
from feedhub.publish.paging import Cursor, Page, page_of, source_after
from feedhub.store import Store
from feedhub.store.base import position

CHANNEL_PREFIX = "@moderation:"
UNDO_SECONDS = 30.0


class Decisions:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.by_widget: dict[str, dict[str, Decision]] = {}

    def of(self, widget: str) -> dict[str, Decision]:
        return self.by_widget.get(widget, {})

    async def load(self, widget: str) -> dict[str, Decision]:
        """Read a widget's decisions from the store (at start, or when told of a change)."""
        found = decisions_of(await self.store.decisions(widget))
        self.by_widget[widget] = found
        return found

    async def decide(
        self, widget: str, item_id: str, action: str, by: str, source: str = ""
    ) -> Decision:
        """Record `action` on a post now; the decision it replaces is kept in it for undo."""
        before = (await self.load(widget)).get(item_id)
        decision = Decision(action, by, time.time(), source, before.to_json() if before else "")
        await self.store.decide(widget, item_id, decision.to_json())
        self.by_widget.setdefault(widget, {})[item_id] = decision
        await self._announce(widget)
        return decision

    async def approve_new(self, widget: str, ids: set[str], by: str) -> int:
        """Approve those of `ids` no decision was taken on yet (a favourite approves, it
        never overrides a person's rejection); how many were approved."""
        decided = await self.load(widget)
        fresh = sorted(ids - set(decided))
        now = time.time()
        for item_id in fresh:
            decision = Decision("approve", by, now)
            await self.store.decide(widget, item_id, decision.to_json())
            decided[item_id] = decision
        if fresh:
            await self._announce(widget)
        return len(fresh)

    async def undo(self, widget: str, item_id: str, now: float | None = None) -> bool:
        """Put back what a decision of the last `UNDO_SECONDS` replaced; False when there is
        none to undo."""
        current = (await self.load(widget)).get(item_id)
        now = time.time() if now is None else now
        if current is None or now - current.at > UNDO_SECONDS:
            return False
        previous = Decision.from_json(current.previous) if current.previous else None
        await self.store.decide(widget, item_id, previous.to_json() if previous else None)
        if previous is None:
            self.by_widget.get(widget, {}).pop(item_id, None)
        else:
            self.by_widget.setdefault(widget, {})[item_id] = previous
        await self._announce(widget)
        return True

    async def _announce(self, widget: str) -> None:
        texts = sorted(f"{i}={d.to_json()}" for i, d in self.of(widget).items())
        digest = hashlib.blake2b("\n".join(texts).encode(), digest_size=10).hexdigest()
        await self.store.publish(CHANNEL_PREFIX + widget, digest)


def widget_of_change(source_id: str) -> str | None:
    """The widget a change message names, when it is about decisions."""
    return source_id[len(CHANNEL_PREFIX) :] if source_id.startswith(CHANNEL_PREFIX) else None


async def classified(
    store: Store, widget: WidgetConfig, decided: dict[str, Decision]
) -> Classified:
    """Every stored post of a moderated widget's sources, in its list. Each source is read
    whole (a wall keeps `max_items` posts per source): the daily cap and the queue are
    counted on all of them, the same for every page."""
    items = [it for sid in widget.sources for it in await store.get_items(sid)]
    return await asyncio.to_thread(classify, items, widget, decided)


def moderated_page(
    shown: Classified, widget: WidgetConfig, now: datetime, limit: int, cursor: Cursor | None
) -> Page:
    """A page of what a moderated widget shows, from the position `cursor`: its pinned posts
    (the config's, then those pinned on /admin/moderation) first."""
    cfg = widget.model_copy(update={"pin": [*widget.pin, *shown.pins]})
    read: dict[str, list[Item]] = {sid: [] for sid in widget.sources}
    for item in sorted(shown.shown, key=position, reverse=True):
        after = source_after(cursor, item.source)
        if after is None or position(item) < after:
            read.setdefault(item.source, []).append(item)
    window = max((len(found) for found in read.values()), default=0) + 1
    return page_of(read, window, cfg, now, limit, cursor)
