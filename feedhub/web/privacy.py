"""GET /w/index.json (the public list of widgets) and each widget's privacy facts:
/w/{widget}/privacy.json and the readable /w/{widget}/privacy."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from feedhub.publish.assets import STATIC_DIR
from feedhub.publish.privacy import days, index, widget_privacy
from feedhub.web import routes
from feedhub.web.keys import SERVICE

CACHE_CONTROL = "public, max-age=300"
_env = Environment(
    loader=FileSystemLoader(str(STATIC_DIR)),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["days"] = days


def _json(data: dict[str, Any]) -> web.Response:
    # Public facts about public widgets: any origin's script (a plugin's editor) may read them.
    return web.Response(
        text=json.dumps(data, ensure_ascii=False, indent=1),
        content_type="application/json",
        headers={"Cache-Control": CACHE_CONTROL, "Access-Control-Allow-Origin": "*"},
    )


def _facts(request: web.Request) -> dict[str, Any]:
    config = request.app[SERVICE].config
    name = request.match_info["widget"]
    if name not in config.widgets:
        raise web.HTTPNotFound(text=f"no widget named {name[:64]!r}\n", content_type="text/plain")
    return widget_privacy(config, name)


async def widget_index(request: web.Request) -> web.Response:
    return _json(index(request.app[SERVICE].config))


async def privacy_json(request: web.Request) -> web.Response:
    return _json(_facts(request))


async def privacy_page(request: web.Request) -> web.Response:
    body = _env.get_template("privacy.html").render(facts=_facts(request))
    return web.Response(
        text=body,
        content_type="text/html",
        headers={
            "Cache-Control": CACHE_CONTROL,
            "Content-Security-Policy": "default-src 'none'; base-uri 'none'; form-action 'none'",
        },
    )


def setup(app: web.Application) -> None:
    """Registered before the widget route, which would take `index.json` for a widget."""
    routes.get(app, "/w/index.json", widget_index)
    routes.get(app, "/w/{widget}/privacy.json", privacy_json)
    routes.get(app, "/w/{widget}/privacy", privacy_page)
