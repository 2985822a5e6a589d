"""The embed script on a host page whose own elements clobber `window.feedhub`."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.conftest import make_config
from tests.fault_upstream import good_feed

pytestmark = pytest.mark.browser

CLOBBERS = {
    "id": '<p id="feedhub">a paragraph of the host</p>',
    "form": '<form id="feedhub"><input name="scan"></form>',
    "collection": '<a id="feedhub"></a><a id="feedhub" name="scan"></a>',
}


@pytest.mark.parametrize("clobber", sorted(CLOBBERS))
async def test_host_elements_named_feedhub_do_not_break_the_embed(
    clobber, tmp_path, upstream, feedhub_service, browser
):
    upstream.set("/feed", good_feed("post", 3), "application/rss+xml")
    running = await feedhub_service(
        make_config(
            tmp_path,
            {
                "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
                "widgets": {"side": {"sources": ["blog"]}},
            },
        )
    )
    await running.poll_all()
    base = str(running.client.make_url("")).rstrip("/")

    async def page(request: web.Request) -> web.Response:
        return web.Response(
            content_type="text/html",
            text=(
                "<!doctype html><meta charset=utf-8><title>host</title>"
                + CLOBBERS[clobber]
                + '<div data-feedhub="side"></div>'
                + f'<script src="{base}/w/side.js"></script>'
            ),
        )

    app = web.Application()
    app.router.add_get("/", page)
    host = TestServer(app, host="127.0.0.1")
    await host.start_server()
    context = await browser.new_context()
    errors: list[str] = []
    try:
        tab = await context.new_page()
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        await tab.goto(str(host.make_url("/")), wait_until="load")
        await tab.wait_for_function(
            "document.querySelector('[data-feedhub]').getAttribute('data-feedhub-state')"
            " === 'ready'",
            timeout=10_000,
        )
        text = await tab.evaluate("document.querySelector('[data-feedhub]').shadowRoot.textContent")
        scans = await tab.evaluate("typeof window.feedhub.scan")
    finally:
        await context.close()
        await host.close()
    assert "post 0" in text and scans == "function" and not errors, errors
