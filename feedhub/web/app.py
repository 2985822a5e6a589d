"""The aiohttp application: a factory, its shared state, and the service's life cycle."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web

from feedhub.config import Config
from feedhub.service import Service

log = logging.getLogger("feedhub.web")

SERVICE = web.AppKey("service", Service)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes a short plain message; a stack trace only reaches the log."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("error serving %s %s", request.method, request.path)
        return web.Response(status=500, text="internal error", content_type="text/plain")


def create_app(
    config: Config,
    *,
    config_path: str | Path | None = None,
    poll: bool = True,
    service: Service | None = None,
) -> web.Application:
    """The whole web app; the service starts with the app and stops with it."""
    from feedhub.web import admin, embed, health, limits, metrics, websub, widgets

    app = web.Application(middlewares=[errors_middleware])
    svc = service or Service(config, config_path)
    app[SERVICE] = svc

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await svc.start(poll=poll)
        yield
        await svc.stop()

    app.cleanup_ctx.append(lifecycle)
    health.setup(app)
    widgets.setup(app)
    admin.setup(app)
    metrics.setup(app)
    limits.setup(app)
    embed.setup(app)
    websub.setup(app)
    return app
