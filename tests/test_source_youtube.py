"""The youtube adapter against a recorded channel feed served locally."""

from __future__ import annotations

from feedhub.config import YoutubeSource
from feedhub.models import FetchState
from feedhub.sources.youtube import YoutubeAdapter
from tests.conftest import Upstream, fixture_bytes
from tests.source_support import poll_source_fixture, remember  # noqa: F401

CHANNEL = "UCxyzAbCdEfGhIjKlMnOpQrS"
FEED = "/feeds/videos.xml"


def adapter(upstream: Upstream) -> YoutubeAdapter:
    cfg = YoutubeSource(type="youtube", channel_id=CHANNEL, base_url=upstream.base_url)
    return YoutubeAdapter("tube", cfg)


async def test_videos_with_thumbnail_and_description(upstream, poll_source):
    upstream.set(FEED, fixture_bytes("youtube/videos.xml"), "application/atom+xml")
    result = await poll_source(adapter(upstream))
    assert result.ok, result.error
    assert upstream.requests_to(FEED)[0].query == {"channel_id": CHANNEL}
    meeting, timelapse = result.items
    assert meeting.network == "youtube"
    assert meeting.title == "Réunion publique : la ligne 4 & le tram"
    assert meeting.url == "https://www.youtube.com/watch?v=dQ4w9WgXcQ0"
    assert meeting.author.name == "Hubservateur TV"
    (thumb,) = meeting.media
    assert thumb.url == "https://i2.ytimg.com/vi/dQ4w9WgXcQ0/hqdefault.jpg"
    assert (thumb.width, thumb.height) == (480, 360)
    assert thumb.alt == meeting.title
    # The description is plain text: its line breaks stay, its "<script>" is text, its URL
    # becomes a link.
    html = meeting.content_html
    assert html.startswith("<p>Compte rendu de la réunion du 20 novembre.<br>Le dossier")
    assert '<a href="https://www.example.org/ligne-4"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.endswith("<p>00:00 Introduction</p>")
    assert timelapse.content_html == "" and timelapse.media[0].alt == timelapse.title


async def test_unchanged_feed_is_not_parsed_again(upstream, poll_source):
    upstream.set(FEED, fixture_bytes("youtube/videos.xml"), "application/atom+xml")
    first = await poll_source(adapter(upstream))
    second = await poll_source(adapter(upstream), remember(FetchState(), first))
    assert second.ok and second.items is None
    assert upstream.requests_to(FEED)[-1].status == 304


async def test_unknown_channel(upstream, poll_source):
    result = await poll_source(adapter(upstream))  # nothing served: YouTube answers 404
    assert result.status == 404
    assert result.error.startswith(f"channel {CHANNEL} not found")


async def test_malformed_answer(upstream, poll_source):
    upstream.set(FEED, b"<!DOCTYPE html><html><body>consent.youtube.com</body></html>", "text/html")
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("malformed answer from")


async def test_rate_limited(upstream, poll_source):
    upstream.set(FEED, b"", "text/html", status=429, headers={"Retry-After": "3600"})
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("rate limited") and result.headers["retry-after"] == "3600"


def test_default_base_url():
    cfg = YoutubeSource(type="youtube", channel_id=CHANNEL)
    assert YoutubeAdapter("tube", cfg).base_url == "https://www.youtube.com"


async def test_entity_declarations_are_refused(upstream, poll_source):
    # The description is read a second time with ElementTree: only after this refusal.
    bomb = fixture_bytes("youtube/videos.xml").replace(
        b"<feed xmlns:yt",
        b'<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>\n<feed xmlns:yt',
        1,
    )
    upstream.set(FEED, bomb, "application/atom+xml")
    result = await poll_source(adapter(upstream))
    assert "refused" in result.error and result.items is None
