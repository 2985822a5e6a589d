"""The command line as a user runs it: --help, fetch, render, and a clean SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import ROOT, fixture_bytes, free_port, write_config
from tests.meta_upstream import FakeGraph


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


async def test_fetch_prints_no_control_character(tmp_path, upstream):
    """A title or a text with escape sequences (window title, clear screen, colours, C1 CSI)
    is printed with each control character escaped, in text and in --json."""
    hostile = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\x9b1m\u202egnp.exe"
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [
            {"id": "1", "url": "https://e.org/1", "title": "Title " + hostile},
            {"id": "2", "url": "https://e.org/2", "content_text": "Text " + hostile},
        ],
    }
    upstream.set("/feed", json.dumps(feed), "application/feed+json")
    path = cfg(tmp_path, upstream)
    for extra in ((), ("--json",)):
        result = await asyncio.to_thread(run, "fetch", "blog", "-c", str(path), *extra)
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert not any(c in out for c in "\x07\x1b\x9b\u202e"), repr(out)
        assert "red" in out and "owned" in out
    text = await asyncio.to_thread(run, "fetch", "blog", "-c", str(path))
    # Titles keep no control character and no bidi override (stripped as items are made).
    assert "Title ]0;owned[2J[31mred1mgnp.exe" in text.stdout
    assert "Text \\x1b]0;owned\\x07" in text.stdout  # other text shows them escaped


async def test_store_backup_refuses_to_overwrite_without_force(tmp_path, upstream):
    upstream.set("/feed", fixture_bytes("feeds/rss20.xml"), "application/rss+xml")
    path = cfg(tmp_path, upstream)
    assert (
        await asyncio.to_thread(run, "render", "side", "--fetch", "-c", str(path))
    ).returncode == 0
    target = tmp_path / "precious.txt"
    target.write_text("not a backup")
    refused = await asyncio.to_thread(run, "store", "backup", str(target), "-c", str(path))
    assert refused.returncode == 1 and "exists; add --force" in refused.stderr
    assert target.read_text() == "not a backup"
    done = await asyncio.to_thread(run, "store", "backup", str(target), "--force", "-c", str(path))
    assert done.returncode == 0, done.stderr
    assert target.read_bytes().startswith(b"SQLite format 3")


async def test_fetch_uses_a_token_without_renewing_it(tmp_path, upstream):
    """`feedhub fetch` keeps nothing: a token it renewed would be lost, so it renews none."""
    token = "IGAAR-configured-token-0001"
    graph = FakeGraph(upstream, grant="ig_refresh_token")
    graph.edge("/v22.0/me/media", ["instagram/media.json", "instagram/media_page2.json"])
    graph.issue(token, age_days=30)
    source = {"type": "instagram", "token": token, "base_url": upstream.base_url}
    path = cfg(tmp_path, upstream, sources={"insta": source}, widgets={})
    result = await asyncio.to_thread(run, "fetch", "insta", "-c", str(path))
    assert result.returncode == 0, result.stderr
    assert "items from insta" in result.stderr
    assert graph.tokens_seen("/v22.0/me/media") and set(graph.tokens_seen("/v22.0/me/media")) == {
        token
    }
    assert upstream.requests_to("/refresh_access_token") == []
