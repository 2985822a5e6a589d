"""Filters read a post's whole plain text (title, content warning, content, link texts), with
the documented precedence: `hide` beats everything, `pin` keeps an item whatever the filters
say, then include, exclude and max_age. Regexes are case-sensitive unless they say `(?i)`."""

from __future__ import annotations

from tests.conftest import make_config
from tests.social_upstream import serve_mastodon_account

FILLER = "Un long compte rendu du conseil de quartier, point par point. " * 7  # 434 chars


def long_feed() -> str:
    assert 400 < len(FILLER) < 440
    items = [
        ("long", f"<p>{FILLER} Et enfin la question du stationnement.</p>"),
        ("card", '<p>À lire : <a href="https://www.example.org/t">le compte rendu Travaux</a></p>'),
        ("short", "<p>Inauguration de la ligne 4.</p>"),
    ]
    body = "".join(
        f"<item><title>Billet {guid}</title><link>https://www.example.org/{guid}</link>"
        f"<guid>{guid}</guid><pubDate>Tue, 24 Nov 2026 0{i}:30:00 +0000</pubDate>"
        f"<description><![CDATA[{html}]]></description></item>"
        for i, (guid, html) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<link>https://www.example.org/</link>{body}</channel></rss>"
    )


async def served(tmp_path, upstream, feedhub_service, widgets):
    upstream.set("/feed", long_feed(), "application/rss+xml")
    serve_mastodon_account(upstream)
    config = make_config(
        tmp_path,
        {
            "sources": {
                "blog": {"type": "feed", "url": upstream.url("/feed")},
                "toots": {
                    "type": "mastodon",
                    "account": "@hubservateur@toot.example",
                    "base_url": upstream.base_url,
                },
            },
            "widgets": {
                name: {"sources": ["blog", "toots"], "limit": 20, **w}
                for name, w in widgets.items()
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    return running


async def titles(running, name):
    status, feed, _ = await running.get(f"/w/{name}.json")
    assert status == 200
    import json

    return [it.get("title") or it.get("content_text", "")[:30] for it in json.loads(feed)["items"]]


async def test_a_word_deep_in_the_text_and_behind_a_warning_is_matched(
    tmp_path, upstream, feedhub_service
):
    running = await served(
        tmp_path,
        upstream,
        feedhub_service,
        {
            "deep": {"filters": {"exclude": ["stationnement"]}},
            "warned": {"filters": {"exclude": ["carrefour"]}},
            "linked": {"filters": {"include": ["compte rendu travaux"]}},
        },
    )
    assert "Billet long" not in await titles(running, "deep")
    assert "Billet short" in await titles(running, "deep")
    # The post folded behind "Accident, blessés" says "carrefour" only in its content.
    _, warned, _ = await running.get("/w/warned.html")
    assert "Accident, blessés" not in warned
    _, everything, _ = await running.get("/w/deep.html")
    assert "Accident, blessés" in everything
    # A link's text is part of the text.
    assert await titles(running, "linked") == ["Billet card"]


async def test_precedence_hide_then_pin_then_filters(tmp_path, upstream, feedhub_service):
    from feedhub.sources.feed import parse_feed

    parsed, _ = parse_feed(long_feed().encode(), upstream.url("/feed"), "blog")
    ids = {it.title: it.id for it in parsed}
    long_id, short_id = ids["Billet long"], ids["Billet short"]
    running = await served(
        tmp_path,
        upstream,
        feedhub_service,
        {
            "pinned": {
                "filters": {"exclude": ["stationnement"], "max_age": "1s"},
                "pin": [long_id],
            },
            "hidden": {"pin": [short_id], "hide": [short_id]},
        },
    )
    got = await titles(running, "pinned")
    assert got[0] == "Billet long", "a pinned item stays whatever the filters say"
    assert "Billet short" not in got and "Billet card" not in got
    assert "Billet short" not in await titles(running, "hidden"), "hide beats pin"


async def test_regex_case_needs_explicit_flag(tmp_path, upstream, feedhub_service):
    running = await served(
        tmp_path,
        upstream,
        feedhub_service,
        {
            "exact": {"filters": {"include": ["/Inauguration/"]}},
            "lower": {"filters": {"include": ["/inauguration/"]}},
            "folded": {"filters": {"include": ["/(?i)inauguration/"]}},
            "word": {"filters": {"include": ["inauguration"]}},
        },
    )
    assert await titles(running, "exact") == ["Billet short"]
    assert await titles(running, "lower") == []
    assert await titles(running, "folded") == ["Billet short"]
    assert await titles(running, "word") == ["Billet short"], "words ignore case"
