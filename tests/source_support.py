"""Helpers for the source adapter tests: poll an adapter through a real Fetcher against the
local `upstream` server, and carry its fetch state from one poll to the next."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from feedhub.fetch.fetcher import Fetcher
from feedhub.ingest.update import apply_poll
from feedhub.models import FetchState
from feedhub.sources import PollContext, PollResult, SourceAdapter
from tests.conftest import FIXTURES

Poll = Callable[..., Awaitable[PollResult]]


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


async def run_here(fn: Callable[..., Any], *args: Any) -> Any:
    """The service parses in worker processes; the adapter tests parse in place."""
    return fn(*args)


@pytest.fixture(name="poll_source")
async def poll_source_fixture() -> AsyncIterator[Poll]:
    """`await poll_source(adapter, state)`: one poll through a real Fetcher."""
    fetcher = Fetcher(public_url="http://test", allow_private=True)

    async def poll(adapter: SourceAdapter, state: FetchState | None = None) -> PollResult:
        ctx = PollContext(
            fetcher=fetcher, run_parse=run_here, timeout=10.0, max_bytes=10 * 1024 * 1024
        )
        return await adapter.poll(ctx, state or FetchState())

    yield poll
    await fetcher.close()


def remember(state: FetchState, result: PollResult, interval: float = 900.0) -> FetchState:
    """The fetch state the service would store after this poll (meta merged, validators)."""
    new, _ = apply_poll(
        state, result, now=time.time(), interval=interval, elapsed=0.0, stored_ids=set()
    )
    return new


def json_route(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """An upstream handler answering JSON (for paths whose answer depends on the query)."""

    async def handle(request: web.Request) -> web.Response:
        return web.json_response(body, status=status, headers=headers)

    return handle
