"""Request limits beyond aiohttp's own (request line and each header ≤ 8190 bytes, ≤ 128
headers, bodies ≤ 1 MiB): a short query string with few parameters, a bounded header total.

Widget URLs take three parameters; anything much longer is a mistake or an attack, and
refusing it early keeps logs, metrics and cache keys small.
"""

from __future__ import annotations

from aiohttp import web

from feedhub.web.app import Handler

MAX_QUERY = 1024  # bytes of query string
MAX_PARAMS = 16
MAX_HEADER_BYTES = 16 * 1024  # all header names and values together
PLAIN = "text/plain"


def refusal(query_string: str, param_count: int, header_bytes: int) -> web.HTTPException | None:
    """The answer for a request over a limit, or None: a pure decision."""
    if len(query_string) > MAX_QUERY:
        return web.HTTPRequestURITooLong(text=f"query string over {MAX_QUERY} bytes\n",
                                         content_type=PLAIN)
    if param_count > MAX_PARAMS:
        return web.HTTPBadRequest(text=f"more than {MAX_PARAMS} query parameters\n",
                                  content_type=PLAIN)
    if header_bytes > MAX_HEADER_BYTES:
        return web.HTTPRequestHeaderFieldsTooLarge(
            text=f"request headers over {MAX_HEADER_BYTES} bytes\n", content_type=PLAIN)
    return None


@web.middleware
async def limits_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    header_bytes = sum(len(k) + len(v) for k, v in request.raw_headers)
    refused = refusal(request.query_string, len(request.query), header_bytes)
    if refused is not None:
        raise refused
    return await handler(request)


def setup(app: web.Application) -> None:
    app.middlewares.append(limits_middleware)
