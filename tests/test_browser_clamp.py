"""Show more (issue 23) through `feedhub serve`, in Chromium: with `clamp: N` a long post shows
its first N lines and a real control (a `<details>`) that shows the rest and folds it again,
from the keyboard, on the framed page and in the script embed on a host page with a strict
CSP; a short post has no control; `cards` clamps at 6 lines by default and now has one too."""

from __future__ import annotations

import pytest

from tests.extras_support import allowed, both_ways, open_widget, serve_widgets, tab_to
from tests.served_support import widget_page

pytestmark = pytest.mark.browser

LONG_POST = "Compte rendu du conseil de quartier"  # the fixture's long post (6 paragraphs)
LINE = 22.5  # px: 15px type, line-height 1.5


async def test_show_more_and_less_from_the_keyboard(tmp_path, upstream, daemon, browser):
    d = await serve_widgets(daemon, tmp_path, upstream, {"long": {"clamp": 3, "locale": "fr"}})
    for url, embedded in both_ways(d, upstream, "long"):
        seen = await open_widget(browser, url, embedded=embedded)
        post = seen.root.locator("article", has_text=LONG_POST)
        text = post.locator(".fh-content")
        height = await text.evaluate("e => e.getBoundingClientRect().height")
        assert 2.5 * LINE < height < 4 * LINE, f"three lines shown, not {height}px"
        # Only the long post has the control; the short ones show whole.
        assert await seen.root.locator("details.fh-toggle").count() == 1
        summary = post.locator("summary")
        assert await summary.inner_text() == "Afficher plus"
        await tab_to(seen.page, "Afficher plus")
        await seen.page.keyboard.press("Enter")
        assert await post.locator("details").get_attribute("open") is not None
        opened = await text.evaluate("e => e.getBoundingClientRect().height")
        assert opened > 8 * LINE, "the whole text"
        assert await text.evaluate("e => e.scrollHeight <= e.clientHeight + 1")
        assert await summary.inner_text() == "Afficher moins"
        await seen.page.keyboard.press("Space")
        assert await post.locator("details").get_attribute("open") is None
        closed = await text.evaluate("e => e.getBoundingClientRect().height")
        assert closed == pytest.approx(height, abs=1)
        assert seen.origins() <= allowed(d, upstream, embedded), seen.requests
        assert seen.errors == [], seen.errors
        await seen.page.close()


async def test_a_post_that_fits_loses_its_control(tmp_path, upstream, daemon, browser):
    # 12 lines: the server guesses the long post may need more, the browser finds it fits.
    d = await serve_widgets(daemon, tmp_path, upstream, {"wide": {"clamp": 12}})
    assert 'class="fh-toggle"' in await widget_page(d, "wide")
    seen = await open_widget(browser, f"{d.url}/w/wide", embedded=False, width=1200)
    assert await seen.root.locator(".fh-clamp.fh-fits").count() == 1
    assert not await seen.root.locator("summary").is_visible()
    await seen.page.close()


async def test_cards_clamp_at_six_lines_with_a_control_and_clamp_zero_turns_it_off(
    tmp_path, upstream, daemon
):
    widgets = {"cards": {"theme": "cards"}, "whole": {"theme": "cards", "clamp": 0}}
    d = await serve_widgets(daemon, tmp_path, upstream, widgets)
    assert '<div class="fh-clamp" data-lines="6">' in await widget_page(d, "cards")
    shown = await widget_page(d, "whole")
    assert "fh-clamp" not in shown.split("</style>", 1)[1] and LONG_POST in shown
