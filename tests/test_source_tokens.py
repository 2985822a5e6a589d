"""Renewed tokens through `feedhub serve`: renewed when old, used at the next poll and after a
`kill -9`, never shown; an expired token on /admin; rate-limit headers lengthening the wait."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

from tests.conftest import ROOT, free_port, make_config, wait_until, write_config
from tests.new_sources import FB_TOKEN, IG_TOKEN, PAGE_ID, serve_facebook, serve_instagram

MEDIA = "/v22.0/me/media"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read().decode()


async def test_renewed_token_used_after_kill_9_and_shown_nowhere(
    tmp_path, upstream, daemon, monkeypatch
):
    graph = serve_instagram(upstream)  # the configured token is 59 days old
    monkeypatch.setenv("IG_TOKEN", IG_TOKEN)
    port, db = free_port(), tmp_path / "var" / "feedhub.sqlite3"
    path = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(db)},
            "fetch": {"allow_private_addresses": True, "interval": "2s"},
            "sources": {
                "insta": {
                    "type": "instagram",
                    "token": "${IG_TOKEN}",
                    "base_url": upstream.base_url,
                }
            },
            "widgets": {"wall": {"sources": ["insta"]}},
        },
    )
    first = daemon(path, port)
    await wait_until(lambda: graph.renewed_to, timeout=30)
    (new,) = graph.renewed_to
    # The renewing poll read its pages with the new token, and so does the next poll.
    await wait_until(lambda: graph.tokens_seen(MEDIA).count(new) >= 3, timeout=30)
    assert IG_TOKEN not in graph.tokens_seen(MEDIA)
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()

    con = sqlite3.connect(db)
    (state,) = con.execute("SELECT data FROM state WHERE source='insta'").fetchone()
    con.close()
    record = json.loads(state)["meta"]["token"]
    assert record["value"] == new and record["expires"] > time.time() + 59 * 86400

    seen = len(graph.tokens_seen(MEDIA))
    second = daemon(path, port)
    await wait_until(lambda: len(graph.tokens_seen(MEDIA)) > seen, timeout=30)
    assert set(graph.tokens_seen(MEDIA)[seen:]) == {new}, "after the restart: the new token"
    assert graph.renewed_to == [new], "not renewed again"

    admin = await asyncio.to_thread(fetch, f"{second.url}/admin")
    metrics = await asyncio.to_thread(fetch, f"{second.url}/metrics")
    assert "token expires" in admin and record["expires"] > 0
    once = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "feedhub", "fetch", "insta", "-c", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert once.returncode == 0, once.stderr
    second.proc.send_signal(signal.SIGTERM)
    second.proc.wait()
    shown = {
        "log of the first run": first.output(),
        "log of the second run": second.output(),
        "/admin": admin,
        "/metrics": metrics,
        "feedhub fetch": once.stdout + once.stderr,
    }
    assert "Instagram token renewed" in shown["log of the first run"]
    for where, text in shown.items():
        for token in (IG_TOKEN, new, *graph.renewed_to):
            assert token not in text, f"a token in {where}"


async def test_expired_token_on_admin_items_kept_and_backoff(tmp_path, upstream, feedhub_service):
    graph = serve_instagram(upstream)
    running = await feedhub_service(
        make_config(
            tmp_path,
            {
                "fetch": {"interval": "1m"},
                "sources": {
                    "insta": {"type": "instagram", "token": IG_TOKEN, "base_url": upstream.base_url}
                },
                "widgets": {"wall": {"sources": ["insta"]}},
            },
        )
    )
    svc = running.service
    await svc.polling.poll("insta")
    assert svc.states["insta"].item_count == 3
    for token in list(graph.issued):  # the platform now refuses every token it issued
        graph.issued[token] = time.time() - 61 * 86400
    before = time.time()
    requests = len(upstream.seen)
    await svc.polling.poll("insta")
    state = svc.states["insta"]
    assert state.errors == 1 and state.health == "degraded"
    assert state.last_error.startswith(
        "instagram token expired on Tuesday, 01-Dec-26 09:00:00 PST: create a new one at "
        "https://developers.facebook.com/apps"
    )
    await svc.polling.poll("insta")
    assert svc.states["insta"].errors == 2
    assert svc.states["insta"].next_check >= before + 2 * 60 * 0.9, "backoff as for any failure"
    assert len(upstream.seen) - requests == 2, "one request per failing poll, no renewal storm"

    _, admin, _ = await running.get("/admin")
    assert "instagram token expired on Tuesday, 01-Dec-26 09:00:00 PST" in admin
    assert "token expires" in admin
    status, body, _ = await running.get("/w/wall.html")
    assert status == 200 and "https://www.instagram.com/p/DCxCarousel1/" in body
    for token in graph.issued:
        assert token not in admin and token not in state.last_error


async def test_retry_after_and_app_usage_only_lengthen_the_wait(
    tmp_path, upstream, feedhub_service
):
    upstream.set(
        "/api/v1/video-channels/ligne4@tube.example/videos",
        "Too many requests, please try again later.",
        "text/plain",
        status=429,
        headers={"Retry-After": "120"},
    )
    graph = serve_facebook(upstream)
    graph.usage = {"X-App-Usage": '{"call_count":95,"total_cputime":31,"total_time":40}'}
    running = await feedhub_service(
        make_config(
            tmp_path,
            {
                "fetch": {"interval": "30s"},
                "sources": {
                    "tube": {
                        "type": "peertube",
                        "channel": "ligne4@tube.example",
                        "base_url": upstream.base_url,
                    },
                    "page": {
                        "type": "facebook",
                        "page_id": PAGE_ID,
                        "token": FB_TOKEN,
                        "base_url": upstream.base_url,
                    },
                },
                "widgets": {"wall": {"sources": ["tube", "page"]}},
            },
        )
    )
    svc = running.service
    before = time.time()
    await running.poll_all()
    tube, page = svc.states["tube"], svc.states["page"]
    assert tube.errors == 1 and tube.last_error.startswith("rate limited by tube.example")
    assert before + 120 * 0.9 <= tube.next_check <= time.time() + 120 * 1.1
    # At 95 % of the app's hourly quota the next poll waits 45 minutes, though this one worked.
    assert page.errors == 0 and page.item_count == 3
    assert before + 2700 * 0.9 <= page.next_check <= time.time() + 2700 * 1.1
    graph.usage = {"X-App-Usage": '{"call_count":20,"total_cputime":5,"total_time":8}'}
    before = time.time()
    await svc.polling.poll("page")
    assert svc.states["page"].next_check <= time.time() + 30 * 1.1, "low usage: the interval"
