"""A feed's iframe whose URL reads as a player to Python and as another host to browsers.

`https://evil.test\\@www.youtube.com/embed/x` is on www.youtube.com for urllib and on
evil.test for every browser. The widget is loaded in Chromium in every way a site embeds
it (framed page, script embed, server-side include, the bare fragment): no request may
leave for any host but ours, and the feed formats must carry no such iframe either.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.conftest import make_config

EVIL = "evil.test"
# Every spelling a browser reads as a frame of evil.test while a naive parser sees youtube.
VECTORS = [
    f'<iframe src="https://{EVIL}\\@www.youtube.com/embed/a"></iframe>',
    f'<iframe src="https://{EVIL}&#92;@www.youtube.com/embed/b"></iframe>',
    f'<iframe src="https://{EVIL}&#9;\\@www.youtube.com/embed/c"></iframe>',
    f'<iframe src="https:\\\\{EVIL}\\@player.vimeo.com/video/d"></iframe>',
    f'<iframe src="https://{EVIL}%5C@www.youtube.com/embed/e"></iframe>',
    f'<iframe src="https://user:pw@{EVIL}/x@www.youtube.com/embed/f"></iframe>',
]
CONTENT = "<p>Watch this</p>" + "".join(VECTORS)
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Videos</title>'
    "<link>https://example.org/</link><item><guid>https://example.org/v1</guid>"
    "<title>A video</title><link>https://example.org/v1</link>"
    f"<description><![CDATA[{CONTENT}]]></description></item></channel></rss>"
)


@pytest.fixture
async def running(tmp_path, upstream, feedhub_service) -> Any:
    upstream.set("/feed.xml", RSS)
    cfg = make_config(
        tmp_path,
        {
            "sources": {"videos": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["videos"]}},
        },
    )
    run = await feedhub_service(cfg)
    await run.poll_all()
    assert run.service.states["videos"].errors == 0
    return run


@pytest.mark.browser
async def test_no_embed_mode_loads_a_page_of_the_host_a_browser_reads(running, browser):
    base = str(running.client.make_url("")).rstrip("/")
    status, fragment, _ = await running.get("/w/side.html")
    assert status == 200 and "Watch this" in fragment
    pages = {
        "/framed": f'<iframe src="{base}/w/side"></iframe>',
        "/script": f'<div data-feedhub="side"></div><script src="{base}/w/side.js"></script>',
        "/include": fragment,
    }

    async def serve(request: web.Request) -> web.Response:
        return web.Response(
            text="<!doctype html><meta charset=utf-8><title>host</title>" + pages[request.path],
            content_type="text/html",
        )

    app = web.Application()
    for path in pages:
        app.router.add_get(path, serve)
    host = TestServer(app, host="127.0.0.1")
    await host.start_server()
    ours = {urlsplit(base).netloc, urlsplit(str(host.make_url("/"))).netloc}
    foreign: list[str] = []
    context = await browser.new_context()

    async def route(route: Any) -> None:
        if urlsplit(route.request.url).netloc in ours:
            await route.continue_()
            return
        foreign.append(route.request.url)
        # Played as the attacker would: a page of theirs, so a miss shows as a loaded page.
        await route.fulfill(
            status=200,
            content_type="text/html",
            body="<script>document.title='attacker ran'</script>",
        )

    await context.route("**/*", route)
    page = await context.new_page()
    try:
        for url in [str(host.make_url(p)) for p in pages] + [f"{base}/w/side.html"]:
            await page.goto(url, wait_until="load")
            if url.endswith("/script"):
                await page.wait_for_function(
                    "document.querySelector('[data-feedhub]').shadowRoot?.querySelector('.fh')"
                )
            await page.wait_for_timeout(300)
            frames = [f.url for f in page.frames]
            assert not [f for f in frames if EVIL in f], (url, frames)
    finally:
        await context.close()
        await host.close()
    assert not [u for u in foreign if EVIL in urlsplit(u).netloc], foreign


async def test_no_output_format_carries_the_confused_iframe(running):
    for fmt in ("html", "json", "atom", "rss"):
        status, body, _ = await running.get(f"/w/side.{fmt}")
        assert status == 200, fmt
        if fmt == "json":
            body = json.loads(body)["items"][0]["content_html"]
        assert "Watch this" in body, fmt
        assert EVIL not in body, (fmt, re.findall(r"<iframe[^>]*>|&lt;iframe.*?&gt;", body))
