"""The sidebar theme in a real browser: what a visitor sees.

With FEEDHUB_WRITE_DOCS=1 (`make screenshots`) the screenshot is also written to docs/.
"""

from __future__ import annotations

import os

from tests.conftest import ROOT, make_config

DOCS = ROOT / "docs"


async def test_sidebar_renders_in_chromium(tmp_path, feedhub_service, browser):
    config = make_config(
        tmp_path,
        {
            "sources": {"news": {"type": "feed", "url": str(ROOT / "examples" / "news.xml")}},
            "widgets": {
                "sidebar": {
                    "title": "Tweets de @Hubservateur",
                    "sources": ["news"],
                    "limit": 4,
                    "locale": "fr",
                    "scheme": "light",
                    "more": {"label": "plus", "url": "https://mastodon.social/@hubservateur"},
                }
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    page = await browser.new_page(viewport={"width": 360, "height": 800})
    await page.goto(str(running.client.make_url("/w/sidebar")))
    title = page.get_by_role("heading", name="Tweets de @Hubservateur")
    assert await title.is_visible()
    articles = page.locator("[role=feed] article")
    assert await articles.count() == 4
    first = articles.first
    assert "feedhub est en ligne" in await first.inner_text()
    assert await first.locator("time").get_attribute("datetime") == "2026-11-24T09:30:00Z"
    assert "24 nov. 2026" in await first.locator("time").inner_text()
    more = page.locator(".fh-more a")
    assert await more.get_attribute("href") == "https://mastodon.social/@hubservateur"
    # The store holds more than the widget's limit: a plain link to the next page.
    older = page.get_by_role("link", name="Plus de publications")
    assert "/w/sidebar?before=" in (await older.get_attribute("href") or "")
    # the theme's stylesheet applied (the CSP allowed it by hash): a bordered box
    border = await page.eval_on_selector(".fh", "e => getComputedStyle(e).borderTopWidth")
    assert border == "4px"
    box = await page.locator(".fh").bounding_box()
    shot = await page.locator(".fh").screenshot(path=str(tmp_path / "sidebar.png"))
    assert len(shot) > 5000 and box["height"] > 200
    if os.environ.get("FEEDHUB_WRITE_DOCS") == "1":
        DOCS.mkdir(exist_ok=True)
        (DOCS / "sidebar.png").write_bytes(shot)
