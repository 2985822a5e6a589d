"""Embedding over HTTP: oEmbed (json, xml, discovery), CORS by embed_origins, the script,
the framed page's policy, and the publisher page with every embed code."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

from feedhub.publish.assets import asset, script
from feedhub.publish.render import csp_hash
from tests.conftest import fixture_bytes, make_config

PUBLIC = "https://widgets.example.org"
HOST = "https://www.example.org"


async def started(tmp_path, upstream, feedhub_service, origins=()):
    upstream.set("/atom", fixture_bytes("feeds/atom.xml"), "application/atom+xml")
    # websub off: the fixtures name hubs on the internet, which no test may reach
    config = make_config(
        tmp_path,
        {
            "server": {"public_url": PUBLIC, "embed_origins": list(origins)},
            "sources": {"blog": {"type": "feed", "url": upstream.url("/atom"), "websub": False}},
            "widgets": {
                "side": {"title": "From <our> blog", "sources": ["blog"], "limit": 3},
                "grid": {"sources": ["blog"], "theme": "cards", "scheme": "dark"},
            },
        },
    )
    running = await feedhub_service(config)
    await running.poll_all()
    return running


async def test_oembed_json_and_xml(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    status, text, headers = await running.get(
        "/oembed", params={"url": f"{PUBLIC}/w/side?theme=list&x=<b>", "maxwidth": "300"}
    )
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    data = json.loads(text)
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["provider_url"] == PUBLIC + "/" and data["title"] == "From <our> blog"
    assert data["width"] == 300 and 0 < data["height"] <= 900
    # the display parameters of the pasted URL are kept, nothing else
    assert data["html"].startswith(
        f'<iframe src="{PUBLIC}/w/side?theme=list" title="From &lt;our&gt; blog"'
    )
    assert f'width="300" height="{data["height"]}"' in data["html"]
    status, text, headers = await running.get(
        "/oembed", params={"url": f"{PUBLIC}/w/grid.json", "format": "xml", "maxheight": "120"}
    )
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(text.encode())
    assert root.tag == "oembed"
    fields = {child.tag: child.text for child in root}
    assert fields["type"] == "rich" and fields["version"] == "1.0"
    assert fields["height"] == "120" and fields["width"] == "400"
    assert fields["html"].startswith(f'<iframe src="{PUBLIC}/w/grid"')


async def test_oembed_refusals(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    cases = {
        "/oembed": (400, "url is required"),
        f"/oembed?url={PUBLIC}/w/nope": (404, "not a widget URL"),
        "/oembed?url=https://evil.example/w/side": (404, "not a widget URL"),
        f"/oembed?url={PUBLIC}/admin": (404, "not a widget URL"),
        f"/oembed?url={PUBLIC}/w/side&format=yaml": (501, "format must be json or xml"),
        f"/oembed?url={PUBLIC}/w/side&maxwidth=wide": (400, "maxwidth must be"),
        f"/oembed?url={PUBLIC}/w/side&maxwidth=%C2%B2": (400, "maxwidth must be"),
        f"/oembed?url={PUBLIC}/w/side&maxheight=%C2%B2": (400, "maxheight must be"),
    }
    for path, (code, message) in cases.items():
        status, text, _ = await running.get(path)
        assert (status, text.startswith(message)) == (code, True), (path, status, text)


async def test_framed_page_discovery_and_policy(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service, origins=[HOST])
    status, page, headers = await running.get("/w/side")
    assert status == 200
    links = dict(re.findall(r'<link rel="alternate" type="([^"]+)"[^>]*href="([^"]+)"', page))
    oembed = html.unescape(links["application/json+oembed"])
    assert oembed.startswith(f"{PUBLIC}/oembed?")
    assert parse_qs(urlsplit(oembed).query) == {"url": [f"{PUBLIC}/w/side"], "format": ["json"]}
    assert "format=xml" in links["text/xml+oembed"]
    assert links["application/feed+json"] == f"{PUBLIC}/w/side.json"
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["frame-ancestors"] == f"'self' {HOST}"
    assert csp["script-src"] == csp_hash(script("frame.js"))
    assert csp["default-src"] == "'none'"
    # The only script is the height reporter, byte for byte what the hash allows
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert scripts == [script("frame.js")] and asset("player.js") in scripts[0]
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://(?!widgets\.example)', page)


async def test_nothing_third_party_in_any_theme(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    for theme in sorted(running.service.widgets.renderer.themes):
        _, fragment, _ = await running.get(f"/w/side.html?theme={theme}")
        _, page, _ = await running.get(f"/w/side?theme={theme}")
        for body in (fragment, page):
            assert '<link rel="stylesheet' not in body and "@import" not in body, theme
            assert "@font-face" not in body and not re.search(
                r"url\(\s*['\"]?(https?:)?//", body
            ), theme
            assert not re.search(r"<script[^>]+src=", body), theme
        assert "<script" not in fragment, theme


async def test_cors_follows_embed_origins(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service, origins=[HOST])
    for path in (
        "/w/side.html",
        "/w/side.json",
        "/w/side.js",
        "/w/side.rss",
        f"/oembed?url={PUBLIC}/w/side",
    ):
        _, _, headers = await running.get(path, headers={"Origin": HOST})
        assert headers["Access-Control-Allow-Origin"] == HOST, path
        assert "Origin" in headers["Vary"], path
        _, _, headers = await running.get(path, headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in headers, path
    # a 304 carries it too, so a revalidated copy stays readable
    _, _, first = await running.get("/w/side.html", headers={"Origin": HOST})
    status, _, headers = await running.get(
        "/w/side.html", headers={"Origin": HOST, "If-None-Match": first["ETag"]}
    )
    assert status == 304 and headers["Access-Control-Allow-Origin"] == HOST
    # the framed page is for framing, not for reading
    _, _, headers = await running.get("/w/side", headers={"Origin": HOST})
    assert "Access-Control-Allow-Origin" not in headers


async def test_cors_open_when_no_origins_configured(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    _, _, headers = await running.get("/w/side.html", headers={"Origin": "https://any.example"})
    assert headers["Access-Control-Allow-Origin"] == "*"
    _, page, headers = await running.get("/w/side")
    assert headers["Content-Security-Policy"].endswith("frame-ancestors *")


async def test_embed_script_is_served_as_javascript(tmp_path, upstream, feedhub_service):
    running = await started(tmp_path, upstream, feedhub_service)
    status, js, headers = await running.get("/w/side.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert js == script("embed.js") and "ETag" in headers
    assert asset("player.js") in js  # a click on a video's placeholder loads its player
    # one global, and nothing fetched from anywhere but the script's own origin
    assert set(re.findall(r"window\.(\w+)\s*=", js)) == {"feedhub"}
    assert "http://" not in js and "https://" not in js
    assert (await running.get("/w/nope.js"))[0] == 404


async def test_publisher_page_lists_every_widget_with_its_codes(
    tmp_path, upstream, feedhub_service
):
    running = await started(tmp_path, upstream, feedhub_service, origins=[HOST])
    status, page, headers = await running.get("/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    csp = headers["Content-Security-Policy"]
    assert "frame-src 'self'" in csp and csp_hash(asset("publisher.js")) in csp
    assert "frame-ancestors 'none'" in csp
    for name in ("side", "grid"):
        assert f'<iframe src="/w/{name}"' in page
        codes = {
            kind: html.unescape(code)
            for kind, code in re.findall(rf'<code id="c-{name}-(\w+)">(.*?)</code>', page, re.S)
        }
        assert set(codes) == {"script", "iframe", "include", "json", "atom", "rss"}
        assert f'<div data-feedhub="{name}">' in codes["script"]
        assert f'<script async src="{PUBLIC}/w/{name}.js"></script>' in codes["script"]
        assert f'<iframe src="{PUBLIC}/w/{name}"' in codes["iframe"]
        assert f'e.origin !== "{PUBLIC}"' in codes["iframe"]
        assert codes["include"] == f'<!--#include virtual="/w/{name}.html" -->'
        assert codes["rss"] == f"{PUBLIC}/w/{name}.rss"
        assert page.count(f'data-copy="c-{name}-') == 6
    for theme in ("sidebar", "list", "cards", "ticker"):
        assert f'href="/w/side?theme={theme}"' in page
