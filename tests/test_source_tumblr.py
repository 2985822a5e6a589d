"""The tumblr adapter against recorded API v2 (NPF) answers served locally."""

from __future__ import annotations

from feedhub.config import TumblrSource
from feedhub.sources.tumblr import TumblrAdapter
from tests.conftest import Upstream, fixture_bytes
from tests.source_support import poll_source_fixture  # noqa: F401

POSTS = "/v2/blog/hubservateur/posts"
KEY = "tumblr-consumer-key-0001"


def adapter(upstream: Upstream, **options: object) -> TumblrAdapter:
    return TumblrAdapter(
        "tb",
        TumblrSource(
            type="tumblr", blog="hubservateur", api_key=KEY, base_url=upstream.base_url, **options
        ),
    )


async def test_npf_posts_reblog_and_labels(upstream, poll_source):
    upstream.set(POSTS, fixture_bytes("tumblr/posts.json"), "application/json")
    result = await poll_source(adapter(upstream))
    assert result.ok, result.error
    (seen,) = upstream.requests_to(POSTS)
    assert seen.query["npf"] == "true" and seen.query["api_key"] == KEY
    text, photos, reblog, video = result.items  # the labelled post is hidden by default
    html = text.content_html
    assert 'href="https://velolyon.tumblr.com/"' in html and ">@velolyon</a>" in html
    assert "<h4>Ce qui change en décembre</h4>" in html
    assert "<strong>Lire</strong>" in html
    assert 'href="https://www.example.org/ligne-4/calendrier"' in html
    assert 'href="https://www.tumblr.com/tagged/ligne%204"' in html and "#tram</a>" in html
    assert text.author.name == "Hubservateur" and text.author.avatar.endswith("_512.pnj")
    assert text.published is not None and text.published.timestamp() == 1732263000
    assert [m.alt for m in photos.media] == [
        "La place Centrale vue du toit",
        "Les rails devant la mairie",
    ]
    assert photos.media[0].width == 2048
    # A reblog shows the original, credited to its blog; the reblogger is the reposter.
    assert reblog.repost and reblog.author.handle == "@velolyon"
    assert reblog.author.name == "Vélo à Lyon"
    assert reblog.reposted_by is not None and reblog.reposted_by.handle == "@hubservateur"
    assert "La piste de la rue Garibaldi ouvre lundi !" in reblog.content_html
    assert "Rue Garibaldi : la piste est ouverte</a>" in reblog.content_html
    assert "Exactement ce qu'on demandait." in reblog.content_html
    assert video.media[0].type == "video" and video.media[0].url.endswith("frame1.jpg")


async def test_fold_and_exclude_reblogs(upstream, poll_source):
    upstream.set(POSTS, fixture_bytes("tumblr/posts.json"), "application/json")
    result = await poll_source(adapter(upstream, sensitive="fold", exclude_reposts=True))
    assert len(result.items) == 4 and not any(it.repost for it in result.items)
    labelled = result.items[-1]
    assert labelled.sensitive and labelled.content_warning == "Violence"
    assert labelled.summary == "Violence", "the folded text does not leak as summary"


async def test_refused_key_is_not_in_the_message(upstream, poll_source):
    upstream.set(POSTS, fixture_bytes("tumblr/unauthorized.json"), "application/json", status=401)
    result = await poll_source(adapter(upstream))
    assert result.error.startswith("Tumblr refused the API key")
    assert KEY not in result.error and "api_key=[token]" in result.error
