"""The admin view and /metrics through HTTP: access rules, what they show, the refresh button."""

from __future__ import annotations

import os
import re
import time

import pytest

from feedhub.metrics import fetch_outcome
from feedhub.models import FetchState
from feedhub.web.access import Sessions, access, admin_policy, client_address, host_allowed
from feedhub.web.admin_view import history_chart
from tests.admin_support import csrf_of
from tests.conftest import ROOT, make_config, wait_until
from tests.fault_upstream import good_feed, status

HTML = {"Accept": "text/html"}


def two_sources(upstream, token: str = "") -> dict:
    return {
        "admin": {"token": token},
        "sources": {
            "good": {"type": "feed", "url": upstream.url("/good")},
            "bad": {"type": "feed", "url": upstream.url("/bad")},
        },
        "widgets": {
            "side": {"sources": ["good"], "limit": 5},
            "broken": {"sources": ["bad"]},
        },
    }


async def test_loopback_without_token_sees_every_source_and_widget(
    tmp_path, upstream, feedhub_service
):
    upstream.set("/good", good_feed("Good"), "application/rss+xml")
    upstream.routes["/bad"] = status(500)
    running = await feedhub_service(make_config(tmp_path, two_sources(upstream)))
    await running.poll_all()

    code, page, headers = await running.get("/admin")
    assert code == 200
    assert "no-store" in headers["Cache-Control"]
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none'
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    good = page[
        page.index('id="source-good"') : page.index("</tr>", page.index('id="source-good"'))
    ]
    bad = page[page.index('id="source-bad"') : page.index("</tr>", page.index('id="source-bad"'))]
    assert 'data-state="ok"' in good and ">3<" in good and "ago" in good
    assert "<svg" in good and 'class="ok"' in good
    assert 'data-state="failing"' in bad and "HTTP 500 Internal Server Error" in bad
    assert 'class="err"' in bad and "next check" not in bad and "in " in bad
    side = page[
        page.index('id="widget-side"') : page.index("</tr>", page.index('id="widget-side"'))
    ]
    assert ">3<" in side and " old" in side
    assert "no items" in page[page.index('id="widget-broken"') :]
    _, login, _ = await running.get("/admin/login")
    assert "No <code>admin.token</code> is set" in login


async def test_degraded_when_erring_with_items_and_refresh_polls(
    tmp_path, upstream, feedhub_service
):
    upstream.set("/good", good_feed("Good"), "application/rss+xml")
    upstream.set("/bad", good_feed("Bad"), "application/rss+xml")
    running = await feedhub_service(make_config(tmp_path, two_sources(upstream)))
    await running.poll_all()
    upstream.routes["/bad"] = status(503, {"Retry-After": "600"})

    _, page, _ = await running.get("/admin")
    before = len(upstream.requests_to("/bad"))
    resp = await running.client.post(
        "/admin/sources/bad/refresh", data={"csrf": csrf_of(page)}, allow_redirects=False
    )
    assert resp.status == 303 and resp.headers["Location"] == "/admin?refreshed=bad"
    assert len(upstream.requests_to("/bad")) == before + 1

    _, page, _ = await running.get("/admin?refreshed=bad")
    assert "Refresh of <strong>bad</strong> requested" in page
    assert 'data-state="degraded"' in page and "HTTP 503" in page

    # A form post without the page's token is refused: another site cannot press the button.
    forged = await running.client.post("/admin/sources/bad/refresh", data={"csrf": "0" * 64})
    assert forged.status == 403
    assert len(upstream.requests_to("/bad")) == before + 1
    unknown = await running.client.post(
        "/admin/sources/..%2Fetc/refresh", data={"csrf": csrf_of(page)}
    )
    assert unknown.status == 404


async def test_token_is_required_as_bearer_or_login_cookie(tmp_path, upstream, feedhub_service):
    upstream.set("/good", good_feed("Good"), "application/rss+xml")
    upstream.routes["/bad"] = status(404)
    running = await feedhub_service(make_config(tmp_path, two_sources(upstream, "s3cret-t0ken")))
    client = running.client

    for path in ("/admin", "/metrics"):
        resp = await client.get(path)
        assert resp.status == 401, path
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        assert "source" not in await resp.text()
        wrong = await client.get(path, headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401
    refused = await client.post("/admin/sources/good/refresh")
    assert refused.status == 401 and not upstream.requests_to("/good")

    browser = await client.get("/admin", headers=HTML, allow_redirects=False)
    assert browser.status == 303 and browser.headers["Location"] == "/admin/login"

    bearer = {"Authorization": "Bearer s3cret-t0ken"}
    assert (await client.get("/admin", headers=bearer)).status == 200
    assert (await client.get("/metrics", headers=bearer)).status == 200
    api = await client.post("/admin/sources/good/refresh", headers=bearer, allow_redirects=False)
    assert api.status == 303 and len(upstream.requests_to("/good")) == 1

    form = await client.get("/admin/login")
    assert form.status == 200 and 'name="token"' in await form.text()
    assert "No <code>admin.token</code> is set" not in await form.text()
    bad_login = await client.post("/admin/login", data={"token": "guess"})
    assert bad_login.status == 401 and "not the admin token" in await bad_login.text()
    assert "feedhub_admin" not in client.session.cookie_jar.filter_cookies(client.make_url("/"))

    login = await client.post("/admin/login", data={"token": "s3cret-t0ken"}, allow_redirects=False)
    assert login.status == 303
    cookie = login.cookies["feedhub_admin"]
    assert len(cookie.value) >= 32 and "s3cret" not in cookie.value
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    page = await client.get("/admin")
    assert page.status == 200 and 'id="source-good"' in await page.text()


async def test_metrics_count_fetches_requests_and_cache(tmp_path, upstream, feedhub_service):
    upstream.set("/good", good_feed("Good"), "application/rss+xml")
    upstream.routes["/bad"] = status(502)
    running = await feedhub_service(make_config(tmp_path, two_sources(upstream)))
    await running.poll_all()
    await running.poll_all()
    # Both widgets' page and fragment were rendered before serving (4), then side's two again
    # when the poll changed its items, ahead of any request: no request below renders.
    assert running.service.widgets.renders.misses == 6
    for _ in range(3):
        _, _, widget_headers = await running.get("/w/side")
    assert (await running.get("/w/side", headers={"If-None-Match": widget_headers["ETag"]}))[
        0
    ] == 304
    await running.get("/w/nope")
    assert (await running.client.head("/w/side")).status == 200
    refused = await running.client.post("/w/side")
    assert refused.status == 405 and "GET" in refused.headers["Allow"]
    assert (await running.get("/no/such/page"))[0] == 404

    code, text, headers = await running.get("/metrics")
    assert code == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = set(text.splitlines())
    assert 'feedhub_fetches_total{source="good",outcome="new_items"} 1' in lines
    assert 'feedhub_fetches_total{source="good",outcome="unchanged"} 1' in lines
    assert 'feedhub_fetches_total{source="bad",outcome="http_5xx"} 2' in lines
    assert 'feedhub_fetch_duration_seconds_count{source="good"} 2' in lines
    assert 'feedhub_new_items_total{source="good"} 3' in lines
    assert 'feedhub_source_items{source="good"} 3' in lines
    assert 'feedhub_source_state{source="bad",state="failing"} 1' in lines
    assert "feedhub_render_cache_misses_total 6" in lines
    assert "feedhub_render_cache_hits_total 5" in lines  # the three 200s, the 304, the HEAD
    assert 'feedhub_http_requests_total{route="/w/{widget}",method="GET",status="200"} 3' in lines
    assert 'feedhub_http_requests_total{route="/w/{widget}",method="GET",status="304"} 1' in lines
    assert 'feedhub_http_requests_total{route="/w/{widget}",method="GET",status="404"} 1' in lines
    assert 'feedhub_http_requests_total{route="/w/{widget}",method="HEAD",status="200"} 1' in lines
    assert 'feedhub_http_requests_total{route="unmatched",method="POST",status="405"} 1' in lines
    assert 'feedhub_http_requests_total{route="unmatched",method="GET",status="404"} 1' in lines
    # Every sample line is `name{labels} number`: what a Prometheus scraper accepts.
    sample = re.compile(r'^[a-z_]+(\{([a-z_]+="[^"\\\n]*",?)+\})? [-+0-9.eInf]+$')
    for line in lines:
        assert line.startswith("# ") or sample.match(line), line


async def test_tokenless_mode_trusts_only_what_a_direct_client_sends(
    tmp_path, upstream, feedhub_service
):
    """Any header a direct client does not send (a proxy's, under any name) loses the
    loopback trust; a browser's, curl's and a Prometheus scraper's keep it."""
    upstream.set("/good", good_feed("Good"), "application/rss+xml")
    running = await feedhub_service(make_config(tmp_path, two_sources(upstream)))
    relayed = (
        "X-Original-Forwarded-For",
        "X-ProxyUser-Ip",
        "X-Forwarded-For",
        "Via",
        "X-Envoy-External-Address",
        "Some-Future-Client-Address",
    )
    for header in relayed:
        for path in ("/admin", "/metrics"):
            code, _, _ = await running.get(path, headers={header: "203.0.113.9"})
            assert code == 403, (header, path)
    browser = {
        "User-Agent": "Mozilla/5.0",
        "Accept": "text/html",
        "Accept-Language": "fr",
        "Sec-Fetch-Mode": "navigate",
        "Sec-CH-UA": '"Chromium";v="130"',
        "Upgrade-Insecure-Requests": "1",
        "DNT": "1",
    }
    assert (await running.get("/admin", headers=browser))[0] == 200
    scraper = {"X-Prometheus-Scrape-Timeout-Seconds": "10", "Accept": "text/plain"}
    assert (await running.get("/metrics", headers=scraper))[0] == 200
    none: dict[str, str] = {}
    assert access("", Sessions(), "127.0.0.1", {"x-proxyuser-ip": "1.2.3.4"}, none) == "remote"


def test_access_rules():
    none: dict[str, str] = {}
    sessions = Sessions()
    assert access("", sessions, "127.0.0.1", none, none) == "loopback"
    assert access("", sessions, "::1", none, none) == "loopback"
    assert access("", sessions, "192.0.2.7", none, none) == "remote"
    # A reverse proxy on the same machine connects from loopback: its header gives it away.
    for header in ("X-Forwarded-For", "CF-Connecting-IP", "True-Client-IP", "X-Client-IP"):
        assert access("", sessions, "127.0.0.1", {header: "203.0.113.9"}, none) == "remote"
    assert access("t", sessions, "127.0.0.1", none, none) == "login"
    assert access("t", sessions, "192.0.2.7", {"Authorization": "Bearer t"}, none) == "bearer"
    assert access("t", sessions, "192.0.2.7", {"Authorization": "Bearer u"}, none) == "guess"
    assert access("t", sessions, "192.0.2.7", {"Authorization": "Basic t"}, none) == "login"
    sid = sessions.start()
    assert access("t", sessions, "192.0.2.7", none, {"feedhub_admin": sid}) == "cookie"
    sessions.end(sid)
    assert access("t", sessions, "192.0.2.7", none, {"feedhub_admin": sid}) == "login"
    assert access("t", sessions, "192.0.2.7", none, {"feedhub_admin": "t"}) == "login"


def test_admin_policy_and_forwarded_clients():
    assert admin_policy("", "127.0.0.1", 8080, "", [], "X-Forwarded-For").mode == "loopback"
    for host, public, proxies in (
        ("0.0.0.0", "", []),
        ("127.0.0.1", "https://w.example", []),
        ("127.0.0.1", "", ["10.0.0.1"]),
    ):
        off = admin_policy("", host, 8080, public, proxies, "X-Forwarded-For")
        assert off.mode == "off" and "admin.token" in off.reason
    rules = admin_policy(
        "t", "0.0.0.0", 8080, "https://w.example", ["10.0.0.0/8"], "X-Forwarded-For"
    )
    assert host_allowed(rules, "w.example") and host_allowed(rules, "localhost:8080")
    assert not host_allowed(rules, "rebound.example")
    xff = {"X-Forwarded-For": "198.51.100.1, 203.0.113.5, 10.0.0.2"}
    assert client_address("10.0.0.3", xff, rules.trusted, "X-Forwarded-For") == "203.0.113.5"
    assert client_address("192.0.2.9", xff, rules.trusted, "X-Forwarded-For") == "192.0.2.9"
    fwd = {"Forwarded": 'for=203.0.113.8;proto=https, for="[2001:db8::1]"'}
    assert client_address("10.0.0.3", fwd, rules.trusted, "Forwarded") == "2001:db8::1"


def test_history_chart_escapes_and_scales():
    chart = history_chart(
        [
            {"t": 1.0, "ok": True, "ms": 100.0, "new": 2, "status": 200},
            {"t": 2.0, "ok": False, "ms": 50.0, "new": 0, "status": "<b>"},
        ]
    )
    assert chart.count("<rect") == 2 and chart.count("<circle") == 1
    assert "<b>" not in chart and "&lt;b&gt;" in chart
    assert "no fetches yet" in history_chart(FetchState().history)


def test_fetch_outcomes_are_a_closed_set():
    assert fetch_outcome("", True) == "new_items"
    assert fetch_outcome("", False) == "unchanged"
    assert fetch_outcome("timed out after 2s", False) == "timeout"
    assert fetch_outcome("HTTP 429 Too Many Requests from x", False, 429) == "http_4xx"
    assert fetch_outcome("rate limited until 12:00", False, 429) == "http_4xx"
    assert fetch_outcome("HTTP 503 from http://x/refused/cap", False, 503) == "http_5xx"
    assert fetch_outcome("refused: 10.0.0.1 is a private address", False) == "refused"
    assert (
        fetch_outcome("malformed answer from x: refused: the DOCTYPE declares entities", False)
        == "malformed"
    )
    assert fetch_outcome("body is over the 100-byte cap", False, 200) == "too_big"
    assert fetch_outcome("<script>whatever an upstream says</script>", False) == "error"


async def test_refresh_wakes_the_running_poller(tmp_path, upstream, feedhub_service):
    upstream.set("/good", good_feed("Good"), "application/rss+xml")
    upstream.set("/bad", good_feed("Bad"), "application/rss+xml")
    running = await feedhub_service(make_config(tmp_path, two_sources(upstream)), poll=True)
    states = running.service.states
    await wait_until(lambda: "good" in states and states["good"].last_success)
    assert len(upstream.requests_to("/good")) == 1
    assert states["good"].next_check > time.time() + 1800  # 1h interval
    resp = await running.client.post(
        "/admin/sources/good/refresh", data={"csrf": csrf_of((await running.get("/admin"))[1])}
    )
    assert resp.status == 200  # followed the 303 back to /admin
    await wait_until(lambda: len(upstream.requests_to("/good")) == 2)


@pytest.mark.browser
async def test_admin_page_in_chromium(tmp_path, upstream, feedhub_service, browser):
    """Styled under its own CSP (the stylesheet's hash matches), no script, chart drawn."""
    upstream.set("/good", good_feed("Good"), "application/rss+xml")
    upstream.routes["/bad"] = status(503, {"Retry-After": "120"})
    running = await feedhub_service(make_config(tmp_path, two_sources(upstream)))
    for _ in range(3):
        await running.poll_all()
    running.service.reloads.error = "widgets.side.limit: must be between 1 and 200, got 0"
    page = await browser.new_page(viewport={"width": 1100, "height": 700})
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    await page.goto(str(running.client.make_url("/admin")))
    failing = page.locator("#source-bad .state")
    assert await failing.inner_text() == "failing"
    colour = await failing.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(252, 217, 217)"  # .state-failing from admin.css: the CSP let it in
    assert await page.locator("#source-good svg.chart rect").count() == 3
    assert await page.locator("#reload-error").is_visible()
    assert violations == []
    shot = await page.screenshot(full_page=True)
    assert len(shot) > 5000
    if os.environ.get("FEEDHUB_WRITE_DOCS") == "1":
        (ROOT / "docs" / "admin.png").write_bytes(shot)


async def test_refresh_waits_out_backoff_and_platform_floors(tmp_path, upstream, feedhub_service):
    """The refresh button polls at once only when the source may be polled: not while it
    backs off after errors (or a Retry-After), not inside a platform's least interval."""
    upstream.routes["/bad"] = status(503, {"Retry-After": "600"})
    upstream.set(
        "/2/users/by/username/acct", b'{"data": {"id": "42", "name": "A"}}', "application/json"
    )
    upstream.set(
        "/2/users/42/tweets", b'{"data": [], "meta": {"result_count": 0}}', "application/json"
    )
    cfg = make_config(
        tmp_path,
        {
            "admin": {"token": "t0ken"},
            "sources": {
                "bad": {"type": "feed", "url": upstream.url("/bad")},
                "x": {
                    "type": "x",
                    "username": "acct",
                    "bearer_token": "b",
                    "base_url": upstream.base_url,
                },
            },
            "widgets": {"side": {"sources": ["bad", "x"]}},
        },
    )
    running = await feedhub_service(cfg)
    await running.poll_all()
    states = running.service.states
    assert states["bad"].errors == 1 and states["x"].errors == 0, states["x"].last_error
    seen = len(upstream.seen)
    for sid in ("bad", "x"):
        resp = await running.client.post(
            f"/admin/sources/{sid}/refresh",
            headers={"Authorization": "Bearer t0ken"},
            allow_redirects=False,
        )
        assert resp.status == 303
    assert len(upstream.seen) == seen, upstream.seen[seen:]  # nobody asked the upstreams
