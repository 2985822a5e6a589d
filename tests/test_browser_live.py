"""Live updates in Chromium: the framed page and the embed script re-check their widget
with the browser's ETag on the widget's interval and swap the new items in without a
reload and without moving what the visitor reads; unchanged checks are 304s; a hidden tab
checks nothing; `live: false` never checks."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_config, wait_until
from tests.fault_upstream import good_feed

pytestmark = pytest.mark.browser
MINUTE_MS = 60_000


async def start(tmp_path, upstream, feedhub_service, **widget):
    upstream.set("/feed", good_feed("post", 6), "application/rss+xml")
    config = make_config(
        tmp_path,
        {
            "fetch": {"interval": "1m"},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
            "widgets": {"side": {"title": "Blog", "sources": ["blog"], "limit": 20, **widget}},
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    return running, str(running.client.make_url("")).rstrip("/")


async def widget_answers(running) -> dict[int, int]:
    """How many 200s and 304s the widget route gave, from /metrics."""
    _, text, _ = await running.get("/metrics")
    counts = {200: 0, 304: 0}
    for status, value in re.findall(
        r'feedhub_http_requests_total\{[^}]*route="/w/\{widget\}"[^}]*status="(\d+)"[^}]*\}'
        r" (\d+)",
        text,
    ):
        counts[int(status)] = counts.get(int(status), 0) + int(float(value))
    return counts


async def publish_new_post(upstream, running):
    feed = good_feed("post", 6).replace(
        b"<item>",
        b"<item><title>Live news</title><link>https://example.org/live</link>"
        b"<guid>live</guid><pubDate>Wed, 01 Dec 2027 10:00:00 GMT</pubDate>"
        b"<description>Just in</description></item><item>",
        1,
    )
    upstream.set("/feed", feed, "application/rss+xml")
    await running.service.polling.poll("blog")


async def test_framed_page_updates_in_place(tmp_path, upstream, feedhub_service, browser):
    running, base = await start(tmp_path, upstream, feedhub_service)
    page = await browser.new_page(viewport={"width": 400, "height": 300})
    await page.clock.install()
    await page.goto(base + "/w/side")
    assert await page.locator("article").count() == 6
    await page.evaluate("window.stillHere = true")
    before = await widget_answers(running)

    await page.clock.run_for(MINUTE_MS + 1000)  # a check: nothing new
    await wait_until(lambda: _grew(running, before, 304))
    assert await page.locator("article").count() == 6
    assert (await widget_answers(running))[200] == before[200], "an unchanged check is a 304"

    await publish_new_post(upstream, running)
    await page.clock.run_for(MINUTE_MS)
    await wait_until(lambda: _count(page.locator("article"), 7))
    assert await page.locator("article").first.inner_text() != ""
    assert "Live news" in await page.locator("article").first.inner_text()
    assert await page.evaluate("window.stillHere") is True, "no reload"
    # the feed pattern stays right after the swap
    assert await page.locator("article").first.get_attribute("aria-setsize") == "7"


async def test_embed_updates_without_moving_what_is_read(
    tmp_path, upstream, feedhub_service, browser
):
    running, base = await start(tmp_path, upstream, feedhub_service)
    upstream.set(
        "/host.html",
        f"""<!doctype html><html><body style="margin:0">
<div style="height:200px">Host header</div>
<div data-feedhub="side" style="min-height:100px"></div>
<div style="height:2000px">Host footer</div>
<script async src="{base}/w/side.js"></script></body></html>""",
        "text/html",
    )
    page = await browser.new_page(viewport={"width": 400, "height": 300})
    await page.clock.install()
    await page.goto(upstream.url("/host.html"))
    third = page.locator("[data-feedhub] >> article >> nth=2")
    await third.wait_for()
    await page.evaluate("window.stillHere = true")
    await third.scroll_into_view_if_needed()
    await page.evaluate("window.scrollBy(0, 40)")
    text = await third.inner_text()
    top = (await third.bounding_box())["y"]

    await publish_new_post(upstream, running)
    await page.clock.run_for(MINUTE_MS + 1000)
    articles = page.locator("[data-feedhub] >> article")
    await wait_until(lambda: _count(articles, 7))
    assert await page.evaluate("window.stillHere") is True
    # The post that was read is where it was, though a new one came in above it.
    same = page.locator("[data-feedhub] >> article", has_text=text)
    assert abs((await same.bounding_box())["y"] - top) < 1.5
    assert "Live news" in await articles.first.inner_text()


async def test_hidden_tab_and_live_false_check_nothing(
    tmp_path, upstream, feedhub_service, browser
):
    running, base = await start(tmp_path, upstream, feedhub_service)
    page = await browser.new_page()
    await page.clock.install()
    await page.goto(base + "/w/side")
    before = await widget_answers(running)
    await page.evaluate("""() => {
        Object.defineProperty(document, "hidden", {get: () => true});
        Object.defineProperty(document, "visibilityState", {get: () => "hidden"});
        document.dispatchEvent(new Event("visibilitychange")); }""")
    await page.clock.run_for(5 * MINUTE_MS)
    await page.wait_for_timeout(300)
    assert await widget_answers(running) == before, "a hidden tab asks nothing"

    (tmp_path / "off").mkdir()
    off, _ = await start(tmp_path / "off", upstream, feedhub_service, live=False)
    page2 = await browser.new_page()
    await page2.clock.install()
    await page2.goto(str(off.client.make_url("/w/side")))
    assert await page2.locator(".fh").get_attribute("data-fh-live") is None
    quiet = await widget_answers(off)
    await page2.clock.run_for(5 * MINUTE_MS)
    await page2.wait_for_timeout(300)
    assert await widget_answers(off) == quiet


async def _grew(running, before, status) -> bool:
    return (await widget_answers(running))[status] > before[status]


async def _count(locator, n: int) -> bool:
    return await locator.count() == n
