"""The carousel and masonry themes (issue 23) through `feedhub serve`, in Chromium, at 320, 768
and 1280 px, on the framed page and in the script embed on a host page with a strict CSP: no
horizontal overflow; the carousel shows one post per view and its buttons (from the keyboard)
move one post, instantly under reduced motion; masonry lays its cards in columns, pictures
first. No request to any origin but feedhub's."""

from __future__ import annotations

import pytest

from tests.conftest import wait_until
from tests.extras_support import allowed, both_ways, open_widget, serve_widgets

pytestmark = pytest.mark.browser

WIDTHS = (320, 768, 1280)
NO_OVERFLOW = (
    """() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"""
)
# Each post's left edge, relative to the strip's.
OFFSETS = """strip => [...strip.querySelectorAll(':scope > article')].map(
  a => Math.round(a.getBoundingClientRect().left - strip.getBoundingClientRect().left))"""


async def _is(value, expected) -> bool:
    return await value == expected


async def test_carousel_one_post_per_view_moved_by_its_buttons(tmp_path, upstream, daemon, browser):
    d = await serve_widgets(daemon, tmp_path, upstream, {"slides": {"theme": "carousel"}})
    for url, embedded in both_ways(d, upstream, "slides"):
        for width in WIDTHS:
            seen = await open_widget(
                browser, url, embedded=embedded, width=width, reduced_motion="reduce"
            )
            assert await seen.page.evaluate(NO_OVERFLOW), (url, width)
            strip = seen.root.locator(".fh-items")
            view = await strip.evaluate("e => e.clientWidth")
            sizes = await strip.evaluate(
                "s => [...s.children].map(a => Math.round(a.getBoundingClientRect().width))"
            )
            assert len(sizes) == 4 and all(abs(s - view) <= 1 for s in sizes), (width, sizes)
            assert (await strip.evaluate(OFFSETS))[0] == 0
            nav = seen.root.locator(".fh-carousel-nav")
            assert await nav.is_visible()
            prev = nav.get_by_role("button", name="Previous post")
            next_ = nav.get_by_role("button", name="Next post")
            assert await prev.get_attribute("aria-disabled") == "true"
            await next_.focus()
            await seen.page.keyboard.press("Enter")
            await seen.page.keyboard.press("Enter")
            assert abs((await strip.evaluate(OFFSETS))[2]) <= 1, "the third post in view"
            await prev.focus()
            await seen.page.keyboard.press("Space")
            assert abs((await strip.evaluate(OFFSETS))[1]) <= 1, "back to the second"
            await next_.focus()
            for _ in range(3):
                await seen.page.keyboard.press("Enter")
            await wait_until(lambda b=next_: _is(b.get_attribute("aria-disabled"), "true"))
            assert abs((await strip.evaluate(OFFSETS))[3]) <= 1, "the last post in view"
            assert await seen.page.evaluate(NO_OVERFLOW), (url, width)
            assert seen.origins() <= allowed(d, upstream, embedded), seen.requests
            assert seen.errors == [], seen.errors
            await seen.page.close()


async def test_carousel_without_script_still_scrolls(tmp_path, upstream, daemon, browser):
    d = await serve_widgets(daemon, tmp_path, upstream, {"slides": {"theme": "carousel"}})
    context = await browser.new_context(
        java_script_enabled=False,
        viewport={"width": 320, "height": 700},
        reduced_motion="reduce",
    )
    page = await context.new_page()
    await page.goto(f"{d.url}/w/slides")
    strip = page.locator(".fh-items")
    assert not await page.locator(".fh-carousel-nav").is_visible(), "buttons need the script"
    assert await strip.evaluate("e => getComputedStyle(e).scrollSnapType") == "x mandatory"
    assert await strip.evaluate("e => e.scrollWidth > e.clientWidth")
    await strip.evaluate("e => { e.scrollLeft = e.clientWidth; }")
    assert abs((await strip.evaluate(OFFSETS))[1]) <= 1
    await context.close()


async def test_masonry_columns_pictures_first(tmp_path, upstream, daemon, browser):
    d = await serve_widgets(daemon, tmp_path, upstream, {"wall": {"theme": "masonry"}})
    columns = {}
    for url, embedded in both_ways(d, upstream, "wall"):
        for width in WIDTHS:
            seen = await open_widget(browser, url, embedded=embedded, width=width)
            assert await seen.page.evaluate(NO_OVERFLOW), (url, width)
            assert await seen.root.evaluate("e => e.scrollWidth <= e.clientWidth")
            posts = seen.root.locator("article")
            lefts = await posts.evaluate_all(
                "as => as.map(a => Math.round(a.getBoundingClientRect().left))"
            )
            columns[(embedded, width)] = len(set(lefts))
            # A post with pictures shows them above its author and text.
            first = posts.first
            media_top = await first.locator(".fh-media").evaluate(
                "e => e.getBoundingClientRect().top"
            )
            author_top = await first.locator(".fh-author").evaluate(
                "e => e.getBoundingClientRect().top"
            )
            assert media_top < author_top
            assert seen.origins() <= allowed(d, upstream, embedded), seen.requests
            assert seen.errors == [], seen.errors
            await seen.page.close()
    for embedded in (False, True):
        assert columns[(embedded, 320)] == 1
        assert columns[(embedded, 768)] >= 2
        assert columns[(embedded, 1280)] >= 3
