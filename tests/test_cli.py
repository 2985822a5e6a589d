"""The command line as a user runs it: --help, fetch, render, and a clean SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import ROOT, fixture_bytes, free_port, write_config


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feedhub", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


@pytest.mark.parametrize(
    "command",
    [
        "serve",
        "check",
        "fetch",
        "render",
        "themes",
        *(
            f"store {action}"
            for action in ("check", "backup", "restore", "recover", "quarantine", "copy")
        ),
    ],
)
def test_every_command_has_help(command):
    result = run(*command.split(), "--help")
    assert result.returncode == 0 and "--config" in result.stdout
    assert "$FEEDHUB_CONFIG" in result.stdout


def test_init_and_themes_copy_have_help():
    for args in (["init", "--help"], ["themes", "copy", "--help"]):
        result = run(*args)
        assert result.returncode == 0 and "DIR" in result.stdout, args


def cfg(tmp_path, upstream, **extra):
    return write_config(
        tmp_path,
        {
            "storage": {"backend": "sqlite", "path": str(tmp_path / "db.sqlite3")},
            "fetch": {"allow_private_addresses": True},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
            "widgets": {"side": {"title": "Blog", "sources": ["blog"]}},
            **extra,
        },
    )


async def test_fetch_prints_items(tmp_path, upstream):
    upstream.set("/feed", fixture_bytes("feeds/rss20.xml"), "application/rss+xml")
    path = cfg(tmp_path, upstream)
    result = await asyncio.to_thread(run, "fetch", "blog", "-c", str(path))
    assert result.returncode == 0, result.stderr
    assert "2026-11-24 10:00  Second post: images & links" in result.stdout
    assert "https://blog.example.org/posts/first" in result.stdout
    assert "2 items from blog" in result.stderr
    unknown = await asyncio.to_thread(run, "fetch", "nope", "-c", str(path))
    assert unknown.returncode == 2 and "no source 'nope'" in unknown.stderr


async def test_fetch_reports_an_upstream_error(tmp_path, upstream):
    upstream.set("/feed", b"gone", "text/plain", status=410)
    result = await asyncio.to_thread(run, "fetch", "blog", "-c", str(cfg(tmp_path, upstream)))
    assert result.returncode == 1
    assert "blog: HTTP 410 Gone" in result.stderr and "Traceback" not in result.stderr


async def test_render_to_a_file_for_static_sites(tmp_path, upstream):
    upstream.set("/feed", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    path = cfg(tmp_path, upstream)
    out = tmp_path / "side.html"
    result = await asyncio.to_thread(
        run, "render", "side", "-f", "page", "-o", str(out), "--fetch", "-c", str(path)
    )
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    assert page.startswith("<!doctype html>") and "Entry two" in page
    # later renders read the stored items, with the upstream not asked again
    count = len(upstream.seen)
    again = await asyncio.to_thread(run, "render", "side", "-c", str(path))
    assert "Entry two" in again.stdout and len(upstream.seen) == count


async def test_sigterm_stops_cleanly_and_closes_the_store(tmp_path, upstream, daemon):
    upstream.set("/feed", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    port = free_port()
    d = daemon(cfg(tmp_path, upstream, server={"port": port}), port)

    def get() -> str:
        with urllib.request.urlopen(f"{d.url}/w/side.html", timeout=10) as resp:
            return resp.read().decode()

    assert "Blog" in await asyncio.to_thread(get)
    d.proc.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(d.proc.wait, 15) == 0
    log = d.output()
    assert "stopping: finishing requests in flight" in log and "stopped" in log
