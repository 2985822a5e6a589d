"""The one way an outcome is stored: a poll's, a WebSub push's and `feedhub fetch`'s.

In order, `Recorder.record`:
1. takes the source's fresh state (`fresh`: with a shared store, as another replica left it);
2. merges the items: the history rule (`history.py`) keeps the stored posts that scrolled out
   of the answer and drops those deleted upstream; a source that sends only what is new
   keeps the stored ones beside them. An answer equal to the last one changes nothing;
3. bounds them (the source's `max_items` and `max_age`, secrets masked out of the error);
4. starts settling their images, and those of the account's profile when a lookup read it
   again (`ImageSettler`: fetched and cached, or failed, in the background; an image not yet
   settled shows its alt text, and the source's widgets render again once it is, so one
   source's images never hold back its items or another source's);
5. saves the state and the items in one transaction, then lets the images of the posts that
   left go (`ImageSettler.release`);
6. tells its listeners, in the order they were added, when the items (or the account's
   profile, which widget headers show) changed;
7. tells its outcome listeners of every outcome, changed or not, stored or not (alerts).

A store that fails keeps nothing and tells no listener: the outcome becomes a `store: …`
source error, held in memory, and the widgets keep showing what was stored before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import replace
from typing import Protocol

from feedhub.config import Config
from feedhub.ingest.history import (
    ANSWER,
    ORDER,
    WINDOW,
    document_order,
    merge_history,
    window_start,
)
from feedhub.ingest.update import apply_poll, bound, encode_merged, merge_incremental
from feedhub.metrics import Metrics
from feedhub.models import PROFILE, EncodedItems, FetchState, Item
from feedhub.sources.base import PollResult
from feedhub.store import Store
from feedhub.store.errors import describe, store_errors
from feedhub.store.health import StoreHealth

log = logging.getLogger("feedhub")

Listener = Callable[[str, FetchState], Awaitable[None]]  # a source whose items changed
# Every outcome: (source, the state it applied to, the state after).
OutcomeListener = Callable[[str, FetchState, FetchState], Awaitable[None]]


class ImageSettler(Protocol):
    """What the recorder asks of the media cache: the images these items show, fetched (or
    failed) in the background. It returns at once; the widgets show an image not yet settled
    as its alt text and render again when it is."""

    async def settle(self, items: list[Item], source_id: str) -> None: ...

    async def release(self, items: list[Item], source_id: str) -> None:
        """These stored items left (deleted upstream, replaced by an edit, out of
        retention): their images leave the cache unless another stored item shows them."""


class Recorder:
    """Applies each outcome to the stored state; the service adds the listeners."""

    def __init__(
        self,
        *,
        store: Store,
        states: MutableMapping[str, FetchState],
        health: StoreHealth,
        metrics: Metrics,
        config: Callable[[], Config],
        interval: Callable[[str], float],
        images: ImageSettler | None = None,
    ) -> None:
        self.store = store
        self.states = states
        self.health = health
        self.metrics = metrics
        self._config = config
        self._interval = interval
        self.images = images
        self.listeners: list[Listener] = []
        self.outcomes: list[OutcomeListener] = []

    async def fresh(self, source_id: str) -> FetchState:
        """The state an outcome applies to. With a shared store it is read again: another
        replica may have polled, or answered the hub, since this one last looked."""
        if self.store.shared:  # the store's word, even "nothing yet": it may have been reset
            self.states[source_id] = await self.store.get_state(source_id) or FetchState()
        state = self.states.get(source_id) or FetchState()
        if source_id in self.store.unreadable:
            # Rows of it could not be read: asked without validators and with no digest to
            # match, the upstream's answer is stored whole and the bad rows are rewritten.
            state = replace(state, etag="", last_modified="", digest="")
        return state

    async def fault(self, source_id: str, exc: BaseException) -> PollResult:
        """A store that could not be read: not worth asking the upstream, the outcome could
        not be kept. Recorded as the source's error."""
        error = PollResult(error=f"store: {describe(exc)}")
        return await self.record(source_id, error, self.states.get(source_id) or FetchState())

    async def record(
        self,
        source_id: str,
        result: PollResult,
        state: FetchState | None = None,
        elapsed: float = 0.0,
    ) -> PollResult:
        """Store one outcome, applied to `state` (the one a poll started from), or else to
        the fresh state; returns the outcome as kept (a store fault replaces it)."""
        try:
            if state is None:
                state = await self.fresh(source_id)
            new_state, items = await self._save(source_id, state, result, elapsed)
            self.health.succeeded()
        except store_errors() as exc:  # nothing was written: a source error, held in memory
            result = PollResult(error=f"store: {self.health.failed(exc)}")
            state = state or self.states.get(source_id) or FetchState()
            new_state, items = apply_poll(
                state,
                result,
                now=time.time(),
                elapsed=elapsed,
                interval=self._interval(source_id),
                stored_ids=set(),
            )
        self.states[source_id] = new_state
        self.metrics.record_poll(source_id, result.error, new_state)
        if items is not None or new_state.meta.get(PROFILE) != state.meta.get(PROFILE):
            for listener in self.listeners:
                await listener(source_id, new_state)
        for outcome in self.outcomes:
            await outcome(source_id, state, new_state)
        return result

    async def _save(
        self, source_id: str, state: FetchState, result: PollResult, elapsed: float
    ) -> tuple[FetchState, list[Item] | None]:
        stored_ids: set[str] = set()
        gone: list[Item] = []
        config = self._config()
        unchanged = False
        if result.incremental and result.items is not None:
            # Only new items came: keep the stored ones beside them (none new: no change).
            stored = await self.store.get_items(source_id)
            stored_ids = {it.id for it in stored}
            result.replace_items(merge_incremental(result.items, stored) if result.items else None)
        elif result.items is not None:
            unchanged, stored_ids, gone = await self._merge(source_id, state, result)
        elif result.gone and result.ok:  # the answer as before; a re-check found deletions
            stored_ids, gone = await self._forget(source_id, state, result)
        bound(result, config.source_max_items(source_id), config.mask)
        encoded = result.encoded
        if result.items is not None and encoded is None and not unchanged:
            # Serializing 50 items is milliseconds of CPU: in a thread, the loop keeps answering.
            encoded = await asyncio.to_thread(EncodedItems.of, result.items)
        new_state, items = apply_poll(
            state,
            result,
            now=time.time(),
            interval=self._interval(source_id),
            elapsed=elapsed,
            stored_ids=stored_ids,
            digest=state.digest if unchanged else encoded.digest if encoded else "",
        )
        if unchanged:  # the same answer as before: what is stored stays, counted as before
            new_state.item_count = state.item_count
        if items is not None:  # started, not awaited: the items are saved and shown now
            await self._settle(items, source_id)
        if PROFILE in result.meta and new_state.profile is not None:  # a header's pictures
            await self._settle([new_state.profile.images_item(source_id)], source_id)
        await self.store.save(source_id, new_state, items, encoded if items is not None else None)
        if gone and items is not None:
            await self._release(gone, source_id)
        if result.error:
            log.warning(
                "source %s: %s (error %d, next try in %.0fs)",
                source_id,
                result.error,
                new_state.errors,
                new_state.next_check - time.time(),
            )
        else:
            log.info(
                "source %s: %s",
                source_id,
                f"{len(items)} items stored" if items is not None else "unchanged",
            )
        return new_state, items

    async def _merge(
        self, source_id: str, state: FetchState, result: PollResult
    ) -> tuple[bool, set[str], list[Item]]:
        """The history rule applied to a whole answer: (unchanged, the ids stored before, the
        stored items that leave). The answer replaces `result.items` by what the source keeps."""
        assert result.items is not None
        if result.encoded is None:
            result.encoded = await asyncio.to_thread(EncodedItems.of, result.items)
        encoded = result.encoded
        answer = encoded.digest
        result.meta = {**result.meta, ANSWER: answer}
        oldest = window_start(result.items)
        if oldest is not None:
            result.meta[WINDOW] = oldest.timestamp()
        if state.digest and answer == state.meta.get(ANSWER, state.digest) and not result.gone:
            return True, {it.id for it in result.items}, []
        stored = await self.store.get_items(source_id) if state.digest else []
        if not stored:  # the first items: nothing to keep, the parsed JSON is stored as it is
            if order := document_order(result.items, [], ()):
                result.meta[ORDER] = order
            return False, set(), []
        config = self._config()
        merged = merge_history(
            result.items,
            stored,
            order=state.meta.get(ORDER) or (),
            now=time.time(),
            max_items=config.source_max_items(source_id),
            max_age=config.source_max_age(source_id),
            deleted_ids=result.gone,
        )
        if merged.order or ORDER in state.meta:
            result.meta[ORDER] = merged.order
        if merged.deleted:
            log.info("source %s: %d posts deleted upstream", source_id, merged.deleted)
        parsed = result.items
        result.replace_items(merged.items)
        # The answer's posts keep the worker's JSON and rows; the stored ones kept are encoded.
        result.encoded = await asyncio.to_thread(encode_merged, merged.items, parsed, encoded)
        return False, {it.id for it in stored}, merged.gone

    async def _forget(
        self, source_id: str, state: FetchState, result: PollResult
    ) -> tuple[set[str], list[Item]]:
        """The stored items but those a re-check found deleted: stored as the items, with the
        validators the state had (the upstream's answer itself did not change)."""
        stored = await self.store.get_items(source_id)
        gone = [it for it in stored if it.id in result.gone]
        if gone:
            result.replace_items([it for it in stored if it.id not in result.gone])
            result.etag = result.etag or state.etag
            result.last_modified = result.last_modified or state.last_modified
            log.info("source %s: %d older posts deleted upstream", source_id, len(gone))
        return {it.id for it in stored}, gone

    async def _release(self, gone: list[Item], source_id: str) -> None:
        if self.images is None:
            return
        try:
            await self.images.release(gone, source_id)
        except Exception:  # the housekeeping's grace period removes them later
            log.exception("source %s: images of removed posts not released", source_id)

    async def _settle(self, items: list[Item], source_id: str) -> None:
        if self.images is None:
            return
        try:
            await self.images.settle(items, source_id)
        except Exception:  # an image must never cost the items: they show with alt text
            log.exception("source %s: images not settled", source_id)
