"""What the tests through `feedhub serve` share: a daemon with one widget per source, and the
items of a widget's JSON Feed once it has polled."""

from __future__ import annotations

import asyncio
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
        await wait_until(enough, timeout=45)
    return await widget_items(d, widget)


async def images_settled(d: Daemon, widget: str, quiet: float = 2.0, timeout: float = 30) -> None:
    """Once the widget shows pictures from `/m/` and its answer has stayed the same for
    `quiet` seconds: a poll's items show at once and its images fill in after, each settling
    a new version (the items' own, then the account header's)."""
    last: list[str] = ["", ""]  # the ETag, and when it was first seen (loop time)

    async def steady() -> bool:
        async with aiohttp.ClientSession() as http, http.get(f"{d.url}/w/{widget}.html") as r:
            body, etag = await r.text(), r.headers.get("ETag", "")
        now = str(asyncio.get_running_loop().time())
        if etag != last[0]:
            last[:] = [etag, now]
            return False
        return "/m/" in body and float(now) - float(last[1]) >= quiet

    with contextlib.suppress(AssertionError):  # a widget without pictures: as it is
        await wait_until(steady, timeout=timeout)
