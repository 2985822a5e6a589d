"""The bluesky adapter against a recorded getAuthorFeed answer served locally."""

from __future__ import annotations

import time

import pytest

from feedhub.config import BlueskySource
from feedhub.ingest.schedule import hinted_delay
from feedhub.models import PROFILE_AT, FetchState
from feedhub.sources.bluesky import BlueskyAdapter, rich_text_html
from feedhub.sources.social import PROFILE_EVERY
from tests.conftest import Upstream, fixture_bytes
from tests.source_support import poll_source_fixture, remember  # noqa: F401

FEED = "/xrpc/app.bsky.feed.getAuthorFeed"
PROFILE_PATH = "/xrpc/app.bsky.actor.getProfile"
ME = "https://bsky.app/profile/hubservateur.bsky.social"


def adapter(upstream: Upstream, **options: object) -> BlueskyAdapter:
    cfg = BlueskySource(
        type="bluesky", handle="@hubservateur.bsky.social", base_url=upstream.base_url, **options
    )
    return BlueskyAdapter("sky", cfg)


@pytest.fixture
async def items(upstream, poll_source):
    upstream.set(FEED, fixture_bytes("bluesky/author_feed.json"), "application/json")
    result = await poll_source(adapter(upstream))
    assert result.ok, result.error
    return result.items


async def test_request(upstream, items):
    (seen,) = upstream.requests_to(FEED)
    assert seen.query == {
        "actor": "hubservateur.bsky.social",
        "filter": "posts_and_author_threads",
        "includePins": "true",
        "limit": "30",
    }


async def test_facets_after_multibyte_text(items):
    pinned = items[0]
    # Emoji, accents and "→" before each facet: byte offsets must not shift the links.
    assert pinned.content_html.startswith("<p>📌 Épinglé : où en est la ligne 4 ? Calendrier → <a")
    assert '<a href="https://www.example.org/ligne-4" target="_blank"' in pinned.content_html
    assert ">example.org/ligne-4</a> avec <a" in pinned.content_html
    assert 'href="https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz"' in pinned.content_html
    assert ">@velo-lyon.fr</a> <a " in pinned.content_html
    assert 'href="https://bsky.app/hashtag/tramway"' in pinned.content_html
    assert pinned.content_html.endswith(">#tramway</a></p>")


def test_facets_that_cut_a_character_or_overlap_are_ignored():
    body = "é https://a.example"
    facets = [
        {
            "index": {"byteStart": 1, "byteEnd": 3},  # inside "é"
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://bad.example"}],
        },
        {
            "index": {"byteStart": 3, "byteEnd": 20},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://a.example"}],
        },
        {
            "index": {"byteStart": 5, "byteEnd": 9},  # overlaps the one before
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "x"}],
        },
        {
            "index": {"byteStart": 0, "byteEnd": 99},  # past the end
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "y"}],
        },
    ]
    assert rich_text_html(body, facets) == (
        '<p>é <a href="https://a.example/">https://a.example</a></p>'
    )
    assert rich_text_html("<b>&\nx", None) == "<p>&lt;b&gt;&amp;<br>x</p>"


async def test_pins_and_reposts_are_marked(items):
    assert len(items) == 7
    assert items[0].pinned and not any(it.pinned for it in items[1:])
    assert items[0].url == f"{ME}/post/3kz2pinnedaa2"
    assert sum(it.url.endswith("3kz2pinnedaa2") for it in items) == 1, "pinned post once"
    repost = items[2]
    assert repost.repost and repost.reposted_by.handle == "@hubservateur.bsky.social"
    assert repost.author.handle == "@velo-lyon.fr" and repost.author.name == "Vélo à Lyon"
    assert repost.url == "https://bsky.app/profile/velo-lyon.fr/post/3lbwcardpost3"
    assert (repost.replies, repost.reposts, repost.likes) == (1, 3, 17)


async def test_authors_hidden_from_logged_out_viewers_are_not_shown(items):
    html = "".join(it.content_html for it in items)
    assert not any(it.author.handle == "@discret.bsky.social" for it in items)
    assert "texte qui ne doit pas sortir" not in html
    assert "discret" not in html


async def test_embeds(items):
    photos = items[1]
    assert photos.content_html == (
        "<p>Café ☕ à l'arrêt Hôtel‑de‑Ville 🚋 ce matin.<br>Les rails sont posés !</p>"
    )
    first, second = photos.media
    assert (first.width, first.height, first.alt) == (
        2000,
        1500,
        "Rails neufs devant l'hôtel de ville",
    )
    assert first.url.endswith("/bafkreiaaa1@jpeg") and "feed_fullsize" in first.url
    assert "feed_thumbnail" in first.preview_url
    assert (second.width, second.height, second.alt) == (900, 1200, "")

    card = items[2].content_html
    assert (
        '<blockquote><img src="https://cdn.bsky.app/img/feed_thumbnail/plain/did:plc:'
        'ewvi7nxzyoun6zhxrhs64oiz/bafkreicard@jpeg" alt=""'
    ) in card  # the card's picture
    assert '<p><a href="https://www.example.net/actu/garibaldi"' in card
    assert "séparée &lt;entre&gt; la gare" in card

    quote = items[3].content_html
    assert quote.startswith("<p>On y sera 👇</p><blockquote><p>Réunion publique jeudi → <a")
    assert 'href="https://www.example.org/reunion"' in quote
    assert (
        'href="https://bsky.app/profile/velo-lyon.fr/post/3lbquoted4444"' in quote
        and "Vélo à Lyon (@velo-lyon.fr)</a>" in quote
    )

    with_media = items[4]
    assert with_media.content_html == "<p>Vu passer ça</p>"  # its quote's author is hidden
    assert [m.alt for m in with_media.media] == ["Capture d'écran"]

    thread, video = items[5], items[6]
    assert thread.reply and thread.content_warning == "Graphic media"
    (clip,) = video.media
    assert clip.type == "video" and clip.preview_url.endswith("/thumbnail.jpg")
    assert (clip.width, clip.height, clip.alt) == (1920, 1080, "Grue qui tourne, accéléré")


async def test_options(upstream, poll_source):
    upstream.set(FEED, fixture_bytes("bluesky/author_feed.json"), "application/json")
    result = await poll_source(
        adapter(upstream, exclude_replies=False, exclude_reposts=True, pinned=False)
    )
    (seen,) = upstream.requests_to(FEED)
    assert seen.query["filter"] == "posts_with_replies"
    assert seen.query["includePins"] == "false"
    assert not any(it.repost for it in result.items)


async def test_unknown_account(upstream, poll_source):
    upstream.set(
        FEED, fixture_bytes("bluesky/profile_not_found.json"), "application/json", status=400
    )
    result = await poll_source(adapter(upstream))
    assert result.status == 400
    assert result.error.startswith("account hubservateur.bsky.social not found")


async def test_rate_limited(upstream, poll_source):
    reset = int(time.time()) + 300
    upstream.set(
        FEED,
        fixture_bytes("bluesky/rate_limited.json"),
        "application/json",
        status=429,
        headers={
            "Retry-After": "300",
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": "3000;w=300",
        },
    )
    result = await poll_source(adapter(upstream))
    assert result.status == 429 and result.error.startswith("rate limited")
    assert hinted_delay(result.headers, time.time()) >= 290
    assert remember(FetchState(), result).errors == 1


async def test_malformed_answer(upstream, poll_source):
    upstream.set(FEED, b'{"cursor": "x", "posts": []}', "application/json")
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("malformed answer from")
    assert "no 'feed' array" in result.error


def test_did_handle_and_default_base_url():
    cfg = BlueskySource(type="bluesky", handle="did:plc:z72i7hdynmk6r22z27h6tvur")
    source = BlueskyAdapter("sky", cfg)
    assert source.actor == "did:plc:z72i7hdynmk6r22z27h6tvur"
    assert source.base_url == "https://public.api.bsky.app"


async def test_the_account_profile_is_read_once_a_day(upstream, poll_source):
    upstream.set(FEED, fixture_bytes("bluesky/author_feed.json"), "application/json")
    upstream.set(PROFILE_PATH, fixture_bytes("bluesky/profile.json"), "application/json")
    source = adapter(upstream)
    first = await poll_source(source)
    assert first.ok, first.error
    (seen,) = upstream.requests_to(PROFILE_PATH)
    assert seen.query == {"actor": "hubservateur.bsky.social"}
    state = remember(FetchState(), first)
    profile = state.profile
    assert profile is not None
    assert (profile.name, profile.handle, profile.url) == (
        "Hubservateur 🚋",
        "@hubservateur.bsky.social",
        ME,
    )
    assert profile.avatar.endswith("bafkreiavatarhubservateur@jpeg")
    assert profile.banner.endswith("bafkreibannerhubservateur@jpeg")
    assert profile.bio_html == (
        "<p>Observatoire citoyen des transports.<br>Ligne 4, bus et pistes cyclables.</p>"
    )
    assert (profile.followers, profile.posts) == (15300, 1204)
    await poll_source(source, state)
    assert len(upstream.requests_to(PROFILE_PATH)) == 1, "kept for a day"
    state.meta[PROFILE_AT] -= PROFILE_EVERY
    await poll_source(source, state)
    assert len(upstream.requests_to(PROFILE_PATH)) == 2


async def test_a_profile_that_fails_costs_nothing(upstream, poll_source):
    upstream.set(FEED, fixture_bytes("bluesky/author_feed.json"), "application/json")
    upstream.set(PROFILE_PATH, b"{}", "application/json")  # not a profile
    result = await poll_source(adapter(upstream))
    assert result.ok and len(result.items) == 7 and PROFILE_AT not in result.meta
