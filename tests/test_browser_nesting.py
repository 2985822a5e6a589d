"""Content nested as deep as an item may nest stays inside a narrow framed widget, in every
built-in theme: blockquotes, lists, definition lists, a wide table, a long line of code."""

from __future__ import annotations

import pytest

from feedhub.content.structure import MAX_DEPTH
from tests.conftest import make_config

WIDTH = 420
THEMES = ("sidebar", "cards", "list", "ticker")
SHOW_CONTENT = {"sidebar", "cards"}  # the others show titles only


def nested(open_: str, close: str, text: str) -> str:
    return open_ * MAX_DEPTH + text + close * MAX_DEPTH


def deep_feed() -> str:
    bodies = [
        nested("<blockquote>", "</blockquote>", "quoted at the bottom"),
        nested("<ul><li>", "</li></ul>", "listed at the bottom"),
        nested("<ol><li>", "</li></ol>", "numbered at the bottom"),
        nested("<dl><dd>", "</dd></dl>", "defined at the bottom"),
        "<blockquote><ul><li><blockquote><ol><li>" * 6
        + "mixed"
        + "</li></ol></blockquote></li></ul></blockquote>" * 6,
        "<table><tr>"
        + "".join(f"<td>column{n}-wide-cell</td>" for n in range(32))
        + "</tr></table>",
        "<pre>" + "x" * 400 + "</pre>",
    ]
    items = "".join(
        f"<item><guid>https://example.org/{n}</guid><title>Deep {n}</title>"
        f"<description><![CDATA[{body}]]></description></item>"
        for n, body in enumerate(bodies)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )


@pytest.mark.parametrize("theme", THEMES)
async def test_deep_nesting_stays_inside_a_narrow_frame(
    tmp_path, upstream, feedhub_service, browser, theme
):
    upstream.set("/feed.xml", deep_feed())
    config = make_config(
        tmp_path,
        {
            "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
            "widgets": {"side": {"sources": ["blog"], "theme": theme, "limit": 10}},
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    page = await browser.new_page(viewport={"width": WIDTH, "height": 800})
    await page.goto(str(running.client.make_url("/w/side")))
    shown = 1 if theme in SHOW_CONTENT else 0
    for text in ("quoted", "listed", "numbered", "defined"):
        assert await page.get_by_text(f"{text} at the bottom").count() == shown, (theme, text)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{theme}: the page is {width} px wide in a {WIDTH} px frame"
    # The deepest text is still where a reader can see it: inside the frame, not squeezed away.
    for text in ("quoted", "listed", "mixed") if shown else ():
        box = await page.get_by_text(
            text if text == "mixed" else f"{text} at the bottom"
        ).bounding_box()
        assert box is not None and box["x"] + box["width"] <= WIDTH and box["width"] > 60, (
            text,
            box,
        )
    await page.close()
