"""A feed item nested thousands deep or with a thousand-column table reaches the widget
within bounds: its text kept, the tags beyond MAX_DEPTH nesting and MAX_CELLS cells gone."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from feedhub.content.structure import MAX_CELLS, MAX_DEPTH, MAX_SPAN
from tests.conftest import make_config

VOID = {"br", "hr", "img", "meta", "link", "input", "source", "wbr"}


class Shape(HTMLParser):
    """The deepest nesting and the widest table row of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = self.deepest = 0
        self.rows: list[int] = []
        self.widest = 0
        self.spans: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        self.depth += 1
        self.deepest = max(self.deepest, self.depth)
        if tag == "tr":
            self.rows.append(0)
        if tag in ("td", "th") and self.rows:
            self.rows[-1] += 1
            self.widest = max(self.widest, self.rows[-1])
        self.spans += [int(v) for k, v in attrs if k in ("colspan", "rowspan") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        self.depth -= 1
        if tag == "tr" and self.rows:
            self.rows.pop()


def shape(html: str) -> Shape:
    s = Shape()
    s.feed(html)
    return s


async def test_deep_and_wide_content_is_bounded_in_every_output(
    tmp_path, upstream, feedhub_service
):
    deep = "<blockquote><span>" * 1500 + "bottom" + "</span></blockquote>" * 1500
    wide = (
        "<table><tr>"
        + "".join(f'<td colspan="5000">c{n}</td>' for n in range(800))
        + "</tr></table>"
    )
    body = f"<p>start</p>{deep}{wide}<p>the end</p>"
    upstream.set(
        "/feed.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t'
        "</title><item><guid>https://example.org/1</guid><title>Deep"
        f"</title><description><![CDATA[{body}]]></description></item>"
        "</channel></rss>",
    )
    running = await feedhub_service(
        make_config(
            tmp_path,
            {
                "sources": {"blog": {"type": "feed", "url": upstream.url("/feed.xml")}},
                "widgets": {"side": {"sources": ["blog"]}},
            },
        )
    )
    await running.poll_all()
    assert running.service.states["blog"].errors == 0
    _, page, _ = await running.get("/w/side.html")
    _, feed, _ = await running.get("/w/side.json")
    content = json.loads(feed)["items"][0]["content_html"]
    for html in (page, content):
        got = shape(html)
        assert got.widest <= MAX_CELLS and max(got.spans, default=0) <= MAX_SPAN
        assert "bottom" in html and "the end" in html and "c799" in html  # text kept
    assert shape(content).deepest <= MAX_DEPTH
    assert shape(page).deepest <= MAX_DEPTH + 20  # a theme's own markup is far less deep


def test_nesting_is_cut_exactly_at_the_bound_with_few_tags_or_many():
    from feedhub.content.structure import bounded

    for depth in (MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 3):
        html = "<div>" * depth + "x<br>y" + "</div>" * depth
        out = bounded(html)
        assert out.count("<div>") == min(depth, MAX_DEPTH) == out.count("</div>")
        assert ("<br>" in out) == (depth < MAX_DEPTH)
        assert "x" in out and "y" in out
    row = "<table><tr>" + "<td>c</td>" * (MAX_CELLS + 2) + "</tr></table>"
    assert bounded(row).count("<td>") == MAX_CELLS
