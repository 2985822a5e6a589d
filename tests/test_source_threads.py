"""The threads adapter against a local stand-in for graph.threads.net."""

from __future__ import annotations

import pytest

from feedhub.config import ThreadsSource
from feedhub.sources.threads import ThreadsAdapter
from tests.conftest import Upstream
from tests.meta_upstream import FakeGraph
from tests.source_support import poll_source_fixture  # noqa: F401

TOKEN = "THAA-configured-token-0001"


def adapter(upstream: Upstream, **options: object) -> ThreadsAdapter:
    cfg = ThreadsSource(type="threads", token=TOKEN, base_url=upstream.base_url, **options)
    return ThreadsAdapter("th", cfg)


@pytest.fixture
def graph(upstream: Upstream) -> FakeGraph:
    fake = FakeGraph(upstream, grant="th_refresh_token")
    fake.edge("/v1.0/me/threads", ["threads/threads.json"])
    fake.issue(TOKEN, age_days=59)
    return fake


async def test_posts_quote_repost_carousel_video(upstream, graph, poll_source):
    result = await poll_source(adapter(upstream))
    assert result.ok, result.error
    (refresh,) = upstream.requests_to("/refresh_access_token")
    assert refresh.query["grant_type"] == "th_refresh_token"
    (read,) = upstream.requests_to("/v1.0/me/threads")
    assert "is_quote_post" in read.query["fields"] and "quoted_post{" in read.query["fields"]
    assert read.query["access_token"] == graph.renewed_to[0]
    text, quote, repost, carousel, video = result.items
    assert "jeudi 18h, salle des fêtes.<br>Venez nombreux" in text.content_html
    assert 'href="https://www.threads.net/search?q=ligne4&amp;serp_type=tags"' in text.content_html
    assert text.url == "https://www.threads.net/@hubservateur/post/DCth0001"
    # A quote post shows the quoted post, credited to its author.
    assert "<blockquote><p>La piste de la rue Garibaldi ouvre lundi.</p>" in quote.content_html
    assert 'href="https://www.threads.net/@velo_lyon/post/DCvl0001"' in quote.content_html
    assert ">@velo_lyon</a></p></blockquote>" in quote.content_html
    # A repost is the reposted post, credited to the reposter.
    assert repost.repost and repost.author.handle == "@mairie_centre"
    assert repost.reposted_by is not None and repost.reposted_by.handle == "@hubservateur"
    assert repost.url.endswith("/@mairie_centre/post/DCmc0002")
    assert repost.media[0].url.startswith("https://scontent-cdg4-2.cdninstagram.com/")
    assert [m.type for m in carousel.media] == ["image", "image"]
    assert video.media[0].type == "video" and "rame_thumb" in video.media[0].preview_url


async def test_reposts_left_out_and_user_id(upstream, graph, poll_source):
    graph.edge("/v1.0/17841401234567890/threads", ["threads/threads.json"])
    result = await poll_source(adapter(upstream, exclude_reposts=True, user_id="17841401234567890"))
    assert result.ok and len(result.items) == 4
    assert not any(it.repost for it in result.items)


async def test_deep_json_is_malformed_not_a_traceback(upstream, graph, poll_source, caplog):
    """200,000 levels of nesting in the posts' answer and in the token renewal's: the poll's
    error is `malformed`, the renewal fails with a reason, and no traceback is logged."""
    deep = b"[" * 200_000 + b"]" * 200_000
    upstream.set("/v1.0/me/threads", b'{"data": ' + deep + b"}", "application/json")
    upstream.set("/refresh_access_token", b'{"access_token": ' + deep + b"}", "application/json")
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("malformed answer from"), result.error
    assert "nested too deeply" in result.error and TOKEN not in result.error
    assert not [r for r in caplog.records if r.exc_info or "Recursion" in r.getMessage()]
