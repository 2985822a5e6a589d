"""What the tests through `feedhub serve` share: a daemon with one widget per source, and the
items of a widget's JSON Feed once it has polled."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import Daemon, free_port, wait_until, write_config


def start(
    daemon: Callable[..., Daemon],
    tmp_path: Path,
    sources: dict[str, Any],
    sections: dict[str, Any] | None = None,
) -> Daemon:
    """`feedhub serve` with one widget per source, named after it; `sections` adds to (or
    replaces) top-level sections of the config, `media` say."""
    port = free_port()
    path = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "sources": sources,
            "widgets": {sid: {"sources": [sid], "limit": 200} for sid in sources},
            **(sections or {}),
        },
    )
    return daemon(path, port)


async def widget_page(d: Daemon, widget: str, suffix: str = "html") -> str:
    async with aiohttp.ClientSession() as http, http.get(f"{d.url}/w/{widget}.{suffix}") as resp:
        assert resp.status == 200
        return await resp.text()


async def widget_items(d: Daemon, widget: str) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{d.url}/w/{widget}.json") as resp:
        assert resp.status == 200
        return list((await resp.json())["items"])


async def polled(d: Daemon, widget: str, count: int) -> list[dict[str, Any]]:
    """The widget's items once it shows `count` (or, after the wait, whatever it shows)."""

    async def enough() -> bool:
        return len(await widget_items(d, widget)) >= count

    with contextlib.suppress(AssertionError):  # the assertions below say what is missing
        await wait_until(enough, timeout=15)
    return await widget_items(d, widget)
