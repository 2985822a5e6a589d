"""The SQLite store's moderation decisions (table `decisions`: widget, item id, JSON), a part
of `SqliteStore` kept apart as the Redis store keeps its owner's records apart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any


class SqliteDecisions:
    """What `SqliteStore` reads and writes of the decisions, through its one thread."""

    if TYPE_CHECKING:  # SqliteStore's own

        async def _run(self, fn: Any, *args: Any) -> Any: ...
        def _select(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]: ...
        def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None: ...

    async def decisions(self, widget: str) -> dict[str, str]:
        sql = "SELECT item, data FROM decisions WHERE widget = ?"
        return dict(await self._run(self._select, sql, (widget,)))

    async def decide(self, widget: str, item_id: str, text: str | None) -> None:
        row: tuple[str, ...] = (widget, item_id)
        sql = "DELETE FROM decisions WHERE widget = ? AND item = ?"
        if text is not None:
            sql, row = "INSERT OR REPLACE INTO decisions VALUES (?, ?, ?)", (*row, text)
        await self._run(self._write, sql, [row])

    async def all_decisions(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        rows = await self._run(self._select, "SELECT widget, item, data FROM decisions", ())
        for widget, item_id, data in rows:
            found.setdefault(widget, {})[item_id] = data
        return found
