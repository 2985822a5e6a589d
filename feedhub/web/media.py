"""GET /m/{name}: a cached image, from memory or disk, immutable, WebP when the client takes it."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from feedhub.publish.embed import allowed_origin
from feedhub.web import routes
from feedhub.web.keys import SERVICE

IMMUTABLE = "public, max-age=31536000, immutable"


async def media_file(request: web.Request) -> web.StreamResponse:
    svc = request.app[SERVICE]
    if svc.media.cache is None:
        raise web.HTTPNotFound(
            text="the media cache is off (media.proxy: false)\n", content_type="text/plain"
        )
    served = await svc.media.cache.file(
        request.match_info["name"], request.headers.get("Accept", ""), svc.fetcher
    )
    if served is None:
        raise web.HTTPNotFound(text="no such image\n", content_type="text/plain")
    origins = svc.config.server.embed_origins
    headers = {
        "Cache-Control": IMMUTABLE,
        "ETag": served.etag,
        "Vary": "Accept",
        "X-Content-Type-Options": "nosniff",
        # The script embed shows these on the embedding site's pages: another origin.
        "Cross-Origin-Resource-Policy": "cross-origin",
        # An image cannot run anything: this answer is safe whatever a browser makes of it.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if allow := allowed_origin(request.headers.get("Origin", ""), origins):
        headers["Access-Control-Allow-Origin"] = allow
    if origins:
        headers["Vary"] = "Accept, Origin"
    if matches(request.headers.get("If-None-Match", ""), served.etag):
        return web.Response(status=304, headers=headers)
    if isinstance(served.body, Path):
        headers["Content-Type"] = served.content_type
        return web.FileResponse(served.body, headers=headers)
    return web.Response(body=served.body, content_type=served.content_type, headers=headers)


def matches(header: str, etag: str) -> bool:
    """If-None-Match (RFC 9110): `*`, or a list of entity tags, weak or strong, one of
    which is exactly `etag` (never a part of one)."""
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def setup(app: web.Application) -> None:
    routes.get(app, "/m/{name}", media_file)
