"""The `memory` backend: nothing survives a restart."""

from __future__ import annotations

import copy

from feedhub.models import EncodedItems, FetchState, Item
from feedhub.store.base import Position, Store, position


class MemoryStore(Store):
    def __init__(self) -> None:
        self._items: dict[str, list[Item]] = {}
        self._states: dict[str, FetchState] = {}
        self._media: dict[str, tuple[str, str]] = {}  # url -> (digest, record)

    async def get_items(self, source_id: str) -> list[Item]:
        return list(self._items.get(source_id, ()))

    async def page(self, source_id: str, count: int, after: Position | None = None) -> list[Item]:
        items = self._items.get(source_id, [])
        if after is not None:
            items = [it for it in items if position(it) < after]
        return items[:count]

    async def save(
        self,
        source_id: str,
        state: FetchState,
        items: list[Item] | None,
        encoded: EncodedItems | None = None,
    ) -> None:
        self._states[source_id] = copy.deepcopy(state)
        if items is not None:
            self._items[source_id] = sorted(items, key=position, reverse=True)

    async def get_state(self, source_id: str) -> FetchState | None:
        state = self._states.get(source_id)
        return copy.deepcopy(state) if state else None

    async def all_states(self) -> dict[str, FetchState]:
        return copy.deepcopy(self._states)

    async def delete(self, source_id: str) -> None:
        self._items.pop(source_id, None)
        self._states.pop(source_id, None)

    async def media_records(self) -> list[str]:
        return [text for _, text in self._media.values()]

    async def get_media(self, urls: list[str]) -> dict[str, str]:
        return {url: self._media[url][1] for url in urls if url in self._media}

    async def media_by_digest(self, digest: str) -> str | None:
        return next((text for d, text in self._media.values() if d == digest), None)

    async def put_media(self, url: str, digest: str, text: str) -> None:
        self._media[url] = (digest, text)

    async def delete_media(self, urls: list[str]) -> None:
        for url in urls:
            self._media.pop(url, None)
