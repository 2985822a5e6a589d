"""The x adapter against recorded X API v2 answers served locally."""

from __future__ import annotations

import time

import pytest

from feedhub.config import ConfigError, XSource, parse_config
from feedhub.ingest.schedule import hinted_delay
from feedhub.models import FetchState
from feedhub.sources.x import XAdapter, tweet_html
from tests.conftest import Upstream, fixture_bytes
from tests.social_upstream import X_LOOKUP, X_TOKEN, X_TWEETS, X_USER_ID, serve_x_timeline
from tests.source_support import poll_source_fixture, remember  # noqa: F401
from tests.widget_cases import config


def adapter(upstream: Upstream, **options: object) -> XAdapter:
    cfg = XSource(
        type="x",
        username="@Hubservateur",
        bearer_token=X_TOKEN,
        base_url=upstream.base_url,
        **options,
    )
    return XAdapter("tw", cfg)


async def test_timeline(upstream, poll_source):
    serve_x_timeline(upstream)
    result = await poll_source(adapter(upstream))
    assert result.ok, result.error
    for seen in upstream.seen:
        assert seen.headers["Authorization"] == f"Bearer {X_TOKEN}"
    (seen,) = upstream.requests_to(X_TWEETS)
    assert "since_id" not in seen.query, "first poll: no since_id yet"
    assert seen.query["exclude"] == "replies"
    assert seen.query["max_results"] == "20"
    assert set(seen.query["tweet.fields"].split(",")) >= {
        "created_at",
        "entities",
        "attachments",
        "lang",
        "referenced_tweets",
        "in_reply_to_user_id",
        "public_metrics",
    }
    assert set(seen.query["expansions"].split(",")) >= {"attachments.media_keys", "author_id"}
    assert seen.query["media.fields"] == "url,preview_image_url,width,height,alt_text,type"
    assert seen.query["user.fields"] == "name,username,profile_image_url"
    assert not result.incremental, "without since_id the answer replaces what is stored"
    assert result.meta["since_id"] == "1859912345678901234"

    photo, retweet, video = result.items
    assert (photo.replies, photo.reposts, photo.likes) == (3, 12, 1234)
    assert (video.replies, video.reposts, video.likes) == (None, None, None), "not given"
    html = photo.content_html
    assert "t.co" not in "".join(it.content_html for it in result.items)
    assert html.startswith("<p>Café ☕ &amp; travaux : la ligne 4 avance 🚋 <a href=")
    assert (
        'href="https://www.example.org/ligne-4?utm_source=x"' in html
        and ">example.org/ligne-4?utm_sou…</a>" in html
    )
    assert 'href="https://x.com/VeloLyon"' in html and 'href="https://x.com/hashtag/ligne4"' in html
    assert html.endswith("#ligne4</a></p>"), "the photo's own link is dropped"
    assert photo.url == "https://x.com/Hubservateur/status/1859912345678901234"
    assert photo.author.handle == "@Hubservateur" and photo.author.avatar.endswith("_normal.jpg")
    (image,) = photo.media
    assert (image.url, image.width, image.height) == (
        "https://pbs.twimg.com/media/GdAbCdEfGhIjKl.jpg",
        2048,
        1536,
    )
    assert image.alt == "Rails neufs devant l'hôtel de ville"

    assert retweet.repost and retweet.reposted_by.handle == "@Hubservateur"
    assert retweet.author.handle == "@VeloLyon"
    assert retweet.url == "https://x.com/VeloLyon/status/1859700000000000000"
    assert not retweet.content_html.startswith("<p>RT @")

    assert video.content_html == "<p>Timelapse du chantier &lt;3</p>"
    assert video.media[0].type == "video" and video.media[0].preview_url.endswith("VtHmB.jpg")


async def test_since_id_makes_later_polls_incremental(upstream, poll_source):
    serve_x_timeline(upstream)
    source = adapter(upstream)
    first = await poll_source(source)
    state = remember(FetchState(), first)
    upstream.set(X_TWEETS, fixture_bytes("x/tweets_since.json"), "application/json", etag=False)
    second = await poll_source(source, state)
    assert second.ok and second.incremental
    assert upstream.requests_to(X_TWEETS)[-1].query["since_id"] == "1859912345678901234"
    assert [it.url.rsplit("/", 1)[1] for it in second.items] == ["1860100000000000000"]
    state = remember(state, second)
    assert state.meta["since_id"] == "1860100000000000000"

    upstream.set(X_TWEETS, fixture_bytes("x/tweets_empty.json"), "application/json", etag=False)
    third = await poll_source(source, state)
    assert third.ok and third.incremental and third.items == []
    assert remember(state, third).meta["since_id"] == "1860100000000000000"
    assert len(upstream.requests_to(X_LOOKUP)) == 1, "the user id is looked up once"


async def test_the_lookup_reads_the_account_profile(upstream, poll_source):
    serve_x_timeline(upstream)
    result = await poll_source(adapter(upstream))
    assert result.ok, result.error
    (lookup,) = upstream.requests_to(X_LOOKUP)
    assert set(lookup.query["user.fields"].split(",")) >= {"description", "public_metrics"}
    profile = remember(FetchState(), result).profile
    assert profile is not None
    assert (profile.name, profile.handle, profile.url) == (
        "Hubservateur",
        "@Hubservateur",
        "https://x.com/Hubservateur",
    )
    assert profile.avatar.endswith("/Hb4kQz1m_normal.jpg") and profile.banner == ""
    assert profile.bio_html == (
        "<p>Observatoire citoyen des transports.<br>Tram, bus &amp; vélo &lt;à pied&gt;</p>"
    )
    assert (profile.followers, profile.posts) == (2412, 5310)


async def test_configured_user_id_skips_the_lookup(upstream, poll_source):
    serve_x_timeline(upstream)
    result = await poll_source(adapter(upstream, user_id=X_USER_ID, exclude_reposts=True))
    assert result.ok and not upstream.requests_to(X_LOOKUP)
    query = upstream.requests_to(X_TWEETS)[0].query
    assert query["exclude"] == "replies,retweets"
    assert "referenced_tweets.id" not in query["expansions"]


async def test_account_that_does_not_exist(upstream, poll_source):
    # X answers 200 with an `errors` array for an unknown username.
    upstream.set(X_LOOKUP, fixture_bytes("x/user_not_found.json"), "application/json")
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("account @Hubservateur not found on X")
    assert "lookup" not in result.meta and not upstream.requests_to(X_TWEETS)


async def test_bad_token(upstream, poll_source):
    upstream.set(
        X_LOOKUP, fixture_bytes("x/unauthorized.json"), "application/problem+json", status=401
    )
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("X refused the bearer token")


async def test_rate_limited_until_reset(upstream, poll_source):
    reset = int(time.time()) + 900
    upstream.set(X_LOOKUP, fixture_bytes("x/user.json"), "application/json")
    upstream.set(
        X_TWEETS,
        fixture_bytes("x/too_many_requests.json"),
        "application/json",
        status=429,
        headers={
            "x-rate-limit-limit": "5",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        },
    )
    result = await poll_source(adapter(upstream))
    assert result.status == 429 and result.error.startswith("rate limited by X")
    assert not result.incremental
    assert hinted_delay(result.headers, time.time()) >= 890
    assert remember(FetchState(), result, interval=1800).next_check >= reset - 90


async def test_malformed_answer(upstream, poll_source):
    upstream.set(X_LOOKUP, fixture_bytes("x/user.json"), "application/json")
    upstream.set(X_TWEETS, b'{"data": {"id": "1"}, "meta": {}}', "application/json")
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("malformed answer from")
    assert "'data' is not an array" in result.error


async def test_links_x_did_not_expand_stay_links(tmp_path, upstream, feedhub_service):
    # This answer carries no `entities` for the post: its t.co links are all it has.
    serve_x_timeline(upstream, "x/tweets_unexpanded.json")
    running = await feedhub_service(config(tmp_path, upstream, ["x"]))
    await running.poll_all()
    status, html, _ = await running.get("/w/wall.html")
    assert status == 200
    assert 'Le compte rendu de la réunion est en ligne <a href="https://t.co/Qm4RtY8wZp"' in html
    assert ">https://t.co/Qm4RtY8wZp</a>" in html
    assert 'et les plans du chantier <a href="https://t.co/8kLdNb2XsV"' in html


def test_links_mentions_and_tags_only_from_entities():
    entities = {
        "urls": [
            {"url": "https://t.co/a1", "expanded_url": "javascript:alert(1)", "display_url": "evil"}
        ],
        "mentions": [{"username": "known"}],
    }
    html = tweet_html("@known @unknown #notag https://t.co/a1 https://t.co/zz9\n\nend", entities)
    # A link X did not expand, or expanded to no safe URL, stays its t.co link.
    assert html == (
        '<p><a href="https://x.com/known">@known</a> @unknown #notag'
        ' <a href="https://t.co/a1">https://t.co/a1</a>'
        ' <a href="https://t.co/zz9">https://t.co/zz9</a></p><p>end</p>'
    )


def test_polling_floor_and_token():
    assert XAdapter.min_interval == 1800
    with pytest.raises(ConfigError) as err:
        parse_config(
            {
                "sources": {
                    "tw": {"type": "x", "username": "a", "bearer_token": "${X_BEARER_TOKEN:-}"}
                }
            },
            env={},
        )
    assert "sources.tw.bearer_token" in str(err.value)
    cfg = XSource(type="x", username="a", bearer_token="t")
    assert XAdapter("tw", cfg).base_url == "https://api.x.com"
