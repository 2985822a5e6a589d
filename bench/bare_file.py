"""`python -m bench.bare_file PORT FILE HEADERS`: the baseline for `/m/`, a bare aiohttp
`FileResponse` of the same file with the same headers (JSON), on uvloop as `feedhub serve`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import uvloop
from aiohttp import web


def make_app(path: Path, headers: dict[str, str]) -> web.Application:
    async def handle(request: web.Request) -> web.FileResponse:
        return web.FileResponse(path, headers=headers)

    app = web.Application()
    app.router.add_get("/m/{name}", handle)
    return app


if __name__ == "__main__":
    uvloop.install()
    web.run_app(
        make_app(Path(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text())),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        print=None,
        access_log=None,
    )
