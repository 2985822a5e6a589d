"""GET /w/{widget}[.format]: cached, compressed, revalidated with ETags."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from feedhub.cache import Entry, Key
from feedhub.config import NAME_RE, WidgetConfig, valid_locale
from feedhub.embed import allowed_origin
from feedhub.render import FORMATS
from feedhub.service import Service
from feedhub.web.app import SERVICE

CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600"
THEMED_FORMATS = {"page", "html"}  # the only formats whose bytes depend on the theme
# What other origins may read (CORS): fragments, the script, the feeds. Not the framed page.
CORS_FORMATS = {"html", "js", "json", "atom", "rss"}
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


def response_headers(entry: Entry, encoding: str, cors: str) -> dict[str, str]:
    """Every header of a 200 for this entry in this encoding (a 304 sends them but the type).

    `cors` is "" (not readable cross-origin), "*" (anyone may read) or "listed" (the
    answer depends on the request's Origin, so caches must keep them apart).
    """
    headers = {
        "ETag": entry.etag[:-1] + _ENCODING_SUFFIX[encoding] + '"',
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding, Origin" if cors == "listed" else "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        **entry.headers,
        "Content-Type": entry.content_type,
    }
    if encoding:
        headers["Content-Encoding"] = encoding
    if cors == "*":
        headers["Access-Control-Allow-Origin"] = "*"
    return headers


class FastPath:
    """Per config: request -> Key and entry -> headers, so a cached widget costs two lookups.

    Both maps are bounded (cleared when full: query strings are the client's to vary).
    """

    LIMIT = 1024

    def __init__(self) -> None:
        self.config: object = None
        self.keys: dict[tuple[str, str], Key] = {}
        self.headers: dict[tuple[str, str, str, str], tuple[dict[str, str], dict[str, str]]] = {}

    def follow(self, config: object) -> None:
        """Forget everything when the config was reloaded: parameters and headers may differ."""
        if config is not self.config:
            self.config = config
            self.keys.clear()
            self.headers.clear()

    def key(self, request: web.Request, svc: Service) -> Key:
        found = self.keys.get((request.match_info["widget"], request.query_string))
        if found is None:
            found = request_key(request, svc)
            if len(self.keys) >= self.LIMIT:
                self.keys.clear()
            self.keys[(request.match_info["widget"], request.query_string)] = found
        return found

    def headers_for(self, entry: Entry, encoding: str, cors: str
                    ) -> tuple[dict[str, str], dict[str, str]]:
        """The headers of a 200 and of a 304 for this entry in this encoding."""
        memo = (entry.etag, entry.content_type, encoding, cors)
        found = self.headers.get(memo)
        if found is None:
            if len(self.headers) >= self.LIMIT:
                self.headers.clear()
            full = response_headers(entry, encoding, cors)
            not_modified = {k: v for k, v in full.items()
                            if k not in ("Content-Type", "Content-Encoding")}
            found = self.headers[memo] = (full, not_modified)
        return found


FAST_PATH = web.AppKey("widgets_fast_path", FastPath)


def request_key(request: web.Request, svc: Service) -> Key:
    """The render-cache key a widget request asks for; 404 or 400 when it cannot be served."""
    name, fmt = split_name(request.match_info["widget"])
    cfg = svc.config.widgets.get(name)
    if cfg is None:
        raise web.HTTPNotFound(text=f"no widget named {name[:64]!r}\n",
                               content_type="text/plain")
    return parse_key(name, fmt, request.query, cfg, svc.renderer.themes)


def respond(request: web.Request, key: Key, entry: Entry, fast: FastPath,
            origins: list[str]) -> web.Response:
    body, encoding = entry.body_for(request.headers.get("Accept-Encoding", ""))
    cors = ("listed" if origins else "*") if key.fmt in CORS_FORMATS else ""
    headers, not_modified = fast.headers_for(entry, encoding, cors)
    if cors == "listed" and (allow := allowed_origin(request.headers.get("Origin", ""),
                                                     origins)):
        headers = {**headers, "Access-Control-Allow-Origin": allow}
        not_modified = {**not_modified, "Access-Control-Allow-Origin": allow}
    inm = request.headers.get("If-None-Match")
    if inm is not None and etag_matches(inm, entry.etag):
        return web.Response(status=304, headers=not_modified)
    return web.Response(body=body, headers=headers)


async def widget(request: web.Request) -> web.Response:
    svc = request.app[SERVICE]
    fast = request.app[FAST_PATH]
    fast.follow(svc.config)
    key = fast.key(request, svc)
    # A hit needs no coroutine: peek first, render only on a miss.
    entry = svc.renders.peek(key, svc.versions[key.widget]) or await svc.rendered(key)
    return respond(request, key, entry, fast, svc.config.server.embed_origins)


def setup(app: web.Application) -> None:
    app[FAST_PATH] = FastPath()
    app.router.add_get("/w/{widget}", widget)
