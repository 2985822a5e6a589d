"""A wall of every source type in Chromium, framed, script-embedded on another origin, and on
the publisher page: the browser asks nothing of any origin but feedhub's and the host page's,
every image shows, and a video's player loads only when clicked."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests import images
from tests.conftest import fixture_bytes, make_config, wait_until
from tests.media_support import with_local_cdn
from tests.widget_cases import CASES

pytestmark = pytest.mark.browser

NETWORKS = list(CASES)  # mastodon, bluesky, youtube, reddit, x
VIDEO = "dQ4w9WgXcQ0"  # the YouTube fixture's video
PLAYER_PAGE = "<!doctype html><title>player</title><p id=playing>stand-in player</p>"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def wall(tmp_path, upstream, feedhub_at):
    def serve(up):
        for name in NETWORKS:
            CASES[name].serve(up)
        up.set("/rss", fixture_bytes("feeds/rss20.xml"), "application/rss+xml")

    with_local_cdn(upstream, serve, size=(900, 600))
    # The feed's one relative image, resolved against the feed's own (local) address.
    upstream.set("/img/chart.png", images.transparent_png(), "image/png")
    # The player's stand-in: on the upstream's origin, as the platform would be on its own.
    upstream.set(f"/embed/{VIDEO}", PLAYER_PAGE, "text/html")
    sources = {n: {**CASES[n].source, "base_url": upstream.base_url} for n in NETWORKS}
    sources["blog"] = {"type": "feed", "url": upstream.url("/rss")}
    running = await feedhub_at(
        lambda public: make_config(
            tmp_path,
            {
                "server": {"public_url": public},
                "media": {"proxy": True, "youtube_player": upstream.base_url},
                "sources": sources,
                "widgets": {"wall": {"title": "Partout", "sources": list(sources), "limit": 40}},
            },
        )
    )
    await running.poll_all()
    for sid in sources:
        assert running.service.states[sid].errors == 0, (sid, running.service.states[sid])
    return running, str(running.client.make_url("")).rstrip("/")


# Every <img> of the document and its shadow roots: content warnings opened (as a visitor
# would), each scrolled into view (they load lazily), then loaded with pixels.
ALL_IMAGES = """() => { const out = []; const walk = root => { for (const el of
  root.querySelectorAll('*')) { if (el.tagName === 'IMG') out.push(el);
  if (el.tagName === 'DETAILS') el.open = true;
  if (el.shadowRoot) walk(el.shadowRoot); } }; walk(document); return out; }"""
SCROLL = f"""async () => {{ for (const img of ({ALL_IMAGES})()) {{ img.scrollIntoView();
  await new Promise(r => setTimeout(r, 20)); }} }}"""
LOADED = f"""() => ({ALL_IMAGES})().every(i => i.complete && i.naturalWidth > 0)"""
COUNT = f"""() => ({ALL_IMAGES})().length"""


async def images_all_shown(frame) -> int:
    await frame.evaluate(SCROLL)
    await wait_until(lambda: frame.evaluate(LOADED), timeout=15)
    return await frame.evaluate(COUNT)


def host_page(upstream, feedhub: str) -> str:
    """A page on another origin (the upstream's server, named `localhost`) embedding the wall
    by script, under the policy the README gives; its URL."""
    policy = (
        f"default-src 'none'; script-src {feedhub}; connect-src {feedhub}; "
        f"img-src {feedhub}; frame-src {upstream.base_url}"
    )
    upstream.set(
        "/host.html",
        f"""<!doctype html><title>Host</title>
<div data-feedhub="wall"><a href="{feedhub}/w/wall">Posts</a></div>
<script async src="{feedhub}/w/wall.js"></script>""",
        "text/html",
        headers={"Content-Security-Policy": policy},
    )
    return upstream.url("/host.html").replace("127.0.0.1", "localhost")


async def open_logged(browser, url):
    page = await browser.new_page(viewport={"width": 480, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    await page.route(
        lambda u: not u.startswith(("http://127.0.0.1:", "http://localhost:")),
        lambda route: route.abort(),
    )
    await page.goto(url)
    return page, requests


async def test_wall_framed_embedded_and_previewed_asks_only_feedhub(
    tmp_path, upstream, feedhub_at, browser
):
    running, feedhub = await wall(tmp_path, upstream, feedhub_at)
    _, body, _ = await running.get("/w/wall.html")
    for text in (
        "fh-net-mastodon",
        "fh-net-bluesky",
        "fh-net-youtube",
        "fh-net-reddit",
        "fh-net-x",
        "fh-player",
        "<blockquote><img",
    ):
        assert text in body, text

    # Framed page.
    page, requests = await open_logged(browser, feedhub + "/w/wall")
    shown = await images_all_shown(page)
    assert shown >= 10  # avatars, photos, card pictures, the video's thumbnail
    assert {origin(u) for u in requests} == {feedhub}
    await page.close()

    # Script embed on a host page of another origin, under the policy the README gives.
    host = host_page(upstream, feedhub)
    page, requests = await open_logged(browser, host)
    await page.wait_for_selector('[data-feedhub-state="ready"]', state="attached")
    assert await images_all_shown(page) == shown
    assert {origin(u) for u in requests} == {origin(host), feedhub}
    await page.close()

    # The publisher page: every widget previewed in a frame.
    page, requests = await open_logged(browser, feedhub + "/")
    await page.locator("iframe").first.scroll_into_view_if_needed()
    await wait_until(lambda: any("/w/wall" in f.url for f in page.frames))
    preview = next(f for f in page.frames if "/w/wall" in f.url)
    await preview.wait_for_selector(".fh-item")
    assert await images_all_shown(preview) == shown
    assert {origin(u) for u in requests} == {feedhub}
    await page.close()


async def test_the_player_loads_only_on_a_click(tmp_path, upstream, feedhub_at, browser):
    running, feedhub = await wall(tmp_path, upstream, feedhub_at)
    player_origin = upstream.base_url
    host = host_page(upstream, feedhub)
    for url, origins in ((feedhub + "/w/wall", {feedhub}), (host, {feedhub, origin(host)})):
        page, requests = await open_logged(browser, url)
        await page.wait_for_selector(".fh-player", state="attached")
        assert await page.locator(".fh-player[data-player]").count() == 2  # two videos
        placeholder = page.locator(f'.fh-player[data-player*="{VIDEO}"]')
        assert await placeholder.count() == 1
        note = await placeholder.locator(".fh-player-note").inner_text()
        assert "127.0.0.1" in note  # the line says what playing contacts
        await placeholder.scroll_into_view_if_needed()
        await page.wait_for_timeout(300)
        assert not [u for u in requests if u.startswith(player_origin)]
        await placeholder.locator("a.fh-play").click()
        frame = page.locator("iframe.fh-player-frame")
        await frame.wait_for()
        assert await frame.get_attribute("src") == f"{player_origin}/embed/{VIDEO}?autoplay=1"
        sandbox = (await frame.get_attribute("sandbox")).split()
        assert "allow-popups" not in sandbox and "allow-scripts" in sandbox
        await wait_until(lambda seen=requests: [u for u in seen if u.startswith(player_origin)])
        # The request goes out before the frame's document commits: wait for the frame too.
        await wait_until(lambda p=page: any(f.url.startswith(player_origin) for f in p.frames))
        player = next(f for f in page.frames if f.url.startswith(player_origin))
        await player.wait_for_selector("#playing")
        assert {origin(u) for u in requests} == origins | {player_origin}
        assert len(page.frames) == 2  # the page and the one player
        await page.close()
