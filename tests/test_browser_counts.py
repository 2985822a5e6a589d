"""Engagement counts (issue 23) through `feedhub serve`, in Chromium: replies, reposts and likes
as the platform gave them, written short in the widget's language ("15,3 k" in French,
"1.5万" in Japanese), on the framed page and in the script embed on a host page with a strict
CSP; `counts: false` leaves them out. The browser asks nothing of any other origin."""

from __future__ import annotations

import re

import pytest

from tests.extras_support import allowed, both_ways, open_widget, serve_widgets
from tests.served_support import widget_page

pytestmark = pytest.mark.browser

WIDGETS = {
    "fr": {"locale": "fr", "theme": "sidebar"},
    "ja": {"locale": "ja", "theme": "cards", "scheme": "dark"},
    "bare": {"counts": False},
}
# The first post: 3 replies, 1234 reposts, 15300 likes; as each language writes them.
EXPECTED = {
    "fr": ["↩Réponses 3", "↻Partages 1,2\xa0k", "♥J’aime 15,3\xa0k"],
    "ja": ["↩返信 3", "↻リポスト 1234", "♥いいね 1.5万"],
}


async def test_counts_localized_on_the_framed_page_and_in_the_script_embed(
    tmp_path, upstream, daemon, browser
):
    d = await serve_widgets(daemon, tmp_path, upstream, WIDGETS)
    for widget, expected in EXPECTED.items():
        for url, embedded in both_ways(d, upstream, widget):
            seen = await open_widget(browser, url, embedded=embedded)
            first = seen.root.locator("article").first
            counts = first.locator(".fh-count")
            texts = [re.sub(r"[ \n]+", " ", t) for t in await counts.all_text_contents()]
            assert texts == expected, (widget, embedded, texts)
            # The word is for screen readers; the symbol before it is not read out.
            label = first.locator(".fh-likes .fh-visually-hidden")
            assert await label.evaluate("e => getComputedStyle(e).width") == "1px"
            assert await first.locator(".fh-likes [aria-hidden=true]").count() == 1
            # Every post of the fixture has counts; none overflows its widget.
            assert await seen.root.locator("article .fh-replies").count() == 4
            assert await seen.root.evaluate("e => e.scrollWidth <= e.clientWidth")
            assert seen.origins() <= allowed(d, upstream, embedded), seen.requests
            assert seen.errors == [], seen.errors
            await seen.page.close()


async def test_counts_false_hides_them(tmp_path, upstream, daemon):
    d = await serve_widgets(daemon, tmp_path, upstream, {"bare": WIDGETS["bare"], "fr": {}})
    assert 'class="fh-count' not in await widget_page(d, "bare")
    shown = await widget_page(d, "fr")
    assert shown.count('class="fh-count fh-likes"') == 4
    # English by default: "1.2K", "15.3K".
    assert "Likes</span> 15.3K</span>" in shown and "Reposts</span> 1.2K</span>" in shown
