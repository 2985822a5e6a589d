"""Embedding endpoints: GET / (the publisher page), GET /oembed, and CORS on widget reads."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from feedhub.config import Config
from feedhub.publish.assets import STATIC_DIR, asset
from feedhub.publish.embed import Embed, allowed_origin, oembed, oembed_xml, widget_from_url
from feedhub.publish.render import csp_hash
from feedhub.web import routes
from feedhub.web.keys import SERVICE
from feedhub.web.limits import whole_number

_env = Environment(
    loader=FileSystemLoader(str(STATIC_DIR)),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def embed_for(config: Config, name: str, query: str = "") -> Embed:
    cfg = config.widgets[name]
    return Embed(config.public_url, name, cfg.title or name, cfg.limit, query)


def _size(query: Mapping[str, str], key: str) -> int | None:
    raw = query.get(key)
    if raw is None or raw == "":
        return None
    value = whole_number(raw)
    if value is None or not 1 <= value <= 10000:
        raise web.HTTPBadRequest(
            text=f"{key} must be a whole number of pixels\n", content_type="text/plain"
        )
    return value


async def oembed_handler(request: web.Request) -> web.Response:
    """oEmbed 1.0 provider for widget URLs under server.public_url."""
    config = request.app[SERVICE].config
    url = request.query.get("url", "")
    if not url:
        raise web.HTTPBadRequest(text="url is required\n", content_type="text/plain")
    fmt = request.query.get("format", "json")
    if fmt not in ("json", "xml"):
        raise web.HTTPNotImplemented(text="format must be json or xml\n", content_type="text/plain")
    found = widget_from_url(url, config.public_url, set(config.widgets))
    if found is None:
        raise web.HTTPNotFound(
            text=f"not a widget URL of {config.public_url}/w/\n", content_type="text/plain"
        )
    data = oembed(
        embed_for(config, *found),
        _size(request.query, "maxwidth"),
        _size(request.query, "maxheight"),
    )
    headers = {"Cache-Control": "public, max-age=3600"}
    origins = config.server.embed_origins
    if allow := allowed_origin(request.headers.get("Origin", ""), origins):
        headers["Access-Control-Allow-Origin"] = allow
    if origins:  # the answer depends on who asks: caches must keep them apart
        headers["Vary"] = "Origin"
    if fmt == "xml":
        return web.Response(
            body=oembed_xml(data), content_type="text/xml", charset="utf-8", headers=headers
        )
    return web.Response(text=json.dumps(data), content_type="application/json", headers=headers)


def publisher_csp() -> str:
    return (
        "default-src 'none'; img-src 'self'; frame-src 'self'; "
        f"style-src {csp_hash(asset('publisher.css'))}; "
        f"script-src {csp_hash(asset('publisher.js'))}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


async def publisher(request: web.Request) -> web.Response:
    """Every widget with a live preview and its embed codes, for the site's admin."""
    svc = request.app[SERVICE]
    config = svc.config
    widgets = [
        {"name": name, "cfg": cfg, "codes": embed_for(config, name).codes()}
        for name, cfg in config.widgets.items()
    ]
    body = _env.get_template("publisher.html").render(
        widgets=widgets,
        themes=sorted(svc.widgets.renderer.themes),
        public_url=config.public_url,
        css=Markup(asset("publisher.css")),
        js=Markup(asset("publisher.js")),
    )
    return web.Response(
        text=body,
        content_type="text/html",
        headers={
            "Content-Security-Policy": publisher_csp(),
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


def setup(app: web.Application) -> None:
    routes.get(app, "/", publisher)
    routes.get(app, "/oembed", oembed_handler)
