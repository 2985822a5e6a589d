"""`python -m bench.upstream PORT`: serves /feed/{n}.xml from bench.corpus, with ETags, the
same feeds with textured photos at /imgfeed/{n}.xml (smooth ones at /smoothfeed/{n}.xml),
feeds of 25-70-word posts at /longfeed/{n}.xml, and the photos at /img/{name}.jpg."""

from __future__ import annotations

import hashlib
import sys

from aiohttp import web

from bench.corpus import feed
from bench.photos import SMOOTH, photo

IMAGES_PER_FEED = 1


def make_app() -> web.Application:
    bodies: dict[tuple[str, int], tuple[bytes, str]] = {}

    async def handle(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        key = (request.match_info["kind"], n)
        if key not in bodies:
            images = IMAGES_PER_FEED if key[0] in ("imgfeed", "smoothfeed") else 0
            body = feed(n, images=images, long=key[0] == "longfeed")
            if key[0] == "smoothfeed":
                body = body.replace(b'url="/img/', f'url="/img/{SMOOTH}'.encode())
            bodies[key] = (body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
        body, etag = bodies[key]
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag}, content_type="application/rss+xml")

    async def image(request: web.Request) -> web.Response:
        return web.Response(
            body=photo(request.match_info["name"]),
            content_type="image/jpeg",
            headers={"Cache-Control": "max-age=86400"},
        )

    app = web.Application()
    app.router.add_get("/{kind:feed|imgfeed|smoothfeed|longfeed}/{n:\\d+}.xml", handle)
    app.router.add_get("/img/{name}.jpg", image)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
