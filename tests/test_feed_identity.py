"""Item identity within a feed: no post lost to a shared guid, one item for a repeat, and the
ids of feeds without shared guids exactly as they were stored before."""

from __future__ import annotations

import pytest

from feedhub.models import stable_id
from feedhub.sources.feed import parse_feed
from feedhub.sources.jsonfeed import parse_json_feed
from tests.conftest import FIXTURES, fixture_bytes
from tests.feeds_support import rss

URL = "https://blog.example.org/feed"


def item(guid: str, link: str, title: str = "T", body: str = "Text") -> str:
    return (
        f'<item><title>{title}</title><link>{link}</link><guid isPermaLink="false">{guid}'
        f"</guid><description>{body}</description></item>"
    )


def test_ids_of_feeds_without_shared_guids_are_unchanged():
    # The ids stored before this rule: the hash of the guid, else the link, else title+text.
    items, _ = parse_feed(
        rss(item("g-1", "https://blog.example.org/1"), item("g-2", "https://blog.example.org/2")),
        URL,
        "src",
    )
    assert [it.id for it in items] == [stable_id("g-1"), stable_id("g-2")]
    items, _ = parse_feed(fixture_bytes("feeds/rss20.xml"), URL, "src")
    assert items[0].id == stable_id("https://blog.example.org/posts/second")


def test_posts_sharing_a_guid_each_get_the_hash_of_guid_and_link():
    items, _ = parse_feed(
        rss(
            item("same", "https://blog.example.org/a", "A"),
            item("same", "https://blog.example.org/b", "B"),
            item("other", "https://blog.example.org/c", "C"),
        ),
        URL,
        "src",
    )
    assert [it.title for it in items] == ["A", "B", "C"]
    assert [it.id for it in items] == [
        stable_id("same\nhttps://blog.example.org/a"),
        stable_id("same\nhttps://blog.example.org/b"),
        stable_id("other"),
    ]


def test_posts_sharing_guid_and_link_are_told_apart_by_their_content():
    items, _ = parse_feed(
        rss(
            item("same", "https://blog.example.org/a", "Titled"),
            item("same", "https://blog.example.org/a", "", "Untitled note"),
        ),
        URL,
        "src",
    )
    assert [it.title for it in items] == ["Titled", ""]
    assert len({it.id for it in items}) == 2


def test_a_post_said_twice_is_one_item():
    twice = item("same", "https://blog.example.org/a")
    items, _ = parse_feed(rss(twice, item("x", "https://blog.example.org/x"), twice), URL, "src")
    assert [it.id for it in items] == [stable_id("same"), stable_id("x")]


def test_items_without_guid_sharing_the_home_page_link_are_all_kept():
    items, _ = parse_feed(
        rss(
            *(
                f"<item><title>Notice {n}</title><link>https://blog.example.org/</link></item>"
                for n in range(3)
            )
        ),
        URL,
        "src",
    )
    assert [it.title for it in items] == ["Notice 0", "Notice 1", "Notice 2"]
    assert len({it.id for it in items}) == 3


def test_json_feed_items_sharing_an_id_are_all_kept():
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "items": ['
        b'{"id": 1, "url": "https://j.example/a", "title": "A"},'
        b'{"id": "1", "url": "https://j.example/b", "title": "B"},'
        b'{"id": 1, "url": "https://j.example/a", "title": "A"}]}'
    )
    items, _ = parse_json_feed(body, URL, "src")
    assert [it.title for it in items] == ["A", "B"]
    assert [it.id for it in items] == [
        stable_id("1\nhttps://j.example/a"),
        stable_id("1\nhttps://j.example/b"),
    ]


def test_the_corpus_feed_with_48_guids_for_50_posts_keeps_50():
    items, _ = parse_feed(
        (FIXTURES / "corpus/wordpress-duplicate-guids.rss").read_bytes(), URL, "src"
    )
    assert len(items) == len({it.id for it in items}) == 50


@pytest.mark.parametrize(
    "name, content_type",
    [
        ("feeds/rss20.xml", "application/rss+xml; charset=utf-8"),
        ("feeds/atom.xml", "text/xml"),
        ("feeds/rss10.rdf", "application/rdf+xml"),
        ("feeds/rss091.xml", "application/rss+xml"),
        ("feeds/feed.json", "application/feed+json"),
        ("reddit/new.rss", "application/atom+xml"),
        ("youtube/videos.xml", "text/xml; charset=UTF-8"),
    ],
)
def test_an_ordinary_feed_read_with_its_headers_gives_the_items_stored_before(name, content_type):
    """Reading with the answer's headers changes nothing for ordinary feeds: same ids, same
    items, so the first poll after an upgrade re-renders nothing."""
    body = fixture_bytes(name)
    before, _ = parse_feed(body, URL, "src")  # as the parse step was called: the address only
    after, _ = parse_feed(
        body, URL, "src", headers={"content-type": content_type, "content-location": URL}
    )
    assert after == before
