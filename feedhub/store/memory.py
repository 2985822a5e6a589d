"""The `memory` backend: nothing survives a restart."""

from __future__ import annotations

import copy

from feedhub.models import FetchState, Item
from feedhub.store.base import Store


class MemoryStore(Store):
    def __init__(self) -> None:
        self._items: dict[str, list[Item]] = {}
        self._states: dict[str, FetchState] = {}

    async def get_items(self, source_id: str) -> list[Item]:
        return list(self._items.get(source_id, ()))

    async def recent_items(self, source_id: str, count: int) -> list[Item]:
        return self._items.get(source_id, [])[:count]

    async def save(self, source_id: str, state: FetchState, items: list[Item] | None,
                   texts: list[str] | None = None) -> None:
        self._states[source_id] = copy.deepcopy(state)
        if items is not None:
            self._items[source_id] = sorted(items, key=lambda it: it.rank, reverse=True)

    async def get_state(self, source_id: str) -> FetchState | None:
        state = self._states.get(source_id)
        return copy.deepcopy(state) if state else None

    async def all_states(self) -> dict[str, FetchState]:
        return copy.deepcopy(self._states)

    async def delete(self, source_id: str) -> None:
        self._items.pop(source_id, None)
        self._states.pop(source_id, None)
