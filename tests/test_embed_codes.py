"""The pure decisions behind embedding: which widget a URL names, who may read, the codes."""

from __future__ import annotations

from feedhub.publish.embed import Embed, allowed_origin, default_height, widget_from_url

WIDGETS = {"side", "grid"}


def test_widget_from_url():
    base = "https://widgets.example.org"
    assert widget_from_url(f"{base}/w/side", base, WIDGETS) == ("side", "")
    assert widget_from_url(f"{base}/w/side.json", base, WIDGETS) == ("side", "")
    assert widget_from_url(
        "HTTPS://Widgets.Example.org/w/grid?theme=list&evil=1#x", base, WIDGETS
    ) == ("grid", "theme=list")
    assert widget_from_url(f"{base}/w/nope", base, WIDGETS) is None
    assert widget_from_url("http://widgets.example.org/w/side", base, WIDGETS) is None
    assert widget_from_url("https://widgets.example.org.evil/w/side", base, WIDGETS) is None
    assert widget_from_url(f"{base}/x/w/side", base, WIDGETS) is None
    # a public_url with a path prefix
    prefixed = "https://example.org/feedhub"
    assert widget_from_url(f"{prefixed}/w/side", prefixed, WIDGETS) == ("side", "")
    assert widget_from_url("https://example.org/w/side", prefixed, WIDGETS) is None


def test_allowed_origin():
    assert allowed_origin("https://any.example", []) == "*"
    assert allowed_origin("https://a.example", ["https://a.example"]) == "https://a.example"
    assert allowed_origin("https://b.example", ["https://a.example"]) is None
    assert allowed_origin("", ["https://a.example"]) is None


def test_codes_escape_and_use_public_url():
    e = Embed("https://example.org/feedhub", "side", 'Posts "<b>"', 3)
    codes = e.codes()
    assert codes["script"] == (
        '<div data-feedhub="side"><a href="https://example.org/feedhub/w/side">'
        "Posts &quot;&lt;b&gt;&quot;</a></div>\n"
        '<script async src="https://example.org/feedhub/w/side.js"></script>'
    )
    assert codes["include"] == '<!--#include virtual="/feedhub/w/side.html" -->'
    assert 'e.origin !== "https://example.org"' in codes["iframe"]
    assert f'height="{default_height(3)}"' in codes["iframe"]
    assert default_height(200) == 900 and default_height(1) == 190
