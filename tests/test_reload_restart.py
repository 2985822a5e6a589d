"""A reload that changes what only a restart can apply (server.host, server.port, the
storage settings) says so, in the log and on /admin, and applies the rest: `feedhub serve`
keeps listening where it was, on the store it opened."""

from __future__ import annotations

import aiohttp

from tests.conftest import free_port, wait_until, write_config
from tests.fault_upstream import good_feed
from tests.serve_support import base_config


async def test_port_and_storage_changes_need_a_restart(tmp_path, upstream, daemon):
    upstream.set("/feed", good_feed("post"), "application/rss+xml")
    port, other = free_port(), free_port()
    data = base_config(tmp_path, upstream, port, {"side": {"sources": ["blog"]}})
    path = write_config(tmp_path, data)
    proc = daemon(path, port)
    url = proc.url

    async with aiohttp.ClientSession() as http:

        async def get(p: str) -> tuple[int, str]:
            async with http.get(url + p) as resp:
                return resp.status, await resp.text()

        await wait_until(lambda: _shows(get, "/w/side.html", "post 0"))
        moved = base_config(
            tmp_path, upstream, other, {"side": {"sources": ["blog"], "title": "Nouveau titre"}}
        )
        moved["storage"] = {"backend": "sqlite", "path": str(tmp_path / "elsewhere.sqlite3")}
        write_config(tmp_path, moved)
        # The rest applies: the new title shows, on the port it was listening on.
        await wait_until(lambda: _shows(get, "/w/side.html", "Nouveau titre"), timeout=15)
        assert "post 0" in (await get("/w/side.html"))[1], "still the store it opened"
        _, admin = await get("/admin")
        assert "these settings need a restart" in admin
        assert f"server.port: {port} → {other}" in admin
        assert "storage.path: " in admin and "elsewhere.sqlite3" in admin
    log = proc.output()
    assert "need a restart" in log and f"server.port: {port} → {other}" in log
    assert not (tmp_path / "elsewhere.sqlite3").exists()


async def _shows(get, path: str, text: str) -> bool:
    status, body = await get(path)
    return status == 200 and text in body
