"""The one middleware every request passes: limits, errors and metrics in a single frame.

Kept as one function because it runs on every request, cached widgets included: each extra
middleware is another coroutine frame on the hottest path.
"""

from __future__ import annotations

import logging

from aiohttp import web

from feedhub.web.app import SERVICE, Handler
from feedhub.web.limits import refusal
from feedhub.web.metrics import route_of

log = logging.getLogger("feedhub.web")


@web.middleware
async def front_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse oversized requests; turn failures into short plain 500s; count every answer."""
    status = 500
    try:
        qs = request.query_string
        # The parameter count is bounded by the separators, without parsing the query.
        refused = refusal(qs, qs.count("&") + 1 if qs else 0,
                          sum(len(k) + len(v) for k, v in request.raw_headers))
        if refused is not None:
            raise refused
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except Exception:
        log.exception("error serving %s %s", request.method, request.path)
        return web.Response(status=500, text="internal error", content_type="text/plain")
    finally:
        request.app[SERVICE].metrics.record_request(route_of(request), request.method, status)
