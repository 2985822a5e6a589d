"""Text that upstream markup carries, kept through `feedhub serve` (issue 26): each corpus file
served by a local upstream, and what the widget's JSON Feed and RSS show of it.

1. the text of MathML and SVG, as text; 2. literal `<!` text; 3. a full description beside a
blank `content:encoded`.
"""

from __future__ import annotations

import html
import re

import aiohttp

from tests.corpus_support import expected, serve_corpus, source_id
from tests.served_support import polled, start

_TAG_RE = re.compile(r"<[^>]*>")


def text_of(fragment: str) -> str:
    """What a reader sees of an HTML fragment: its text, spaces collapsed."""
    return " ".join(html.unescape(_TAG_RE.sub(" ", fragment)).split())


async def test_math_svg_and_literal_bang_text_is_shown_as_text(tmp_path, upstream, daemon):
    name = "text-in-refused-markup.rss"
    d = start(daemon, tmp_path, serve_corpus(upstream, name))
    want = expected(name)
    items = await polled(d, source_id(name), len(want["items"]))
    by_url = {it["url"]: it for it in items}
    for it, text in zip(want["items"], want["texts"], strict=True):
        shown = by_url[it["url"]]
        content = shown.get("content_html", "")
        assert text_of(content) == text
        assert shown["summary"] == text
        assert not re.search(r"<(math|mi|mo|svg|title|rect|script|style)\b", content)
        assert "alert" not in content


async def test_blank_content_encoded_does_not_hide_the_description(tmp_path, upstream, daemon):
    name = "podcast-blank-content-encoded.rss"
    d = start(daemon, tmp_path, serve_corpus(upstream, name))
    want = expected(name)
    items = await polled(d, source_id(name), len(want["items"]))
    by_url = {it["url"]: it for it in items}
    async with aiohttp.ClientSession() as http, http.get(f"{d.url}/w/{source_id(name)}.rss") as r:
        rss = html.unescape(await r.text())
    for it, links in zip(want["items"], want["content_links"], strict=True):
        content = by_url[it["url"]].get("content_html", "")
        assert [link for link in links if f'href="{link}"' not in content] == []
        assert [link for link in links if f'href="{link}"' not in rss] == []
        assert "<li>" in content and not content.endswith("…")
