"""Load more (issue 23) through `feedhub serve`, in Chromium: the widget's next-page link (the
paging of issue 29) appends the next page in place, on the framed page and in the script
embed on a host page with a strict CSP: 20 older posts, none twice, the focus on the first of
them, the link then leading to the page after (and gone at the last); without script it stays
a link to that page. No request to any origin but feedhub's and the host's."""

from __future__ import annotations

import pytest

from tests.conftest import wait_until
from tests.extras_support import allowed, both_ways, focused_class, open_widget
from tests.fault_upstream import good_feed
from tests.served_support import polled, start

pytestmark = pytest.mark.browser

POSTS = 45


async def serve_feed(daemon, tmp_path, upstream):
    upstream.set("/feed", good_feed("Post", POSTS), "application/rss+xml")
    d = start(
        daemon,
        tmp_path,
        {"blog": {"type": "feed", "url": upstream.url("/feed")}},
        {
            "widgets": {
                "blog": {"sources": ["blog"], "limit": 20},
                "all": {"sources": ["blog"], "limit": 200},
            }
        },
    )
    assert len(await polled(d, "all", POSTS)) == POSTS
    return d


async def titles(root) -> list[str]:
    return await root.locator("article .fh-item-title").all_inner_texts()


async def test_load_more_appends_the_next_pages_in_place(tmp_path, upstream, daemon, browser):
    d = await serve_feed(daemon, tmp_path, upstream)
    newest_first = [f"Post {i}" for i in range(POSTS - 1, -1, -1)]
    for url, embedded in both_ways(d, upstream, "blog"):
        seen = await open_widget(browser, url, embedded=embedded)
        assert await titles(seen.root) == newest_first[:20]
        link = seen.root.locator(".fh-next a")
        await link.focus()
        await seen.page.keyboard.press("Enter")
        posts = seen.root.locator("article")
        await wait_until(lambda p=posts: _count_is(p, 40))
        shown = await titles(seen.root)
        assert shown == newest_first[:40], "20 older posts after the first 20"
        ids = await posts.evaluate_all("as => as.map(a => a.id)")
        assert len(set(ids)) == 40, "none twice"
        assert await seen.page.evaluate("() => location.href") == url, "in place"
        assert "fh-item" in (await focused_class(seen.page)).split(), "focus on what came"
        assert await posts.nth(20).evaluate(
            "a => a === document.activeElement || a === a.getRootNode().activeElement"
        )
        positions = await posts.evaluate_all("as => as.map(a => +a.getAttribute('aria-posinset'))")
        assert positions == list(range(1, 41))
        # The last page: 5 more, and no link after it.
        await seen.root.locator(".fh-next a").click()
        await wait_until(lambda p=posts: _count_is(p, POSTS))
        assert await titles(seen.root) == newest_first
        assert await seen.root.locator(".fh-next").count() == 0
        assert await posts.first.get_attribute("aria-setsize") == str(POSTS)
        assert seen.origins() <= allowed(d, upstream, embedded), seen.requests
        assert seen.errors == [], seen.errors
        await seen.page.close()


async def _count_is(locator, n: int) -> bool:
    return await locator.count() == n


async def test_without_script_it_stays_a_link(tmp_path, upstream, daemon, browser):
    d = await serve_feed(daemon, tmp_path, upstream)
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{d.url}/w/blog")
    await page.locator(".fh-next a").click()
    await page.wait_for_url("**before=**")
    assert await page.locator("article .fh-item-title").first.inner_text() == "Post 24"
    assert await page.locator("article").count() == 20
    await context.close()
