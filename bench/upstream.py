"""`python -m bench.upstream PORT`: serves /feed/{n}.xml from bench.corpus, with ETags."""

from __future__ import annotations

import hashlib
import sys

from aiohttp import web

from bench.corpus import feed


def make_app() -> web.Application:
    bodies: dict[int, tuple[bytes, str]] = {}

    async def handle(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n not in bodies:
            body = feed(n)
            bodies[n] = (body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
        body, etag = bodies[n]
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag},
                            content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/feed/{n:\\d+}.xml", handle)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None,
                access_log=None)
