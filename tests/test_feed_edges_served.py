"""The edges of real feeds, through `feedhub serve`: each corpus file served by a local upstream
with the headers given in its `.expected.json` (or read from disk), and the widget's JSON Feed
holding exactly the items a reader expects of it.

1. a charset declared only by HTTP; 2. items that share a guid; 3. JSON Feed as readers take
it; 4. relative links in a local file; 5. a well-formed feed whose items hold only an image.
"""

from __future__ import annotations

import asyncio
import shutil

from tests.corpus_support import (
    CORPUS,
    as_expected,
    as_read,
    expected,
    serve_corpus,
    served_as,
    source_id,
)
from tests.served_support import polled, start, widget_items


async def test_charset_given_only_by_http_is_used(tmp_path, upstream, daemon):
    names = ("shift-jis-http-charset.rss", "windows-1251-http-charset.rss")
    d = start(daemon, tmp_path, serve_corpus(upstream, *names))
    for name in names:
        items = await polled(d, source_id(name), len(expected(name)["items"]))
        assert as_read(items) == as_expected(name)
    sjis = await widget_items(d, source_id(names[0]))
    assert [it["summary"] for it in sjis] == expected(names[0])["summaries"]


async def test_items_sharing_a_guid_are_all_shown(tmp_path, upstream, daemon):
    names = ("wordpress-duplicate-guids.rss", "one-guid-three-links.rss")
    d = start(daemon, tmp_path, serve_corpus(upstream, *names))
    for name in names:
        want = as_expected(name)
        items = await polled(d, source_id(name), sum(want.values()))
        assert as_read(items) == want
        assert len({it["id"] for it in items}) == len(items)
    titled = [
        it
        for it in await widget_items(d, "wordpress_duplicate_guids")
        if it.get("url", "").endswith("/week-40/")
    ]
    assert titled and titled[0]["title"] == "Week 40: notes on shipping the parser"


async def test_json_feeds_are_read_as_readers_read_them(tmp_path, upstream, daemon):
    names = (
        "jsonfeed-version-1-http.json",
        "jsonfeed-bom.json",
        "jsonfeed-rfc822-dates.json",
        "jsonfeed-wrong-types.json",
    )
    d = start(daemon, tmp_path, serve_corpus(upstream, *names))
    for name in names:
        items = await polled(d, source_id(name), len(expected(name)["items"]))
        assert as_read(items) == as_expected(name), name


async def test_a_local_file_resolves_relative_links_like_http(tmp_path, upstream, daemon):
    names = ("site-relative-links.rss", "xml-base-relative-links.atom")
    for name in names:
        shutil.copy(CORPUS / name, tmp_path / name)
    sources = {source_id(name): {"type": "feed", "url": name} for name in names}
    # The same site feed over HTTP: relative links resolve against its address there.
    upstream.routes["/site/index.xml"] = served_as(
        (CORPUS / names[0]).read_bytes(), "application/rss+xml"
    )
    sources["over_http"] = {"type": "feed", "url": upstream.url("/site/index.xml")}
    d = start(daemon, tmp_path, sources)
    for name in names:
        want = expected(name)
        items = await polled(d, source_id(name), len(want["items"]))
        assert as_read(items) == as_expected(name)
        by_url = {it["url"]: it for it in items}
        for it, links in zip(want["items"], want["content_links"], strict=True):
            assert all(f'"{link}"' in by_url[it["url"]]["content_html"] for link in links)
    over_http = await polled(d, "over_http", 2)
    assert sorted((it["title"], it["url"]) for it in over_http) == sorted(
        (title, upstream.url(path)) for title, path in expected(names[0])["http_items"]
    )


async def test_well_formed_items_holding_only_an_image_are_kept(tmp_path, upstream, daemon):
    name = "photo-items-image-only.rss"
    d = start(daemon, tmp_path, serve_corpus(upstream, name))
    items = await polled(d, source_id(name), 3)
    assert as_read(items) == as_expected(name)
    assert sorted(it["image"] for it in items) == sorted(expected(name)["images"])
    # The same document read from disk, where no Content-Type says it is XML.
    shutil.copy(CORPUS / name, tmp_path / name)
    d.proc.terminate()
    await asyncio.to_thread(d.proc.wait, 15)
    local = start(daemon, tmp_path, {"from_disk": {"type": "feed", "url": name}})
    assert as_read(await polled(local, "from_disk", 3)) == as_expected(name)
