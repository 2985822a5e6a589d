"""Alt text as a rule (issue 23) through `feedhub serve`, in Chromium: with `require_alt: fold`
a picture whose author left no description shows a visible "No description" marker instead,
which opens on a click (and from the keyboard) to show it; with `hide` it is absent; pictures
with a description show as always. On the framed page and in the script embed on a host page
with a strict CSP, the pictures served from `/m/`."""

from __future__ import annotations

import re

import pytest

from tests.extras_support import allowed, both_ways, open_widget, serve_widgets
from tests.served_support import widget_page

pytestmark = pytest.mark.browser

WIDGETS = {
    "fold": {"require_alt": "fold", "locale": "fr"},
    "hide": {"require_alt": "hide"},
    "show": {},
}
DESCRIBED = 2  # pictures of the fixture with a description; 2 others have none


async def test_fold_shows_a_marker_that_opens_on_a_click(tmp_path, upstream, daemon, browser):
    d = await serve_widgets(daemon, tmp_path, upstream, WIDGETS)
    for url, embedded in both_ways(d, upstream, "fold"):
        seen = await open_widget(browser, url, embedded=embedded)
        markers = seen.root.locator("details.fh-noalt")
        assert await markers.count() == 2
        first = markers.first
        summary = first.locator("summary")
        assert await summary.inner_text() == "Sans description"
        assert await summary.is_visible()
        picture = first.locator("img")
        assert not await picture.is_visible(), "folded"
        described = seen.root.locator(".fh-media img[alt]:not([alt=''])")
        assert await described.count() == DESCRIBED
        await summary.click()
        assert await picture.is_visible()
        assert "/m/" in (await picture.get_attribute("src") or "")
        await picture.evaluate("e => e.decode()")
        assert await picture.evaluate("e => e.naturalWidth") > 0
        # The second one opens from the keyboard.
        second = markers.nth(1).locator("summary")
        await second.focus()
        await seen.page.keyboard.press("Enter")
        assert await markers.nth(1).locator("img").is_visible()
        assert seen.origins() <= allowed(d, upstream, embedded), seen.requests
        assert seen.errors == [], seen.errors
        await seen.page.close()


async def test_hide_leaves_them_out(tmp_path, upstream, daemon, browser):
    d = await serve_widgets(daemon, tmp_path, upstream, WIDGETS)
    for url, embedded in both_ways(d, upstream, "hide"):
        seen = await open_widget(browser, url, embedded=embedded)
        pictures = seen.root.locator(".fh-media img")
        assert await pictures.count() == DESCRIBED
        for alt in await pictures.evaluate_all("es => es.map(e => e.alt)"):
            assert alt.strip()
        assert await seen.root.locator(".fh-noalt").count() == 0
        # The post whose only picture had no description has no empty media box.
        post = seen.root.locator("article", has_text="Le chantier rue des Acacias")
        assert await post.locator(".fh-media").count() == 0
        assert seen.origins() <= allowed(d, upstream, embedded), seen.requests
        await seen.page.close()
    # By default every picture shows, an empty alt for those without a description.
    shown = await widget_page(d, "show")
    pictures = re.findall(r'<img (?![^>]*fh-avatar)[^>]*alt="([^"]*)"', shown)
    assert sorted(pictures)[:3] == ["", "", "Deux rames garées côte à côte sous la verrière."]
    assert "fh-noalt" not in shown.split("</style>", 1)[1]
