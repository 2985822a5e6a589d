"""GET /metrics: the Prometheus text of the counters and the service's gauges.

What a scrape shows is copied on the event loop (`metrics_text.take`) and written out in a
thread (`metrics_text.render`): with thousands of sources the text is megabytes, and writing it
on the loop would hold up every other answer. Scrapes asked for while one is being written
share its answer; and an answer that took long to write (10,000 sources with every series:
a few hundred ms) also serves those that follow within `REUSE` times that, so scrapes back to
back cannot keep a core busy. A small site's answer (under `REUSE_BYTES`) is never reused,
however slowly a busy machine wrote it.
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
REUSE = 4.0  # an answer serves the scrapes that follow for this many times its writing time
REUSE_MAX = 2.0  # seconds: never older than this
REUSE_FROM = 0.05  # seconds: an answer written faster is never reused
REUSE_BYTES = 256 * 1024  # nor a smaller one (about 300 sources with every series)


class Scrapes:
    """The answer being written and the last one written, by `per_source`."""

    def __init__(self) -> None:
        self.writing: dict[bool, asyncio.Future[bytes]] = {}
        self.written: dict[bool, tuple[float, bytes]] = {}  # until when it serves, the text

    async def answer(self, request: web.Request, per_source: bool) -> bytes:
        loop = asyncio.get_running_loop()
        last = self.written.get(per_source)
        if last is not None and loop.time() < last[0]:
            return last[1]
        pending = self.writing.get(per_source)
        if pending is None:
            pending = asyncio.ensure_future(self._write(request, per_source))
            self.writing[per_source] = pending
            pending.add_done_callback(lambda _: self.writing.pop(per_source, None))
        return await asyncio.shield(pending)  # a client that leaves cancels only its own wait

    async def _write(self, request: web.Request, per_source: bool) -> bytes:
        loop = asyncio.get_running_loop()
        started = loop.time()
        snapshot = take(request.app[SERVICE], time.time(), request.app[ANSWERS].requests())
        body = await asyncio.to_thread(render, snapshot)
        done, took = loop.time(), loop.time() - started
        if took >= REUSE_FROM and len(body) >= REUSE_BYTES:
            self.written[per_source] = (done + min(REUSE * took, REUSE_MAX), body)
        else:
            self.written.pop(per_source, None)
        return body


SCRAPES = web.AppKey("metrics_scrapes", Scrapes)


async def metrics(request: web.Request) -> web.Response:
    guard(request)  # source names and error counts are for the site's admins
    per_source = bool(request.app[SERVICE].config.metrics.per_source)
    body = await request.app[SCRAPES].answer(request, per_source)
    return web.Response(
        body=body, headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"}
    )


def setup(app: web.Application) -> None:
    app[SCRAPES] = Scrapes()
    routes.get(app, "/metrics", metrics)
