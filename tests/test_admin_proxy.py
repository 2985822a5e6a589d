"""The admin pages behind real nginx: who is a loopback client, whose header is believed, how
guessing is slowed, which Host is answered, and how sessions end."""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from feedhub.web.access import counted_as
from feedhub.web.app import create_app
from tests.conftest import free_port, make_config, wait_until
from tests.nginx_support import RSS, answers, local_conf, start_nginx

PUBLIC = "https://widgets.example.org"


def plain_conf(tmp: Path, listen: int, backend: int) -> Path:
    """The least a site might write: a bare proxy_pass, no forwarding headers at all."""
    temp = " ".join(
        f"{k}_temp_path {tmp / k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;" if os.geteuid() == 0 else ""
    conf = tmp / "plain.conf"
    conf.write_text(
        f"{user} daemon off; pid {tmp / 'nginx.pid'}; error_log {tmp / 'error.log'};\n"
        f"events {{}}\nhttp {{ access_log off; {temp}\n"
        f"server {{ listen 127.0.0.1:{listen}; location / {{ "
        f"proxy_pass http://127.0.0.1:{backend}; }} }} }}\n"
    )
    return conf


@contextlib.asynccontextmanager
async def behind(
    tmp_path: Path, upstream: Any, aiohttp_client: Any, nginx: str, data: dict[str, Any], conf: Any
) -> AsyncIterator[str]:
    upstream.set("/feed.xml", RSS)
    backend, listen = free_port(), free_port()
    cfg = make_config(
        tmp_path,
        {
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"]}},
            **data,
        },
    )
    await aiohttp_client(create_app(cfg, poll=False), server_kwargs={"port": backend})
    proc = await start_nginx(nginx, conf(tmp_path, listen, backend), tmp_path)
    try:
        base = f"http://127.0.0.1:{listen}"
        async with aiohttp.ClientSession() as http:
            await wait_until(lambda: answers(http, f"{base}/healthz"), timeout=10)
        yield base
    finally:
        proc.terminate()
        await proc.wait()


async def test_an_empty_token_behind_a_plain_proxy_pass_leaves_admin_off(
    tmp_path, upstream, aiohttp_client, nginx, caplog
):
    """nginx relays every visitor from 127.0.0.1 and says so in no header: with a public
    public_url and no token, /admin, /metrics and refresh answer nobody, and the log says
    why at start."""
    caplog.set_level(logging.WARNING)
    async with (
        behind(
            tmp_path,
            upstream,
            aiohttp_client,
            nginx,
            {"server": {"public_url": PUBLIC}},
            plain_conf,
        ) as base,
        aiohttp.ClientSession() as http,
    ):
        for extra in (
            {},
            {"CF-Connecting-IP": "127.0.0.1"},
            {"True-Client-IP": "::1"},
            {"X-Client-IP": "127.0.0.1"},
        ):
            for method, path in (
                ("GET", "/admin"),
                ("GET", "/metrics"),
                ("POST", "/admin/sources/blog/refresh"),
            ):
                async with http.request(
                    method, base + path, headers=extra, allow_redirects=False
                ) as resp:
                    text = await resp.text()
                    assert resp.status == 403, (method, path, extra, resp.status)
                    assert "admin.token" in text, text
        async with http.get(base + "/w/side.html") as resp:
            assert resp.status == 200  # the widgets are served as ever
    assert any("admin pages are off" in r.getMessage() for r in caplog.records)


async def test_behind_the_shipped_config_trusted_proxies_name_the_client(
    tmp_path, upstream, aiohttp_client, nginx
):
    """With nginx in `trusted_proxies`, its X-Forwarded-For names the client: failed logins
    and Bearer guesses are throttled per client, and /admin answers only public_url's Host."""
    data = {
        "server": {"public_url": PUBLIC, "trusted_proxies": ["127.0.0.1"]},
        "admin": {"token": "the-right-token"},
    }
    async with behind(tmp_path, upstream, aiohttp_client, nginx, data, local_conf) as base:
        host = {"Host": "widgets.example.org"}
        async with aiohttp.ClientSession() as http:
            statuses = []
            for n in range(8):
                async with http.post(
                    f"{base}/admin/login",
                    data={"token": f"guess{n}"},
                    headers={**host, "X-Forwarded-For": "203.0.113.7"},
                ) as r:
                    statuses.append(r.status)
                    if r.status == 429:
                        assert int(r.headers["Retry-After"]) > 0
            assert statuses[:5] == [401] * 5 and statuses[-1] == 429, statuses
            # The same client guessing by Bearer is throttled too, even with the right token
            # (it waits its turn like any other attempt).
            async with http.get(
                f"{base}/admin",
                headers={
                    **host,
                    "X-Forwarded-For": "203.0.113.7",
                    "Authorization": "Bearer the-right-token",
                },
            ) as r:
                assert r.status == 429
            # Another client is not held up by the first one's guesses.
            async with http.get(
                f"{base}/admin",
                headers={
                    **host,
                    "X-Forwarded-For": "198.51.100.9",
                    "Authorization": "Bearer the-right-token",
                },
            ) as r:
                assert r.status == 200 and "blog" in await r.text()
            # DNS rebinding: another name pointed at this server gets no admin page.
            async with http.get(
                f"{base}/admin",
                headers={
                    "Host": "rebound.attacker.example",
                    "X-Forwarded-For": "198.51.100.9",
                    "Authorization": "Bearer the-right-token",
                },
            ) as r:
                assert r.status == 421, r.status


async def test_login_sessions_are_random_and_logout_ends_them(tmp_path, upstream, aiohttp_client):
    upstream.set("/feed.xml", RSS)
    cfg = make_config(
        tmp_path,
        {
            "admin": {"token": "the-right-token"},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    client = await aiohttp_client(create_app(cfg, poll=False))
    cookies = []
    for _ in range(2):
        resp = await client.post(
            "/admin/login", data={"token": "the-right-token"}, allow_redirects=False
        )
        assert resp.status == 303
        cookies.append(resp.cookies["feedhub_admin"].value)
    assert cookies[0] != cookies[1] and all(len(c) >= 32 for c in cookies)
    client.session.cookie_jar.clear()
    jar = {"feedhub_admin": cookies[0]}
    page = await client.get("/admin", cookies=jar)
    assert page.status == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert csrf is not None
    out = await client.post(
        "/admin/logout", cookies=jar, data={"csrf": csrf.group(1)}, allow_redirects=False
    )
    assert out.status == 303
    client.session.cookie_jar.clear()
    after = await client.get(
        "/admin", cookies=jar, headers={"Accept": "text/html"}, allow_redirects=False
    )
    assert after.status == 303 and after.headers["Location"] == "/admin/login"
    other = await client.get("/admin", cookies={"feedhub_admin": cookies[1]})
    assert other.status == 200  # only the session that logged out ended


async def test_forms_are_bound_to_their_session(tmp_path, upstream, aiohttp_client):
    """Logout needs the page's form token, and one session's token is refused in another."""
    upstream.set("/feed.xml", RSS)
    cfg = make_config(
        tmp_path,
        {
            "admin": {"token": "the-right-token"},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    client = await aiohttp_client(create_app(cfg, poll=False))
    sessions = []
    for _ in range(2):
        resp = await client.post(
            "/admin/login", data={"token": "the-right-token"}, allow_redirects=False
        )
        sessions.append({"feedhub_admin": resp.cookies["feedhub_admin"].value})
    client.session.cookie_jar.clear()
    tokens = []
    for jar in sessions:
        page = await client.get("/admin", cookies=jar)
        tokens.append(re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1))
    assert tokens[0] != tokens[1]
    first, second = sessions
    for data in ({}, {"csrf": tokens[1]}):  # none, or the other session's
        out = await client.post("/admin/logout", cookies=first, data=data, allow_redirects=False)
        assert out.status == 403, data
        refresh = await client.post(
            "/admin/sources/blog/refresh", cookies=first, data=data, allow_redirects=False
        )
        assert refresh.status == 403, data
    assert (await client.get("/admin", cookies=first)).status == 200  # still logged in
    out = await client.post(
        "/admin/logout", cookies=first, data={"csrf": tokens[0]}, allow_redirects=False
    )
    assert out.status == 303
    assert (await client.get("/admin", cookies=second)).status == 200


async def test_failed_logins_are_counted_per_ipv6_64(tmp_path, upstream, aiohttp_client):
    """One host holds a whole /64: a new address in it for each guess is the same client."""
    upstream.set("/feed.xml", RSS)
    cfg = make_config(
        tmp_path,
        {
            "server": {"trusted_proxies": ["127.0.0.1"]},
            "admin": {"token": "the-right-token"},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    client = await aiohttp_client(create_app(cfg, poll=False))

    async def guess(client_ip: str) -> int:
        resp = await client.post(
            "/admin/login", data={"token": "guess"}, headers={"X-Forwarded-For": client_ip}
        )
        return resp.status

    statuses = [await guess(f"2001:db8:1:2::{n + 1:x}") for n in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429, statuses
    assert await guess("2001:db8:1:2:ffff:ffff:ffff:fffe") == 429
    assert await guess("2001:db8:1:3::1") == 401  # the next /64 is another client
    assert counted_as("::ffff:203.0.113.7") == counted_as("203.0.113.7") == "203.0.113.7"
