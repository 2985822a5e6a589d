"""Connecting accounts from /admin/connect through `feedhub serve`: a Meta account against
a Meta stand-in (and a Pixelfed one by OAuth against an instance stand-in). The source works
with it, and again after kill -9; no token in clear in the SQLite file, the log or the pages;
without FEEDHUB_SECRET_KEY, startup says what is missing."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import aiohttp
from cryptography.fernet import Fernet

from tests.conftest import ROOT, Upstream, fixture_bytes, free_port, wait_until, write_config
from tests.meta_upstream import FakeGraph
from tests.social_upstream import OAuthInstance

MEDIA = "/v22.0/me/media"
PF_STATUSES = "/api/v1/accounts/702145896321547011/statuses"
JSON = "application/json"
SHORT = "EAAshort-lived-from-the-explorer-5mT"
APP_SECRET = "app-secret-0c4e1f"


def connect_config(tmp_path: Path, upstream: Upstream, port: int) -> Path:
    return write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "2s"},
            "sources": {
                "ig": {
                    "type": "instagram",
                    "token": "stored",
                    "app_secret": "${META_APP_SECRET}",
                    "base_url": upstream.base_url,
                }
            },
            "widgets": {"side": {"sources": ["ig"]}},
        },
    )


async def text_of(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as resp:
        assert resp.status == 200, url
        return await resp.text()


async def _has(http: aiohttp.ClientSession, url: str, text: str) -> bool:
    async with http.get(url) as resp:
        return resp.status == 200 and text in await resp.text()


async def test_connect_a_meta_account_and_keep_it_across_kill_9(
    tmp_path, upstream: Upstream, daemon, monkeypatch
):
    graph = FakeGraph(upstream, grant="ig_refresh_token")
    graph.edge(MEDIA, ["instagram/media.json", "instagram/media_page2.json"])
    graph.connectable(
        APP_SECRET, SHORT, {"user_id": "17841400000000001", "username": "hubservateur"}
    )
    monkeypatch.setenv("FEEDHUB_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("META_APP_SECRET", APP_SECRET)
    port = free_port()
    config = connect_config(tmp_path, upstream, port)
    first = daemon(config, port)
    async with aiohttp.ClientSession() as http:
        page = await text_of(http, f"{first.url}/admin/connect")
        assert "not connected" in page
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert csrf
        async with http.post(
            f"{first.url}/admin/connect/ig", data={"csrf": csrf[1], "token": SHORT}
        ) as resp:
            assert resp.status == 200
            pick = await resp.text()
        assert "@hubservateur" in pick and SHORT not in pick
        pending = re.search(r'name="pending" value="([^"]+)"', pick)
        assert pending
        async with http.post(
            f"{first.url}/admin/connect/ig/pick",
            data={"csrf": csrf[1], "pending": pending[1], "choice": "17841400000000001"},
            allow_redirects=False,
        ) as resp:
            assert resp.status == 303
            assert resp.headers["Location"] == "/admin/connect?connected=ig"
        (long,) = graph.exchanged_to
        page = await text_of(http, f"{first.url}/admin/connect")
        assert "@hubservateur" in page and long not in page
        widget = f"{first.url}/w/side.json"
        await wait_until(
            lambda: _has(http, widget, "DCxCarousel1"), timeout=30
        )  # the connected source polled with its token
        tokens = [SHORT, long, APP_SECRET]
        for shown in (
            page,
            await text_of(http, f"{first.url}/admin"),
            await text_of(http, f"{first.url}/metrics"),
        ):
            assert not [t for t in tokens if t in shown]
        await wait_until(lambda: graph.renewed_to, timeout=20)
        tokens += graph.renewed_to

        first.proc.kill()  # SIGKILL: nothing is flushed or closed
        first.proc.wait()
        kept = b"".join(p.read_bytes() for p in tmp_path.glob("feedhub.sqlite3*"))
        assert [t for t in tokens if t.encode() in kept] == []
        assert b"fernet:" in kept, "the tokens are there, sealed"

        seen = len(upstream.requests_to(MEDIA))
        second = daemon(config, port)
        await wait_until(lambda: len(upstream.requests_to(MEDIA)) > seen, timeout=30)
        assert graph.tokens_seen(MEDIA)[-1] in graph.renewed_to, "the renewed token, unsealed"
        await wait_until(lambda: _has(http, f"{second.url}/admin", 'data-state="ok"'), timeout=30)
        admin = await text_of(http, f"{second.url}/admin")
        assert 'id="source-ig" data-state="ok"' in admin
        assert "DCxCarousel1" in await text_of(http, f"{second.url}/w/side.json")
    fetched = await asyncio.to_thread(  # `feedhub fetch` reads the connected token from the store
        subprocess.run,
        [sys.executable, "-m", "feedhub", "fetch", "ig", "--json", "-c", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert fetched.returncode == 0, fetched.stderr
    assert "DCxCarousel1" in fetched.stdout
    for out in (first.output(), second.output(), fetched.stdout + fetched.stderr):
        assert [t for t in tokens if t in out] == []


async def connect(
    http: aiohttp.ClientSession, url: str, source: str, token: str
) -> tuple[int, str]:
    """Paste `token` for `source` on /admin/connect: the answer (what it grants, or why not)."""
    page = await text_of(http, f"{url}/admin/connect")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert csrf
    async with http.post(
        f"{url}/admin/connect/{source}", data={"csrf": csrf[1], "token": token}
    ) as resp:
        return resp.status, await resp.text()


async def test_a_facebook_token_lists_its_pages_and_the_one_picked_is_read(
    tmp_path, upstream: Upstream, daemon, monkeypatch
):
    page_id = "104512345678901"
    graph = FakeGraph(upstream, expired_fixture="facebook/invalid_token.json")
    posts = f"/v22.0/{page_id}/posts"
    graph.edge(posts, ["facebook/posts.json", "facebook/posts_page2.json"])
    page_tokens = graph.pages_connectable(
        "4711", APP_SECRET, SHORT, {"100000000000077": "Le petit café", page_id: "Hubservateur"}
    )
    monkeypatch.setenv("FEEDHUB_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("META_APP_SECRET", APP_SECRET)
    port = free_port()
    config = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "sources": {
                "page": {
                    "type": "facebook",
                    "token": "stored",
                    "app_id": "4711",
                    "app_secret": "${META_APP_SECRET}",
                    "base_url": upstream.base_url,
                }
            },
            "widgets": {"side": {"sources": ["page"]}},
        },
    )
    d = daemon(config, port)
    async with aiohttp.ClientSession() as http:
        status, pick = await connect(http, d.url, "page", SHORT)
        assert status == 200
        assert "Le petit café" in pick and "Hubservateur" in pick
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', pick)
        pending = re.search(r'name="pending" value="([^"]+)"', pick)
        assert csrf and pending
        async with http.post(
            f"{d.url}/admin/connect/page/pick",
            data={"csrf": csrf[1], "pending": pending[1], "choice": page_id},
            allow_redirects=False,
        ) as resp:
            assert resp.status == 303
        await wait_until(lambda: graph.tokens_seen(posts), timeout=30)
        assert set(graph.tokens_seen(posts)) == {page_tokens[page_id]}, "the Page's own token"
        await wait_until(lambda: _has(http, f"{d.url}/admin", 'data-state="ok"'), timeout=30)
        status, again = await connect(http, d.url, "page", "EAA-not-a-token")
        assert status == 400
        assert "page: the token exchange failed" in again and "EAA-not-a-token" not in again
    assert [t for t in [*page_tokens.values(), *graph.exchanged_to, SHORT] if t in d.output()] == []


def test_startup_without_the_key_names_it_and_the_sources(tmp_path, monkeypatch):
    monkeypatch.delenv("FEEDHUB_SECRET_KEY", raising=False)
    monkeypatch.setenv("META_APP_SECRET", APP_SECRET)
    config = write_config(
        tmp_path,
        {
            "sources": {
                "ig": {"type": "instagram", "token": "stored", "app_secret": "${META_APP_SECRET}"},
                "page": {"type": "facebook", "token": "stored"},
                "blog": {"type": "feed", "url": "https://blog.example.org/feed.xml"},
            }
        },
    )
    done = subprocess.run(
        [sys.executable, "-m", "feedhub", "serve", "-c", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert (
        "FEEDHUB_SECRET_KEY is not set: sources ig, page keep their token in the store"
        in done.stderr
    )
    assert "blog" not in done.stderr


async def test_a_pixelfed_account_is_authorized_on_its_instance(
    tmp_path, upstream: Upstream, daemon, monkeypatch
):
    instance = OAuthInstance(upstream, "hubservateur@pixel.example")
    upstream.set("/api/v1/accounts/lookup", fixture_bytes("pixelfed/lookup.json"), JSON)
    upstream.set(PF_STATUSES, fixture_bytes("pixelfed/statuses.json"), JSON)
    monkeypatch.setenv("FEEDHUB_SECRET_KEY", Fernet.generate_key().decode())
    port = free_port()
    config = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "sources": {
                "px": {
                    "type": "pixelfed",
                    "account": "@hubservateur@pixel.example",
                    "token": "stored",
                    "base_url": upstream.base_url,
                }
            },
            "widgets": {"side": {"sources": ["px"]}},
        },
    )
    d = daemon(config, port)
    async with aiohttp.ClientSession() as http:
        await wait_until(lambda: upstream.requests_to(PF_STATUSES), timeout=30)
        assert "Authorization" not in upstream.requests_to(PF_STATUSES)[0].headers, (
            "not connected yet: read as anyone may"
        )
        page = await text_of(http, f"{d.url}/admin/connect")
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert csrf and 'action="/admin/connect/px/authorize"' in page
        # The button: registered on the instance, sent there, "approved", sent back.
        async with http.post(f"{d.url}/admin/connect/px/authorize", data={"csrf": csrf[1]}) as resp:
            assert resp.status == 200
            assert str(resp.url).startswith(f"{d.url}/admin/connect?connected=px")
            assert "@hubservateur" in await resp.text()
        (app,) = instance.apps.values()
        assert app["redirect_uri"] == f"http://127.0.0.1:{port}/admin/connect/px/callback"
        assert app["scopes"] == "read"
        (token,) = instance.tokens
        await wait_until(
            lambda: (
                upstream.requests_to(PF_STATUSES)[-1].headers.get("Authorization")
                == f"Bearer {token}"
            ),
            timeout=30,
        )
        async with http.get(f"{d.url}/admin/connect/px/callback?code=code-9&state=x") as resp:
            assert resp.status == 400, "a state feedhub did not give is refused"
            assert "expired or was not asked here" in await resp.text()
    kept = b"".join(p.read_bytes() for p in tmp_path.glob("feedhub.sqlite3*"))
    assert token.encode() not in kept and app["secret"].encode() not in kept
    assert token not in d.output()
