"""Every way to embed a widget, in headless Chromium: a host page on one origin (the
`upstream` server) embeds widgets served by feedhub from another origin (another port)."""

from __future__ import annotations

import math

import pytest

from feedhub.publish.embed import Embed
from tests.conftest import fixture_bytes, make_config, wait_until

pytestmark = pytest.mark.browser

# Host styles that would wreck any widget they reached.
HOST_CSS = """* { color: rgb(255, 0, 0) !important; font-size: 40px !important;
  font-family: serif !important; letter-spacing: 5px !important; line-height: 3 !important; }
.fh-item, .fh { padding: 0; border: 0; }"""


def host_csp(feedhub: str) -> str:
    """A strict policy of the kind a careful site sends: nothing inline, one widget origin."""
    return (
        f"default-src 'none'; script-src {feedhub}; connect-src {feedhub}; "
        f"frame-src {feedhub}; img-src 'self' {feedhub} https: data:; style-src 'self'"
    )


async def start(tmp_path, upstream, feedhub_service, origins):
    upstream.set("/atom", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    upstream.set("/rss", fixture_bytes("feeds/rss20.xml"), "application/rss+xml")
    upstream.set("/host.css", HOST_CSS, "text/css")
    # websub off: the fixtures name hubs on the internet, which no test may reach
    config = make_config(
        tmp_path,
        {
            "server": {"embed_origins": origins},
            "sources": {
                "atom": {"type": "feed", "url": upstream.url("/atom"), "websub": False},
                "rss": {"type": "feed", "url": upstream.url("/rss")},
            },
            "widgets": {
                "side": {"title": "From the blog", "sources": ["atom"]},
                "grid": {
                    "title": "Pictures",
                    "sources": ["rss"],
                    "theme": "cards",
                    "scheme": "dark",
                },
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    return running, str(running.client.make_url("")).rstrip("/")


async def offline(route):
    """No test reaches the internet: images of the fixtures' hosts are not fetched."""
    await route.abort()


def is_problem(text: str) -> bool:
    # A resource that is not there (favicon, an offline image) is not the widget's fault.
    return not text.startswith("Failed to load resource")


async def open_page(browser, url):
    page = await browser.new_page()
    await page.route(lambda u: not u.startswith("http://127.0.0.1:"), offline)
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type in ("error", "warning") and is_problem(m.text) else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    await page.goto(url)
    return page, errors, requests


async def _count_is(locator, n: int) -> bool:
    return await locator.count() == n


STYLE_OF = """el => { const s = getComputedStyle(el);
  return {color: s.color, size: s.fontSize, family: s.fontFamily, spacing: s.letterSpacing,
          padding: s.paddingTop}; }"""


async def test_script_fills_every_div_in_a_shadow_root_under_strict_csp(
    tmp_path, upstream, feedhub_service, browser
):
    running, feedhub = await start(tmp_path, upstream, feedhub_service, [upstream.base_url])
    upstream.set(
        "/host.html",
        f"""<!doctype html><html><head><title>Host</title>
<link rel="stylesheet" href="/host.css"></head><body>
<h1>Host page</h1>
<div class="fh"><p class="fh-item" id="outside">host text with widget class names</p></div>
<div data-feedhub="side"><a href="{feedhub}/w/side">From the blog</a></div>
<div data-feedhub="grid" data-limit="1"><a href="{feedhub}/w/grid">Pictures</a></div>
<div data-feedhub="side"></div>
<script async src="{feedhub}/w/side.js"></script>
<script async src="{feedhub}/w/grid.js"></script>
</body></html>""",
        "text/html",
        headers={"Content-Security-Policy": host_csp(feedhub)},
    )
    page, errors, requests = await open_page(browser, upstream.url("/host.html"))
    ready = page.locator('[data-feedhub-state="ready"]')
    await wait_until(lambda: _count_is(ready, 3))
    # Both widgets render, inside shadow roots, the fallback link hidden
    side = page.locator('[data-feedhub="side"]').first
    assert await side.locator(".fh-item-title").all_inner_texts() == ["Entry two", "Entry one"]
    grid = page.locator('[data-feedhub="grid"]')
    assert await grid.locator(".fh-item").count() == 1
    assert await grid.locator(".fh-item-title").inner_text() == "Second post: images & links"
    thumb = grid.locator(".fh-media img")
    assert (await thumb.get_attribute("src")).endswith("/img/second-thumb.jpg")
    assert await thumb.get_attribute("alt") is not None
    assert await page.evaluate(
        "[...document.querySelectorAll('[data-feedhub]')].every(e => e.shadowRoot)"
    )
    assert not await page.get_by_role("link", name="From the blog", exact=True).is_visible()
    # The host's CSS does not restyle the widget...
    title = await side.locator(".fh-item-title a").first.evaluate(STYLE_OF)
    assert title["color"] == "rgb(5, 80, 174)" and title["size"] == "15px"
    assert title["family"].startswith("system-ui") and title["spacing"] == "normal"
    card = await grid.locator(".fh-item").evaluate(
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).paddingTop]"
    )
    assert card == ["rgb(22, 27, 34)", "11.25px"]  # dark scheme card, styled by a constructed sheet
    # ...and the widget's CSS does not leak out onto the host's elements
    outside = await page.locator("#outside").evaluate(STYLE_OF)
    assert outside["color"] == "rgb(255, 0, 0)" and outside["padding"] == "0px"
    # One request per widget and parameters, the same widget twice fetched once
    fragments = [u for u in requests if u.startswith(feedhub) and ".html" in u]
    assert sorted(fragments) == [f"{feedhub}/w/grid.html?limit=1", f"{feedhub}/w/side.html"]
    assert await page.evaluate("Object.keys(window).filter(k => /feedhub/i.test(k))") == ["feedhub"]
    assert errors == [], "\n".join(errors)  # no CSP violation, no script error
    await page.close()


async def test_script_under_trusted_types(tmp_path, upstream, feedhub_service, browser):
    running, feedhub = await start(tmp_path, upstream, feedhub_service, [])
    policy = host_csp(feedhub) + "; require-trusted-types-for 'script'; trusted-types feedhub"
    upstream.set(
        "/tt.html",
        f"""<!doctype html><title>Trusted Types</title>
<div data-feedhub="side"></div><script src="{feedhub}/w/side.js"></script>""",
        "text/html",
        headers={"Content-Security-Policy": policy},
    )
    page, errors, _ = await open_page(browser, upstream.url("/tt.html"))
    await page.wait_for_selector('[data-feedhub-state="ready"]', state="attached")
    assert await page.locator(".fh-item-title").all_inner_texts() == ["Entry two", "Entry one"]
    # an element added later is filled by feedhub.scan()
    await page.evaluate("""() => { const d = document.createElement('div');
        d.setAttribute('data-feedhub', 'grid'); document.body.append(d); feedhub.scan(); }""")
    await wait_until(lambda: _count_is(page.locator('[data-feedhub-state="ready"]'), 2))
    assert await page.locator('[data-feedhub="grid"] .fh-cards').count() == 1
    assert errors == [], "\n".join(errors)
    await page.close()


async def test_script_from_an_origin_not_allowed_keeps_the_fallback_link(
    tmp_path, upstream, feedhub_service, browser
):
    running, feedhub = await start(tmp_path, upstream, feedhub_service, ["https://www.example.org"])
    upstream.set(
        "/host.html",
        f"""<!doctype html><title>Other</title>
<div data-feedhub="side"><a href="{feedhub}/w/side">From the blog</a></div>
<script src="{feedhub}/w/side.js"></script>""",
        "text/html",
    )
    page, errors, _ = await open_page(browser, upstream.url("/host.html"))
    await page.wait_for_selector('[data-feedhub-state="error"]', state="attached")
    assert await page.get_by_role("link", name="From the blog").is_visible()
    assert any("CORS" in e or "Access-Control-Allow-Origin" in e for e in errors), errors
    await page.close()


async def test_iframe_takes_the_height_of_its_content(tmp_path, upstream, feedhub_service, browser):
    running, feedhub = await start(tmp_path, upstream, feedhub_service, [upstream.base_url])
    snippet = Embed(feedhub, "side", "From the blog", 10)
    # The documented parent snippet, as the publisher page hands it out (host without a CSP)
    upstream.set(
        "/framed.html",
        f"""<!doctype html><html><head><title>Framed</title>
<link rel="stylesheet" href="/host.css"></head><body style="width:360px">
<iframe src="{feedhub}/w/side" title="From the blog" style="border:0;width:100%"></iframe>
{snippet.resize_listener()}
<iframe id="second" src="{feedhub}/w/grid" title="Pictures" style="border:0;width:100%"></iframe>
</body></html>""",
        "text/html",
    )
    page, errors, _ = await open_page(browser, upstream.url("/framed.html"))
    frame = page.frame_locator("iframe").first
    assert await frame.locator(".fh-item-title").all_inner_texts() == ["Entry two", "Entry one"]
    inner = page.frames[1]

    async def sized() -> bool:
        content = await inner.evaluate("document.documentElement.getBoundingClientRect().height")
        outer = await page.locator("iframe").first.evaluate("el => el.clientHeight")
        return content > 150 and outer == math.ceil(content)

    await wait_until(sized)
    # the host CSS reaches neither frame's content
    color = await frame.locator(".fh-item-title a").first.evaluate(
        "el => getComputedStyle(el).color"
    )
    assert color != "rgb(255, 0, 0)"
    assert errors == []
    await page.close()


async def test_embed_script_also_sizes_iframes_under_strict_csp(
    tmp_path, upstream, feedhub_service, browser
):
    running, feedhub = await start(tmp_path, upstream, feedhub_service, [upstream.base_url])
    upstream.set(
        "/framed.html",
        f"""<!doctype html><title>Framed</title>
<iframe src="{feedhub}/w/grid?theme=list" title="Pictures" width="300"></iframe>
<script src="{feedhub}/w/grid.js"></script>""",
        "text/html",
        headers={"Content-Security-Policy": host_csp(feedhub)},
    )
    page, errors, _ = await open_page(browser, upstream.url("/framed.html"))
    inner = page.frame_locator("iframe")
    assert await inner.locator(".fh-line a").count() == 2

    async def sized() -> bool:
        content = await page.frames[1].evaluate(
            "document.documentElement.getBoundingClientRect().height"
        )
        outer = await page.locator("iframe").evaluate("el => el.clientHeight")
        return outer == math.ceil(content) and outer != 150

    await wait_until(sized)
    assert errors == []
    await page.close()


async def test_framing_from_an_origin_not_allowed_is_refused(
    tmp_path, upstream, feedhub_service, browser
):
    running, feedhub = await start(tmp_path, upstream, feedhub_service, ["https://www.example.org"])
    upstream.set(
        "/framed.html",
        f"""<!doctype html><title>Not allowed</title>
<iframe src="{feedhub}/w/side" title="From the blog"></iframe>""",
        "text/html",
    )
    page, errors, _ = await open_page(browser, upstream.url("/framed.html"))
    await wait_until(lambda: any("frame-ancestors" in e for e in errors))
    assert await page.frame_locator("iframe").locator(".fh-item").count() == 0
    # the same widget framed by its own origin (the publisher page) is allowed
    await page.goto(feedhub + "/")
    preview = page.frame_locator('iframe[src="/w/side"]')
    assert await preview.locator(".fh-item-title").first.inner_text() == "Entry two"
    await page.close()


async def test_server_side_include_looks_right(tmp_path, upstream, feedhub_service, browser):
    running, feedhub = await start(tmp_path, upstream, feedhub_service, [])
    _, fragment, _ = await running.get("/w/side.html")
    # What nginx's `<!--#include virtual=... -->` puts into the host's page
    upstream.set(
        "/ssi.html",
        f"""<!doctype html><title>SSI</title><main style="width:320px">
{fragment}</main>""",
        "text/html",
    )
    page, errors, _ = await open_page(browser, upstream.url("/ssi.html"))
    items = page.locator(".fh-item-title")
    assert await items.all_inner_texts() == ["Entry two", "Entry one"]
    border = await page.locator(".fh").evaluate("el => getComputedStyle(el).borderTopWidth")
    assert border == "4px"  # the sidebar theme's accent: the fragment carried its styles
    assert errors == []
    await page.close()


async def test_publisher_page_copies_codes_and_sizes_previews(
    tmp_path, upstream, feedhub_service, browser
):
    running, feedhub = await start(tmp_path, upstream, feedhub_service, [])
    context = await browser.new_context()
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=feedhub)
    page = await context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and is_problem(m.text) else None,
    )
    await page.route(lambda u: not u.startswith("http://127.0.0.1:"), offline)
    await page.goto(feedhub + "/")
    button = page.locator('button[data-copy="c-grid-script"]')
    await button.click()
    await wait_until(lambda: _text_is(button, "Copied"))
    copied = await page.evaluate("navigator.clipboard.readText()")
    assert copied == await page.locator("#c-grid-script").text_content()
    assert copied.startswith('<div data-feedhub="grid">')
    # each preview grows from its initial 400px to the height its page reports
    preview = page.locator('iframe[src="/w/side"]')
    await wait_until(lambda: _height_differs(preview, 400))
    inner = page.frame_locator('iframe[src="/w/side"]')
    assert await inner.locator(".fh-item").count() == 2
    assert errors == []
    await context.close()


async def _text_is(locator, text: str) -> bool:
    return await locator.text_content() == text


async def _height_differs(locator, height: int) -> bool:
    return await locator.evaluate("el => el.clientHeight") != height
