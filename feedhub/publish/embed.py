"""How a widget gets into someone else's page: the embed script, embed codes, oEmbed, CORS.

Decisions only; the handlers that serve them are in `feedhub.web.embed`.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.sax.saxutils import escape

from feedhub.publish.assets import script
from feedhub.publish.render import Rendered, Renderer, WidgetView

OEMBED_WIDTH = 400
OEMBED_MAX_HEIGHT = 900
OEMBED_CACHE_AGE = 3600
DISPLAY_PARAMS = ("limit", "locale", "theme", "scheme")  # what a pasted URL may choose


def write_script(r: Renderer, view: WidgetView) -> Rendered:
    # One loader for every widget: it fetches each `data-feedhub` element's fragment itself.
    return Rendered(script("embed.js").encode())


def allowed_origin(origin: str, embed_origins: list[str]) -> str | None:
    """The Access-Control-Allow-Origin to answer `origin` with, or None to grant nothing."""
    if not embed_origins:
        return "*"
    return origin if origin in embed_origins else None


def widget_from_url(url: str, public_url: str, widgets: set[str]) -> tuple[str, str] | None:
    """The widget a URL under `public_url/w/` names (any format suffix) and the display
    parameters it carries (`theme=cards&scheme=dark`), else None."""
    got, ours = urlsplit(url), urlsplit(public_url)
    if (got.scheme, got.netloc.lower()) != (ours.scheme, ours.netloc.lower()):
        return None
    prefix = ours.path.rstrip("/") + "/w/"
    if not got.path.startswith(prefix):
        return None
    name = got.path[len(prefix) :].partition(".")[0]
    if name not in widgets:
        return None
    params = [(k, v) for k, v in parse_qsl(got.query) if k in DISPLAY_PARAMS]
    return name, urlencode(params)


def default_height(limit: int) -> int:
    """A first guess at a widget's height before its page reports the real one."""
    return min(OEMBED_MAX_HEIGHT, 90 + 100 * limit)


@dataclass(frozen=True, slots=True)
class Embed:
    """One widget's public addresses and the codes that embed it."""

    public_url: str
    name: str
    title: str
    limit: int
    query: str = ""  # display parameters for the framed page, e.g. "theme=cards"

    @property
    def page(self) -> str:
        return f"{self.public_url}/w/{self.name}"

    def iframe(self, width: int | None = None, height: int | None = None) -> str:
        w = f' width="{width}"' if width else ""
        h = height or default_height(self.limit)
        src = f"{self.page}?{self.query}" if self.query else self.page
        return (
            f'<iframe src="{html.escape(src)}" title="{html.escape(self.title)}"{w}'
            f' height="{h}" style="border:0;width:100%" loading="lazy"></iframe>'
        )

    def resize_listener(self) -> str:
        origin = json.dumps(urlsplit(self.public_url)._replace(path="").geturl())
        return (
            "<script>\n"
            'addEventListener("message", function (e) {\n'
            f'  if (e.origin !== {origin} || !e.data || e.data.feedhub !== "height") return;\n'
            '  document.querySelectorAll("iframe").forEach(function (f) {\n'
            '    if (f.contentWindow === e.source) f.style.height = e.data.height + "px";\n'
            "  });\n"
            "});\n"
            "</script>"
        )

    def script(self) -> str:
        return (
            f'<div data-feedhub="{html.escape(self.name)}">'
            f'<a href="{html.escape(self.page)}">{html.escape(self.title)}</a></div>\n'
            f'<script async src="{html.escape(self.page)}.js"></script>'
        )

    def include(self) -> str:
        path = urlsplit(self.page).path
        return f'<!--#include virtual="{path}.html" -->'

    def codes(self) -> dict[str, str]:
        """Every way to embed the widget, by name, as shown on the publisher page."""
        return {
            "script": self.script(),
            "iframe": self.iframe() + "\n" + self.resize_listener(),
            "include": self.include(),
            "json": self.page + ".json",
            "atom": self.page + ".atom",
            "rss": self.page + ".rss",
        }


def oembed(embed: Embed, maxwidth: int | None, maxheight: int | None) -> dict[str, object]:
    """The oEmbed 1.0 `rich` answer for a widget, within the consumer's size limits."""
    width = min(OEMBED_WIDTH, maxwidth) if maxwidth else OEMBED_WIDTH
    height = default_height(embed.limit)
    if maxheight:
        height = min(height, maxheight)
    return {
        "version": "1.0",
        "type": "rich",
        "provider_name": "feedhub",
        "provider_url": embed.public_url + "/",
        "title": embed.title,
        "html": embed.iframe(width, height),
        "width": width,
        "height": height,
        "cache_age": OEMBED_CACHE_AGE,
    }


def oembed_xml(data: dict[str, object]) -> bytes:
    fields = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in data.items())
    return (
        f'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<oembed>{fields}</oembed>\n'
    ).encode()
