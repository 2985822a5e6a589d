"""The ticker in Chromium, in a 360 px column: it moves by itself (CSS, no script), pauses
while hovered or focused, stands still under prefers-reduced-motion (and scrolls by hand
there), and shows every headline whole with its date."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, make_config

pytestmark = pytest.mark.browser
OFFSET = "el => new DOMMatrix(getComputedStyle(el).transform).m41"


async def open_ticker(tmp_path, feedhub_service, browser, **page_options):
    config = make_config(
        tmp_path,
        {
            "sources": {"news": {"type": "feed", "url": str(ROOT / "examples" / "news.xml")}},
            "widgets": {
                "tick": {
                    "title": "Nouvelles",
                    "sources": ["news"],
                    "theme": "ticker",
                    "locale": "fr",
                    "timezone": "Europe/Paris",
                }
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    page = await browser.new_page(viewport={"width": 360, "height": 200}, **page_options)
    await page.goto(str(running.client.make_url("/w/tick")))
    return page, page.locator(".fh-items")


async def moved(page, strip, wait_ms: int = 400) -> float:
    before = await strip.evaluate(OFFSET)
    await page.wait_for_timeout(wait_ms)
    return before - await strip.evaluate(OFFSET)


async def test_ticker_moves_and_pauses_on_hover_and_focus(tmp_path, feedhub_service, browser):
    page, strip = await open_ticker(tmp_path, feedhub_service, browser)
    assert await moved(page, strip) > 1, "the strip moves leftwards by itself"
    assert await page.locator("script").count() == 1  # only the frame's own script
    await page.locator(".fh-window").hover()
    await page.wait_for_timeout(150)  # the pause applies at the next frame, not at once
    assert await moved(page, strip) == 0, "paused under the pointer"
    await page.mouse.move(0, 199)
    assert await moved(page, strip) > 1
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.closest('.fh-window') !== null")
    assert focused
    await page.wait_for_timeout(150)
    assert await moved(page, strip) == 0, "paused while a headline has the focus"


async def test_ticker_stands_still_under_reduced_motion(tmp_path, feedhub_service, browser):
    page, strip = await open_ticker(tmp_path, feedhub_service, browser, reduced_motion="reduce")
    assert await strip.evaluate("el => getComputedStyle(el).animationName") == "none"
    assert await moved(page, strip) == 0
    window = page.locator(".fh-window")
    assert await window.evaluate("el => el.scrollWidth > el.clientWidth")
    await window.evaluate("el => el.scrollBy(200, 0)")
    assert await window.evaluate("el => el.scrollLeft") >= 199, "scrolls by hand instead"


async def test_each_headline_whole_with_its_date(tmp_path, feedhub_service, browser):
    page, _ = await open_ticker(tmp_path, feedhub_service, browser, reduced_motion="reduce")
    lines = page.locator(".fh-line")
    assert await lines.count() == 5
    first = lines.first
    assert await first.locator("a").inner_text() == "feedhub est en ligne"
    assert await first.locator("time").inner_text() == "24 nov. 2026, 10:30"
    for i in range(await lines.count()):
        for part in ("a", "time"):
            el = lines.nth(i).locator(part)
            whole = await el.evaluate(
                "e => e.scrollWidth <= e.clientWidth + 1"
                " && getComputedStyle(e).textOverflow !== 'ellipsis'"
            )
            assert whole, (i, part, await el.inner_text())
