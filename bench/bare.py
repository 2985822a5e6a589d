"""`python -m bench.bare PORT DIR`: the baseline, a bare aiohttp handler returning fixed bytes.

DIR holds `body`, `body.gz` and their `.headers` (JSON), exactly what feedhub answered: the
same bytes on the wire, ETag, Cache-Control and Vary included, so the ratio measures feedhub's
own work per request. It runs on uvloop, as `feedhub serve` does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import uvloop
from aiohttp import web


def make_app(folder: Path) -> web.Application:
    plain = (folder / "body").read_bytes()
    gz = (folder / "body.gz").read_bytes()
    plain_headers = json.loads((folder / "body.headers").read_text())
    gz_headers = json.loads((folder / "body.gz.headers").read_text())

    async def handle(request: web.Request) -> web.Response:
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            return web.Response(body=gz, headers=gz_headers)
        return web.Response(body=plain, headers=plain_headers)

    app = web.Application()
    app.router.add_get("/w/{name}", handle)
    return app


if __name__ == "__main__":
    uvloop.install()
    web.run_app(
        make_app(Path(sys.argv[2])),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        print=None,
        access_log=None,
    )
