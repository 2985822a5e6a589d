"""The aiohttp application: a factory, its shared state, and the service's life cycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from feedhub.config import Config
from feedhub.service import Service
from feedhub.web import (
    admin,
    admin_page,
    connect,
    embed,
    health,
    media,
    metrics,
    moderation,
    privacy,
    routes,
    websub,
    widgets,
)
from feedhub.web.keys import SERVICE
from feedhub.web.limits import PARSER_LIMITS

__all__ = ["SERVICE", "create_app"]


def create_app(
    config: Config,
    *,
    config_path: str | Path | None = None,
    poll: bool = True,
    service: Service | None = None,
) -> web.Application:
    """The whole web app; the service starts with the app and stops with it."""
    # No middlewares: aiohttp then skips its middleware chain; routes are guarded one by one.
    app = web.Application(handler_args=PARSER_LIMITS)
    svc = service or Service(config, config_path)
    app[SERVICE] = svc

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await svc.start(poll=poll)
        await svc.ready()
        yield
        await svc.stop()

    app.cleanup_ctx.append(lifecycle)
    health.setup(app)
    privacy.setup(app)  # before the widget route: /w/index.json is no widget
    widgets.setup(app)
    admin.setup(app)
    admin_page.setup(app)
    moderation.setup(app)
    connect.setup(app)
    metrics.setup(app)
    embed.setup(app)
    media.setup(app)
    websub.setup(app)
    routes.add_fallback(app)
    return app
