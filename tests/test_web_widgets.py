"""GET /w/{widget}: parameters, ETag and 304, compression, placeholders, render once."""

from __future__ import annotations

import asyncio
import gzip

import brotli

from feedhub.web.widgets import ANSWERS
from tests.conftest import fixture_bytes, make_config
from tests.fault_upstream import good_feed


def config(tmp_path, upstream, **widget):
    return make_config(
        tmp_path,
        {
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
            "widgets": {
                "side": {
                    "title": "Tweets de @Hubservateur",
                    "sources": ["blog"],
                    "limit": 5,
                    "locale": "fr",
                    "locales": ["en"],
                    "more": {"label": "plus", "url": "https://mastodon.social/@hub"},
                    **widget,
                }
            },
        },
    )


async def started(tmp_path, upstream, feedhub_service, **widget):
    upstream.set("/feed", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    running = await feedhub_service(config(tmp_path, upstream, **widget))
    await running.poll_all()
    return running


async def test_page_and_fragment(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    status, page, headers = await running.get("/w/side")
    assert status == 200 and page.startswith("<!doctype html>")
    assert "frame-ancestors" in headers["Content-Security-Policy"]
    status, fragment, headers = await running.get("/w/side.html")
    assert status == 200 and "<html" not in fragment
    for body in (page, fragment):
        assert "Tweets de @Hubservateur" in body
        assert "Entry two" in body and "Entry one" in body
        assert body.index("Entry two") < body.index("Entry one")  # newest first
        assert 'href="https://mastodon.social/@hub"' in body and ">plus</a>" in body
    # French dates, with a machine-readable datetime beside them
    assert "24 nov. 2026" in fragment
    assert '<time datetime="2026-11-24T18:30:02Z">' in fragment
    assert headers["Cache-Control"].startswith("public, max-age=")


async def test_query_parameters(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    _, one, _ = await running.get("/w/side.html?limit=1&locale=en")
    assert "Entry two" in one and "Entry one" not in one
    assert "Nov 24, 2026" in one


async def test_bad_requests_are_short_4xx(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    cases = {
        "/w/nope": (404, "no widget named 'nope'"),
        "/w/side.exe": (404, "no format .exe"),
        "/w/side?limit=0": (400, "limit must be a whole number from 1 to 5"),
        "/w/side?limit=6": (400, "limit must be a whole number from 1 to 5"),
        "/w/side?limit=abc": (400, "limit must be"),
        "/w/side?locale=zz_ZZ": (400, "locale must be a known locale"),
        "/w/side?theme=../../etc/passwd": (400, "theme must be one of"),
        "/w/side?theme=_base": (400, "theme must be one of"),
    }
    for path, (code, message) in cases.items():
        status, body, headers = await running.get(path)
        assert status == code, path
        assert body.startswith(message), (path, body)
        assert "Traceback" not in body and len(body) < 200
        assert headers["Content-Type"].startswith("text/plain")


async def test_etag_304_and_compression(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    client = running.client
    plain = await client.get("/w/side.html", headers={"Accept-Encoding": "identity"})
    body = await plain.read()
    etag = plain.headers["ETag"]
    assert plain.headers["Vary"] == "Accept-Encoding"
    again = await client.get("/w/side.html", headers={"If-None-Match": etag})
    assert again.status == 304 and await again.read() == b""
    gz = await client.get(
        "/w/side.html", headers={"Accept-Encoding": "gzip"}, auto_decompress=False
    )
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(await gz.read()) == body
    br = await client.get(
        "/w/side.html", headers={"Accept-Encoding": "gzip, br"}, auto_decompress=False
    )
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(await br.read()) == body
    # a compressed representation's ETag also revalidates
    revalidated = await client.get("/w/side.html", headers={"If-None-Match": gz.headers["ETag"]})
    assert revalidated.status == 304


async def test_rendered_once_per_change(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    cache = running.service.widgets.renders
    answers = running.client.server.app[ANSWERS]
    # Rendered before serving (page, fragment), then again when the poll changed the items.
    assert cache.misses == 4
    for _ in range(5):
        await running.get("/w/side.html")
    # No request rendered: the first found the bytes, the others the prepared answer.
    assert cache.misses == 4 and answers.ok == 4
    _, _, first = await running.get("/w/side.html")
    upstream.set(
        "/feed",
        fixture_bytes("feeds/atom.xml").replace(b"Entry one", b"Entry uno"),
        "application/atom+xml",
    )
    await running.poll_all()
    assert cache.misses == 6  # the change re-rendered what was served, before it showed
    _, body, second = await running.get("/w/side.html")
    assert "Entry uno" in body and first["ETag"] != second["ETag"]
    assert cache.misses == 6
    await running.poll_all()  # unchanged upstream (304): nothing re-rendered
    await running.get("/w/side.html")
    assert cache.misses == 6


async def test_empty_widget_is_a_quiet_placeholder(tmp_path, upstream, feedhub_service):
    upstream.set("/feed", b"oops", "text/plain", status=500)
    running = await feedhub_service(config(tmp_path, upstream))
    status, body, _ = await running.get("/w/side.html")
    assert status == 200 and "Aucune publication pour l’instant." in body
    await running.poll_all()
    status, body, _ = await running.get("/w/side")
    assert status == 200 and "Aucune publication" in body
    assert running.service.states["blog"].health == "failing"


async def test_failing_source_keeps_its_last_good_items(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    upstream.set(
        "/feed",
        b"<rss><channel><item>",
        "application/rss+xml",
        status=503,
        headers={"Retry-After": "120"},
    )
    await running.poll_all()
    state = running.service.states["blog"]
    assert state.errors == 1 and "HTTP 503" in state.last_error
    assert state.health == "degraded"
    _, body, _ = await running.get("/w/side.html")
    assert "Entry two" in body


async def test_health_and_readiness(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    assert (await running.get("/healthz"))[0] == 200
    status, body, _ = await running.get("/readyz")
    assert status == 200 and body.strip() == "ready"


async def test_a_change_moves_only_the_versions_of_widgets_that_show_it(
    tmp_path, upstream, feedhub_service
):
    upstream.set("/a", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    upstream.set("/b", fixture_bytes("feeds/rss20.xml"), "application/rss+xml")
    running = await feedhub_service(
        make_config(
            tmp_path,
            {
                "sources": {
                    "a": {"type": "feed", "url": upstream.url("/a")},
                    "b": {"type": "feed", "url": upstream.url("/b")},
                },
                "widgets": {
                    "only_a": {"sources": ["a"]},
                    "only_b": {"sources": ["b"]},
                    "both": {"sources": ["a", "b"]},
                },
            },
        )
    )
    await running.poll_all()
    before = running.service.widgets.versions
    _, _, served = await running.get("/w/only_b.html")
    upstream.set(
        "/a",
        fixture_bytes("feeds/atom.xml").replace(b"Entry one", b"Entry uno"),
        "application/atom+xml",
    )
    await running.service.polling.poll("a")
    after = running.service.widgets.versions
    assert after is not before  # a new map: the widget handler's cue to look again
    assert after["only_b"] == before["only_b"]
    assert after["only_a"] != before["only_a"] and after["both"] != before["both"]
    # The untouched widget is still the same answer, and the changed one shows the change.
    _, _, again = await running.get("/w/only_b.html")
    assert again["ETag"] == served["ETag"]
    assert "Entry uno" in (await running.get("/w/both.html"))[1]


async def test_a_feed_with_images_answered_again_in_full_is_unchanged(
    tmp_path, upstream, feedhub_service
):
    # No ETag: every poll is a full 200 whose items must hash as they did before.
    upstream.set(
        "/feed",
        fixture_bytes("feeds/rss20.xml").replace(b"<ttl>30</ttl>", b""),
        "application/rss+xml",
        etag=False,
    )
    running = await feedhub_service(config(tmp_path, upstream))
    await running.poll_all()
    digest = running.service.states["blog"].digest
    _, body, first = await running.get("/w/side.html")
    assert 'loading="lazy"' in body
    misses = running.service.widgets.renders.misses
    for _ in range(3):
        await running.poll_all()
        assert running.service.states["blog"].history[-1]["status"] == 200
    assert running.service.states["blog"].digest == digest
    assert running.service.widgets.renders.misses == misses
    assert (await running.get("/w/side.html"))[2]["ETag"] == first["ETag"]


async def test_visitors_get_the_previous_bytes_while_a_change_renders(
    tmp_path, upstream, feedhub_service, monkeypatch
):
    running = await started(tmp_path, upstream, feedhub_service)
    _, _, before = await running.get("/w/side.html")
    upstream.set(
        "/feed",
        fixture_bytes("feeds/atom.xml").replace(b"Entry one", b"Entry uno"),
        "application/atom+xml",
    )
    entered, release = asyncio.Event(), asyncio.Event()
    view = running.service.widgets.view

    async def slow_view(key, version=None):
        entered.set()
        await release.wait()  # a render that takes as long as the test wants
        return await view(key, version)

    monkeypatch.setattr(running.service.widgets, "view", slow_view)
    poll = asyncio.create_task(running.service.polling.poll("blog"))
    await asyncio.wait_for(entered.wait(), 5)
    # The change is stored and its render is under way: requests do not wait for it.
    for _ in range(3):
        status, body, headers = await asyncio.wait_for(running.get("/w/side.html"), 2)
        assert status == 200 and "Entry one" in body and headers["ETag"] == before["ETag"]
    release.set()
    await poll
    _, body, after = await running.get("/w/side.html")
    assert "Entry uno" in body and after["ETag"] != before["ETag"]


async def test_a_poll_counts_only_the_items_it_did_not_have(tmp_path, upstream, feedhub_service):
    upstream.set("/feed", good_feed("post", 3), "application/rss+xml")
    running = await feedhub_service(config(tmp_path, upstream))
    await running.poll_all()
    upstream.set("/feed", good_feed("post", 5), "application/rss+xml")  # two more
    await running.poll_all()
    history = running.service.states["blog"].history
    assert [h["new"] for h in history] == [3, 2]
