"""The other wall sources against answers served locally: a Mastodon list (with the
owner's token), a Pixelfed hashtag, a Tumblr tag, an Instagram hashtag, a Threads search."""

from __future__ import annotations

from aiohttp import web

from feedhub.config import (
    InstagramTagSource,
    MastodonListSource,
    PixelfedTagSource,
    ThreadsSearchSource,
    TumblrTagSource,
)
from feedhub.models import FetchState
from feedhub.sources.instagram_tag import InstagramTagAdapter
from feedhub.sources.mastodon_list import MastodonListAdapter
from feedhub.sources.pixelfed_tag import PixelfedTagAdapter
from feedhub.sources.social import LOOKUP
from feedhub.sources.threads_search import ThreadsSearchAdapter
from feedhub.sources.tumblr_tag import TumblrTagAdapter
from tests.conftest import Upstream
from tests.source_support import poll_source_fixture  # noqa: F401
from tests.wall_sources_support import (
    instagram_hashtag,
    instagram_recent,
    threads_found,
    tumblr_tagged,
)
from tests.wall_support import NOBOT, status

TOKEN = "owner-token-123456"


def serve_json(upstream: Upstream, path: str, answer: object, token: str = "") -> None:
    async def handle(request: web.Request) -> web.Response:
        if token and request.headers.get("Authorization") != f"Bearer {token}":
            return web.json_response({"error": "The access token is invalid"}, status=401)
        return web.json_response(answer)

    upstream.routes[path] = handle


async def test_a_mastodon_list_with_the_owners_token(upstream, poll_source):
    host = "lyon.example"
    answer = [
        status(8, "alice", host, host, "2026-12-06T21:00:00.000Z", "Depuis la liste"),
        status(9, "bob", host, host, "2026-12-06T20:00:00.000Z", "Refus", note=NOBOT),
        # A token's answer also holds followers-only posts and direct messages: never shown.
        status(13, "carl", host, host, "2026-12-06T20:30:00.000Z", "Abonnés", visibility="private"),
        status(14, "dina", host, host, "2026-12-06T20:40:00.000Z", "Privé", visibility="direct"),
    ]
    serve_json(upstream, "/api/v1/timelines/list/42", answer, TOKEN)
    cfg = MastodonListSource(
        type="mastodon_list", instance=host, list_id="42", token=TOKEN, base_url=upstream.base_url
    )
    result = await poll_source(MastodonListAdapter("list", cfg))
    assert result.ok, result.error
    assert [it.author.name for it in result.items] == ["Alice"]  # bob: #nobot; carl, dina
    assert upstream.requests_to("/api/v1/timelines/list/42")[0].query == {"limit": "40"}
    wrong = MastodonListSource(
        type="mastodon_list", instance=host, list_id="42", token="x", base_url=upstream.base_url
    )
    failed = await poll_source(MastodonListAdapter("list", wrong))
    assert failed.error.startswith("the token was refused")


async def test_a_pixelfed_hashtag_hides_sensitive_posts(upstream, poll_source):
    host = "pixel.example"
    sensitive = status(11, "lea", host, host, "2026-12-06T20:00:00.000Z", "Nuit", image=True)
    sensitive["sensitive"] = True
    answer = [
        status(10, "max", host, host, "2026-12-06T21:00:00.000Z", "Photo du soir", image=True),
        sensitive,
    ]
    serve_json(upstream, "/api/v1/timelines/tag/FeteDesLumieres", answer, TOKEN)
    cfg = PixelfedTagSource(
        type="pixelfed_tag",
        instance=host,
        tag="#FeteDesLumieres",
        token=TOKEN,
        base_url=upstream.base_url,
    )
    result = await poll_source(PixelfedTagAdapter("pf", cfg))
    assert result.ok, result.error
    (shown,) = result.items
    assert shown.network == "pixelfed" and shown.media[0].alt
    (seen,) = upstream.requests_to("/api/v1/timelines/tag/FeteDesLumieres")
    assert seen.query == {"limit": "20"}


async def test_a_tumblr_tag(upstream, poll_source):
    serve_json(upstream, "/v2/tagged", tumblr_tagged("fête des lumières"))
    cfg = TumblrTagSource(
        type="tumblr_tag", tag="fête des lumières", api_key="k3y", base_url=upstream.base_url
    )
    result = await poll_source(TumblrTagAdapter("tb", cfg))
    assert result.ok, result.error
    assert [it.author.name for it in result.items] == ["Lumieres", "Lyonnaise"]
    assert "Bellecour" in result.items[0].content_html
    (seen,) = upstream.requests_to("/v2/tagged")
    assert seen.query == {
        "tag": "fête des lumières",
        "api_key": "k3y",
        "npf": "true",
        "limit": "20",
    }


async def test_an_instagram_hashtag_is_looked_up_once_then_read(upstream, poll_source):
    serve_json(upstream, "/v22.0/ig_hashtag_search", instagram_hashtag("17843857450040591"))
    serve_json(upstream, "/v22.0/17843857450040591/recent_media", instagram_recent())
    cfg = InstagramTagSource(
        type="instagram_tag",
        tag="#FeteDesLumieres",
        user_id="17841400000000000",
        token="IGQW-secret",
        base_url=upstream.base_url,
    )
    adapter = InstagramTagAdapter("ig", cfg)
    result = await poll_source(adapter)
    assert result.ok, result.error
    assert [it.url for it in result.items] == [
        "https://www.instagram.com/p/DFdl0001/",
        "https://www.instagram.com/p/DFdl0002/",
    ]
    (search,) = upstream.requests_to("/v22.0/ig_hashtag_search")
    assert search.query["q"] == "fetedeslumieres"
    assert search.query["user_id"] == "17841400000000000"
    recent = upstream.requests_to("/v22.0/17843857450040591/recent_media")[0]
    assert recent.query["user_id"] == "17841400000000000" and "children" in recent.query["fields"]
    kept = FetchState(meta={LOOKUP: result.meta[LOOKUP]})
    assert (await poll_source(InstagramTagAdapter("ig", cfg), kept)).ok
    assert len(upstream.requests_to("/v22.0/ig_hashtag_search")) == 1  # looked up once
    upstream.routes.pop("/v22.0/ig_hashtag_search")
    failed = await poll_source(InstagramTagAdapter("ig", cfg))
    assert not failed.ok and "IGQW-secret" not in failed.error


async def test_a_threads_keyword_search(upstream, poll_source):
    serve_json(upstream, "/v1.0/keyword_search", threads_found())
    cfg = ThreadsSearchSource(
        type="threads_search",
        q="fetedeslumieres",
        search_mode="TAG",
        token="THQW-secret",
        limit=1,
        base_url=upstream.base_url,
    )
    result = await poll_source(ThreadsSearchAdapter("th", cfg))
    assert result.ok, result.error
    (found,) = result.items
    assert found.author.handle == "@julie.lyon" and "Fête des Lumières" in found.content_html
    (seen,) = upstream.requests_to("/v1.0/keyword_search")
    assert seen.query["q"] == "fetedeslumieres" and seen.query["search_mode"] == "TAG"
    assert seen.query["search_type"] == "RECENT" and seen.query["access_token"] == "THQW-secret"
