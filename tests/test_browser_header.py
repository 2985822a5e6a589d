"""The account header (issue 23) through `feedhub serve`, in Chromium: `header: full` shows the
account's banner, avatar, name, handle, bio, its followers and posts (short, in the widget's
language) and a Follow link to its page, the pictures served from `/m/`; `compact` a row of
avatar, name, handle and Follow; a widget of two accounts a row each; `none` (the default)
nothing. On the framed page and in the script embed on a host page with a strict CSP, with no
request to any origin but feedhub's."""

from __future__ import annotations

import json

import pytest
from aiohttp import web

from tests.conftest import fixture_bytes, wait_until
from tests.extras_support import allowed, both_ways, open_widget, serve_widgets
from tests.served_support import widget_page
from tests.social_upstream import MASTODON_LOOKUP

pytestmark = pytest.mark.browser

SECOND_ID = "109318924817269999"


def serve_second_account(upstream) -> dict[str, object]:
    """A second account on the same instance: the lookup answers by `acct`."""
    own = json.loads(fixture_bytes("mastodon/lookup.json"))
    other = {
        **own,
        "id": SECOND_ID,
        "username": "velo_lyon",
        "acct": "velo_lyon",
        "display_name": "Vélo à Lyon",
        "url": "https://toot.example/@velo_lyon",
        "note": "<p>Les pistes cyclables de la métropole.</p>",
        "followers_count": 12,
        "emojis": [],
    }
    served = upstream.routes[MASTODON_LOOKUP].body  # the CDN already moved onto the upstream

    async def lookup(request: web.Request) -> web.Response:
        if request.query.get("acct", "").startswith("velo_lyon@"):
            body = json.dumps(other).replace(
                "https://files.toot.example/", upstream.url("/cdn/files.toot.example/")
            )
            return web.Response(body=body.encode(), content_type="application/json")
        return web.Response(body=served, content_type="application/json")

    upstream.routes[MASTODON_LOOKUP] = lookup
    upstream.set(f"/api/v1/accounts/{SECOND_ID}/statuses", b"[]", "application/json")
    return {
        "type": "mastodon",
        "account": "@velo_lyon@toot.example",
        "pinned": False,
        "base_url": upstream.base_url,
    }


async def test_full_header_with_avatar_and_banner_from_the_media_cache(
    tmp_path, upstream, daemon, browser
):
    widgets = {"full": {"header": "full", "locale": "fr", "title": "Nouvelles du tram"}}
    d = await serve_widgets(daemon, tmp_path, upstream, widgets)
    for url, embedded in both_ways(d, upstream, "full"):
        seen = await open_widget(browser, url, embedded=embedded)
        header = seen.root.locator(".fh-header")
        assert await header.locator(".fh-name").inner_text() == "Hubservateur"
        assert await header.locator(".fh-handle").inner_text() == "@hubservateur@toot.example"
        assert (
            await header.locator(".fh-bio").inner_text() == "Observatoire citoyen des transports."
        )
        counts = await header.locator(".fh-profile-counts span").all_inner_texts()
        assert counts == ["1,8\xa0k Abonnés", "977 Publications"]
        for picture in (".fh-profile-avatar", ".fh-banner-img"):
            img = header.locator(picture)
            assert (await img.get_attribute("src")).startswith(f"{d.url}/m/"), picture
            await img.evaluate("e => e.decode()")
            assert await img.evaluate("e => e.naturalWidth") > 0, picture
        follow = header.get_by_role("link", name="Suivre Hubservateur")
        assert await follow.get_attribute("href") == "https://toot.example/@hubservateur"
        assert await follow.get_attribute("target") == "_blank"
        # The title stays the widget's heading, the header under it.
        assert await seen.root.locator("h2.fh-title").inner_text() == "Nouvelles du tram"
        assert await seen.root.evaluate("e => e.scrollWidth <= e.clientWidth")
        assert seen.origins() <= allowed(d, upstream, embedded), seen.requests
        assert seen.errors == [], seen.errors
        await seen.page.close()


async def test_a_row_per_account_compact_and_none(tmp_path, upstream, daemon, browser):
    widgets = {
        "both": {"header": "full", "sources": ["toots", "velo"]},
        "compact": {"header": "compact"},
        "plain": {},
    }
    extra = {"velo": serve_second_account}
    d = await serve_widgets(daemon, tmp_path, upstream, widgets, extra_sources=extra)

    async def both_read() -> bool:  # the second account is polled beside the first
        return (await widget_page(d, "both")).count('class="fh-profile"') == 2

    await wait_until(both_read, timeout=15)
    for url, embedded in both_ways(d, upstream, "both"):
        seen = await open_widget(browser, url, embedded=embedded)
        rows = seen.root.locator(".fh-header-rows .fh-profile")
        assert await rows.count() == 2
        assert await rows.locator(".fh-name").all_inner_texts() == ["Hubservateur", "Vélo à Lyon"]
        assert (
            await rows.get_by_role("link", name="Follow Vélo à Lyon").get_attribute("href")
            == "https://toot.example/@velo_lyon"
        )
        # Rows: no banner, no bio.
        assert await seen.root.locator(".fh-banner, .fh-bio").count() == 0
        for img in await rows.locator("img").all():
            assert (await img.get_attribute("src")).startswith(f"{d.url}/m/")
        assert seen.origins() <= allowed(d, upstream, embedded), seen.requests
        await seen.page.close()
    compact = await widget_page(d, "compact")
    assert compact.count('class="fh-profile"') == 1 and 'class="fh-bio"' not in compact
    assert 'class="fh-follow"' in compact
    assert 'class="fh-header' not in await widget_page(d, "plain")
