"""The wall (issue 23) through `feedhub serve`, in Chromium: `/w/NAME/wall` is a full-screen
display in large type whose highlight moves from post to post on its own, with the `more`
link as a QR code drawn by feedhub (an inline SVG); a post published upstream shows, marked
as arrived, within one live-update interval of the page; no request to any origin but
feedhub's."""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.conftest import fixture_bytes, wait_until
from tests.extras_support import STATUSES, Seen, log_page, serve_widgets
from tests.media_support import local_cdn
from tests.served_support import widget_items, widget_page
from tests.social_upstream import MASTODON_STATUSES

pytestmark = pytest.mark.browser

TOKEN = "wall-test-admin-token"
MINUTE_MS = 60_000
HIGHLIGHT_MS = 8_000
WIDGET = {
    "title": "Fête du tram",
    "live": "1m",
    "more": {"url": "https://toot.example/@hubservateur", "qr": True},
}


def with_new_post(upstream) -> bytes:
    """The timeline with one more post, the newest."""
    statuses = json.loads(fixture_bytes(STATUSES))
    new = {
        **statuses[2],
        "id": "114100000000000099",
        "uri": "https://toot.example/users/hubservateur/statuses/114100000000000099",
        "url": "https://toot.example/@hubservateur/114100000000000099",
        "created_at": "2026-12-06T20:00:00.000Z",
        "content": "<p>Le premier tram arrive place Centrale !</p>",
    }
    return local_cdn(upstream, json.dumps([new, *statuses])).encode()


async def highlighted(seen) -> str:
    posts = seen.root.locator("article.fh-highlight")
    assert await posts.count() == 1
    return str(await posts.get_attribute("id"))


async def test_wall_cycles_shows_a_qr_code_and_new_posts_arrive(
    tmp_path, upstream, daemon, browser
):
    d = await serve_widgets(
        daemon, tmp_path, upstream, {"event": WIDGET}, sections={"admin": {"token": TOKEN}}
    )
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    await page.clock.install()
    seen = await open_widget_on(page, f"{d.url}/w/event/wall")
    wall = seen.root
    assert "fh-wall" in (await wall.get_attribute("class")).split()
    assert await wall.evaluate("e => e.getBoundingClientRect().height") >= 800, "full screen"
    size = await wall.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 19, "large type"
    # The QR code: feedhub's own SVG, beside the link it stands for.
    qr = wall.locator(".fh-qr svg")
    assert await qr.get_attribute("aria-hidden") == "true"
    assert await qr.evaluate("e => e.getBoundingClientRect().width") > 80
    assert await wall.locator(".fh-qr path").count() >= 1
    assert await wall.get_by_role("link", name="More posts").get_attribute("href") == (
        "https://toot.example/@hubservateur"
    )
    # The highlight moves on by itself, and round.
    first = await highlighted(seen)
    order = [first]
    for _ in range(4):
        await page.clock.run_for(HIGHLIGHT_MS)
        order.append(await highlighted(seen))
    assert len(set(order[:4])) == 4 and order[4] == first, order

    # A new post upstream: feedhub polls it (asked by the admin), the page shows it within
    # one live-update interval, marked as arrived.
    upstream.set(MASTODON_STATUSES, with_new_post(upstream), "application/json")
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{d.url}/admin/sources/toots/refresh",
            headers={"Authorization": f"Bearer {TOKEN}"},
            allow_redirects=False,
        ) as resp,
    ):
        assert resp.status == 303

    async def polled() -> bool:
        return len(await widget_items(d, "event")) == 5

    await wait_until(polled, timeout=30)
    assert "Le premier tram arrive" not in await seen.root.inner_text()
    await page.clock.run_for(MINUTE_MS + 1000)
    arrived = seen.root.locator("article.fh-arrived")
    await wait_until(arrived.count)
    assert "Le premier tram arrive" in await arrived.inner_text()
    assert await seen.root.locator("article").count() == 5
    assert seen.origins() == {d.url}, seen.requests
    assert seen.errors == [], seen.errors
    await page.close()


async def open_widget_on(page, url):
    """`open_widget` for a page made here (its clock installed first)."""
    seen = Seen(page, page.locator(".fh").first)
    log_page(seen)
    await page.goto(url)
    await seen.root.wait_for()
    return seen


async def test_wall_route_answers_only_for_widgets(tmp_path, upstream, daemon):
    d = await serve_widgets(daemon, tmp_path, upstream, {"event": WIDGET})
    shown = await widget_page(d, "event")
    assert "fh-wall" not in shown.split("</style>", 1)[1], "its own theme elsewhere"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{d.url}/w/nothing/wall") as resp:
            assert resp.status == 404
        async with http.get(f"{d.url}/w/event/wall?limit=2") as resp:
            assert resp.status == 200
            assert (await resp.text()).count("<article") == 2
            assert "script-src 'sha256-" in resp.headers["Content-Security-Policy"]
        async with http.get(f"{d.url}/w/event/wall?theme=cards") as resp:
            assert resp.status == 200 and "fh-theme-wall" in await resp.text()
