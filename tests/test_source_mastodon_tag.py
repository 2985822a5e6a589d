"""The mastodon_tag adapter against tag timelines served locally, and its config's messages."""

from __future__ import annotations

import pytest
from aiohttp import web

from feedhub.config import ConfigError, MastodonTagSource, parse_config
from feedhub.sources.mastodon_tag import MastodonTagAdapter
from tests.conftest import Upstream
from tests.source_support import poll_source_fixture  # noqa: F401
from tests.wall_support import INSTANCES, TAG, instance_answers, serve_tag, status, tag_path


def tag_adapter(upstream: Upstream, **options: object) -> MastodonTagAdapter:
    instances = [upstream.url(f"/{name}") for name in INSTANCES]
    cfg = MastodonTagSource(type="mastodon_tag", tag=f"#{TAG}", instances=instances, **options)
    return MastodonTagAdapter("fete", cfg)


async def test_two_instances_merged_once_by_uri_newest_first(upstream, poll_source):
    serve_tag(upstream, instance_answers())
    result = await poll_source(tag_adapter(upstream))
    assert result.ok, result.error
    authors = [it.author.name for it in result.items]
    assert authors == ["Dave", "Alice", "Carol", "Erin"]  # bob: #nobot in his profile
    assert result.incremental  # several instances: a poll only adds
    carol = result.items[2]
    # The copy of the first instance listed is kept: its media come from that instance.
    assert carol.media[0].url.startswith(f"https://files.{INSTANCES['one']}/")
    assert result.meta["withheld"] == {
        f"@bob@{upstream.url('/one').split('//')[1].split('/')[0]}": "#nobot in its profile"
    }


async def test_the_query_carries_any_all_none_local_and_only_media(upstream, poll_source):
    serve_tag(upstream, instance_answers())
    adapter = tag_adapter(
        upstream, any=["lyon"], all=["fdl2026"], none=["#pub"], local=True, only_media=True
    )
    assert (await poll_source(adapter)).ok
    (seen,) = upstream.requests_to(tag_path("one"))
    url = adapter.url_for(upstream.url("/one"))
    assert "any%5B%5D=lyon&all%5B%5D=fdl2026&none%5B%5D=pub&local=true&only_media=true" in url
    assert seen.query["limit"] == "40" and seen.query["local"] == "true"


async def test_one_instance_failing_leaves_the_others_posts(upstream, poll_source):
    answers = instance_answers()
    serve_tag(upstream, answers)

    async def closed(request: web.Request) -> web.Response:
        return web.json_response(
            {"error": "This method requires an authenticated user"}, status=422
        )

    upstream.routes[tag_path("two")] = closed
    result = await poll_source(tag_adapter(upstream))
    assert result.ok and result.incremental
    assert [it.author.name for it in result.items] == ["Alice", "Carol"]
    upstream.routes[tag_path("one")] = closed
    failed = await poll_source(tag_adapter(upstream))
    assert not failed.ok
    assert failed.error.count("shows its hashtag timelines to logged-in users only") == 2


async def test_a_single_instance_is_one_window(upstream, poll_source):
    serve_tag(upstream, instance_answers())
    cfg = MastodonTagSource(
        type="mastodon_tag", tag=TAG, instances=["lyon.example"], base_url=upstream.url("/two")
    )
    result = await poll_source(MastodonTagAdapter("fete", cfg))
    assert result.ok and not result.incremental
    assert [it.author.name for it in result.items] == ["Dave", "Carol", "Erin"]


def problems(source: dict[str, object], widget: dict[str, object] | None = None) -> list[str]:
    data = {
        "sources": {"fete": {"type": "mastodon_tag", "instances": ["lyon.example"], **source}},
        "widgets": {"wall": {"sources": ["fete"], **(widget or {})}},
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return caught.value.problems


def test_config_names_what_is_wrong():
    (hyphen,) = problems({"tag": "#fete-des-lumieres"})
    assert hyphen.startswith("sources.fete.tag:")
    assert "letters, digits and '_' only" in hyphen and "#fetedeslumieres" in hyphen
    (host,) = problems({"tag": TAG, "instances": ["not a host"]})
    assert host.startswith("sources.fete.instances:") and "host name" in host
    (none,) = problems({"tag": TAG, "instances": []})
    assert none.startswith("sources.fete.instances:")
    (trusted,) = problems({"tag": TAG}, {"moderation": "approve", "trusted": ["city"]})
    assert trusted == "widgets.wall.trusted[0]: 'city' is not one of the widget's sources"
    (mode,) = problems({"tag": TAG}, {"moderation": "queue"})
    assert mode.startswith("widgets.wall.moderation:") and "'approve'" in mode
    cfg = parse_config(
        {
            "sources": {"fete": {"type": "mastodon_tag", "tag": TAG, "instances": ["A.example"]}},
            "widgets": {"wall": {"sources": ["fete"], "rules": {"per_author_per_day": 2}}},
        }
    )
    assert cfg.sources["fete"].instances == ["https://a.example"]
    assert cfg.widgets["wall"].moderated and cfg.widgets["wall"].moderation == "open"


async def test_only_public_posts_of_a_tag_or_a_list_are_kept(upstream, poll_source):
    """With a token Mastodon also answers followers-only posts and direct messages: a wall
    keeps public (and unlisted) posts only, as the account source does."""
    answers = instance_answers()
    host = INSTANCES["one"]
    for n, (visibility, words) in enumerate(
        (("private", "Pour mes abonnés"), ("direct", "Message privé"), ("unlisted", "Discret"))
    ):
        answers["one"].append(
            status(
                20 + n,
                "alice",
                host,
                host,
                "2026-12-06T19:00:00.000Z",
                words,
                visibility=visibility,
            )
        )
    serve_tag(upstream, answers)
    result = await poll_source(tag_adapter(upstream))
    said = " ".join(it.content_html for it in result.items)
    assert "Discret" in said
    assert "Pour mes abonnés" not in said and "Message privé" not in said
