"""The corpus of feed edges (tests/fixtures/corpus) served to `feedhub serve`: each file at a
local upstream with the Content-Type its `.expected.json` gives, and the widget's items read back.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tests.conftest import FIXTURES, Upstream

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


def as_read(items: list[dict[str, Any]]) -> Counter[tuple[str, str, str | None]]:
    return Counter(
        (it.get("title", ""), it.get("url", ""), it.get("date_published")) for it in items
    )


def as_expected(name: str) -> Counter[tuple[str, str, str | None]]:
    return Counter((it["title"], it["url"], it["published"]) for it in expected(name)["items"])
