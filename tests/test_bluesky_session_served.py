"""The Bluesky search session through `feedhub serve`: made from the app password in the
environment, refreshed when the access token expires, and never shown: not in the log, not on
/admin or /admin/moderation, not in /metrics, not in any output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from feedhub.config import ConfigError, parse_config
from tests.bluesky_wall_support import (
    CREATE,
    HANDLE,
    PASSWORD,
    REFRESH,
    SEARCH,
    BlueskyService,
    search_source,
)
from tests.conftest import Upstream, wait_until
from tests.wall_support import shows, start_wall


async def test_the_session_is_made_refreshed_and_never_shown(
    upstream: Upstream, daemon: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = BlueskyService(upstream)
    monkeypatch.setenv("BLUESKY_HANDLE", HANDLE)
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", PASSWORD)
    widget = {"moderation": "approve"}
    d = start_wall(daemon, tmp_path, {"bsky": search_source(upstream)}, widget, interval="2s")
    async with aiohttp.ClientSession() as http:

        async def page(path: str) -> str:
            async with http.get(d.url + path) as resp:
                assert resp.status == 200, path
                return await resp.text()

        async def listed() -> bool:
            return "Les projections" in await page("/admin/moderation")

        await wait_until(listed, timeout=20)
        assert service.created == 1 and service.refreshed == 0
        (login,) = upstream.requests_to(CREATE)
        assert login.headers["Content-Type"] == "application/json"
        first = upstream.requests_to(SEARCH)[0].headers["Authorization"]
        assert first == f"Bearer {service.given[0]}"

        # The access token expires: the next poll refreshes the session, no new login.
        service.expire_access()
        searches = len(upstream.requests_to(SEARCH))

        async def refreshed_and_read() -> bool:
            later = upstream.requests_to(SEARCH)[searches:]
            return service.refreshed >= 1 and any(s.status == 200 for s in later)

        await wait_until(refreshed_and_read, timeout=20)
        assert service.created == 1
        assert upstream.requests_to(REFRESH)[0].headers["Authorization"] == (
            f"Bearer {service.given[1]}"
        )
        last = [s for s in upstream.requests_to(SEARCH) if s.status == 200][-1]
        assert last.headers["Authorization"] == f"Bearer {service.given[2]}"

        # Approve everything waiting, so that the outputs carry the posts too.
        admin = await page("/admin/moderation")
        ids = [part.split('"')[0] for part in admin.split('data-id="')[1:]]
        csrf = admin.split('name="csrf" value="')[1].split('"')[0]
        form = [("csrf", csrf), ("widget", "wall"), ("action", "approve")]
        async with http.post(
            f"{d.url}/admin/moderation", data=[*form, *(("item", i) for i in ids)]
        ) as resp:
            assert resp.status == 200
        await shows(d, "Les projections")
        shown = []
        for path in (
            "/admin", "/admin/moderation", "/metrics", "/w/wall", "/w/wall.html",
            "/w/wall.json", "/w/wall.atom", "/w/wall.rss", "/w/wall.js", "/",
        ):  # fmt: skip
            shown.append(await page(path))
    shown.append(d.output())
    secrets = [PASSWORD, *service.given]
    for text in shown:
        for secret in secrets:
            assert secret not in text
    assert "Les projections" in shown[4]


def test_a_search_without_its_app_password_is_refused_with_where_to_make_one() -> None:
    data = {
        "sources": {"s": {"type": "bluesky_search", "q": "#fete", "identifier": "me.example"}},
        "widgets": {"w": {"sources": ["s"]}},
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    (problem,) = caught.value.problems
    assert problem.startswith("sources.s.app_password: ")
    assert "App passwords" in problem and "${BLUESKY_APP_PASSWORD}" in problem
    bad = {"type": "bluesky_feed", "feed": "at://did:plc:x/app.bsky.graph.list/3k"}
    with pytest.raises(ConfigError) as caught:
        parse_config({"sources": {"f": bad}, "widgets": {"w": {"sources": ["f"]}}})
    (problem,) = caught.value.problems
    assert problem.startswith("sources.f.feed: ") and "app.bsky.feed.generator" in problem
