"""Request limits beyond aiohttp's own (request line and each header ≤ 8190 bytes, ≤ 128
headers, bodies ≤ 1 MiB): a short query string with few parameters, a bounded header total.

Widget URLs take three parameters; anything much longer is a mistake or an attack, and
refusing it early keeps logs, metrics and cache keys small.
"""

from __future__ import annotations

from aiohttp import web

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
