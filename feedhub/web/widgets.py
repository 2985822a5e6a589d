"""GET /w/{widget}[.format]: cached, compressed, revalidated with ETags."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from aiohttp import web
from multidict import CIMultiDict

from feedhub.config import NAME_RE, WidgetConfig, valid_locale
from feedhub.publish.cache import Entry, Key
from feedhub.publish.embed import allowed_origin
from feedhub.publish.formats import FORMATS
from feedhub.publish.paging import decode_cursor
from feedhub.publish.selection import prepared_limit, prepared_locale
from feedhub.publish.widgets import NoSuchWidget
from feedhub.service import Service
from feedhub.web import routes
from feedhub.web.keys import SERVICE
from feedhub.web.limits import whole_number

CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600"
_ENCODING_SUFFIX = {"": "", "gzip": "-gz", "br": "-br"}
ROUTE = "/w/{widget}"
WALL_ROUTE = "/w/{widget}/wall"
WALL_THEME = "wall"


def bad(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=message + "\n", content_type="text/plain")


def parse_key(
    name: str, fmt: str, query: Mapping[str, str], widget: WidgetConfig, themes: set[str]
) -> Key:
    """Validate `limit`, `locale`, `theme` and `scheme` against what the widget allows, and
    `before` (a page's cursor) as one of ours."""
    limit = widget.limit
    if "limit" in query:
        asked = whole_number(query["limit"])
        if asked is None or not 1 <= asked <= widget.limit:
            raise bad(f"limit must be a whole number from 1 to {widget.limit}")
        limit = prepared_limit(asked, widget.limit)
    locale = widget.locale
    if "locale" in query:
        locale = query["locale"]
        if len(locale) > 20 or not valid_locale(locale):
            raise bad("locale must be a known locale such as en, fr or pt_BR")
        locale = prepared_locale(locale, widget)
    theme = widget.theme
    if "theme" in query:
        theme = query["theme"]
        # Checked against the themes that exist before it can come near a path.
        if not NAME_RE.match(theme) or theme not in themes:
            raise bad("theme must be one of: " + ", ".join(sorted(themes)))
    scheme = query.get("scheme", "")
    if scheme and scheme not in ("light", "dark", "auto"):
        raise bad("scheme must be one of: auto, dark, light")
    if not FORMATS[fmt].themed:
        theme, scheme = widget.theme, ""
    before = query.get("before", "")
    if "before" in query and decode_cursor(before) is None:
        raise bad("before must be the cursor of a next-page link")
    return Key(name, fmt, limit, locale, theme, scheme, before)


def split_name(raw: str) -> tuple[str, str]:
    """ "sidebar.json" -> ("sidebar", "json"); "sidebar" -> ("sidebar", "page")."""
    name, dot, suffix = raw.partition(".")
    if not dot:
        return name, "page"
    if suffix not in FORMATS or not FORMATS[suffix].suffixed:
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


class Prepared:
    """One widget answer ready to send: per encoding, the body with the headers of a 200 and
    of a 304, built once per rendered entry instead of once per request."""

    __slots__ = ("key", "entry", "origins", "listed", "plain", "gzip", "br", "seen")

    def __init__(self, key: Key, entry: Entry, origins: list[str]) -> None:
        self.key, self.entry, self.origins = key, entry, origins
        # "" (not readable cross-origin), "*" (anyone may read) or "listed" (the answer
        # depends on the request's Origin, so it is finished per request).
        cors = ("listed" if origins else "*") if FORMATS[key.fmt].cross_origin else ""
        self.listed = cors == "listed"
        self.plain: Variant = (entry.identity, *self._headers("", cors))
        self.gzip = None if entry.gzip is None else (entry.gzip, *self._headers("gzip", cors))
        self.br = None if entry.br is None else (entry.br, *self._headers("br", cors))
        # The service's versions map this answer was last checked against: the service
        # makes a new map whenever the config or any widget's items change.
        self.seen: object = None

    def _headers(self, encoding: str, cors: str) -> tuple[CIMultiDict[str], CIMultiDict[str]]:
        full = response_headers(self.entry, encoding, cors)
        not_modified = {
            k: v for k, v in full.items() if k not in ("Content-Type", "Content-Encoding")
        }
        return CIMultiDict(full), CIMultiDict(not_modified)

    def variant(self, accept_encoding: str) -> Variant:
        """The best body this client accepts, with its headers: brotli, else gzip, else none."""
        accepted = accepted_encodings(accept_encoding)
        if self.br is not None and "br" in accepted:
            return self.br
        if self.gzip is not None and "gzip" in accepted:
            return self.gzip
        return self.plain


@lru_cache(maxsize=256)  # browsers send a handful of distinct headers
def accepted_encodings(header: str) -> frozenset[str]:
    """The codings of ours ("br", "gzip") an Accept-Encoding allows: named, or covered by
    `*`, with a q-value above 0 (`br;q=0` refuses brotli)."""
    weights: dict[str, float] = {}
    for part in header.lower().split(","):
        name, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[name.strip()] = q
    star = weights.get("*", 0.0)
    return frozenset(c for c in ("br", "gzip") if weights.get(c, star) > 0)


Variant = tuple[bytes, CIMultiDict[str], CIMultiDict[str]]


class Answers:
    """Raw request path (query included) -> the prepared answer, so a cached widget costs one
    lookup and one identity check. Only answers that passed the limits and the parameter
    checks are kept, and only those that are the same for every client. Bounded: cleared
    when full (paths are the client's to vary)."""

    LIMIT = 1024

    def __init__(self, svc: Service) -> None:
        self.svc = svc
        self.config: object = svc.config
        self.memo: dict[str, Prepared] = {}
        # Answers of the fast path, counted here (no allocation) and added to the request
        # metrics at scrape time.
        self.ok = 0
        self.not_modified = 0

    async def answer(self, request: web.Request) -> web.Response:
        """The slow way: parse, render if needed, remember the answer, respond."""
        svc = self.svc
        if svc.config is not self.config:  # reloaded: parameters and headers may differ
            self.config = svc.config
            self.memo.clear()
        widgets = svc.widgets
        versions = widgets.versions
        prepared = self.memo.get(request.raw_path)
        if prepared is None or prepared.entry.version != versions.get(prepared.key.widget):
            key = request_key(request, svc)
            try:
                entry = widgets.renders.peek(key, versions.get(key.widget, "")) or (
                    await widgets.rendered(key)
                )
            except NoSuchWidget:  # a reload removed it while this request was answered
                raise not_found(key.widget) from None
            prepared = Prepared(key, entry, svc.config.server.embed_origins)
            if not prepared.listed:
                if len(self.memo) >= self.LIMIT:
                    self.memo.clear()
                self.memo[request.raw_path] = prepared
        else:
            widgets.renders.hits += 1  # served from rendered bytes, as a peek would have
        if widgets.versions is versions:  # nothing changed while it rendered
            prepared.seen = versions
        return respond(request, prepared)

    def requests(self) -> dict[tuple[str, str, int], int]:
        """The fast path's answers as request-metric series."""
        return {(ROUTE, "GET", 200): self.ok, (ROUTE, "GET", 304): self.not_modified}


ANSWERS = web.AppKey("widget_answers", Answers)


def request_key(request: web.Request, svc: Service) -> Key:
    """The render-cache key a widget request asks for; 404 or 400 when it cannot be served."""
    name, fmt = split_name(request.match_info["widget"])
    cfg = svc.config.widgets.get(name)
    if cfg is None:
        raise not_found(name)
    return parse_key(name, fmt, request.query, cfg, svc.widgets.renderer.themes)


def not_found(name: str) -> web.HTTPNotFound:
    return web.HTTPNotFound(text=f"no widget named {name[:64]!r}\n", content_type="text/plain")


def respond(request: web.Request, prepared: Prepared) -> web.Response:
    body, headers, not_modified = prepared.variant(request.headers.get("Accept-Encoding", ""))
    if prepared.listed and (
        allow := allowed_origin(request.headers.get("Origin", ""), prepared.origins)
    ):
        headers, not_modified = headers.copy(), not_modified.copy()
        headers["Access-Control-Allow-Origin"] = not_modified["Access-Control-Allow-Origin"] = allow
    inm = request.headers.get("If-None-Match")
    if inm is not None and etag_matches(inm, prepared.entry.etag):
        return web.Response(status=304, headers=not_modified)
    return web.Response(body=body, headers=headers)


def setup(app: web.Application) -> None:
    svc = app[SERVICE]
    answers = app[ANSWERS] = Answers(svc)
    memo = answers.memo
    slow = routes.guarded(ROUTE, answers.answer)

    async def widget(request: web.Request) -> web.StreamResponse:
        """GET of a widget. Measured: every attribute load and call here costs, so a prepared
        answer is sent with nothing but the lookups it needs; all else takes the slow way."""
        try:
            prepared = memo.get(request.raw_path)
            if prepared is None or prepared.seen is not svc.widgets.versions:
                return await slow(request)
            # `respond` without its Origin step (kept answers never need it), inline: the
            # call measured 2-4 % of gzip throughput here.
            body, headers, not_modified = prepared.variant(
                request.headers.get("Accept-Encoding", "")
            )
            inm = request.headers.get("If-None-Match")
            if inm is not None and etag_matches(inm, prepared.entry.etag):
                answers.not_modified += 1
                return web.Response(status=304, headers=not_modified)
            answers.ok += 1
            return web.Response(body=body, headers=headers)
        except web.HTTPException:
            raise  # the slow way's answers, already counted
        except Exception:
            response = routes.internal_error(request)
            svc.metrics.record_request(ROUTE, request.method, response.status)
            return response

    app.router.add_get(ROUTE, widget, allow_head=False)
    app.router.add_route("HEAD", ROUTE, slow)

    async def wall(request: web.Request) -> web.Response:
        """GET /w/{widget}/wall: the widget's framed page in the wall theme, full screen."""
        name = request.match_info["widget"]
        cfg = svc.config.widgets.get(name)
        if cfg is None or "." in name:
            raise web.HTTPNotFound(
                text=f"no widget named {name[:64]!r}\n", content_type="text/plain"
            )
        query = {**request.query, "theme": WALL_THEME}
        key = parse_key(name, "page", query, cfg, svc.widgets.renderer.themes)
        entry = await svc.widgets.rendered(key)
        return respond(request, Prepared(key, entry, svc.config.server.embed_origins))

    routes.get(app, WALL_ROUTE, wall)
