"""The whole path over real sockets: a local upstream, the poller, the store, the widget."""

from __future__ import annotations

import pytest

from tests.conftest import fixture_bytes, make_config, wait_until

FORMATS = [
    ("rss20.xml", "application/rss+xml", "Second post: images &amp; links"),
    ("rss10.rdf", "application/rdf+xml", "RDF item A"),
    ("rss091.xml", "application/rss+xml", "Café ouvert"),
    ("atom.xml", "application/atom+xml", "Entry two"),
    ("feed.json", "application/feed+json", "JSON post two"),
]


def widget_config(upstream, interval="1s"):
    return {
        "sources": {"blog": {"type": "feed", "url": upstream.url("/feed"), "interval": interval}},
        "widgets": {"side": {"title": "From the blog", "sources": ["blog"], "limit": 5}},
    }


@pytest.mark.parametrize("name, ctype, expected", FORMATS)
async def test_each_format_polled_changed_and_revalidated(
    tmp_path, upstream, feedhub_service, name, ctype, expected
):
    # Without <ttl>, which would rightly stretch the 1s interval to 30 minutes.
    original = fixture_bytes(f"feeds/{name}").replace(b"<ttl>30</ttl>", b"")
    upstream.set("/feed", original, ctype)
    running = await feedhub_service(make_config(tmp_path, widget_config(upstream)), poll=True)

    async def shows(text):
        status, body, _ = await running.get("/w/side.html")
        return status == 200 and text in body

    await wait_until(lambda: shows(expected))

    # The upstream changes: the widget shows it after the next poll.
    marker = "Breaking change at the upstream"
    changed = original.replace(_first_title(name), marker.encode())
    assert changed != original
    upstream.set("/feed", changed, ctype)
    await wait_until(lambda: shows(marker))

    # Once unchanged, the next poll revalidates: If-None-Match sent, 304 received.
    count = len(upstream.requests_to("/feed"))
    await wait_until(lambda: len(upstream.requests_to("/feed")) > count + 1)
    last = upstream.requests_to("/feed")[-1]
    assert last.headers.get("If-None-Match", "").startswith('"')
    assert last.status == 304
    assert await shows(marker)
    state = running.service.states["blog"]
    assert state.errors == 0 and state.etag == last.headers["If-None-Match"]


def _first_title(name: str) -> bytes:
    return {
        "rss20.xml": b"Second post: images &amp; links",
        "rss10.rdf": b"RDF item A",
        "rss091.xml": b"Caf&#233; ouvert",
        "atom.xml": b"Entry &lt;em&gt;two&lt;/em&gt;",
        "feed.json": b"JSON post two",
    }[name]


async def test_a_request_never_waits_on_the_upstream(tmp_path, upstream, feedhub_service):
    """The upstream hangs; the widget answers at once with its placeholder."""
    import asyncio

    from aiohttp import web

    release, started = asyncio.Event(), asyncio.Event()

    async def hang(request):
        started.set()
        await release.wait()
        return web.Response(text="late")

    upstream.routes["/feed"] = hang
    running = await feedhub_service(make_config(tmp_path, widget_config(upstream)), poll=True)
    await wait_until(started.is_set)  # the poll is in flight, stuck on the upstream
    status, body, _ = await asyncio.wait_for(running.get("/w/side"), 5)
    assert status == 200 and "No posts yet." in body
    release.set()
