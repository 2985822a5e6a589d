"""A reload takes only a whole, valid config, in a real `feedhub serve` process: an editor's
truncate-then-write, an emptied file and a storm of SIGHUPs during rewrites never open the
admin pages without a token, never lose a widget, and a refusal shows on /admin."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

import aiohttp
import yaml

from tests.conftest import free_port, wait_until, write_config
from tests.fault_upstream import good_feed
from tests.serve_support import base_config

TOKEN = "s3cret-admin-token-for-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def guarded_config(tmp_path: Path, upstream, port: int) -> Path:
    data = base_config(tmp_path, upstream, port, {"side": {"sources": ["blog"], "limit": 5}})
    data["admin"] = {"token": TOKEN}
    return write_config(tmp_path, data)


def truncate_then_write(path: Path, text: str, pause: float) -> None:
    """What an editor that saves in place does: empty the file, then write it in pieces."""
    data = text.encode()
    with path.open("wb") as f:
        f.flush()
        time.sleep(pause)
        for start in range(0, len(data), 64):
            f.write(data[start : start + 64])
            f.flush()
            time.sleep(pause / 4)


class Client:
    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url = http, url

    async def get(self, path: str, **kw) -> tuple[int, str]:
        async with self.http.get(self.url + path, allow_redirects=False, **kw) as resp:
            return resp.status, await resp.text()

    async def refused_shown(self, text: str) -> bool:
        status, body = await self.get("/admin", headers=BEARER)
        return status == 200 and "reload was refused" in body and text in body


async def start(tmp_path, upstream, daemon):
    upstream.set("/feed", good_feed("post"), "application/rss+xml")
    port = free_port()
    path = guarded_config(tmp_path, upstream, port)
    return path, daemon(path, port)


async def test_truncate_then_write_and_empty_file_are_refused(tmp_path, upstream, daemon):
    path, proc = await start(tmp_path, upstream, daemon)
    whole = path.read_text()
    async with aiohttp.ClientSession() as http:
        c = Client(http, proc.url)
        await wait_until(lambda: _widget_shows(c, "post 0"))

        # An editor's save that stops half-way: what is there has no sources (and no token).
        half = yaml.safe_dump({"server": yaml.safe_load(whole)["server"]})
        truncate_then_write(path, half, pause=0.01)
        proc.proc.send_signal(signal.SIGHUP)
        await wait_until(lambda: c.refused_shown("sources: none listed"), timeout=15)
        status, body = await c.get("/admin", headers=BEARER)
        assert "admin.token: a reload cannot remove the admin token" in body
        assert (await c.get("/admin"))[0] in (303, 401)
        assert (await c.get("/metrics"))[0] == 401
        assert await _widget_shows(c, "post 0")

        # The save completes: the whole file applies and the refusal goes.
        more = yaml.safe_load(whole)
        more["widgets"]["more"] = {"sources": ["blog"], "title": "Encore"}
        truncate_then_write(path, yaml.safe_dump(more), pause=0.01)
        proc.proc.send_signal(signal.SIGHUP)
        await wait_until(lambda: _widget_shows(c, "Encore", "/w/more.html"), timeout=15)
        assert "reload was refused" not in (await c.get("/admin", headers=BEARER))[1]

        # `: > config.yaml`: an empty file, noticed by the watcher, is refused.
        path.write_bytes(b"")
        await wait_until(lambda: c.refused_shown("the file is empty"), timeout=15)
        assert (await c.get("/metrics"))[0] == 401
        assert await _widget_shows(c, "Encore", "/w/more.html")
        assert await _widget_shows(c, "post 0")
    log = proc.output()
    assert "config reload refused" in log and "Traceback" not in log
    assert "config reloaded: 0 sources" not in log


async def test_sighup_storm_during_rewrites(tmp_path, upstream, daemon):
    path, proc = await start(tmp_path, upstream, daemon)
    whole = path.read_text()
    async with aiohttp.ClientSession() as http:
        c = Client(http, proc.url)
        await wait_until(lambda: _widget_shows(c, "post 0"))
        stop = threading.Event()
        answers: list[tuple[str, int]] = []

        def rewrite() -> None:
            while not stop.is_set():
                truncate_then_write(path, whole, pause=0.004)
                time.sleep(0.05)

        async def ask() -> None:
            while not stop.is_set():
                for p in ("/admin", "/metrics", "/w/side.html"):
                    answers.append((p, (await c.get(p))[0]))
                await asyncio.sleep(0.005)

        writer = threading.Thread(target=rewrite)
        writer.start()
        asker = asyncio.create_task(ask())
        try:
            for _ in range(276):
                os.kill(proc.proc.pid, signal.SIGHUP)
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            writer.join()
            await asker
        # The last rewrite is whole; one more reload takes it.
        proc.proc.send_signal(signal.SIGHUP)
        await asyncio.sleep(1)
        assert await _widget_shows(c, "post 0")

    assert proc.proc.poll() is None
    widget = [s for p, s in answers if p == "/w/side.html"]
    tokenless = [(p, s) for p, s in answers if p != "/w/side.html"]
    assert len(widget) > 20 and set(widget) == {200}, set(widget)
    assert tokenless and all(s in (303, 401) for _, s in tokenless), {s for _, s in tokenless}
    log = proc.output()
    assert "Traceback" not in log and "never retrieved" not in log
    assert "config reloaded: 0 sources" not in log
    assert "config reloaded: 1 sources, 1 widgets" in log


async def _widget_shows(c: Client, text: str, path: str = "/w/side.html") -> bool:
    status, body = await c.get(path)
    return status == 200 and text in body
