"""The peertube, lemmy and pixelfed adapters against recorded instance answers served locally."""

from __future__ import annotations

import time

from feedhub.config import LemmySource, PeertubeSource, PixelfedSource
from feedhub.ingest.schedule import hinted_delay
from feedhub.models import FetchState
from feedhub.sources.lemmy import LemmyAdapter
from feedhub.sources.peertube import PeertubeAdapter
from feedhub.sources.pixelfed import API_CLOSED, PixelfedAdapter
from tests.conftest import Upstream, fixture_bytes
from tests.source_support import poll_source_fixture, remember  # noqa: F401

JSON = "application/json"
CHANNEL_VIDEOS = "/api/v1/video-channels/ligne4@tube.example/videos"
LEMMY_POSTS = "/api/v3/post/list"
PF_LOOKUP = "/api/v1/accounts/lookup"
PF_STATUSES = "/api/v1/accounts/702145896321547011/statuses"
PF_ATOM = "/users/hubservateur.atom"


def peertube(upstream: Upstream, **options: object) -> PeertubeAdapter:
    options.setdefault("channel", "ligne4@tube.example")
    return PeertubeAdapter(
        "pt", PeertubeSource(type="peertube", base_url=upstream.base_url, **options)
    )


def lemmy(upstream: Upstream, **options: object) -> LemmyAdapter:
    options.setdefault("community", "ligne4@lemmy.example")
    return LemmyAdapter("lm", LemmySource(type="lemmy", base_url=upstream.base_url, **options))


def pixelfed(upstream: Upstream, **options: object) -> PixelfedAdapter:
    return PixelfedAdapter(
        "pf",
        PixelfedSource(
            type="pixelfed",
            account="@hubservateur@pixel.example",
            base_url=upstream.base_url,
            **options,
        ),
    )


async def test_peertube_channel_videos(upstream, poll_source):
    upstream.set(CHANNEL_VIDEOS, fixture_bytes("peertube/videos.json"), JSON)
    result = await poll_source(peertube(upstream, limit=10))
    assert result.ok, result.error
    (seen,) = upstream.requests_to(CHANNEL_VIDEOS)
    assert seen.query == {"sort": "-publishedAt", "count": "10"}
    visit, timelapse = result.items  # the NSFW video is hidden by default
    assert visit.title == "Visite du dépôt de la ligne 4"
    assert visit.extra == {"duration": 3725}
    assert visit.url == "https://tube.example/w/kdrVx2PX9hDgXNs7Ek3K1p"
    (still,) = visit.media
    assert still.type == "video" and still.alt == visit.title
    assert still.url == (
        upstream.base_url + "/lazy-static/previews/9c9de5e8-0a1b-4a7e-9f2c-1d2e3f4a5b6c.jpg"
    )
    assert visit.author.name == "Ligne 4 en vidéo" and visit.author.handle == "@ligne4@tube.example"
    assert visit.author.avatar.endswith("/lazy-static/avatars/120-ch4512.png")
    assert "équipe de maintenance.<br>Chapitres" in visit.content_html
    assert visit.lang == "fr"


async def test_peertube_fold_account_and_errors(upstream, poll_source):
    path = "/api/v1/accounts/hubservateur@tube.example/videos"
    upstream.set(path, fixture_bytes("peertube/videos.json"), JSON)
    result = await poll_source(
        peertube(upstream, channel=None, account="hubservateur@tube.example", sensitive="fold")
    )
    assert len(result.items) == 3 and result.items[2].sensitive
    upstream.set(
        CHANNEL_VIDEOS,
        fixture_bytes("peertube/not_found.json"),
        "application/problem+json",
        status=404,
    )
    result = await poll_source(peertube(upstream))
    assert result.error.startswith("channel ligne4@tube.example not found on tube.example")
    upstream.set(
        CHANNEL_VIDEOS,
        "Too many requests, please try again later.",
        "text/plain",
        status=429,
        headers={"Retry-After": "120"},
    )
    result = await poll_source(peertube(upstream))
    assert result.error.startswith("rate limited by tube.example")
    assert hinted_delay(result.headers, time.time()) >= 120


async def test_lemmy_community_posts(upstream, poll_source):
    upstream.set(LEMMY_POSTS, fixture_bytes("lemmy/post_list.json"), JSON)
    result = await poll_source(lemmy(upstream, limit=25))
    assert result.ok, result.error
    (seen,) = upstream.requests_to(LEMMY_POSTS)
    assert seen.query == {"community_name": "ligne4@lemmy.example", "sort": "New", "limit": "25"}
    link, question, photo = result.items  # the NSFW post is hidden by default
    assert link.title == "Le calendrier des travaux de la ligne 4 est publié"
    assert link.extra == {"score": 42, "comments": 7}
    assert link.url == "https://lemmy.example/post/31001"
    assert 'href="https://www.example.org/ligne-4/calendrier"' in link.content_html
    assert "Ligne 4 : le calendrier des travaux" in link.content_html
    assert link.media[0].url == "https://lemmy.example/pictrs/image/calendrier-thumb.jpeg"
    assert question.author.handle == "@velo_lyon@piaille.example"
    assert question.author.name == "velo_lyon"
    assert 'href="https://www.example.org/faq"' in question.content_html
    assert photo.media[0].url.endswith("photo-du-jour.jpg")
    assert photo.media[0].alt == "Le chantier sous la neige"
    assert "<blockquote>" not in photo.content_html, "an image link is media, not a card"


async def test_lemmy_user_fold_and_not_found(upstream, poll_source):
    upstream.set("/api/v3/user", fixture_bytes("lemmy/user.json"), JSON)
    result = await poll_source(lemmy(upstream, community=None, user="hubservateur@lemmy.example"))
    assert result.ok and len(result.items) == 1
    assert upstream.requests_to("/api/v3/user")[0].query["username"] == "hubservateur@lemmy.example"
    upstream.set(LEMMY_POSTS, fixture_bytes("lemmy/post_list.json"), JSON)
    folded = await poll_source(lemmy(upstream, sensitive="fold"))
    assert [it.sensitive for it in folded.items] == [False, False, False, True]
    upstream.set(LEMMY_POSTS, fixture_bytes("lemmy/not_found.json"), JSON, status=400)
    result = await poll_source(lemmy(upstream))
    assert result.error.startswith("community ligne4@lemmy.example not found on lemmy.example")


def serve_pixelfed(upstream: Upstream) -> None:
    upstream.set(PF_LOOKUP, fixture_bytes("pixelfed/lookup.json"), JSON)
    upstream.set(PF_STATUSES, fixture_bytes("pixelfed/statuses.json"), JSON)
    upstream.set(PF_ATOM, fixture_bytes("pixelfed/user.atom"), "application/atom+xml")


async def test_pixelfed_api_with_token(upstream, poll_source):
    serve_pixelfed(upstream)
    result = await poll_source(pixelfed(upstream, token="pf-token-0001"))
    assert result.ok, result.error
    assert upstream.requests_to(PF_LOOKUP)[0].headers["Authorization"] == "Bearer pf-token-0001"
    assert upstream.requests_to(PF_STATUSES)[0].query["exclude_replies"] == "true"
    album, depot = result.items  # the sensitive one hidden by default
    assert album.network == "pixelfed" and len(album.media) == 2
    assert [m.alt for m in album.media] == ["Le viaduc dans la brume", "Une grue sur le viaduc"]
    assert album.author.handle == "@hubservateur@pixel.example"
    assert album.url == "https://pixel.example/p/hubservateur/702150000000000001"
    folded = await poll_source(pixelfed(upstream, sensitive="fold"))
    assert folded.items[2].content_warning == "Accident"


async def test_pixelfed_closed_api_falls_back_to_atom(upstream, poll_source):
    serve_pixelfed(upstream)
    upstream.set(PF_LOOKUP, fixture_bytes("pixelfed/unauthorized.json"), JSON, status=401)
    source = pixelfed(upstream)
    result = await poll_source(source)
    assert result.ok, result.error
    assert [it.url for it in result.items] == [
        "https://pixel.example/p/hubservateur/702150000000000001",
        "https://pixel.example/p/hubservateur/702150000000000002",
    ]
    assert result.items[0].network == "pixelfed"
    assert isinstance(result.meta[API_CLOSED], float)
    # For a day the API is not asked again: one request per poll, to the feed.
    again = await poll_source(source, remember(FetchState(), result))
    assert again.ok and again.items is None
    assert len(upstream.requests_to(PF_LOOKUP)) == 1
    assert upstream.requests_to(PF_ATOM)[-1].status == 304
