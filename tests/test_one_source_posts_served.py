"""Through `feedhub serve`: the cross-post merge folds copies of one post from different
sources, never two posts of one source that share a URL (anchors on one daily page, a
sponsor post and the post it links)."""

from __future__ import annotations

from tests.conftest import FIXTURES, Upstream, free_port, write_config
from tests.served_support import polled, start

SERVED = FIXTURES / "served"
XML = "application/rss+xml"


def serve(upstream: Upstream, name: str, content_type: str) -> str:
    upstream.set(f"/{name}", (SERVED / name).read_bytes(), content_type)
    return upstream.url(f"/{name}")


async def test_posts_of_one_source_sharing_a_url_are_all_shown(tmp_path, upstream, daemon):
    anchors = serve(upstream, "daily-anchors.rss", "application/rss+xml")
    sponsored = serve(upstream, "sponsored-links.atom", "application/atom+xml")
    d = start(
        daemon,
        tmp_path,
        {
            "anchors": {"type": "feed", "url": anchors},
            "sponsored": {"type": "feed", "url": sponsored},
        },
    )
    items = await polled(d, "anchors", 5)
    assert sorted(it["url"].rsplit("#", 1)[1] for it in items) == [
        "a080600",
        "a091200",
        "a104000",
        "a130500",
        "a162200",
    ]
    items = await polled(d, "sponsored", 3)
    assert sorted(it["title"] for it in items) == [
        "An Unrelated Linked Post",
        "Notecase",
        "[Sponsor] Notecase: Notes That Stay Put",
    ]


async def test_copies_from_two_sources_still_merge(tmp_path, upstream, daemon):
    port = free_port()
    config = write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "sources": {
                "anchors": {"type": "feed", "url": serve(upstream, "daily-anchors.rss", XML)},
                "mirror": {"type": "feed", "url": serve(upstream, "mirror-of-anchors.rss", XML)},
            },
            "widgets": {
                "mirror": {"sources": ["mirror"]},
                "both": {"sources": ["anchors", "mirror"]},
            },
        },
    )
    d = daemon(config, port)
    await polled(d, "mirror", 1)
    items = await polled(d, "both", 5)
    assert len(items) == 5, "the mirror's copy is folded into the first source's post"
    lunch = [it for it in items if it["url"].endswith("#a130500")]
    assert [it["url"] for it in lunch] == ["http://scripting.example/2026/11/26.html#a130500"]
