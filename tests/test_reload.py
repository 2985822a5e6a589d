"""Config reload in a real `feedhub serve` process: an edited file and SIGHUP both reload; a
valid config applies without a dropped request or a lost item; an invalid one is refused with
`feedhub check`'s messages, logged, shown on /admin, and the running config stays."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
from markupsafe import escape

from tests.conftest import ROOT, free_port, wait_until, write_config
from tests.fault_upstream import good_feed
from tests.serve_support import base_config


def check_output(path: Path) -> list[str]:
    """What `feedhub check` says of a file, one problem a line."""
    proc = subprocess.run(
        [sys.executable, "-m", "feedhub", "check", "-c", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert proc.returncode == 1
    return [line.strip() for line in proc.stderr.splitlines()[1:] if line.strip()]


def write_keeping_stamp(path: Path, text: str) -> None:
    """Rewrite the file with the same size and mtime: only SIGHUP can notice the change."""
    old = path.stat()
    data = text.encode()
    assert len(data) <= old.st_size
    path.write_bytes(data + b" " * (old.st_size - len(data)))
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))


async def test_reload_valid_invalid_and_sighup(tmp_path, upstream, daemon):
    upstream.set("/feed", good_feed("post"), "application/rss+xml")
    port = free_port()
    side = {"side": {"sources": ["blog"], "limit": 5}}
    path = write_config(tmp_path, base_config(tmp_path, upstream, port, side))
    proc = daemon(path, port, "--log-format", "json")
    url = proc.url

    async with aiohttp.ClientSession() as http:

        async def get(p: str) -> tuple[int, str]:
            async with http.get(url + p) as resp:
                return resp.status, await resp.text()

        await wait_until(lambda: _shows(get, "/w/side.html", "post 0"))
        fetches = len(upstream.requests_to("/feed"))

        failures: list[tuple[int, str]] = []
        served = 0
        stop = asyncio.Event()

        async def keep_asking() -> None:
            nonlocal served
            while not stop.is_set():
                status, _ = await get("/w/side.html")
                served += 1
                if status != 200:
                    failures.append((status, "/w/side.html"))
                await asyncio.sleep(0.01)

        asker = asyncio.create_task(keep_asking())

        # 1. A valid edit (a new widget, a new title) is picked up from the file.
        two = {**side, "more": {"sources": ["blog"], "title": "Encore"}}
        write_config(tmp_path, base_config(tmp_path, upstream, port, two))
        await wait_until(lambda: _shows(get, "/w/more.html", "Encore"), timeout=15)
        # Its items are the stored ones: served at once, without asking the upstream again.
        assert "post 0" in (await get("/w/more.html"))[1]

        # 2. An invalid edit is refused: the running config stays, the admin page says why.
        broken = base_config(
            tmp_path, upstream, port, {"more": {"sources": ["blog", "nowhere"], "limit": 0}}
        )
        broken["surprise"] = True
        write_config(tmp_path, broken)
        with path.open("a") as f:  # room for step 3's longer text in the same size
            f.write("# " + "padding " * 40 + "\n")
        expected = check_output(path)
        assert len(expected) >= 3
        await wait_until(lambda: _shows(get, "/admin", "reload was refused"), timeout=15)
        _, admin = await get("/admin")
        for problem in expected:
            assert str(escape(problem)) in admin, problem
        assert (await get("/w/more.html"))[0] == 200
        _, metrics = await get("/metrics")
        assert "feedhub_config_reload_failed 1" in metrics

        # 3. SIGHUP reloads a change the file watcher cannot see (same size, same mtime).
        hup = {**two, "third": {"sources": ["blog"]}}
        write_config(tmp_path, base_config(tmp_path, upstream, port, hup), name="next.yaml")
        write_keeping_stamp(path, (tmp_path / "next.yaml").read_text())
        await asyncio.sleep(2.5)  # a file-watcher round: it must not have noticed
        assert (await get("/w/third"))[0] == 404
        proc.proc.send_signal(signal.SIGHUP)
        await wait_until(lambda: _status_is(get, "/w/third", 200), timeout=15)
        _, admin = await get("/admin")
        assert "reload was refused" not in admin

        stop.set()
        await asyncio.wait_for(asker, 10)

        # A scanner's garbage is one short log event, not a traceback.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/9.9\r\n\r\n")
        assert (await reader.read(100)).startswith(b"HTTP/1.0 400")
        writer.close()

    assert served > 50 and failures == [], failures
    assert len(upstream.requests_to("/feed")) == fetches  # no reload refetched anything
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.proc.wait(timeout=15) == 0

    events = [json.loads(line) for line in proc.output().splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in events)
    refused = [e for e in events if "config reload refused" in e["message"]]
    assert refused and refused[0]["level"] == "error"
    assert all(p in refused[0]["message"] for p in expected)
    assert sum("config reloaded" in e["message"] for e in events) >= 2
    garbage = [e for e in events if e["message"].startswith("Error handling request")]
    assert len(garbage) == 1 and garbage[0]["level"] == "info" and "exception" not in garbage[0]


async def _shows(get, path: str, text: str) -> bool:
    status, body = await get(path)
    return status == 200 and text in body


async def _status_is(get, path: str, status: int) -> bool:
    return (await get(path))[0] == status
