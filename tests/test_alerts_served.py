"""Alerts through `feedhub serve`: a source failing and coming back, many failing at once,
token troubles, and `feedhub alerts test`, told to a local webhook receiver and a local
SMTP server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.alerts_support import (
    LOGIN,
    SECRET,
    Hook,
    Mailbox,
    alert_targets,
    hook,
    mailbox,
    self_signed,
    tls_relay,
)
from tests.conftest import ROOT, Upstream, free_port, wait_until, write_config
from tests.feeds_support import post, rss
from tests.meta_upstream import DAY, FakeGraph

__all__ = ["hook", "mailbox"]  # the fixtures, for this module's tests

MEDIA = "/v22.0/me/media"


def serve_config(tmp_path: Path, port: int, sources: dict, alerts: dict, widgets: dict) -> Path:
    return write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1s"},
            "sources": sources,
            "widgets": widgets,
            "alerts": alerts,
        },
    )


async def admin_page(url: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/admin") as resp:
        assert resp.status == 200
        return await resp.text()


async def test_a_failing_source_alerts_once_then_says_it_recovered(
    tmp_path, upstream: Upstream, hook: Hook, mailbox: Mailbox, daemon
):
    upstream.set("/feed", rss(post("Hello")))
    port = free_port()
    config = serve_config(
        tmp_path,
        port,
        {"blog": {"type": "feed", "url": upstream.url("/feed")}},
        alert_targets(hook, mailbox, failing_polls=3),
        {"side": {"sources": ["blog"]}},
    )
    d = daemon(config, port)
    await wait_until(lambda: upstream.requests_to("/feed"), timeout=20)
    upstream.set("/feed", "upstream is down", content_type="text/plain", status=503)
    await wait_until(lambda: hook.keys(), timeout=30)
    assert hook.keys() == ["source-failing:blog"]
    failed_polls = len(upstream.requests_to("/feed")) - 1
    assert failed_polls >= 3
    # Still failing: the next failed poll sends nothing more.
    await wait_until(lambda: len(upstream.requests_to("/feed")) > failed_polls + 1, timeout=30)
    upstream.set("/feed", rss(post("Hello"), post("Back")))
    await wait_until(lambda: len(hook.keys()) > 1, timeout=60)
    await wait_until(lambda: len(mailbox.messages) >= 2, timeout=20)
    assert hook.keys() == ["source-failing:blog", "source-recovered:blog"]
    assert hook.bad_signatures == 0
    assert "HTTP 503" in hook.bodies[0]["text"]
    assert mailbox.subjects() == [
        "feedhub: source blog is failing",
        "feedhub: source blog recovered",
    ]
    assert "failed 3 polls in a row" in mailbox.bodies()[0]
    assert mailbox.messages[0]["To"] == "owner@example.org"

    async def both_logged() -> str | None:
        # A message is logged once every target has answered: after the mail has arrived.
        page = await admin_page(d.url)
        return page if page.count('class="alert-row"') >= 2 else None

    page = await wait_until(both_logged, timeout=10)
    assert page.count('class="alert-row"') == 2
    assert "source blog recovered" in page and "ops: sent" in page and "owner: sent" in page
    assert SECRET not in page and "T0SECRETPATH" not in d.output()


async def test_fifty_sources_failing_at_once_make_one_digest(
    tmp_path, upstream: Upstream, hook: Hook, mailbox: Mailbox, daemon
):
    upstream.set("/down", "no", content_type="text/plain", status=500)
    sources = {f"s{n:02d}": {"type": "feed", "url": upstream.url("/down")} for n in range(50)}
    port = free_port()
    config = serve_config(
        tmp_path,
        port,
        sources,
        alert_targets(hook, mailbox, failing_polls=1, digest_after="3s"),
        {},
    )
    daemon(config, port)
    await wait_until(lambda: hook.bodies, timeout=60)
    # Every source fails again (twice) after the digest: still one message.
    await wait_until(lambda: len(upstream.requests_to("/down")) >= 150, timeout=60)
    await wait_until(lambda: mailbox.messages, timeout=20)
    await asyncio.sleep(4)  # one more digest window: room for a second message to appear
    assert len(hook.bodies) == 1
    assert sorted(hook.keys()) == [f"source-failing:s{n:02d}" for n in range(50)]
    assert hook.bodies[0]["title"] == "feedhub: 50 alerts"
    assert mailbox.subjects() == ["feedhub: 50 alerts"]
    assert mailbox.bodies()[0].count("- source s") == 50


async def test_a_token_six_days_from_expiry_alerts(
    tmp_path, upstream: Upstream, hook: Hook, mailbox: Mailbox, daemon, monkeypatch
):
    graph = FakeGraph(upstream, grant="ig_refresh_token", lifetime=6 * DAY)
    graph.edge(MEDIA, ["instagram/media.json", "instagram/media_page2.json"])
    graph.issue("IGAA-short-lived-left", age_days=50)
    monkeypatch.setenv("IG_TOKEN", "IGAA-short-lived-left")
    port = free_port()
    config = serve_config(
        tmp_path,
        port,
        {"ig": {"type": "instagram", "token": "${IG_TOKEN}", "base_url": upstream.base_url}},
        alert_targets(hook, mailbox),
        {"side": {"sources": ["ig"]}},
    )
    d = daemon(config, port)
    await wait_until(lambda: hook.keys(), timeout=30)
    assert hook.keys() == ["token-expiring:ig"]
    assert "expires on" in hook.bodies[0]["text"] and "in 6.0 days" in hook.bodies[0]["text"]
    await wait_until(lambda: mailbox.messages, timeout=20)
    assert mailbox.subjects()[0].startswith("feedhub: the ig token expires on ")
    for token in [*graph.renewed_to, "IGAA-short-lived-left"]:
        assert token not in d.output() and token not in hook.bodies[0]["text"]


async def test_a_renewal_answered_with_code_190_alerts(
    tmp_path, upstream: Upstream, hook: Hook, mailbox: Mailbox, daemon, monkeypatch
):
    graph = FakeGraph(upstream, grant="ig_refresh_token")
    graph.edge(MEDIA, ["instagram/media.json"])
    monkeypatch.setenv("IG_TOKEN", "IGAA-revoked-after-password-change")  # never issued
    port = free_port()
    config = serve_config(
        tmp_path,
        port,
        {"ig": {"type": "instagram", "token": "${IG_TOKEN}", "base_url": upstream.base_url}},
        alert_targets(hook, mailbox, failing_polls=50),
        {},
    )
    d = daemon(config, port)
    await wait_until(lambda: hook.keys(), timeout=30)
    assert hook.keys() == ["token-revoked:ig"]
    assert upstream.requests_to("/refresh_access_token")
    assert "(code 190)" in hook.bodies[0]["text"]
    assert "IGAA-revoked-after-password-change" not in hook.bodies[0]["text"]
    assert "IGAA-revoked-after-password-change" not in d.output()


def alerts_test(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feedhub", "alerts", "test", "-c", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_alerts_test_reaches_both_targets_and_says_when_one_does_not(
    tmp_path, hook: Hook, mailbox: Mailbox
):
    config = serve_config(tmp_path, free_port(), {}, alert_targets(hook, mailbox), {})
    done = await asyncio.to_thread(alerts_test, config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == ["ops: ok", "owner: ok"]
    assert [b["events"][0]["key"] for b in hook.bodies] == ["test"]
    assert mailbox.subjects() == ["feedhub: test message"]

    hook.status = 500
    failed = await asyncio.to_thread(alerts_test, config)
    assert failed.returncode == 1
    assert "ops: http://127.0.0.1:" in failed.stdout and "answered HTTP 500" in failed.stdout
    assert "T0SECRETPATH" not in failed.stdout + failed.stderr
    assert "owner: ok" in failed.stdout


async def test_alerts_test_over_starttls_and_tls_with_the_login_from_the_environment(
    tmp_path, hook: Hook, monkeypatch
):
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("RELAY_USER", LOGIN[0])
    monkeypatch.setenv("RELAY_PASSWORD", LOGIN[1])
    for security in ("starttls", "tls"):
        box = Mailbox()
        box.port = free_port()
        relay = tls_relay(box, cert, key, implicit=security == "tls")
        try:
            alerts = alert_targets(hook, box)
            alerts["targets"]["owner"].update(
                security=security,
                ca_file=cert.name,  # relative to the config file
                username_env="RELAY_USER",
                password_env="RELAY_PASSWORD",
            )
            config = serve_config(tmp_path, free_port(), {}, alerts, {})
            done = await asyncio.to_thread(alerts_test, config)
            assert done.returncode == 0, done.stdout + done.stderr
            assert box.subjects() == ["feedhub: test message"]

            monkeypatch.setenv("RELAY_PASSWORD", "wrong")
            refused = await asyncio.to_thread(alerts_test, config)
            assert refused.returncode == 1 and "owner: smtp 127.0.0.1:" in refused.stdout
            assert "wrong" not in refused.stdout and LOGIN[0] not in refused.stdout
            monkeypatch.setenv("RELAY_PASSWORD", LOGIN[1])
        finally:
            relay.stop()
