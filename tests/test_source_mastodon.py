"""The mastodon adapter against recorded Mastodon answers served locally."""

from __future__ import annotations

import re
import time

from feedhub.config import MastodonSource
from feedhub.ingest.schedule import hinted_delay
from feedhub.models import PROFILE_AT, FetchState
from feedhub.sources.mastodon import MastodonAdapter
from feedhub.sources.social import PROFILE_EVERY
from tests.conftest import Upstream, fixture_bytes, make_config
from tests.social_upstream import (
    MASTODON_ACCOUNT_ID,
    MASTODON_LOOKUP,
    MASTODON_PAGE_HEADERS,
    MASTODON_STATUSES,
    serve_mastodon_account,
)
from tests.source_support import poll_source_fixture, remember  # noqa: F401


def adapter(upstream: Upstream, **options: object) -> MastodonAdapter:
    cfg = MastodonSource(
        type="mastodon", account="@hubservateur@toot.example", base_url=upstream.base_url, **options
    )
    return MastodonAdapter("toots", cfg)


async def test_timeline_with_boost_warning_and_pinned_post(upstream, poll_source):
    serve_mastodon_account(upstream)
    result = await poll_source(adapter(upstream))
    assert result.ok, result.error
    lookup = upstream.requests_to(MASTODON_LOOKUP)[0]
    assert lookup.query == {"acct": "hubservateur@toot.example"}
    timeline, pins = upstream.requests_to(MASTODON_STATUSES)
    assert timeline.query == {"limit": "40", "exclude_replies": "true", "exclude_reblogs": "false"}
    assert pins.query == {"pinned": "true"}

    items = result.items
    assert [it.pinned for it in items] == [True, False, False, False, False]
    assert len({it.id for it in items}) == 5, "the pinned post is not repeated"
    pinned, photo, boost, warned, sensitive = items
    assert pinned.url == "https://toot.example/@hubservateur/113412345678901234"
    # Mastodon's hidden link parts are cut, the shortened one ends in an ellipsis.
    assert ">example.org/faq-ligne-4-travau…</a>" in pinned.content_html
    assert 'href="https://www.example.org/faq-ligne-4-travaux-calendrier"' in pinned.content_html
    assert 'alt=":tram:"' in pinned.content_html and "static/tram.png" in pinned.content_html

    assert photo.author.name == "Hubservateur"  # the :tram: shortcode is not plain text
    assert photo.author.handle == "@hubservateur@toot.example"
    assert photo.author.avatar.startswith("https://files.toot.example/accounts/avatars/")
    assert photo.lang == "fr" and photo.network == "mastodon"
    assert photo.updated is not None and photo.updated > photo.published
    (image,) = photo.media
    assert (image.type, image.width, image.height) == ("image", 1600, 1200)
    assert image.alt.startswith("Une grue jaune")
    assert image.preview_url.endswith("/small/9f8e7d.jpg")
    assert (photo.replies, photo.reposts, photo.likes) == (2, 5, 14)

    assert boost.repost and boost.reposted_by is not None
    assert boost.reposted_by.handle == "@hubservateur@toot.example"
    assert boost.author.handle == "@velo_lyon@piaille.example"
    assert boost.author.name == "Vélo à Lyon 🚲"
    assert boost.url == "https://piaille.example/@velo_lyon/113519870000000000"
    assert "Rue Garibaldi : la piste est ouverte</a>" in boost.content_html  # its link card

    assert warned.content_warning == "Accident, blessés"
    assert warned.summary == "Accident, blessés", "the hidden text does not leak as summary"
    assert "accident de ce matin" in warned.content_html
    assert sensitive.sensitive and sensitive.content_warning == ""
    assert sensitive.media[0].type == "video"  # a gifv


async def test_account_id_is_looked_up_once(upstream, poll_source):
    upstream.set(MASTODON_LOOKUP, fixture_bytes("mastodon/lookup.json"), "application/json")
    upstream.set(
        MASTODON_STATUSES,
        fixture_bytes("mastodon/statuses.json"),
        "application/json",
        headers=MASTODON_PAGE_HEADERS,
    )
    source = adapter(upstream, pinned=False)
    first = await poll_source(source)
    assert first.ok and len(first.items) == 5
    assert first.meta["lookup"] == {"key": "@hubservateur@toot.example", "id": MASTODON_ACCOUNT_ID}

    second = await poll_source(source, remember(FetchState(), first))
    assert second.ok and second.items is None  # conditional GET: 304, nothing new
    assert len(upstream.requests_to(MASTODON_LOOKUP)) == 1
    assert upstream.requests_to(MASTODON_STATUSES)[-1].status == 304
    assert not any(s.query.get("pinned") for s in upstream.requests_to(MASTODON_STATUSES))


async def test_the_account_profile_is_kept_and_read_again_once_a_day(upstream, poll_source):
    upstream.set(MASTODON_LOOKUP, fixture_bytes("mastodon/lookup.json"), "application/json")
    upstream.set(MASTODON_STATUSES, fixture_bytes("mastodon/statuses.json"), "application/json")
    source = adapter(upstream, pinned=False)
    first = await poll_source(source)
    state = remember(FetchState(), first)
    profile = state.profile
    assert profile is not None
    assert (profile.name, profile.handle) == ("Hubservateur", "@hubservateur@toot.example")
    assert profile.url == "https://toot.example/@hubservateur"
    assert profile.avatar.endswith("/a1b2c3.png") and profile.banner.endswith("/h1.jpg")
    assert profile.bio_html == "<p>Observatoire citoyen des transports.</p>"
    assert (profile.followers, profile.posts) == (1843, 977)
    # The next polls within a day use the kept id and profile; a day later it is read again.
    state = remember(state, await poll_source(source, state))
    assert len(upstream.requests_to(MASTODON_LOOKUP)) == 1
    state.meta[PROFILE_AT] -= PROFILE_EVERY
    again = await poll_source(source, state)
    assert again.ok and len(upstream.requests_to(MASTODON_LOOKUP)) == 2
    assert again.meta[PROFILE_AT] > state.meta[PROFILE_AT]


async def test_account_that_does_not_exist(upstream, poll_source):
    upstream.set(
        MASTODON_LOOKUP, fixture_bytes("mastodon/not_found.json"), "application/json", status=404
    )
    result = await poll_source(adapter(upstream))
    assert not result.ok and result.status == 404
    assert result.error.startswith("account @hubservateur@toot.example not found")
    assert "lookup" not in result.meta


async def test_instance_that_closes_its_api_to_anonymous_clients(upstream, poll_source):
    upstream.set(
        MASTODON_LOOKUP, fixture_bytes("mastodon/unauthorized.json"), "application/json", status=401
    )
    result = await poll_source(adapter(upstream))
    assert result.status == 401
    assert result.error.startswith("instance toot.example requires authentication")


async def test_rate_limited_with_retry_after(upstream, poll_source):
    upstream.set(MASTODON_LOOKUP, fixture_bytes("mastodon/lookup.json"), "application/json")
    upstream.set(
        MASTODON_STATUSES,
        fixture_bytes("mastodon/rate_limited.json"),
        "application/json",
        status=429,
        headers={"Retry-After": "600", "X-RateLimit-Remaining": "0"},
    )
    result = await poll_source(adapter(upstream))
    assert result.status == 429 and result.error.startswith("rate limited")
    assert result.meta["lookup"]["id"] == MASTODON_ACCOUNT_ID, "the lookup is kept for the next try"
    now = time.time()
    assert hinted_delay(result.headers, now) >= 600
    state = remember(FetchState(), result, interval=60)
    assert state.errors == 1 and state.next_check >= now + 600 * 0.9


async def test_stale_account_id_is_looked_up_again(upstream, poll_source):
    upstream.set(MASTODON_LOOKUP, fixture_bytes("mastodon/lookup.json"), "application/json")
    upstream.set(
        MASTODON_STATUSES, fixture_bytes("mastodon/not_found.json"), "application/json", status=404
    )
    stale = FetchState(meta={"lookup": {"key": "@hubservateur@toot.example", "id": "1"}})
    result = await poll_source(adapter(upstream), stale)
    assert result.error.startswith("account @hubservateur@toot.example not found")
    assert upstream.requests_to("/api/v1/accounts/1/statuses")
    assert remember(stale, result).meta["lookup"] is None


async def test_malformed_answers(upstream, poll_source):
    upstream.set(MASTODON_LOOKUP, fixture_bytes("mastodon/lookup.json"), "application/json")
    upstream.set(MASTODON_STATUSES, b'{"error": "not a list"}', "application/json")
    result = await poll_source(adapter(upstream, pinned=False))
    assert result.error.startswith("malformed answer from")
    assert "expected a JSON array" in result.error

    upstream.set(MASTODON_STATUSES, b"<html><body>Maintenance</body></html>", "text/html")
    result = await poll_source(adapter(upstream, pinned=False))
    assert "malformed answer" in result.error and "not JSON" in result.error


async def test_options_reach_the_api(upstream, poll_source):
    serve_mastodon_account(upstream)
    result = await poll_source(
        adapter(upstream, exclude_replies=False, exclude_reposts=True, pinned=False)
    )
    assert result.ok
    (timeline,) = upstream.requests_to(MASTODON_STATUSES)
    assert timeline.query["exclude_replies"] == "false"
    assert timeline.query["exclude_reblogs"] == "true"


def test_default_base_url_is_the_accounts_instance():
    cfg = MastodonSource(type="mastodon", account="@someone@Social.Example.org")
    assert MastodonAdapter("s", cfg).base_url == "https://Social.Example.org"


async def serve_widget(tmp_path, upstream, feedhub_service, statuses: str) -> str:
    """The widget of one mastodon source whose timeline is the fixture `statuses`."""
    upstream.set(MASTODON_LOOKUP, fixture_bytes("mastodon/lookup.json"), "application/json")
    upstream.set(MASTODON_STATUSES, fixture_bytes(statuses), "application/json")
    source = {"type": "mastodon", "account": "@hubservateur@toot.example", "pinned": False}
    config = make_config(
        tmp_path,
        {
            "sources": {"toots": {**source, "base_url": upstream.base_url}},
            "widgets": {"wall": {"sources": ["toots"]}},
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    assert running.service.states["toots"].errors == 0, running.service.states["toots"]
    status, body, _ = await running.get("/w/wall.html")
    assert status == 200
    return body


async def test_poll_shows_its_options_counts_and_closing_time(tmp_path, upstream, feedhub_service):
    body = await serve_widget(
        tmp_path, upstream, feedhub_service, "mastodon/statuses_poll_quote.json"
    )
    assert "Quel nom pour la future place du marché ?" in body
    for option, votes in [
        ("Place des Tilleuls", 31),
        ("Place du Lavoir", 19),
        ("Esplanade Marie-Curie", 7),
    ]:
        assert re.search(rf"<li>{option}\b[^<]*\b{votes}\b[^<]*</li>", body), option
    assert '<time datetime="2025-09-05T07:15:00+00:00">2025-09-05 07:15 UTC</time>' in body


async def test_quote_post_shows_the_quoted_post_as_a_card(tmp_path, upstream, feedhub_service):
    body = await serve_widget(
        tmp_path, upstream, feedhub_service, "mastodon/statuses_poll_quote.json"
    )
    assert "Vu ce matin en passant" in body
    assert "RE:" not in body, "the fallback line Mastodon's web app hides"
    card = re.search(r"<blockquote>(.*?)</blockquote>", body, re.S)
    assert card, "the quoted post"
    assert "Le double-sens cyclable de la rue Paul-Bert est enfin peint." in card.group(1)
    assert 'href="https://piaille.example/@velo_lyon/115139000000000007"' in card.group(1)
    assert "Vélo à Lyon (@velo_lyon@piaille.example)" in card.group(1)
