"""Keyboard focus in Chromium follows the ARIA feed pattern: Tab reaches each post in
reading order, then the links inside it, before the next post; each post announces its
position and its label."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, make_config

pytestmark = pytest.mark.browser
FOCUSED = """() => { const el = document.activeElement;
  const art = el.closest("article");
  return {tag: el.tagName.toLowerCase(), post: art ? Number(art.getAttribute("aria-posinset")) : 0,
          label: el.tagName === "ARTICLE" ? document.getElementById(
              el.getAttribute("aria-labelledby")).textContent.trim() : el.textContent.trim()}; }"""


async def test_tab_order_is_reading_order(tmp_path, feedhub_service, browser):
    config = make_config(
        tmp_path,
        {
            "sources": {"news": {"type": "feed", "url": str(ROOT / "examples" / "news.xml")}},
            "widgets": {
                "side": {
                    "title": "Nouvelles",
                    "sources": ["news"],
                    "limit": 3,
                    "locale": "fr",
                    "more": {"url": "https://www.example.org/"},
                }
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    page = await browser.new_page()
    await page.goto(str(running.client.make_url("/w/side")))
    seen: list[dict] = []
    while not seen or seen[-1]["label"] != "Plus de publications":
        assert len(seen) < 30, seen
        await page.keyboard.press("Tab")
        seen.append(await page.evaluate(FOCUSED))
    posts = [(s["post"], s["tag"]) for s in seen if s["post"]]
    assert [p for p, tag in posts if tag == "article"] == [1, 2, 3]
    assert [p for p, _ in posts] == sorted(p for p, _ in posts), "never back to an earlier post"
    first = seen[0]
    assert first == {"tag": "article", "post": 1, "label": "feedhub est en ligne"}
    assert seen[1]["tag"] == "a" and seen[1]["post"] == 1
    assert seen[-1] == {"tag": "a", "post": 0, "label": "Plus de publications"}
    # Visible focus on the post itself.
    await page.locator("article").first.focus()
    outline = await page.locator("article").first.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"
