"""The `feed` parser on one file per format, each checked against what a reader expects."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedhub.sources.base import ParseError
from feedhub.sources.feed import parse_feed
from tests.conftest import fixture_bytes

URL = "https://feeds.example.org/feed"


def parse(name: str):
    items, extra = parse_feed(fixture_bytes(f"feeds/{name}"), URL, "src")
    return items, extra


def test_rss20_fields_sanitized_and_absolute():
    items, extra = parse("rss20.xml")
    assert [it.title for it in items] == ["Second post: images & links", "First post"]
    second = items[0]
    assert second.url == "https://blog.example.org/posts/second"
    assert second.author.name == "Ada Example"
    assert second.published == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    # relative URLs resolved against the item's base, script and tracking pixel dropped
    assert 'href="https://feeds.example.org/docs/start"' in second.content_html
    assert 'src="https://feeds.example.org/img/chart.png"' in second.content_html
    assert "<script" not in second.content_html and "alert" not in second.content_html
    assert "pixel.gif" not in second.content_html
    assert 'loading="lazy"' in second.content_html
    assert second.media[0].url == "https://blog.example.org/img/second-thumb.jpg"
    assert (second.media[0].width, second.media[0].height) == (320, 180)
    assert items[1].summary == "Hello world, this is the first post."
    assert extra["ttl"] == 30 * 60
    assert second.lang == "en-us"


def test_rss10_rdf():
    items, _ = parse("rss10.rdf")
    assert [it.title for it in items] == ["RDF item A", "RDF item B"]
    assert items[0].published == datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert items[0].url == "https://rdf.example.org/a"


def test_rss091_latin1():
    items, _ = parse("rss091.xml")
    assert items[0].title == "Café ouvert"
    assert items[0].summary == "Le café est ouvert."
    assert items[0].published is None
    assert items[0].lang == "fr"


def test_atom_html_title_xml_base_and_hub():
    items, extra = parse("atom.xml")
    assert items[0].title == "Entry two"
    assert items[0].url == "https://atom.example.org/2026/11/two"
    assert 'href="https://atom.example.org/relative/link"' in items[0].content_html
    assert items[0].author.name == "Grace Atom"
    assert items[1].summary == "Just a summary for entry one."
    assert extra["meta"]["hubs"] == ["http://127.0.0.1:9/hub"]
    assert extra["meta"]["self"] == "https://atom.example.org/feed.atom"


def test_json_feed():
    items, extra = parse("feed.json")
    assert [it.title for it in items] == ["JSON post two", ""]
    two, one = items
    assert 'href="https://json.example.org/about"' in two.content_html
    assert "javascript" not in two.content_html
    assert two.media[0].url == "https://json.example.org/img/2.png"
    assert two.author.name == "Jay Son"  # inherited from the feed's authors
    assert one.content_html == "<p>One, plain text.<br>Second line.</p>"
    assert one.published == datetime(2026, 11, 19, 11, 0, tzinfo=UTC)
    assert extra["meta"]["hubs"] == ["http://127.0.0.1:9/hub"]


def test_ids_are_stable_and_distinct():
    for name in ("rss20.xml", "rss10.rdf", "atom.xml", "feed.json"):
        first, _ = parse(name)
        again, _ = parse(name)
        assert [i.id for i in first] == [i.id for i in again]
        assert len({i.id for i in first}) == len(first)


def test_lone_surrogates_in_json_become_replacement_characters():
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1",'
        b' "title": "bad \\ud800 title", "content_html": "<p>x \\udfff</p>"}]}'
    )
    (item,), _ = parse_feed(body, URL, "src")
    assert item.title == "bad \ufffd title"
    assert item.content_html == "<p>x \ufffd</p>"
    item.title.encode("utf-8")  # would raise on a lone surrogate


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "empty body"),
        (b"<html><body>not a feed</body></html>", "not"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "items"),
        (b'{"items": []}', "not a JSON Feed"),
        (b"{broken json", "not JSON"),
    ],
)
def test_wrong_shapes_raise_parse_error(body, message):
    with pytest.raises(ParseError, match=message):
        parse_feed(body, URL, "src")


CLOSED = (
    b'<rss version="2.0"><channel><title>C</title>'
    b"<item><title>One</title><link>https://example.org/1</link></item>"
    b"<item><title>Two</title><link>https://example.org/2</link></item>"
    b"</channel></rss>"
)


@pytest.mark.parametrize("tail", [b"</rss", b"</rss  \n", b"</rss\n\n"])
def test_a_root_end_tag_missing_only_its_last_bracket_is_whole(tail):
    body = b"<!-- a comment <rss> -->\n" + CLOSED.removesuffix(b"</rss>") + tail
    items, _ = parse_feed(body, URL, "src")
    assert [item.title for item in items] == ["One", "Two"]


@pytest.mark.parametrize(
    "cut",
    [
        CLOSED.removesuffix(b"</channel></rss>") + b"</channel",  # not the root's end tag
        CLOSED.removesuffix(b"</channel></rss>") + b"</channel></rs",  # a name cut short
        CLOSED.split(b"<item><title>Two")[0] + b"<item><title>Two</title",
        CLOSED.removesuffix(b"</rss>") + b"<![CD",
    ],
)
def test_a_document_cut_anywhere_else_is_refused_as_truncated(cut):
    with pytest.raises(ParseError, match="truncated|malformed|no readable"):
        parse_feed(cut, URL, "src")
