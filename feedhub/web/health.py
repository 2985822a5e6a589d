"""Liveness and readiness."""

from __future__ import annotations

from aiohttp import web

from feedhub.web import routes
from feedhub.web.keys import SERVICE

NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n", headers=NO_STORE)


async def readyz(request: web.Request) -> web.Response:
    """Ready once the config is loaded and the store can be read and written; 503 with the
    reason otherwise, so a load balancer sends visitors to a replica whose store works."""
    svc = request.app[SERVICE]
    if not svc.started:
        return web.Response(status=503, text="starting\n", headers=NO_STORE)
    health = svc.store_health
    health.pinged(await svc.store.ping())
    if health.ok:
        # Unreadable rows cost one source a few items, not the replica its visitors: still
        # ready, and saying which rows until a poll rewrites them.
        notes = "".join(
            f"store {health.where}: source {sid}: {why}\n"
            for sid, why in svc.store.unreadable.by_source.items()
        )
        return web.Response(text="ready\n" + notes, headers=NO_STORE)
    return web.Response(
        status=503, text=f"store {health.where}: {health.reason}\n", headers=NO_STORE
    )


def setup(app: web.Application) -> None:
    routes.get(app, "/healthz", healthz)
    routes.get(app, "/readyz", readyz)
