"""(9) One source's images never hold back another's items: a good source's new item, from
poll to served widget, with two hostile image feeds polling beside it (on another host name)
against the same without them.

The upstream runs in a process of its own (`python -m bench.isolation PORT`), as the hostile
host would: writing its 7 MB answers is not feedhub's work.
"""

from __future__ import annotations

import asyncio
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from bench import procs
from bench.report import Figure

ROUNDS = 7
PAIRS = 3
HOSTILE_ITEMS = 30
IMAGES_PER_ITEM = 2
SIDE = 1600  # px: a noise PNG of this side is ~7.7 MB and ~0.5 s of a worker's time


def _noise_png() -> bytes:
    from PIL import Image

    image = Image.frombytes("RGB", (SIDE, SIDE), os.urandom(SIDE * SIDE * 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _rss(title: str, items: str) -> str:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link>{items}</channel></rss>"
    )


class Upstream:
    """Two hostile feeds whose image URLs change at every poll, and a good feed."""

    def __init__(self) -> None:
        self.png = _noise_png()
        self.round = {"h1": 0, "h2": 0}
        self.good_items = 1
        self.port = 0

    def hostile(self, name: str) -> str:
        self.round[name] += 1
        r = self.round[name]
        base = f"http://127.0.0.1:{self.port}"
        items = "".join(
            f"<item><guid>{name}-{r}-{i}</guid><title>{name} {r} {i}</title>"
            f"<description><![CDATA[<p>x</p>"
            + "".join(
                f'<img src="{base}/img/{name}/{r}/{i}/{k}.png" alt="{i}.{k}">'
                for k in range(IMAGES_PER_ITEM)
            )
            + "]]></description></item>"
            for i in range(HOSTILE_ITEMS)
        )
        return _rss(name, items)

    def good(self) -> str:
        items = "".join(
            f"<item><guid>good-{n}</guid><title>good item {n}</title>"
            f"<description>plain</description></item>"
            for n in range(self.good_items)
        )
        return _rss("good", items)

    async def handle(self, request: web.Request) -> web.Response:
        path = request.path
        if path == "/next":  # the bench's signal: the good feed gets a new item
            self.good_items += 1
            return web.Response(text=str(self.good_items))
        if path.startswith("/img/"):
            return web.Response(body=self.png, content_type="image/png")
        if path in ("/h1.xml", "/h2.xml"):
            return web.Response(text=self.hostile(path[1:3]), content_type="application/rss+xml")
        return web.Response(text=self.good(), content_type="application/rss+xml")


async def _measure(hostile: bool, folder: Path) -> list[float]:
    from feedhub.config import parse_config
    from feedhub.web.app import SERVICE, create_app

    up_port = procs.free_port()
    upstream = procs.start(["-m", "bench.isolation", str(up_port)])
    procs.wait_port(up_port, upstream)
    sources = {"good": {"type": "feed", "url": f"http://localhost:{up_port}/good.xml"}}
    if hostile:
        for name in ("h1", "h2"):
            sources[name] = {"type": "feed", "url": f"http://127.0.0.1:{up_port}/{name}.xml"}
    config = parse_config(
        {
            "server": {"public_url": "http://127.0.0.1:1"},
            "storage": {"backend": "sqlite", "path": str(folder / "feedhub.sqlite3")},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "media": {"proxy": True, "dir": str(folder / "media")},
            "sources": sources,
            "widgets": {"good": {"sources": ["good"]}},
        },
        base_dir=str(folder),
    )
    app = create_app(config, poll=False)
    runner = web.AppRunner(app)
    await runner.setup()
    own = web.TCPSite(runner, "127.0.0.1", 0)
    await own.start()
    port = own._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    svc = app[SERVICE]
    stop = asyncio.Event()

    async def keep_polling(name: str) -> None:
        while not stop.is_set():
            await svc.polling.poll(name)
            await asyncio.sleep(0.5)

    pollers = [asyncio.create_task(keep_polling(n)) for n in ("h1", "h2")] if hostile else []
    latencies = []
    try:
        async with aiohttp.ClientSession() as http:
            await svc.polling.poll("good")
            if hostile:
                await asyncio.sleep(3.0)  # the image backlog builds up
            for _ in range(ROUNDS):
                async with http.get(f"http://127.0.0.1:{up_port}/next") as resp:
                    wanted = f"good item {int(await resp.text()) - 1}"
                started = time.perf_counter()
                await svc.polling.poll("good")
                while True:
                    async with http.get(f"http://127.0.0.1:{port}/w/good.html") as resp:
                        if wanted in await resp.text():
                            break
                    await asyncio.sleep(0.005)
                latencies.append(time.perf_counter() - started)
                await asyncio.sleep(0.3)
    finally:
        stop.set()
        for task in pollers:
            task.cancel()
        await asyncio.gather(*pollers, return_exceptions=True)
        await runner.cleanup()
        procs.stop(upstream)
    return latencies


def run(notes: list[str]) -> list[Figure]:
    from feedhub.ingest.workers import shutdown

    without: list[float] = []
    with_: list[float] = []
    # Alternated, so that a change in what else the machine runs weighs on both sides.
    for _ in range(PAIRS):
        with tempfile.TemporaryDirectory() as tmp:
            alone, beside = Path(tmp, "alone"), Path(tmp, "beside")
            alone.mkdir()
            beside.mkdir()
            without += asyncio.run(_measure(False, alone))
            with_ += asyncio.run(_measure(True, beside))
        shutdown()
    a, b = statistics.median(without), statistics.median(with_)
    notes.append(
        "(9): a good feed source (on the host name `localhost`) gets a new item; the time from "
        "its poll to the item in the served `/w/good.html`, median of "
        f"{ROUNDS * PAIRS} rounds ({PAIRS} runs of {ROUNDS}, alternated with those without), "
        "beside two hostile feeds (on `127.0.0.1`) of {HOSTILE_ITEMS} items "
        f"with {IMAGES_PER_ITEM} {SIDE}×{SIDE} noise PNGs each (about "
        f"{len(_noise_png()) // 1_000_000} MB, new URLs at every poll, polled again every "
        "0.5 s), against the same daemon without them. The daemon in the bench's process, the "
        "upstream in its own; each worker pool (parse, images) has one process per core here "
        f"({os.cpu_count()})."
    )
    return [
        Figure(
            "(9) good source's new item beside hostile image feeds: latency",
            b * 1000,
            "ms",
            "without them",
            a * 1000,
            "≤ 2 × without",
            b <= 2 * a,
        )
    ]


def serve(port: int) -> None:
    up = Upstream()
    up.port = port
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", up.handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    import sys

    serve(int(sys.argv[1]))
