"""WebSub against a local hub that verifies, pushes, signs and mis-signs."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import socket
import time
from typing import Any

import aiohttp
from aiohttp import web

from feedhub.fetch import fetcher
from feedhub.ingest import push, websub
from feedhub.ingest.websub import (
    LEASE_ASKED,
    MAX_LEASE,
    MIN_LEASE,
    SAFETY_INTERVAL,
    discover,
    due_at,
    parse_link_header,
    poll_interval,
    sends_secret,
    signature_ok,
    verify,
)
from feedhub.models import FetchState
from feedhub.web.app import SERVICE, create_app
from tests.conftest import free_port, make_config, wait_until
from tests.feeds_support import post, rss
from tests.websub_support import recording_subscriber


def hub_links(hub: str, self_url: str) -> str:
    """The channel's WebSub discovery links."""
    return f'<atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{self_url}"/>'


class Hub:
    """A WebSub hub: takes subscriptions, verifies the callback, delivers signed content."""

    def __init__(self, *, lease: int = 3600, status: int = 202) -> None:
        self.lease = lease
        self.status = status
        self.requests: list[dict[str, str]] = []
        self.verified: list[dict[str, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.requests.append({k: str(v) for k, v in form.items()})
        if self.status >= 300:
            return web.Response(status=self.status, text="hub is down")
        asyncio.get_running_loop().create_task(self._verify(self.requests[-1]))
        return web.Response(status=self.status)

    async def _verify(self, sub: dict[str, str]) -> None:
        challenge = secrets.token_hex(8)
        params = {
            "hub.mode": "subscribe",
            "hub.topic": sub["hub.topic"],
            "hub.challenge": challenge,
            "hub.lease_seconds": str(self.lease),
        }
        async with (
            aiohttp.ClientSession() as http,
            http.get(sub["hub.callback"], params=params) as resp,
        ):
            if resp.status == 200 and await resp.text() == challenge:
                self.verified.append(sub)

    async def push(
        self, data: bytes, *, sign: str = "sha256", secret: str | None = None, charset: str = ""
    ) -> int:
        """POST `data` to the verified callback as the hub would; `charset` only labels it."""
        sub = self.verified[-1]
        headers = {
            "Content-Type": "application/rss+xml" + (f"; charset={charset}" if charset else "")
        }
        if sign:
            key = (secret or sub["hub.secret"]).encode()
            digest = hmac.new(key, data, getattr(hashlib, sign)).hexdigest()
            headers["X-Hub-Signature"] = f"{sign}={digest}"
        async with (
            aiohttp.ClientSession() as http,
            http.post(sub["hub.callback"], data=data, headers=headers) as resp,
        ):
            return resp.status


async def start_feedhub(tmp_path, upstream, aiohttp_client, hub: Hub, interval: str = "1h") -> Any:
    upstream.routes["/hub"] = hub.handle
    upstream.set(
        "/feed.xml",
        rss(post("First"), channel=hub_links(upstream.url("/hub"), upstream.url("/feed.xml"))),
    )
    port = free_port()
    cfg = make_config(
        tmp_path,
        {
            "server": {"public_url": f"http://127.0.0.1:{port}"},
            "fetch": {"interval": interval},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    app = create_app(cfg, poll=True)
    return await aiohttp_client(app, server_kwargs={"port": port})


async def widget(client: Any) -> str:
    resp = await client.get("/w/side.html")
    return await resp.text()


async def test_subscribes_verifies_and_serves_signed_pushes_within_a_second(
    tmp_path, upstream, aiohttp_client
):
    hub = Hub()
    client = await start_feedhub(tmp_path, upstream, aiohttp_client, hub)
    await wait_until(lambda: hub.verified, timeout=10)
    sub = hub.verified[0]
    assert sub["hub.topic"] == upstream.url("/feed.xml")
    assert sub["hub.callback"].endswith("/websub/blog") and len(sub["hub.secret"]) >= 32
    svc = client.app[SERVICE]
    await wait_until(lambda: svc.polling.interval("blog") >= SAFETY_INTERVAL, timeout=5)
    assert "First" in await widget(client)

    assert await hub.push(rss(post("Forged")), secret="not-the-secret") == 202
    assert await hub.push(rss(post("Unsigned")), sign="") == 202
    assert "Forged" not in await widget(client) and "Unsigned" not in await widget(client)

    pushed = time.monotonic()
    assert await hub.push(rss(post("Pushed"))) == 202
    await wait_until(lambda: _shows(client, "Pushed"), timeout=1.0 - (time.monotonic() - pushed))
    assert await hub.push(rss(post("Old hubs sign with sha1")), sign="sha1") == 202
    assert "Old hubs sign with sha1" in await widget(client)
    # The hub passes on the topic's Content-Type: its charset reads the pushed content.
    body = rss(post("記事投稿のお知らせ"), decl='<?xml version="1.0"?>').decode()
    assert await hub.push(body.encode("shift_jis"), charset="Shift_JIS") == 202
    assert "記事投稿のお知らせ" in await widget(client)
    # The pushed content was stored as it came: the upstream feed was not fetched again.
    assert len(upstream.requests_to("/feed.xml")) == 1


async def test_renews_before_the_lease_ends(tmp_path, upstream, aiohttp_client, monkeypatch):
    monkeypatch.setattr(websub, "MIN_LEASE", 2.0)  # a real floor would make this test wait
    hub = Hub(lease=2)
    await start_feedhub(tmp_path, upstream, aiohttp_client, hub)
    await wait_until(lambda: len(hub.verified) >= 2, timeout=6)
    assert hub.verified[0]["hub.secret"] == hub.verified[1]["hub.secret"]


async def test_a_failing_hub_means_normal_polling(tmp_path, upstream, aiohttp_client):
    hub = Hub(status=500)
    client = await start_feedhub(tmp_path, upstream, aiohttp_client, hub, interval="2s")
    svc = client.app[SERVICE]
    await wait_until(lambda: hub.requests, timeout=10)
    await wait_until(lambda: svc.states["blog"].meta.get("websub", {}).get("status") == "failed")
    assert svc.polling.interval("blog") == 2.0
    upstream.set(
        "/feed.xml",
        rss(post("Polled"), channel=hub_links(upstream.url("/hub"), upstream.url("/feed.xml"))),
    )
    await wait_until(lambda: _shows(client, "Polled"), timeout=5)


async def test_verification_of_an_unknown_subscription_is_refused(
    tmp_path, upstream, aiohttp_client
):
    client = await start_feedhub(tmp_path, upstream, aiohttp_client, Hub(status=500))
    resp = await client.get(
        "/websub/blog",
        params={
            "hub.mode": "subscribe",
            "hub.topic": "https://evil.example/feed",
            "hub.challenge": "abc",
        },
    )
    assert resp.status == 404
    assert (await client.get("/websub/nope?hub.challenge=x")).status == 404
    assert (await client.post("/websub/nope", data=b"x")).status == 404


async def test_forged_verifications_change_no_subscription(tmp_path, upstream, aiohttp_client):
    """Anyone can GET the callback: a `denied` or a `subscribe` with an endless lease for a
    subscription feedhub is not waiting on is refused and changes nothing."""
    hub = Hub()
    client = await start_feedhub(tmp_path, upstream, aiohttp_client, hub)
    svc = client.app[SERVICE]
    await wait_until(lambda: hub.verified, timeout=10)
    await wait_until(lambda: svc.states["blog"].meta["websub"]["status"] == "active")
    before = dict(svc.states["blog"].meta["websub"])
    topic = upstream.url("/feed.xml")
    for params in (
        {"hub.mode": "denied", "hub.topic": topic, "hub.reason": "forged"},
        {
            "hub.mode": "subscribe",
            "hub.topic": topic,
            "hub.challenge": "x",
            "hub.lease_seconds": "9" * 400,
        },
        {"hub.mode": "unsubscribe", "hub.topic": topic, "hub.challenge": "y"},
    ):
        resp = await client.get("/websub/blog", params=params)
        assert resp.status == 404, params
    after = svc.states["blog"].meta["websub"]
    assert after["status"] == "active" and after["expires"] == before["expires"]
    assert len(hub.requests) == 1  # and feedhub did not ask the hub again


async def _shows(client: Any, text: str) -> bool:
    return text in await widget(client)


def test_hub_discovery_prefers_link_headers_then_feed_links():
    link = '<https://hub.example/>; rel="hub", <https://example.org/feed>; rel=self'
    assert parse_link_header(link) == {
        "hub": ["https://hub.example/"],
        "self": ["https://example.org/feed"],
    }
    meta = {"hints": {"link": link}, "hubs": ["https://other/"], "self": "x"}
    assert discover(meta, "u") == ("https://hub.example/", "https://example.org/feed")
    assert discover({"hubs": ["https://h/"]}, "https://f/") == ("https://h/", "https://f/")
    assert discover({}, "https://f/") is None


def test_signatures_and_verification_decisions():
    body = b"<feed/>"
    good = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature_ok("s3cret", body, f"sha256={good}")
    assert not signature_ok("s3cret", body + b" ", f"sha256={good}")
    assert not signature_ok("s3cret", body, f"md5={good}")
    assert not signature_ok("", body, "sha256=")
    sub = {"topic": "t", "status": "pending", "secret": "s", "asking": True, "requested": 990.0}
    challenge, new = verify(
        sub,
        {
            "hub.mode": "subscribe",
            "hub.topic": "t",
            "hub.challenge": "c",
            "hub.lease_seconds": "1000",
        },
        1000.0,
    )
    assert challenge == "c" and new["status"] == "active" and new["expires"] == 2000.0
    assert not new["asking"]  # answered: a second verification is not awaited
    assert (
        verify(new, {"hub.mode": "subscribe", "hub.topic": "t", "hub.challenge": "c"}, 1001.0)[0]
        is None
    )
    assert (
        verify(sub, {"hub.mode": "subscribe", "hub.topic": "u", "hub.challenge": "c"}, 1000.0)[0]
        is None
    )
    _, denied = verify(sub, {"hub.mode": "denied", "hub.topic": "t"}, 1000.0)
    assert denied["status"] == "failed"
    # Leases within bounds: neither a storm of renewals nor a subscription trusted forever.
    for lease, granted in (
        ("0", MIN_LEASE),
        ("1", MIN_LEASE),
        ("9" * 400, LEASE_ASKED),
        ("999999999", MAX_LEASE),
        ("inf", LEASE_ASKED),
        ("²", LEASE_ASKED),
    ):
        _, got = verify(
            sub,
            {
                "hub.mode": "subscribe",
                "hub.topic": "t",
                "hub.challenge": "c",
                "hub.lease_seconds": lease,
            },
            1000.0,
        )
        assert got["granted"] == granted, lease
    assert sends_secret("https://hub.example/") and sends_secret("http://127.0.0.1:9/hub")
    assert not sends_secret("http://hub.example/") and not sends_secret("http://10.0.0.1/")
    new = {**new, "expires": 1100.0, "granted": 100.0}
    assert due_at(new, ("h", "t")) == 0.0  # hub changed from the record's (none): subscribe
    assert due_at({**sub, "hub": "h", "requested": 10.0}, ("h", "t")) == 10.0 + 300.0
    active = {**new, "hub": "h"}
    assert due_at(active, ("h", "t")) == 1100.0 - 20.0
    state = FetchState(meta={"websub": active})
    assert poll_interval(60, state, 1050) == SAFETY_INTERVAL
    assert poll_interval(60, state, 1200) == 60


async def test_a_change_sends_the_subscriber_to_that_source_only(tmp_path):
    # Checking every source on every change made a big first poll quadratic, and held the
    # event loop for a whole round each time.
    sources = {
        f"s{n}": {"type": "feed", "url": f"http://127.0.0.1:9/{n}.xml", "websub": True}
        for n in range(200)
    }
    sub, checked = recording_subscriber(tmp_path, sources)
    sub.start()
    try:
        await wait_until(lambda: len(checked) == 200)  # at start: every source once
        sub.poke("s3")
        sub.poke("s7")
        await wait_until(lambda: len(checked) == 202)
        await asyncio.sleep(0.3)
        assert sorted(checked[200:]) == ["s3", "s7"] and len(checked) == 202
    finally:
        await sub.stop()


async def test_a_plain_http_hub_gets_no_secret_and_its_pushes_only_prompt_a_poll(
    tmp_path, upstream, aiohttp_client, monkeypatch
):
    """The hub is `http://hub.test` (a name on the network, resolved here to the local
    upstream): the secret would cross the network in clear text, so none is sent, and a
    push, which could be anyone's, stores nothing; it only makes feedhub poll the feed."""

    class Resolver(fetcher.PublicOnlyResolver):
        async def resolve(self, host, port=0, family=socket.AF_INET):
            if host.endswith(".test"):
                return [
                    {
                        "hostname": host,
                        "host": "127.0.0.1",
                        "port": port,
                        "family": socket.AF_INET,
                        "proto": 0,
                        "flags": 0,
                    }
                ]
            return await super().resolve(host, port, family)

    monkeypatch.setattr(fetcher, "PublicOnlyResolver", Resolver)
    monkeypatch.setattr(push, "PING_GAP", 0.0)  # else the ping's poll waits a minute
    hub = Hub()
    upstream.routes["/hub"] = hub.handle
    port, up = free_port(), upstream.server.port
    feed_url, hub_url = f"http://feeds.test:{up}/feed.xml", f"http://hub.test:{up}/hub"
    upstream.set("/feed.xml", rss(post("First"), channel=hub_links(hub_url, feed_url)))
    cfg = make_config(
        tmp_path,
        {
            "server": {"public_url": f"http://127.0.0.1:{port}"},
            "fetch": {"allow_private_addresses": False},
            "sources": {"blog": {"type": "feed", "url": feed_url}},
            "widgets": {"side": {"sources": ["blog"]}},
        },
    )
    client = await aiohttp_client(create_app(cfg, poll=True), server_kwargs={"port": port})
    await wait_until(lambda: hub.verified, timeout=10)
    assert "hub.secret" not in hub.requests[0] and hub.requests[0]["hub.mode"] == "subscribe"
    polls = len(upstream.requests_to("/feed.xml"))
    upstream.set(
        "/feed.xml", rss(post("Polled after the ping"), channel=hub_links(hub_url, feed_url))
    )
    assert await hub.push(rss(post("Pushed by anyone")), sign="") == 202
    await wait_until(lambda: _shows(client, "Polled after the ping"), timeout=10)
    assert "Pushed by anyone" not in await widget(client)
    assert len(upstream.requests_to("/feed.xml")) == polls + 1


async def test_each_source_is_checked_again_when_its_own_time_comes(tmp_path):
    # Due times wait in a heap: a source due soon is checked at its time, alone; a poke
    # moves a source's time, and its earlier time then checks nothing.
    sources = {
        f"s{n}": {"type": "feed", "url": f"http://127.0.0.1:9/{n}.xml", "websub": True}
        for n in range(50)
    }
    sub, checked = recording_subscriber(tmp_path, sources)
    soon = {"s1": 0.3, "s2": 0.6}  # looked at again after these seconds, once
    again = sub.check

    async def check(sid: str) -> float:
        later = await again(sid)
        return time.time() + soon.pop(sid) if sid in soon else later

    sub.check = check  # type: ignore[method-assign]
    sub.start()
    try:
        await wait_until(lambda: len(checked) == 50)
        await wait_until(lambda: len(checked) == 51)
        assert checked[50] == "s1"
        sub.poke("s2")  # before its time: checked now, and not again when it would have been
        await wait_until(lambda: len(checked) == 52)
        await asyncio.sleep(0.8)
        assert checked[50:] == ["s1", "s2"]
    finally:
        await sub.stop()
