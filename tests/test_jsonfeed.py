"""JSON Feed read as readers read it: one test per leniency, each against a document that a
real generator writes, plus what is still refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from feedhub.sources.base import ParseError
from feedhub.sources.feed import parse_feed
from feedhub.sources.jsonfeed import feed_time

URL = "https://j.example.org/feed.json"


def doc(*items: dict, **fields) -> bytes:
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", **fields, "items": list(items)}
    ).encode()


def one(body: bytes):
    items, _ = parse_feed(body, URL, "src")
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize(
    "version",
    [
        "https://jsonfeed.org/version/1",
        "https://jsonfeed.org/version/1.1",
        "http://jsonfeed.org/version/1",
        "http://jsonfeed.org/version/1.1",
        "1.0",
        "1.1",
        " 1 ",
    ],
)
def test_every_version_naming_jsonfeed_org_is_read(version):
    body = json.dumps({"version": version, "items": [{"id": "1", "title": "T"}]}).encode()
    assert one(body).title == "T"


@pytest.mark.parametrize("version", [None, "", "2.0", "https://example.org/version/1.1", 1.1])
def test_other_json_is_not_a_json_feed(version):
    body = json.dumps({"version": version, "items": [{"id": "1", "title": "T"}]}).encode()
    with pytest.raises(ParseError, match="not a JSON Feed"):
        parse_feed(body, URL, "src")


def test_a_byte_order_mark_is_skipped():
    body = b"\xef\xbb\xbf" + doc({"id": "1", "title": "Caf\u00e9", "content_text": "x"})
    assert one(body).title == "Café"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Fri, 31 May 2019 12:17:58 -0700", datetime(2019, 5, 31, 19, 17, 58, tzinfo=UTC)),
        ("Fri, 31 May 2019 12:17:58 GMT", datetime(2019, 5, 31, 12, 17, 58, tzinfo=UTC)),
        ("31 May 2019 12:17:58 +0200", datetime(2019, 5, 31, 10, 17, 58, tzinfo=UTC)),
        ("2019-05-31T12:17:58-07:00", datetime(2019, 5, 31, 19, 17, 58, tzinfo=UTC)),
        ("2019-05-31T12:17:58Z", datetime(2019, 5, 31, 12, 17, 58, tzinfo=UTC)),
        ("2019-05-31T12:17:58.250+00:00", datetime(2019, 5, 31, 12, 17, 58, 250000, tzinfo=UTC)),
        ("last Friday", None),
        ("", None),
        (1559330278, None),
        (None, None),
    ],
)
def test_rfc_822_and_rfc_3339_dates(value, expected):
    assert feed_time(value) == expected
    item = one(doc({"id": "1", "title": "T", "date_published": value}))
    assert item.published == expected


def test_a_non_string_home_page_url_is_skipped_and_links_resolve_against_the_feed():
    item = one(
        doc(
            {"id": "1", "url": "/posts/1", "content_html": '<a href="x">x</a>'},
            home_page_url={"href": "https://j.example.org/"},
        )
    )
    assert item.url == "https://j.example.org/posts/1"
    assert 'href="https://j.example.org/x"' in item.content_html


def test_a_non_string_item_url_is_skipped_and_the_external_url_taken():
    item = one(doc({"id": "7", "url": 7, "external_url": "https://else.example/s", "title": "S"}))
    assert (item.url, item.title) == ("https://else.example/s", "S")
    assert one(doc({"id": "7", "url": ["https://a.example/"], "title": "L"})).url == ""


@pytest.mark.parametrize(
    "field, value, kept",
    [
        ("title", 2023, lambda it: it.title == "" and it.summary == "Body"),
        ("content_html", ["<p>x</p>"], lambda it: it.content_html == "<p>Body</p>"),
        ("summary", {"text": "s"}, lambda it: it.summary == "Body"),
        ("image", {"url": "https://j.example.org/i.png"}, lambda it: it.media == ()),
        ("authors", "Ann", lambda it: it.author.name == "Feed Team"),
        ("author", "Ann", lambda it: it.author.name == "Feed Team"),
        ("language", 3, lambda it: it.lang == "en"),
        ("date_modified", {"at": "now"}, lambda it: it.updated is None and it.published),
        ("id", {"n": 1}, lambda it: it.url == "https://j.example.org/p"),
    ],
)
def test_a_wrong_typed_item_field_is_skipped_and_the_rest_kept(field, value, kept):
    raw = {
        "id": "1",
        "url": "https://j.example.org/p",
        "title": "T",
        "content_text": "Body",
        "date_published": "2024-01-01T00:00:00Z",
        field: value,
    }
    item = one(doc(raw, authors=[{"name": "Feed Team", "url": 5}], language="en"))
    assert item.url == "https://j.example.org/p" and kept(item)


def test_wrong_typed_feed_fields_are_skipped():
    body = doc(
        {"id": "1", "title": "T"},
        title=7,
        feed_url=["x"],
        hubs="https://hub.example/",
        language=["en"],
        authors={"name": "x"},
    )
    items, extra = parse_feed(body, URL, "src")
    assert [it.title for it in items] == ["T"]
    assert extra["meta"] == {"hubs": []}


def test_items_that_are_not_objects_are_skipped_and_the_others_kept():
    items, _ = parse_feed(doc({"id": "1", "title": "A"}, "junk", 3, None, {"id": "2"}), URL, "src")
    assert [it.title for it in items] == ["A", ""]


@pytest.mark.parametrize(
    "body, message",
    [
        (b'{"version": "https://example.org/version/1", "items": []}', "not a JSON Feed"),
        (b'{"version": 1, "items": []}', "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "items"),
        (b'\xef\xbb\xbf{"items": []}', "not a JSON Feed"),
    ],
)
def test_what_is_not_a_json_feed_is_still_refused(body, message):
    with pytest.raises(ParseError, match=message):
        parse_feed(body, URL, "src")
