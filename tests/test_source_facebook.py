"""The facebook adapter against a local stand-in for graph.facebook.com."""

from __future__ import annotations

import pytest

from feedhub.config import FacebookSource
from feedhub.ingest.schedule import hinted_delay
from feedhub.sources.facebook import FacebookAdapter
from tests.conftest import Upstream
from tests.meta_upstream import FakeGraph
from tests.source_support import poll_source_fixture  # noqa: F401

PAGE = "104512345678901"
POSTS = f"/v22.0/{PAGE}/posts"
TOKEN = "EAAGpagetoken-configured-0001"


def adapter(upstream: Upstream, **options: object) -> FacebookAdapter:
    cfg = FacebookSource(
        type="facebook", page_id=PAGE, token=TOKEN, base_url=upstream.base_url, **options
    )
    return FacebookAdapter("fb", cfg)


@pytest.fixture
def graph(upstream: Upstream) -> FakeGraph:
    fake = FakeGraph(upstream, expired_fixture="facebook/invalid_token.json")
    fake.edge(POSTS, ["facebook/posts.json", "facebook/posts_page2.json"])
    fake.issue(TOKEN, age_days=300)  # page tokens do not expire: the fake is lenient
    fake.issued[TOKEN] = 1e18
    return fake


async def test_album_link_and_video(upstream, graph, poll_source):
    result = await poll_source(adapter(upstream))
    assert result.ok, result.error
    assert not upstream.requests_to("/refresh_access_token"), "page tokens are not renewed"
    album, link, video = result.items
    assert [m.url.split("?")[0].rsplit("/", 1)[1] for m in album.media] == [
        "po1_n.jpg",
        "po2_n.jpg",
    ]
    assert album.media[0].alt == "Les enfants dans la cabine de la rame"
    assert (album.media[1].width, album.media[1].height) == (720, 960)
    assert 'href="https://www.facebook.com/hashtag/ligne4"' in album.content_html
    assert album.author.name == "Hubservateur"
    # The link card points at the real destination, not Facebook's redirector.
    assert 'href="https://www.example.org/ligne-4/calendrier?fbclid=' in link.content_html
    assert "l.facebook.com" not in link.content_html
    assert "Ligne 4 : le calendrier des travaux" in link.content_html
    assert video.media[0].type == "video" and video.media[0].preview_url.endswith("oe=6745E002")
    assert video.url == "https://www.facebook.com/104512345678901/videos/122100000000000003"


async def test_invalidated_token(upstream, graph, poll_source):
    graph.issued.clear()
    result = await poll_source(adapter(upstream))
    assert result.error.startswith(
        "facebook token was refused (Error validating access token:"
        " The session has been invalidated"
    )
    assert "create a new one at https://developers.facebook.com/tools/explorer" in result.error
    assert TOKEN not in result.error


async def test_rate_limit_code_and_usage_headers(upstream, graph, poll_source):
    async def limited(request):
        return graph.error("facebook/rate_limited.json", status=400)

    graph.usage = {"X-App-Usage": '{"call_count":100,"total_cputime":12,"total_time":30}'}
    upstream.routes[POSTS] = limited
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("rate limited by Facebook (code 4)")
    assert "x-app-usage" in result.headers
    assert hinted_delay(result.headers, 0.0) >= 3600
