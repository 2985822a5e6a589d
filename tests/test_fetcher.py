"""The fetcher's manners and limits, against a local server over real sockets."""

from __future__ import annotations

import asyncio

from aiohttp import web

from feedhub.fetch.fetcher import Fetcher, Request


async def make_fetcher(**kw) -> Fetcher:
    return Fetcher(public_url="https://widgets.example.org", allow_private=True, **kw)


async def test_user_agent_and_conditional_headers(upstream):
    upstream.set("/f", "<rss/>")
    fetcher = await make_fetcher()
    try:
        res = await fetcher.get(Request(upstream.url("/f"), etag='"x"', last_modified="Mon"))
    finally:
        await fetcher.close()
    seen = upstream.seen[-1].headers
    assert (
        seen["User-Agent"].startswith("feedhub/")
        and "https://widgets.example.org" in seen["User-Agent"]
    )
    assert seen["If-None-Match"] == '"x"' and seen["If-Modified-Since"] == "Mon"
    assert res.ok and res.body == b"<rss/>"


async def test_the_headers_that_say_how_to_read_the_body(upstream, tmp_path):
    upstream.set(
        "/f",
        "<rss/>",
        "application/xml",
        headers={"Content-Location": "/archive/f.xml", "Content-Language": "ja", "X-Other": "x"},
    )
    upstream.routes["/plain"] = lambda request: _answer(
        web.Response(body=b"<rss/>", headers={"Content-Type": "text/xml; charset=Shift_JIS"})
    )
    (tmp_path / "f.xml").write_bytes(b"<rss/>")
    fetcher = await make_fetcher()
    try:
        res = await fetcher.get(Request(upstream.url("/f")))
        plain = await fetcher.get(Request(upstream.url("/plain")))
        local = await fetcher.get(Request(str(tmp_path / "f.xml")))
    finally:
        await fetcher.close()
    assert res.document_headers == {
        "content-type": "application/xml",
        "content-location": upstream.url("/archive/f.xml"),
        "content-language": "ja",
    }
    assert plain.document_headers == {
        "content-type": "text/xml; charset=Shift_JIS",
        "content-location": upstream.url("/plain"),
    }
    assert local.ok and local.document_headers == {}


async def _answer(response: web.Response) -> web.Response:
    return response


async def test_304_is_a_success(upstream):
    upstream.set("/f", "<rss/>")
    fetcher = await make_fetcher()
    try:
        first = await fetcher.get(Request(upstream.url("/f")))
        second = await fetcher.get(Request(upstream.url("/f"), etag=first.etag))
    finally:
        await fetcher.close()
    assert second.ok and second.not_modified and second.status == 304


async def test_body_cap_stops_reading(upstream):
    sent = 0

    async def endless(request):
        nonlocal sent
        resp = web.StreamResponse()
        await resp.prepare(request)
        try:
            for _ in range(10_000):
                await resp.write(b"x" * 65536)
                sent += 65536
        except (ConnectionResetError, ConnectionError):
            pass
        return resp

    upstream.routes["/big"] = endless
    fetcher = await make_fetcher()
    try:
        res = await fetcher.get(Request(upstream.url("/big"), max_bytes=1_000_000))
    finally:
        await fetcher.close()
    assert not res.ok and "over the 1000000-byte cap" in res.error
    await asyncio.sleep(0.2)
    assert sent < 100 * 65536  # the server was cut off long before its 655 MB


async def test_a_body_sent_in_many_pieces_is_read_whole(upstream):
    # Read in the pieces the socket gives (no fixed-size re-chunking): each piece once, in
    # order, up to a cap it stays under.
    pieces = [bytes([n % 251]) * (1 + 977 * n % 40_000) for n in range(60)]

    async def trickle(request):
        resp = web.StreamResponse()
        await resp.prepare(request)
        for n, piece in enumerate(pieces):
            await resp.write(piece)
            if n % 7 == 0:
                await asyncio.sleep(0.005)  # apart on the wire, not one read
        return resp

    upstream.routes["/pieces"] = trickle
    whole = b"".join(pieces)
    fetcher = await make_fetcher()
    try:
        res = await fetcher.get(Request(upstream.url("/pieces"), max_bytes=len(whole)))
        over = await fetcher.get(Request(upstream.url("/pieces"), max_bytes=len(whole) - 1))
    finally:
        await fetcher.close()
    assert res.ok and res.body == whole
    assert not over.ok and f"over the {len(whole) - 1}-byte cap" in over.error


async def test_redirects_are_bounded_and_followed(upstream):
    for i in range(15):
        upstream.routes[f"/r{i}"] = lambda req, i=i: _redirect(f"/r{i + 1}")
    upstream.set("/r3", "<rss/>")
    fetcher = await make_fetcher()
    try:
        ok = await fetcher.get(Request(upstream.url("/r0")))
        upstream.routes["/r3"] = lambda req: _redirect("/r4")
        too_many = await fetcher.get(Request(upstream.url("/r0")))
        upstream.routes["/loop"] = lambda req: _redirect("/loop")
        loop = await fetcher.get(Request(upstream.url("/loop")))
    finally:
        await fetcher.close()
    assert ok.ok and ok.url.endswith("/r3")
    assert "more than 10 redirects" in too_many.error
    assert loop.error == "redirect loop"


async def _redirect(to: str) -> web.Response:
    raise web.HTTPFound(to)


async def test_per_host_and_total_concurrency(upstream):
    active = peak = 0

    async def slow(request):
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.1)
        active -= 1
        return web.Response(text="ok")

    upstream.routes["/slow"] = slow
    fetcher = await make_fetcher(concurrency=16, per_host=2)
    try:
        results = await asyncio.gather(
            *(fetcher.get(Request(upstream.url("/slow"))) for _ in range(8))
        )
    finally:
        await fetcher.close()
    assert all(r.ok for r in results)
    assert peak == 2


async def test_timeout_is_an_error_value(upstream):
    async def stuck(request):
        await asyncio.sleep(5)
        return web.Response(text="late")

    upstream.routes["/stuck"] = stuck
    fetcher = await make_fetcher()
    try:
        res = await fetcher.get(Request(upstream.url("/stuck"), timeout=0.3))
    finally:
        await fetcher.close()
    assert res.error == "timed out after 0.3s"


async def test_private_addresses_refused_unless_allowed(upstream):
    upstream.set("/f", "<rss/>")
    fetcher = Fetcher(public_url="https://w.example.org", allow_private=False)
    try:
        literal = await fetcher.get(Request(upstream.url("/f")))
        named = await fetcher.get(Request(upstream.url("/f").replace("127.0.0.1", "localhost")))
    finally:
        await fetcher.close()
    assert literal.error.startswith("refused:")
    assert named.error.startswith("refused:")
    assert upstream.seen == []
