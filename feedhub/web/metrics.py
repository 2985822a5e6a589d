"""GET /metrics: the Prometheus text of the counters and the service's gauges.

What a scrape shows is copied on the event loop (`metrics_text.take`) and written out in a
thread (`metrics_text.render`): with thousands of sources the text is megabytes, and writing it
on the loop would hold up every other answer. Scrapes asked for while one is being written
share its answer.
"""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

from feedhub.web import routes
from feedhub.web.admin import guard
from feedhub.web.keys import SERVICE
from feedhub.web.metrics_text import render, take
from feedhub.web.widgets import ANSWERS

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# The scrape being written, by `per_source`: a scrape asked for meanwhile waits for it.
WRITING = web.AppKey("metrics_writing", dict)


async def metrics(request: web.Request) -> web.Response:
    guard(request)  # source names and error counts are for the site's admins
    svc = request.app[SERVICE]
    writing: dict[bool, asyncio.Future[bytes]] = request.app[WRITING]
    per_source = bool(svc.config.metrics.per_source)
    pending = writing.get(per_source)
    if pending is None:
        snapshot = take(svc, time.time(), request.app[ANSWERS].requests())
        pending = asyncio.ensure_future(asyncio.to_thread(render, snapshot))
        writing[per_source] = pending
        pending.add_done_callback(lambda _: writing.pop(per_source, None))
    body = await asyncio.shield(pending)  # a client that leaves cancels only its own wait
    return web.Response(
        body=body, headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"}
    )


def setup(app: web.Application) -> None:
    app[WRITING] = {}
    routes.get(app, "/metrics", metrics)
