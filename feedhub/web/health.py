"""Liveness and readiness."""

from __future__ import annotations

from aiohttp import web

from feedhub.web import routes
from feedhub.web.keys import SERVICE


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n", headers={"Cache-Control": "no-store"})


async def readyz(request: web.Request) -> web.Response:
    """Ready once the config is loaded and the store answers."""
    svc = request.app[SERVICE]
    if svc.started and await svc.store.ping():
        return web.Response(text="ready\n", headers={"Cache-Control": "no-store"})
    return web.Response(status=503, text="store unreachable\n",
                        headers={"Cache-Control": "no-store"})


def setup(app: web.Application) -> None:
    routes.get(app, "/healthz", healthz)
    routes.get(app, "/readyz", readyz)
