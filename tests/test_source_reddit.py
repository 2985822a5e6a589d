"""The reddit adapter against a recorded subreddit listing served locally."""

from __future__ import annotations

import re

from feedhub.config import RedditSource
from feedhub.sources.reddit import RedditAdapter
from tests.conftest import Upstream, fixture_bytes, make_config
from tests.media_support import m_urls, with_local_cdn
from tests.source_support import poll_source_fixture  # noqa: F401

LISTING = "/r/selfhosted/new/.rss"
# <platform>:<app id>:<version> (<contact>), as Reddit's API rules ask.
REDDIT_UA = re.compile(r"^server:feedhub:\d+\.\d+\.\d+ \(\+http://test\)$")


def adapter(upstream: Upstream, **who: str) -> RedditAdapter:
    cfg = RedditSource(
        type="reddit", base_url=upstream.base_url, **(who or {"subreddit": "selfhosted"})
    )
    return RedditAdapter("rd", cfg)


async def test_subreddit_listing(upstream, poll_source):
    upstream.set(LISTING, fixture_bytes("reddit/new.rss"), "application/atom+xml")
    result = await poll_source(adapter(upstream))
    assert result.ok, result.error
    (seen,) = upstream.requests_to(LISTING)
    assert REDDIT_UA.match(seen.headers["User-Agent"]), seen.headers["User-Agent"]

    text_post, link_post = result.items
    assert text_post.network == "reddit" and text_post.title == "Self-hosted social widgets?"
    assert text_post.url.endswith("/comments/1gx2k9q/selfhosted_social_widgets/")
    assert (text_post.author.name, text_post.author.handle) == ("quietlantern", "u/quietlantern")
    # Reddit's "submitted by … [link] [comments]" footer is gone; the text and its link stay.
    assert "submitted by" not in text_post.content_html
    assert "[comments]" not in text_post.content_html
    assert 'href="https://www.example.org/notes"' in text_post.content_html
    assert "submitted by" not in text_post.summary

    # A link post: the thumbnail is media (not a table in the text), the target a card.
    assert "<table>" not in link_post.content_html
    assert 'href="https://i.redd.it/7f3kq2w9xk2e1.jpeg"' in link_post.content_html
    (thumb,) = link_post.media
    assert thumb.url.startswith("https://b.thumbs.redditmedia.com/")
    assert thumb.alt == "My rack after the move"


async def test_self_post_with_a_thumbnail_keeps_its_text(tmp_path, upstream, feedhub_at):
    # Reddit puts such a post's thumbnail and its text in one table.
    body = fixture_bytes("reddit/self_thumbnail.rss")
    with_local_cdn(upstream, lambda up: up.set(LISTING, body, "application/atom+xml"))
    source = {"type": "reddit", "subreddit": "selfhosted", "base_url": upstream.base_url}
    running = await feedhub_at(
        lambda public_url: make_config(
            tmp_path,
            {
                "server": {"public_url": public_url},
                "media": {"proxy": True},
                "sources": {"rd": source},
                "widgets": {"wall": {"sources": ["rd"]}},
            },
        )
    )
    await running.poll_all()
    status, html, _ = await running.get("/w/wall.html")
    assert status == 200
    assert "It still runs the feeds, the photos and the calendar." in html
    assert 'href="https://preview.redd.it/k3v8bq1mzp2e1.jpg?width=2048' in html
    assert "submitted by" not in html and "<table" not in html and "<td" not in html
    # The thumbnail is shown once, as an image of the media cache, never hotlinked.
    assert "/cdn/" not in html and "redditmedia" not in html
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 1 and 'alt="My shelf server, one year on"' in images[0]
    assert m_urls(images[0])


async def test_user_listing(upstream, poll_source):
    path = "/user/quietlantern/submitted/.rss"
    upstream.set(path, fixture_bytes("reddit/new.rss"), "application/atom+xml")
    result = await poll_source(adapter(upstream, user="quietlantern"))
    assert result.ok and upstream.requests_to(path)


async def test_private_and_unknown_subreddits(upstream, poll_source):
    upstream.set(LISTING, b"", "text/html", status=403)
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("r/selfhosted is private, quarantined or banned")
    upstream.routes.clear()
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("r/selfhosted not found")


async def test_throttled(upstream, poll_source):
    upstream.set(
        LISTING,
        b"",
        "text/html",
        status=429,
        headers={
            "Retry-After": "60",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": "412",
            "x-ratelimit-used": "100",
        },
    )
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("Reddit is throttling this server")
    assert result.headers["x-ratelimit-reset"] == "412"


async def test_malformed_answer(upstream, poll_source):
    upstream.set(LISTING, b'{"kind": "Listing", "data": {"children": []}}', "application/json")
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("malformed answer from")


def test_default_base_url():
    cfg = RedditSource(type="reddit", subreddit="selfhosted")
    assert RedditAdapter("rd", cfg).base_url == "https://www.reddit.com"
