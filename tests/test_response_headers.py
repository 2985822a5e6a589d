"""Headers every answer carries: nosniff on all of them, a CSP on the HTML ones, and the
encoding a client refused never sent."""

from __future__ import annotations

import pytest

from tests.conftest import make_config
from tests.fault_upstream import good_feed


@pytest.fixture
async def running(tmp_path, upstream, feedhub_service):
    upstream.set("/feed", good_feed("post", 20), "application/rss+xml")
    run = await feedhub_service(
        make_config(
            tmp_path,
            {
                "server": {"public_url": "http://127.0.0.1:8080"},
                "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
                "widgets": {"side": {"sources": ["blog"], "limit": 5}},
            },
        )
    )
    await run.poll_all()
    return run


PATHS = [
    "/",
    "/w/side",
    "/w/side.html",
    "/w/side.js",
    "/w/side.json",
    "/w/side.atom",
    "/w/side.rss",
    "/w/side.html?limit=0",
    "/w/nope",
    "/nothing/here",
    "/healthz",
    "/readyz",
    "/metrics",
    "/admin",
    "/admin/login",
    "/oembed",
    "/oembed?url=http://127.0.0.1:8080/w/side",
    "/websub/blog",
    "/w/side.php",
]


async def test_every_answer_says_nosniff(running):
    for path in PATHS:
        resp = await running.client.get(path, allow_redirects=False)
        assert resp.headers.get("X-Content-Type-Options") == "nosniff", (path, resp.status)
    resp = await running.client.post("/healthz")
    assert resp.status == 405 and resp.headers.get("X-Content-Type-Options") == "nosniff"


async def test_the_fragment_opened_on_its_own_runs_no_script(running):
    status, _, headers = await running.get("/w/side.html")
    assert status == 200
    policy = headers["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert "style-src 'sha256-" in policy and "base-uri 'none'" in policy


@pytest.mark.parametrize(
    "header, expected",
    [
        ("br;q=0, gzip", "gzip"),
        ("br;q=0", ""),
        ("gzip;q=0, br;q=0.5", "br"),
        ("*;q=0", ""),
        ("*", "br"),
        ("gzip, *;q=0", "gzip"),
        ("br;q=0.000", ""),
        ("gzip;q=nonsense, identity", ""),
        ("BR", "br"),
    ],
)
async def test_a_refused_encoding_is_never_sent(running, header, expected):
    resp = await running.client.get(
        "/w/side.html", headers={"Accept-Encoding": header}, auto_decompress=False
    )
    assert resp.status == 200
    assert resp.headers.get("Content-Encoding", "") == expected, header
