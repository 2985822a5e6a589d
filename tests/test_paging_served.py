"""Paging through everything the store holds, through `feedhub serve`: JSON Feed `next_url`,
Atom and RSS `rel="next"`, the fragment's and the framed page's `?before=` link; each item
once, newest first, to the end, whatever arrives between two requests."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import aiohttp

from tests.conftest import free_port, write_config
from tests.feeds_support import rss
from tests.history_support import changed, dated_post, feed_of, get, shows

ATOM = "{http://www.w3.org/2005/Atom}"
NEXT_LINK = re.compile(r'<p class="fh-next"><a href="([^"]+)" rel="next">')
TITLE = re.compile(r">((?:Post|News) \d+)<")


def news_feed(numbers: list[int]) -> bytes:
    """A second blog posting at the very same times as the first (ties of rank)."""
    return rss(
        *(
            dated_post(n).replace("Post ", "News ").replace("/posts/", "/news/")
            for n in sorted(numbers, reverse=True)
        )
    )


def expected(numbers: list[int]) -> list[str]:
    """Newest first; at equal times, the source named later first (`news` before `blog`)."""
    return [t for n in sorted(numbers, reverse=True) for t in (f"News {n}", f"Post {n}")]


async def start(tmp_path, upstream, daemon, limit=7):  # type: ignore[no-untyped-def]
    upstream.set("/feed", feed_of(list(range(1, 41))))
    upstream.set("/news", news_feed(list(range(1, 41))))
    port = free_port()
    config = write_config(
        tmp_path,
        {
            "server": {"port": port, "public_url": f"http://127.0.0.1:{port}"},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1s"},
            "sources": {
                "blog": {"type": "feed", "url": upstream.url("/feed")},
                "news": {"type": "feed", "url": upstream.url("/news")},
            },
            "widgets": {
                "all": {"sources": ["blog", "news"], "limit": limit},
                "long": {"sources": ["blog", "news"], "limit": 200},
            },
        },
    )
    d = daemon(config, port)
    await shows(d, 80, "long")
    return d


async def follow_json(url: str) -> tuple[list[str], int]:
    seen, pages = [], 0
    while url:
        status, body = await get(url)
        assert status == 200, body
        doc = json.loads(body)
        seen += [it["title"] for it in doc["items"]]
        pages += 1
        url = doc.get("next_url", "")
        assert pages < 50, "paging does not end"
    return seen, pages


async def test_json_feed_pages_visit_every_item_once_newest_first(tmp_path, upstream, daemon):
    d = await start(tmp_path, upstream, daemon)
    seen, pages = await follow_json(f"{d.url}/w/all.json")
    assert seen == expected(list(range(1, 41)))
    assert pages == 12  # 80 items, 7 a page
    # The cursor is checked: anything else is a short 400.
    status, body = await get(f"{d.url}/w/all.json?before=not-a-cursor")
    assert status == 400 and "before" in body and "Traceback" not in body


async def test_atom_and_rss_pages_follow_rel_next(tmp_path, upstream, daemon):
    d = await start(tmp_path, upstream, daemon)
    for fmt, link_tag, entry_tag, title_tag in (
        ("atom", f"{ATOM}link", f"{ATOM}entry", f"{ATOM}title"),
        ("rss", f"{ATOM}link", "channel/item", "title"),
    ):
        url, seen = f"{d.url}/w/all.{fmt}", []
        while url:
            status, body = await get(url)
            assert status == 200, body
            root = ET.fromstring(body)
            parent = root if fmt == "atom" else root.find("channel")
            assert parent is not None
            entries = root.findall(entry_tag)
            seen += [e.findtext(title_tag) for e in entries]
            nexts = [ln.get("href") for ln in parent.findall(link_tag) if ln.get("rel") == "next"]
            url = nexts[0] if nexts else ""
            assert len(seen) <= 80, fmt
        assert seen == expected(list(range(1, 41))), fmt


async def test_fragment_and_page_end_with_a_real_link_to_the_next(tmp_path, upstream, daemon):
    d = await start(tmp_path, upstream, daemon)
    for first in (f"{d.url}/w/all.html", f"{d.url}/w/all"):
        url, seen = first, []
        while url:
            status, body = await get(url)
            assert status == 200, body
            seen += TITLE.findall(body)
            found = NEXT_LINK.search(body)
            url = unescape(found[1]) if found else ""
            if url:
                assert url.startswith(first + "?") and "before=" in url
        assert seen == expected(list(range(1, 41))), first


async def test_a_page_is_cached_and_revalidated(tmp_path, upstream, daemon):
    d = await start(tmp_path, upstream, daemon)
    status, body = await get(f"{d.url}/w/all.json")
    url = json.loads(body)["next_url"]
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as resp:
            etag = resp.headers["ETag"]
            assert resp.status == 200
        async with http.get(url, headers={"If-None-Match": etag}) as resp:
            assert resp.status == 304
        # Query values are checked as on a first page: above the widget's limit, a 400.
        async with http.get(url + "&limit=11") as resp:
            assert resp.status == 400
    status, body = await get(url.replace("before=", "limit=5&before="))
    assert status == 200 and len(json.loads(body)["items"]) == 5


async def test_a_post_arriving_between_two_pages_neither_repeats_nor_skips(
    tmp_path, upstream, daemon
):
    d = await start(tmp_path, upstream, daemon)
    status, body = await get(f"{d.url}/w/all.json")
    first = json.loads(body)
    seen = [it["title"] for it in first["items"]]
    # A new post on each blog, newer than all: they rank above every cursor given out.
    await changed(upstream, "/feed", feed_of([41, *range(1, 41)]))
    await changed(upstream, "/news", news_feed([41, *range(1, 41)]))
    await shows(d, 82, "long")
    rest, _ = await follow_json(first["next_url"])
    assert seen + rest == expected(list(range(1, 41)))
    # A fresh first page shows them.
    newest, _ = await follow_json(f"{d.url}/w/all.json")
    assert newest == expected(list(range(1, 42)))
