"""Limits, errors and metrics for every route, without a middleware.

aiohttp runs no middleware chain at all for an application that has none, and a chain costs
two coroutine frames and a wrapper lookup on every request, cached widgets included. So each
handler is wrapped once, when it is registered: `get` and `post` add the route with the
checks around it, `add_fallback` answers (and counts) what no route matched, and the widget
handler, the hottest, does the same work inline (see `feedhub.web.widgets`).
"""

from __future__ import annotations

import logging
import sys

from aiohttp import web
from jinja2 import TemplateError

from feedhub.store.errors import store_errors
from feedhub.web.keys import SERVICE, Handler
from feedhub.web.limits import refusal

log = logging.getLogger("feedhub.web")
UNMATCHED = "unmatched"  # the one route label of everything no route matched
# On every answer: a browser must never read a text answer as another type (a 404 that
# echoes a path as HTML, JSON read as a script).
NOSNIFF = ("X-Content-Type-Options", "nosniff")


def refused(request: web.Request) -> web.HTTPException | None:
    """The request's refusal when its query is over a limit (length, parameters)."""
    qs = request.query_string
    # The parameter count is bounded by the separators, without parsing the query.
    return refusal(qs, qs.count("&") + 1 if qs else 0)


def internal_error(request: web.Request) -> web.Response:
    """A bug's answer: logged with its trace here, a short plain 500 for the client. A store
    that fails is no bug: a 503, and one log line for the whole fault (see StoreHealth)."""
    exc = sys.exc_info()[1]
    # Jinja's TemplateNotFound is an OSError too, and a broken theme is no store fault.
    if isinstance(exc, store_errors()) and not isinstance(exc, TemplateError):
        request.app[SERVICE].store_health.failed(exc)
        return web.Response(
            status=503,
            text="store unavailable\n",
            content_type="text/plain",
            headers={"Retry-After": "30", NOSNIFF[0]: NOSNIFF[1]},
        )
    log.exception("error serving %s %s", request.method, request.path)
    return web.Response(
        status=500, text="internal error", content_type="text/plain", headers=dict([NOSNIFF])
    )


def guarded(route: str, handler: Handler) -> Handler:
    """`handler` with the limits checked first, failures answered, every answer counted."""

    async def run(request: web.Request) -> web.StreamResponse:
        status = 500
        try:
            refusal_ = refused(request)
            if refusal_ is not None:
                raise refusal_
            response = await handler(request)
            status = response.status
            response.headers.setdefault(*NOSNIFF)
            return response
        except web.HTTPException as exc:
            status = exc.status
            exc.headers.setdefault(*NOSNIFF)
            raise
        except Exception:
            response = internal_error(request)
            status = response.status
            return response
        finally:
            request.app[SERVICE].metrics.record_request(route, request.method, status)

    return run


def get(app: web.Application, path: str, handler: Handler) -> None:
    app.router.add_get(path, guarded(path, handler))


def post(app: web.Application, path: str, handler: Handler) -> None:
    app.router.add_post(path, guarded(path, handler))


async def _unmatched(request: web.Request) -> web.StreamResponse:
    """404, or 405 with Allow when another route has this path for other methods."""
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not request.match_info.route.resource:
            allowed |= (await resource.resolve(request))[1]
    if allowed:
        raise web.HTTPMethodNotAllowed(
            request.method, allowed, text="method not allowed\n", content_type="text/plain"
        )
    raise web.HTTPNotFound(text="not found\n", content_type="text/plain")


def add_fallback(app: web.Application) -> None:
    """The last route: whatever the others did not match, answered and counted."""
    app.router.add_route("*", "/{tail:.*}", guarded(UNMATCHED, _unmatched))
