"""The corpus of feed edges (tests/fixtures/corpus) served to `feedhub serve`: each file at a
local upstream with the Content-Type its `.expected.json` gives, and the widget's items read back.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.conftest import FIXTURES, Daemon, Upstream, free_port, wait_until, write_config

CORPUS = FIXTURES / "corpus"


def expected(name: str) -> dict[str, Any]:
    return json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))


def served_as(
    body: bytes, content_type: str, headers: dict[str, str] | None = None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """An upstream answer with this exact Content-Type (charset included) and headers."""

    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Type": content_type, **(headers or {})})

    return handle


def serve_corpus(upstream: Upstream, *names: str) -> dict[str, dict[str, Any]]:
    """Each named corpus file at /<name> with its Content-Type; a source for each."""
    sources = {}
    for name in names:
        upstream.routes[f"/{name}"] = served_as(
            (CORPUS / name).read_bytes(), expected(name)["content_type"]
        )
        sources[source_id(name)] = {"type": "feed", "url": upstream.url(f"/{name}")}
    return sources


def source_id(name: str) -> str:
    return name.split(".")[0].replace("-", "_")


def start(daemon: Callable[..., Daemon], tmp_path: Path, sources: dict[str, Any]) -> Daemon:
    """`feedhub serve` with one widget per source, named after it."""
    port = free_port()
    path = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "sources": sources,
            "widgets": {sid: {"sources": [sid], "limit": 200} for sid in sources},
        },
    )
    return daemon(path, port)


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


def as_read(items: list[dict[str, Any]]) -> Counter[tuple[str, str, str | None]]:
    return Counter(
        (it.get("title", ""), it.get("url", ""), it.get("date_published")) for it in items
    )


def as_expected(name: str) -> Counter[tuple[str, str, str | None]]:
    return Counter((it["title"], it["url"], it["published"]) for it in expected(name)["items"])
