"""The picture viewer (issue 23) through `feedhub serve`, in Chromium: from the keyboard, a
post's picture opens large in a `<dialog>` with its alt text as caption, the arrow keys move
through the post's pictures (and round), Esc closes it and the focus is back on the picture.
On the framed page and in the script embed on a host page with a strict CSP, the pictures
from `/m/`, with no request to any origin but feedhub's before and after every key."""

from __future__ import annotations

import pytest

from tests.extras_support import (
    FOCUSED,
    allowed,
    both_ways,
    focused_class,
    open_widget,
    serve_widgets,
    tab_to_class,
)

pytestmark = pytest.mark.browser

FACADE = "La façade du dépôt, briques rouges et grandes portes vitrées."
TRAMS = "Deux rames garées côte à côte sous la verrière."


async def test_lightbox_opens_cycles_and_closes_from_the_keyboard(
    tmp_path, upstream, daemon, browser
):
    d = await serve_widgets(daemon, tmp_path, upstream, {"lb": {"locale": "fr"}})
    for url, embedded in both_ways(d, upstream, "lb"):
        seen = await open_widget(browser, url, embedded=embedded)
        box = seen.root.locator("dialog.fh-lightbox")
        caption = box.locator(".fh-lb-caption")
        count = box.locator(".fh-lb-count")
        assert not await box.is_visible()
        await tab_to_class(seen.page, "fh-zoom")
        opener = await seen.page.evaluate_handle(FOCUSED)
        await seen.page.keyboard.press("Enter")
        assert await box.evaluate("e => e.open") and await box.is_visible()
        assert await caption.inner_text() == FACADE
        assert await count.inner_text() == "Image 1 sur 3"
        img = box.locator(".fh-lb-img")
        assert (await img.get_attribute("src")).startswith(f"{d.url}/m/")
        assert await img.get_attribute("alt") == FACADE
        await img.evaluate("e => e.decode()")
        assert await img.evaluate("e => e.naturalWidth") >= 800, "the largest size"
        assert await focused_class(seen.page) == "fh-lb-close", "the focus moves into it"
        await seen.page.keyboard.press("ArrowRight")
        assert await caption.inner_text() == TRAMS
        await seen.page.keyboard.press("ArrowRight")
        assert await caption.inner_text() == "" and await count.inner_text() == "Image 3 sur 3"
        await seen.page.keyboard.press("ArrowRight")
        assert await caption.inner_text() == FACADE, "round to the first"
        await seen.page.keyboard.press("ArrowLeft")
        assert await count.inner_text() == "Image 3 sur 3"
        # Tab reaches the dialog's buttons, never the page under it (modal: the rest is
        # inert; past the last button the browser's own controls come).
        reached = set()
        for _ in range(4):
            await seen.page.keyboard.press("Tab")
            reached.add(await focused_class(seen.page))
        assert (
            {"fh-lb-prev", "fh-lb-next", "fh-lb-close"}
            <= reached
            <= {
                "fh-lb-prev",
                "fh-lb-next",
                "fh-lb-close",
                "fh-page",
                "",
            }
        ), reached
        await seen.root.locator(".fh-lb-close").focus()
        await seen.page.keyboard.press("Escape")
        assert not await box.evaluate("e => e.open") and not await box.is_visible()
        assert await seen.page.evaluate(f"o => ({FOCUSED})() === o", opener), (
            "the focus is back on the picture it opened from"
        )
        assert seen.origins() <= allowed(d, upstream, embedded), seen.requests
        assert seen.errors == [], seen.errors
        await seen.page.close()


async def test_the_buttons_and_a_click_beside_the_picture(tmp_path, upstream, daemon, browser):
    d = await serve_widgets(daemon, tmp_path, upstream, {"lb": {}})
    seen = await open_widget(browser, f"{d.url}/w/lb", embedded=False, width=800)
    box = seen.root.locator("dialog.fh-lightbox")
    await seen.root.locator("a.fh-zoom").nth(1).click()
    assert await box.locator(".fh-lb-caption").inner_text() == TRAMS
    assert await box.locator(".fh-lb-count").inner_text() == "Picture 2 of 3"
    await box.get_by_role("button", name="Next picture").click()
    assert await box.locator(".fh-lb-count").inner_text() == "Picture 3 of 3"
    await box.get_by_role("button", name="Previous picture").click()
    await box.get_by_role("button", name="Close").click()
    assert not await box.evaluate("e => e.open")
    # A post with one picture has no arrows; a click beside the picture closes it.
    await seen.root.locator("article").nth(3).locator("a.fh-zoom").click()
    assert await box.evaluate("e => e.open")
    assert not await box.get_by_role("button", name="Next picture").is_visible()
    await seen.page.mouse.click(5, 400)
    assert not await box.evaluate("e => e.open")
    assert seen.origins() == {d.url}, seen.requests
    await seen.page.close()
