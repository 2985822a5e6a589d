"""What a platform's answer carries, kept through `feedhub serve` (issue 26): recorded-shape
answers on a local upstream, and what the widget shows of them.

1. a Reddit self post whose thumbnail and text share one table keeps its text, and its
   thumbnail comes from the media cache; 2. a Mastodon poll shows its options, counts and
   closing time; 3. a Mastodon quote post shows the quoted post as a card, without the
   fallback line; 4. X links that the answer did not expand stay links.
"""

from __future__ import annotations

import re

from tests.conftest import fixture_bytes, wait_until
from tests.media_support import with_local_cdn
from tests.served_support import polled, start, widget_page
from tests.social_upstream import (
    MASTODON_LOOKUP,
    MASTODON_STATUSES,
    X_TOKEN,
    serve_x_timeline,
)

REDDIT_LISTING = "/r/selfhosted/new/.rss"


async def test_reddit_self_post_keeps_its_text_and_caches_its_thumbnail(tmp_path, upstream, daemon):
    body = fixture_bytes("reddit/self_thumbnail.rss")
    with_local_cdn(upstream, lambda up: up.set(REDDIT_LISTING, body, "application/atom+xml"))
    source = {"type": "reddit", "subreddit": "selfhosted", "base_url": upstream.base_url}
    media = {"media": {"proxy": True, "dir": str(tmp_path / "media")}}
    d = start(daemon, tmp_path, {"rd": source}, media)
    assert len(await polled(d, "rd", 1)) == 1

    async def pictured() -> bool:  # the items show at once, their images once settled
        return "<img " in await widget_page(d, "rd")

    await wait_until(pictured, timeout=15)
    shown = await widget_page(d, "rd")
    assert "It still runs the feeds, the photos and the calendar." in shown
    assert "submitted by" not in shown and "<table" not in shown and "<td" not in shown
    images = re.findall(r"<img [^>]*>", shown)
    assert len(images) == 1 and 'alt="My shelf server, one year on"' in images[0]
    assert "/m/" in images[0] and upstream.base_url not in images[0]


def serve_mastodon(upstream, statuses: str) -> dict[str, object]:
    upstream.set(MASTODON_LOOKUP, fixture_bytes("mastodon/lookup.json"), "application/json")
    upstream.set(MASTODON_STATUSES, fixture_bytes(statuses), "application/json")
    return {
        "type": "mastodon",
        "account": "@hubservateur@toot.example",
        "pinned": False,
        "base_url": upstream.base_url,
    }


async def test_mastodon_poll_and_quote_post_through_serve(tmp_path, upstream, daemon):
    source = serve_mastodon(upstream, "mastodon/statuses_poll_quote.json")
    d = start(daemon, tmp_path, {"toots": source})
    await polled(d, "toots", 2)
    shown = await widget_page(d, "toots")
    assert "Quel nom pour la future place du marché ?" in shown
    for option, votes in [
        ("Place des Tilleuls", 31),
        ("Place du Lavoir", 19),
        ("Esplanade Marie-Curie", 7),
    ]:
        assert re.search(rf"<li>{option}\b[^<]*\b{votes}\b[^<]*</li>", shown), option
    assert '<time datetime="2025-09-05T07:15:00+00:00">' in shown
    assert "Vu ce matin en passant" in shown
    assert "RE:" not in shown, "the fallback line Mastodon's web app hides"
    card = re.search(r"<blockquote>(.*?)</blockquote>", shown, re.S)
    assert card, "the quoted post"
    assert "Le double-sens cyclable de la rue Paul-Bert est enfin peint." in card.group(1)
    assert 'href="https://piaille.example/@velo_lyon/115139000000000007"' in card.group(1)
    feed = await widget_page(d, "toots", "json")
    assert "Place des Tilleuls" in feed and "Paul-Bert" in feed


async def test_x_links_the_answer_did_not_expand_stay_links(tmp_path, upstream, daemon):
    serve_x_timeline(upstream, "x/tweets_unexpanded.json")
    source = {
        "type": "x",
        "username": "Hubservateur",
        "bearer_token": X_TOKEN,
        "base_url": upstream.base_url,
    }
    d = start(daemon, tmp_path, {"x": source})
    await polled(d, "x", 1)
    shown = await widget_page(d, "x")
    assert 'Le compte rendu de la réunion est en ligne <a href="https://t.co/Qm4RtY8wZp"' in shown
    assert ">https://t.co/Qm4RtY8wZp</a>" in shown
    assert 'et les plans du chantier <a href="https://t.co/8kLdNb2XsV"' in shown


async def test_only_public_mastodon_posts_reach_a_widget(tmp_path, upstream, daemon):
    # With a token an answer also holds followers-only posts and direct messages.
    source = serve_mastodon(upstream, "mastodon/statuses_visibility.json")
    d = start(daemon, tmp_path, {"toots": source})
    items = await polled(d, "toots", 2)
    assert sorted(it["content_html"] for it in items) == [
        "<p>Le compte rendu est en ligne sur le site de l'association.</p>",
        "<p>Réunion publique jeudi à 18 h, salle des fêtes.</p>",
    ]
    for suffix in ("html", "rss", "atom"):
        page = await widget_page(d, "toots", suffix)
        assert "4821" not in page and "les clés" not in page and "Réunion publique" in page
