"""Hostile requests: every parameter validated, oversized requests refused, no stack trace."""

from __future__ import annotations

import asyncio

import pytest

from feedhub.web.limits import MAX_HEADERS, MAX_LINE, MAX_PARAMS, MAX_QUERY, refusal
from tests.conftest import make_config
from tests.fault_upstream import good_feed

BAD_PARAMS = [
    "limit=0",
    "limit=-1",
    "limit=abc",
    "limit=1.5",
    "limit=",
    "limit=6",
    "limit=99999999999999999999999",
    "limit=%00",
    "limit=1%0d%0aX-Injected:%201",
    "limit=%C2%B2",
    "limit=%D9%A3",
    "limit=%EF%BC%93",  # superscript two, Arabic and fullwidth 3
    "locale=../../etc/passwd",
    "locale=%3Cscript%3E",
    "locale=zz",
    "locale=" + "a" * 40,
    "locale=en%00",
    "theme=../../../etc/passwd",
    "theme=_base",
    "theme=..%2f..%2fconfig",
    "theme=sidebar%00",
    "theme=%2Fetc",
    "theme=SIDEBAR",
    "theme=" + "x" * 300,
]
NOT_FOUND = [
    "/w/nope",
    "/w/side.php",
    "/w/side.html.bak",
    "/w/..%2f..%2fconfig.yaml",
    "/w/side.",
    "/w/" + "a" * 2000,
    "/static/../config.yaml",
]


def clean(body: str) -> bool:
    """A short plain message: nothing of the code, the paths or the config leaks."""
    return len(body) < 400 and not any(
        leak in body for leak in ("Traceback", 'File "', "feedhub/", ".py", "sqlite")
    )


@pytest.fixture
async def running(tmp_path, upstream, feedhub_service):
    upstream.set("/feed", good_feed("post"), "application/rss+xml")
    run = await feedhub_service(
        make_config(
            tmp_path,
            {
                "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
                "widgets": {"side": {"sources": ["blog"], "limit": 5, "locales": ["fr"]}},
            },
        )
    )
    await run.poll_all()
    return run


@pytest.mark.parametrize("query", BAD_PARAMS)
async def test_bad_widget_parameters_are_400s(running, query):
    for fmt in ("", ".html", ".json"):
        status, body, headers = await running.get(f"/w/side{fmt}?{query}")
        assert status == 400, (fmt, query, status)
        assert headers["Content-Type"].startswith("text/plain") and clean(body), body


async def test_valid_parameters_and_unknown_paths(running):
    warmed = set(running.service.widgets.renders.keys_for("side"))  # the page and the fragment
    assert (await running.get("/w/side?theme=sidebar&limit=1&locale=fr"))[0] == 200
    # Unknown parameters are ignored (cache busters), and never reach the cache key.
    assert (await running.get("/w/side.html?utm_source=x&_=123"))[0] == 200
    added = set(running.service.widgets.renders.keys_for("side")) - warmed
    assert [(k.fmt, k.limit, k.locale) for k in added] == [("page", 1, "fr")]
    for path in NOT_FOUND:
        status, body, _ = await running.get(path)
        assert status == 404, (path, status)
        assert clean(body), body


async def test_oversized_queries_and_headers_are_refused(running):
    status, body, _ = await running.get("/w/side?pad=" + "x" * (MAX_QUERY + 10))
    assert status == 414 and clean(body)
    many = "&".join(f"p{i}=1" for i in range(MAX_PARAMS + 1))
    status, body, _ = await running.get(f"/w/side?{many}")
    assert status == 400 and clean(body)
    # The head's limits are the HTTP parser's, before any route: every route alike.
    many_headers = {f"X-Pad-{i}": "y" for i in range(MAX_HEADERS + 1)}
    long_header = {"X-Pad": "y" * (MAX_LINE + 1)}
    for path in ("/w/side", "/healthz"):
        for headers in (many_headers, long_header):
            status, body, _ = await running.get(path, headers=headers)
            assert status == 400 and clean(body), (path, status)
    status, _, _ = await running.get(
        "/w/side", headers={f"X-Pad-{i}": "y" * 100 for i in range(MAX_HEADERS - 8)}
    )
    assert status == 200  # below the limits

    login = await running.client.post("/admin/login", data={"token": "x" * (2 << 20)})
    assert login.status == 413


async def test_malformed_http_gets_a_short_400(running):
    server = running.client.server
    raw_requests = [
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\n"
        + b"".join(b"X-H%d: 1\r\n" % i for i in range(200))
        + b"\r\n",
        b"BR@KEN / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /admin/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /w/side HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    ]
    for raw in raw_requests:
        reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(raw)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(4096), 5)
        writer.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.") and b" 400 " in head.split(b"\r\n")[0], raw[:40]
        assert b"Traceback" not in body and len(body) < 600


async def test_a_failing_handler_answers_500_without_a_trace(running, monkeypatch):
    async def broken(key):
        raise RuntimeError("secret internals at /srv/feedhub/var/feedhub.sqlite3")

    running.service.widgets.renders.clear()  # what was rendered before serving
    monkeypatch.setattr(running.service.widgets, "rendered", broken)
    status, body, headers = await running.get("/w/side")
    assert status == 500 and body == "internal error" and clean(body)
    assert headers["Content-Type"].startswith("text/plain")
    _, metrics, _ = await running.get("/metrics")
    assert 'feedhub_http_requests_total{route="/w/{widget}",method="GET",status="500"} 1' in metrics


def test_refusal_is_a_pure_decision():
    assert refusal("a=1", 1) is None
    assert refusal("x" * (MAX_QUERY + 1), 1).status == 414
    assert refusal("a=1", MAX_PARAMS + 1).status == 400
