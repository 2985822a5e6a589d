"""The instagram adapter (and what the Meta adapters share: token renewal, paging, Meta's
error bodies) against a local stand-in for graph.instagram.com."""

from __future__ import annotations

import json
import time

import pytest

from feedhub.config import InstagramSource
from feedhub.fetch.fetcher import Fetcher
from feedhub.models import FetchState
from feedhub.sources import PollContext
from feedhub.sources.instagram import InstagramAdapter
from feedhub.sources.tokens import TOKEN, fingerprint
from tests.conftest import Upstream
from tests.meta_upstream import FakeGraph
from tests.source_support import poll_source_fixture, remember, run_here  # noqa: F401

MEDIA = "/v22.0/me/media"
OLD = "IGAAR-configured-token-0001"


def adapter(upstream: Upstream, token: str = OLD, **options: object) -> InstagramAdapter:
    cfg = InstagramSource(type="instagram", token=token, base_url=upstream.base_url, **options)
    return InstagramAdapter("insta", cfg)


@pytest.fixture
def graph(upstream: Upstream) -> FakeGraph:
    fake = FakeGraph(upstream, grant="ig_refresh_token")
    fake.edge(MEDIA, ["instagram/media.json", "instagram/media_page2.json"])
    return fake


async def test_carousel_video_and_paging(upstream, graph, poll_source):
    graph.issue(OLD, age_days=59)
    result = await poll_source(adapter(upstream))
    assert result.ok, result.error
    first, second = upstream.requests_to(MEDIA)
    assert first.query["fields"].startswith("id,caption,media_type,media_url,thumbnail_url,")
    assert "children{id,media_type,media_url,thumbnail_url}" in first.query["fields"]
    assert second.query["after"] == "QVFIUk1sdGNPRnhaSDVaT1dNbE5aSGdQcDZARMk9HNG5JVWx2eTVfNzFR"
    carousel, video, image = result.items
    assert [m.type for m in carousel.media] == ["image", "image", "video"]
    assert carousel.media[2].preview_url.endswith("oe=6745C0E1")
    assert carousel.media[0].alt.startswith("Trois vues du chantier ce matin")
    assert carousel.url == "https://www.instagram.com/p/DCxCarousel1/"
    assert carousel.author.handle == "@hubservateur" and carousel.network == "instagram"
    html = carousel.content_html
    assert "ce matin 🏗️<br>De gauche à droite" in html, "line breaks are kept"
    assert 'href="https://www.instagram.com/explore/tags/ligne4/"' in html
    assert 'href="https://www.instagram.com/velo_lyon/"' in html
    assert video.media[0].type == "video" and "467999_thumb" in video.media[0].preview_url
    assert (
        image.published is not None and image.published.isoformat() == "2024-11-19T10:30:00+00:00"
    )


async def test_limit_stops_paging(upstream, graph, poll_source):
    graph.issue(OLD, age_days=2)
    result = await poll_source(adapter(upstream, limit=2))
    assert result.ok and len(result.items) == 2
    assert len(upstream.requests_to(MEDIA)) == 1
    assert upstream.requests_to(MEDIA)[0].query["limit"] == "2"


async def test_token_renewed_and_used_from_the_state(upstream, graph, poll_source):
    graph.issue(OLD, age_days=59)
    source = adapter(upstream)
    first = await poll_source(source)
    assert first.ok, first.error
    (new,) = graph.renewed_to
    record = first.meta[TOKEN]
    assert record["value"] == new and record["of"] == fingerprint(OLD)
    assert record["expires"] == pytest.approx(time.time() + 60 * 86400 - 56, abs=30)
    assert graph.tokens_seen(MEDIA) == [new, new], "the renewed token reads the media"

    state = remember(FetchState(), first)
    again = await poll_source(adapter(upstream), state)  # a new adapter: as after a restart
    assert again.ok and again.items is None, "conditional GET: nothing new"
    assert graph.tokens_seen(MEDIA)[-1] == new
    assert len(graph.renewed_to) == 1, "renewed once, not at every poll"


async def test_renewal_when_older_than_refresh_after(upstream, graph, poll_source):
    graph.issue(OLD, age_days=3)
    renewed_long_ago = {
        "value": OLD,
        "of": fingerprint(OLD),
        "renewed": time.time() - 8 * 86400,
        "expires": time.time() + 52 * 86400,
    }
    result = await poll_source(adapter(upstream), FetchState(meta={TOKEN: renewed_long_ago}))
    assert result.ok and len(graph.renewed_to) == 1
    recent = {**renewed_long_ago, "renewed": time.time() - 86400}
    result = await poll_source(adapter(upstream), FetchState(meta={TOKEN: recent}))
    assert result.ok and len(graph.renewed_to) == 1, "not yet due"
    assert result.meta[TOKEN]["value"] == OLD


async def test_a_new_token_in_the_config_replaces_the_stored_one(upstream, graph, poll_source):
    pasted = graph.issue("IGAAR-pasted-by-the-owner-0003", age_days=0.5)
    stored = {"value": "IGAAR-stale", "of": fingerprint(OLD), "renewed": time.time()}
    result = await poll_source(adapter(upstream, token=pasted), FetchState(meta={TOKEN: stored}))
    assert result.ok, result.error
    assert graph.tokens_seen(MEDIA)[0] == graph.renewed_to[0]
    assert result.meta[TOKEN]["of"] == fingerprint(pasted)


async def test_expired_token_is_one_clear_error_without_the_token(upstream, graph, poll_source):
    graph.issue(OLD, age_days=61)
    result = await poll_source(adapter(upstream))
    assert not result.ok and result.status == 400
    assert result.error.startswith(
        "instagram token expired on Tuesday, 01-Dec-26 09:00:00 PST:"
        " create a new one at https://developers.facebook.com/apps"
    )
    assert OLD not in result.error
    record = result.meta[TOKEN]
    assert record["tried"] and "Session has expired" in record["problem"]
    # The failed renewal is not tried again at the next poll: one request per poll.
    before = len(upstream.seen)
    again = await poll_source(adapter(upstream), remember(FetchState(), result))
    assert again.error == result.error
    assert [s.path for s in upstream.seen[before:]] == [MEDIA]


async def test_known_expiry_is_the_date_given(upstream, graph, poll_source):
    graph.issue(OLD, age_days=70)
    gone = time.time() - 3600
    stored = {
        "value": OLD,
        "of": fingerprint(OLD),
        "renewed": gone - 60 * 86400,
        "expires": gone,
        "tried": time.time(),
    }
    result = await poll_source(adapter(upstream), FetchState(meta={TOKEN: stored}))
    day = time.strftime("%Y-%m-%d", time.gmtime(gone))
    assert result.error.startswith(f"instagram token expired on {day}")


async def test_malformed_answer_names_no_token(upstream, graph, poll_source):
    graph.issue(OLD, age_days=2)
    upstream.set(MEDIA, b'{"media": []}', "application/json")
    stored = {"value": OLD, "of": fingerprint(OLD), "renewed": time.time()}
    result = await poll_source(adapter(upstream), FetchState(meta={TOKEN: stored}))
    assert result.error.startswith("malformed answer from")
    assert "no 'data' array" in result.error
    assert OLD not in result.error and "access_token=[token]" in result.error


def missing_object(object_id: str) -> str:
    """Meta's answer for an object that was deleted (or that the token may no longer see)."""
    return json.dumps(
        {
            "error": {
                "message": f"Unsupported get request. Object with ID '{object_id}' does not"
                " exist, cannot be loaded due to missing permissions, or does not support this"
                " operation. Please read the Graph API documentation at"
                " https://developers.facebook.com/docs/graph-api",
                "type": "GraphMethodException",
                "code": 100,
                "error_subcode": 33,
                "fbtrace_id": "AbCdEfGhIjKlMnOp",
            }
        }
    )


async def test_recheck_asks_for_each_post_and_counts_only_a_missing_object(
    upstream, graph, poll_source
):
    graph.issue(OLD, age_days=2)
    source = adapter(upstream)
    result = await poll_source(source)
    kept, deleted, flaky = result.items
    assert [it.extra["graph_id"] for it in (kept, deleted)] == [
        "18045566778899001",
        "18045566778899002",
    ]
    upstream.set(f"/v22.0/{kept.extra['graph_id']}", '{"id": "1"}', "application/json")
    upstream.set(
        f"/v22.0/{deleted.extra['graph_id']}",
        missing_object(deleted.extra["graph_id"]),
        "application/json",
        status=400,
    )
    upstream.set(f"/v22.0/{flaky.extra['graph_id']}", "oops", "text/plain", status=500)
    fetcher = Fetcher(public_url="http://test", allow_private=True)
    try:
        ctx = PollContext(fetcher=fetcher, run_parse=run_here, timeout=10.0, max_bytes=1 << 20)
        gone = await source.recheck(ctx, [kept, deleted, flaky])
    finally:
        await fetcher.close()
    assert gone == {deleted.id}
    (asked,) = upstream.requests_to(f"/v22.0/{deleted.extra['graph_id']}")
    # The token the poll used (renewed on the way), which the stand-in knows as valid.
    assert asked.query["fields"] == "id" and graph.valid(asked.query["access_token"])


async def test_deep_json_is_malformed_not_a_traceback(upstream, graph, poll_source, caplog):
    """200,000 levels of nesting, in the edge's answer and in an error answer: `malformed`, as
    every other adapter says, and no traceback in the log."""
    graph.issue(OLD, age_days=2)
    stored = {"value": OLD, "of": fingerprint(OLD), "renewed": time.time()}
    deep = b'{"data": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    upstream.set(MEDIA, deep, "application/json")
    result = await poll_source(adapter(upstream), FetchState(meta={TOKEN: stored}))
    assert result.error.startswith("malformed answer from"), result.error
    assert "nested" in result.error
    upstream.set(MEDIA, b'{"error": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", status=400)
    result = await poll_source(adapter(upstream), FetchState(meta={TOKEN: stored}))
    assert result.error and "HTTP 400" in result.error, result.error
    assert not [r for r in caplog.records if r.exc_info or "Recursion" in r.getMessage()]
