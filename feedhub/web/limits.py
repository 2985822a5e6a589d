"""Request limits. The HTTP parser enforces the head's size before any handler runs (a 400):
the request line and each header at most 8190 bytes, at most 64 headers; aiohttp refuses
bodies over 1 MiB. The handlers add a short query string with few parameters.

Widget URLs take three parameters; anything much longer is a mistake or an attack, and
refusing it early keeps logs, metrics and cache keys small.
"""

from __future__ import annotations

from aiohttp import web

MAX_QUERY = 1024  # bytes of query string
MAX_PARAMS = 16
MAX_HEADERS = 64
MAX_LINE = 8190  # bytes of the request line, and of each header
# A connection that has not sent a whole request head within this many seconds of opening
# (or of its last answer) is closed: half-sent requests cannot hold connections for long.
HEAD_TIMEOUT = 10.0
# Given to the application as `handler_args`, so every runner (tests included) applies them.
PARSER_LIMITS = {
    "max_headers": MAX_HEADERS,
    "max_field_size": MAX_LINE,
    "max_line_size": MAX_LINE,
    "keepalive_timeout": HEAD_TIMEOUT,
}
PLAIN = "text/plain"


def refusal(query_string: str, param_count: int) -> web.HTTPException | None:
    """The answer for a query over a limit, or None: a pure decision."""
    if len(query_string) > MAX_QUERY:
        return web.HTTPRequestURITooLong(
            text=f"query string over {MAX_QUERY} bytes\n", content_type=PLAIN
        )
    if param_count > MAX_PARAMS:
        return web.HTTPBadRequest(
            text=f"more than {MAX_PARAMS} query parameters\n", content_type=PLAIN
        )
    return None


def whole_number(raw: str) -> int | None:
    """A query value as a whole number when it is one written in ASCII digits, else None:
    `str.isdigit` is true for "²" and "٣", which `int` then refuses or reads."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
