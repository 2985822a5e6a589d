"""A widget mixing Mastodon, Bluesky and YouTube, as a visitor's browser shows it.

Images on the platforms' CDNs are answered by the test with generated PNGs (no internet).
With FEEDHUB_WRITE_DOCS=1 (`make screenshots`) the screenshot is written to docs/mixed.png.
"""

from __future__ import annotations

import os

from tests.conftest import ROOT
from tests.png import placeholder_png
from tests.widget_cases import CASES, config

NAMES = ["mastodon", "bluesky", "youtube"]


async def test_mixed_widget_in_chromium(tmp_path, upstream, feedhub_service, browser):
    for name in NAMES:
        CASES[name].serve(upstream)
    running = await feedhub_service(config(tmp_path, upstream, NAMES))
    await running.poll_all()
    local = str(running.client.make_url("/"))
    page = await browser.new_page(viewport={"width": 420, "height": 900})
    outside: list[str] = []

    async def internet(route):
        outside.append(route.request.url)
        await route.fulfill(body=placeholder_png(route.request.url), content_type="image/png")

    await page.route(lambda url: not url.startswith(local), internet)
    await page.goto(local + "w/wall?limit=7&locale=fr")
    articles = page.locator("[role=feed] article")
    assert await articles.count() == 7
    for name in NAMES:
        assert await page.locator(f"article.fh-net-{name}").count() >= 1, name
    # every post: an author, a date linking to the original, a network label
    for i in range(7):
        post = articles.nth(i)
        assert await post.locator(".fh-author .fh-name").count() == 1
        assert (await post.locator("a.fh-date").get_attribute("href")).startswith("https://")
        assert await post.locator("time[datetime]").count() == 1
    # pinned first; every image has alt text and loads lazily
    assert "fh-pinned" in (await articles.first.get_attribute("class"))
    images = page.locator("article img")
    assert await images.count() >= 4
    for i in range(await images.count()):
        img = images.nth(i)
        assert await img.get_attribute("alt") is not None
        assert await img.get_attribute("loading") == "lazy"
    # only image requests left the page, and none were scripts
    assert outside and all("/w/" not in u for u in outside)
    shot = await page.locator(".fh").screenshot(path=str(tmp_path / "mixed.png"))
    assert len(shot) > 10_000
    if os.environ.get("FEEDHUB_WRITE_DOCS") == "1":
        (ROOT / "docs" / "mixed.png").write_bytes(shot)
    # further down the wall, content warnings stay folded, media included, until opened
    await page.goto(local + "w/wall?locale=fr")
    warning = page.locator("details.fh-cw").first
    assert await warning.get_attribute("open") is None
    assert not await warning.locator(".fh-content").is_visible()
    await warning.locator("summary").click()
    assert await warning.locator(".fh-content").is_visible()
