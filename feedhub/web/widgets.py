"""GET /w/{widget}[.format]: cached, compressed, revalidated with ETags."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from feedhub.cache import Entry, Key
from feedhub.config import NAME_RE, WidgetConfig, valid_locale
from feedhub.render import FORMATS
from feedhub.web.app import SERVICE

CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600"
THEMED_FORMATS = {"page", "html"}  # the only formats whose bytes depend on the theme
_ENCODING_SUFFIX = {"": "", "gzip": "-gz", "br": "-br"}


def bad(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=message + "\n", content_type="text/plain")


def parse_key(name: str, fmt: str, query: Mapping[str, str], widget: WidgetConfig,
              themes: set[str]) -> Key:
    """Validate `limit`, `locale`, `theme` and `scheme` against what the widget allows."""
    limit = widget.limit
    if "limit" in query:
        raw = query["limit"]
        if not raw.isdigit() or not 1 <= int(raw) <= widget.limit:
            raise bad(f"limit must be a whole number from 1 to {widget.limit}")
        limit = int(raw)
    locale = widget.locale
    if "locale" in query:
        locale = query["locale"]
        if len(locale) > 20 or not valid_locale(locale):
            raise bad("locale must be a known locale such as en, fr or pt_BR")
    theme = widget.theme
    if "theme" in query:
        theme = query["theme"]
        # Checked against the themes that exist before it can come near a path.
        if not NAME_RE.match(theme) or theme not in themes:
            raise bad("theme must be one of: " + ", ".join(sorted(themes)))
    scheme = query.get("scheme", "")
    if scheme and scheme not in ("light", "dark", "auto"):
        raise bad("scheme must be one of: auto, dark, light")
    if fmt not in THEMED_FORMATS:
        theme, scheme = widget.theme, ""
    return Key(name, fmt, limit, locale, theme, scheme)


def split_name(raw: str) -> tuple[str, str]:
    """"sidebar.json" -> ("sidebar", "json"); "sidebar" -> ("sidebar", "page")."""
    name, dot, suffix = raw.partition(".")
    if not dot:
        return name, "page"
    if suffix == "page" or suffix not in FORMATS:
        raise web.HTTPNotFound(text=f"no format .{suffix[:20]}\n", content_type="text/plain")
    return name, suffix


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match against every encoding of one representation."""
    if header.strip() == "*":
        return True
    base = etag.strip('"')
    for candidate in header.split(","):
        tag = candidate.strip().removeprefix("W/").strip('"')
        for suffix in ("-gz", "-br"):
            tag = tag.removesuffix(suffix)
        if tag == base:
            return True
    return False


def respond(request: web.Request, entry: Entry) -> web.Response:
    body, encoding = entry.body_for(request.headers.get("Accept-Encoding", ""))
    etag = entry.etag[:-1] + _ENCODING_SUFFIX[encoding] + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        **entry.headers,
    }
    if etag_matches(request.headers.get("If-None-Match", ""), entry.etag):
        return web.Response(status=304, headers=headers)
    headers["Content-Type"] = entry.content_type
    if encoding:
        headers["Content-Encoding"] = encoding
    return web.Response(body=body, headers=headers)


async def widget(request: web.Request) -> web.Response:
    svc = request.app[SERVICE]
    name, fmt = split_name(request.match_info["widget"])
    cfg = svc.config.widgets.get(name)
    if cfg is None:
        raise web.HTTPNotFound(text=f"no widget named {name[:64]!r}\n",
                               content_type="text/plain")
    key = parse_key(name, fmt, request.query, cfg, svc.renderer.themes)
    return respond(request, await svc.rendered(key))


def setup(app: web.Application) -> None:
    app.router.add_get("/w/{widget}", widget)
