"""GET /w/{widget}.json|.atom|.rss: read back by independent readers (a JSON Feed 1.1
schema, feedparser), with every URL absolute under server.public_url."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import jsonschema

from tests.conftest import fixture_bytes, make_config

SCHEMA = json.loads((Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text())
PUBLIC = "https://widgets.example.org"


async def started(tmp_path, upstream, feedhub_service, locale="fr"):
    upstream.set("/rss", fixture_bytes("feeds/rss20.xml"), "application/rss+xml")
    upstream.set("/json", fixture_bytes("feeds/feed.json"), "application/feed+json")
    # websub off: the fixtures name hubs on the internet, which no test may reach
    config = make_config(
        tmp_path,
        {
            "server": {"public_url": PUBLIC},
            "sources": {
                "blog": {"type": "feed", "url": upstream.url("/rss")},
                "js": {"type": "feed", "url": upstream.url("/json"), "websub": False},
            },
            "widgets": {
                "news": {
                    "title": "Nouvelles & <brèves>",
                    "sources": ["blog", "js"],
                    "limit": 10,
                    "locale": locale,
                    "more": {"label": "plus", "url": "https://www.example.org/blog/"},
                }
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    return running


async def test_json_feed_is_valid_1_1(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    status, text, headers = await running.get("/w/news.json")
    assert status == 200 and headers["Content-Type"].startswith("application/feed+json")
    feed = json.loads(text)
    jsonschema.validate(feed, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert feed["title"] == "Nouvelles & <brèves>" and feed["language"] == "fr"
    assert feed["feed_url"] == f"{PUBLIC}/w/news.json"
    assert feed["home_page_url"] == "https://www.example.org/blog/"
    items = feed["items"]
    assert [i.get("title") for i in items[:2]] == ["JSON post two", "Second post: images & links"]
    assert len({i["id"] for i in items}) == len(items) == 4
    assert all(i["id"].startswith("tag:widgets.example.org,2026:") for i in items)
    two = items[0]
    # Relative links resolved at ingest, javascript: dropped, image absolute
    assert 'href="https://json.example.org/about"' in two["content_html"]
    assert "javascript:" not in text
    assert two["image"] == "https://json.example.org/img/2.png"
    assert two["date_published"] == "2026-11-24T12:00:00Z"
    second = items[1]
    assert second["authors"] == [{"name": "Ada Example"}]
    assert "<script" not in second["content_html"]


async def test_atom_and_rss_read_cleanly_by_feedparser(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    _, json_text, _ = await running.get("/w/news.json")
    expected = json.loads(json_text)["items"]
    for fmt, kind, version in (
        ("atom", "application/atom+xml", "atom10"),
        ("rss", "application/rss+xml", "rss20"),
    ):
        status, text, headers = await running.get(f"/w/news.{fmt}")
        assert status == 200 and headers["Content-Type"].startswith(kind)
        parsed = feedparser.parse(text.encode())
        assert parsed.bozo == 0, (fmt, parsed.get("bozo_exception"))
        assert parsed.version == version
        assert parsed.feed.title == "Nouvelles & <brèves>"
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [f"{PUBLIC}/w/news.{fmt}"]
        assert [e.id for e in parsed.entries] == [i["id"] for i in expected]
        assert [e.link for e in parsed.entries] == [i["url"] for i in expected]
        first = parsed.entries[0]
        assert first.published_parsed[:6] == (2026, 11, 24, 12, 0, 0)
        second = parsed.entries[1]
        assert second.author == "Ada Example"
        body = second.content[0].value if fmt == "atom" else second.description
        # absolute, resolved against where the upstream feed was fetched from
        assert f'href="{upstream.url("/docs/start")}"' in body and "<script" not in body


async def test_feeds_follow_limit_and_stay_absolute_without_public_url(
    tmp_path, upstream, feedhub_service
):
    upstream.set("/atom", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    config = make_config(
        tmp_path,
        {
            "server": {"host": "127.0.0.1", "port": 8123},
            "sources": {"a": {"type": "feed", "url": upstream.url("/atom"), "websub": False}},
            "widgets": {"w": {"sources": ["a"], "limit": 5}},
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    _, text, _ = await running.get("/w/w.json?limit=1")
    feed = json.loads(text)
    jsonschema.validate(feed, SCHEMA)
    assert feed["title"] == "w" and len(feed["items"]) == 1
    assert feed["feed_url"] == "http://127.0.0.1:8123/w/w.json"
    parsed = feedparser.parse((await running.get("/w/w.atom?limit=1"))[1].encode())
    assert parsed.bozo == 0 and len(parsed.entries) == 1
    assert parsed.entries[0].title == "Entry two"


async def test_empty_widget_feeds_are_still_valid(tmp_path, upstream, feedhub_service):
    upstream.set("/empty", b"not found", status=404)
    config = make_config(
        tmp_path,
        {
            "sources": {"a": {"type": "feed", "url": upstream.url("/empty")}},
            "widgets": {"w": {"sources": ["a"]}},
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    feed = json.loads((await running.get("/w/w.json"))[1])
    jsonschema.validate(feed, SCHEMA)
    assert feed["items"] == []
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse((await running.get(f"/w/w.{fmt}"))[1].encode())
        assert parsed.bozo == 0 and parsed.entries == []


def test_text_xml_cannot_carry_is_dropped():
    from feedhub.publish.feeds import xml_chars

    assert xml_chars("a\x00b\x0bc\x1fd\ufffee\ud800\tf\n\U0001f600") == "abcde\tf\n\U0001f600"
