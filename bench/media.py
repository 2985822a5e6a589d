"""The media cache: (6) a cached `/m/` image against a bare `FileResponse` of the same file;
(7) what a browser spends loading a wall of photos, hotlinked against proxied; (8) the
1,000-source first poll with a photo per feed, against the same poll with `proxy: false`,
and serving p99 during it."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import polling, procs, wrk
from bench.report import Figure
from bench.setup import WIDGET, write_config

SECONDS = 3.0
ROUNDS = 5
WALL_SOURCES = 20
CHROMIUM = "/usr/bin/chromium"
_M_RE = re.compile(r"http://127\.0\.0\.1:\d+/m/[0-9a-f]{24}-640")


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.read(), dict(resp.headers)


def _wait_images(url: str, count: int, timeout: float = 120.0) -> str:
    """The widget's HTML once it shows `count` cached images."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = _get(url)[0].decode()
        if len(set(_M_RE.findall(body))) >= count:
            return body
        time.sleep(0.2)
    raise RuntimeError(f"{url} never showed {count} cached images")


def _serve(tmp: Path, up_port: int, sources: int, proxy: bool, name: str) -> tuple[object, int]:
    port = procs.free_port()
    (tmp / name).mkdir()
    config = write_config(
        tmp / name,
        port=port,
        upstream_port=up_port,
        sources=sources,
        kind="imgfeed",
        proxy=proxy,
        widget_sources=sources,
    )
    proc = procs.start(
        ["-m", "feedhub", "serve", "-c", str(config)], core=0, log=tmp / f"{name}.log"
    )
    procs.wait_port(port, proc)
    return proc, port


def _file_figures(tmp: Path, up_port: int, notes: list[str]) -> list[Figure]:
    feedhub, port = _serve(tmp, up_port, 1, True, "one")
    bare = None
    try:
        body = _wait_images(f"http://127.0.0.1:{port}/w/{WIDGET}.html", 1)
        url = _M_RE.findall(body)[0]
        data, headers = _get(url, {"Accept": "image/webp"})
        name = url.rsplit("/", 1)[1]
        path = next((tmp / "one" / "media").rglob(f"{name}.webp"))
        keep = {
            k: v
            for k, v in headers.items()
            if k.lower() not in ("date", "server", "content-length", "content-type")
        }
        (tmp / "m.headers").write_text(json.dumps(keep))
        bare_port = procs.free_port()
        bare = procs.start(
            ["-m", "bench.bare_file", str(bare_port), str(path), str(tmp / "m.headers")], core=0
        )
        procs.wait_port(bare_port, bare)
        bare_url = f"http://127.0.0.1:{bare_port}/m/{name}"
        accept = ("Accept: image/webp",)
        for u in (url, bare_url):
            wrk.run(u, seconds=1, headers=accept)
        runs: dict[str, list[wrk.WrkResult]] = {"feedhub": [], "bare": []}
        for _ in range(ROUNDS):
            runs["feedhub"].append(wrk.run(url, seconds=SECONDS, headers=accept))
            runs["bare"].append(wrk.run(bare_url, seconds=SECONDS, headers=accept))
        f, b = (max(r, key=lambda x: x.rps) for r in runs.values())
    finally:
        for p in (bare, feedhub):
            if p is not None:
                procs.stop(p)  # type: ignore[arg-type]
    notes.append(
        f"(6): `GET /m/{{name}}` with `Accept: image/webp`, a {len(data):,}-byte WebP (640 px "
        "of a 1200×800 photo), from `feedhub serve` on core 0; the baseline is "
        "bench/bare_file.py, an aiohttp `FileResponse` of the same file with the same headers "
        "(Cache-Control, ETag, Vary, CORP, nosniff), also on core 0, on uvloop; wrk on core 1, "
        f"64 connections, {ROUNDS} alternating {SECONDS:g} s runs, best kept. feedhub answers "
        "small files from memory (an LRU of the files it served), larger ones with "
        "`FileResponse`."
    )
    return [
        Figure(
            "(6) cached /m/ image: requests/s",
            f.rps,
            "req/s",
            "bare FileResponse",
            b.rps,
            "≥ 0.9 × bare",
            f.rps >= 0.9 * b.rps,
        )
    ]


async def _browser_load(url: str) -> tuple[int, int, float]:
    """Requests and bytes (bodies as sent) a headless Chromium spends loading `url`, every
    image in view, and the seconds until the network is idle."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = await browser.new_page(viewport={"width": 480, "height": 20000})
        done: list[object] = []
        page.on("requestfinished", lambda request: done.append(request))
        started = time.perf_counter()
        await page.goto(url, wait_until="networkidle")
        seconds = time.perf_counter() - started
        total = 0
        for request in done:
            sizes = await request.sizes()  # type: ignore[attr-defined]
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        await browser.close()
    return len(done), total, seconds


def _wall_figures(tmp: Path, up_port: int, notes: list[str]) -> list[Figure]:
    loads = {}
    for proxy in (False, True):
        name = "proxied" if proxy else "hotlinked"
        proc, port = _serve(tmp, up_port, WALL_SOURCES, proxy, name)
        try:
            url = f"http://127.0.0.1:{port}/w/{WIDGET}"
            if proxy:
                _wait_images(url + ".html", WALL_SOURCES)
            else:
                polling._first_widget(url + ".html", proc)  # type: ignore[arg-type]
            loads[name] = asyncio.run(_browser_load(url))
            if proxy:  # again, by a new browser: every file made by the first view now
                loads["again"] = asyncio.run(_browser_load(url))
        finally:
            procs.stop(proc)  # type: ignore[arg-type]
    (hot_n, hot_bytes, _), (prox_n, prox_bytes, first_view) = loads["hotlinked"], loads["proxied"]
    notes.append(
        f"(7): headless Chromium (480 px wide, tall enough that every lazy image loads) opens "
        f"the framed page of a {WALL_SOURCES}-item wall whose items each carry a 1200×800 "
        "textured JPEG photo (about 275 kB, camera-like, bench/photos.py); requests and bytes "
        f"(headers and bodies) of the whole load. Hotlinked (`proxy: false`): {hot_n} "
        f"requests, the page and the originals from the upstream; proxied: {prox_n} "
        "requests, all to feedhub, WebP variants picked by `srcset` (made by that first view "
        "from each photo's original, which is all the poll kept); "
        f"{prox_bytes / 1000 / WALL_SOURCES:.1f} kB per photo shown against "
        f"{hot_bytes / 1000 / WALL_SOURCES:.1f} kB hotlinked. That first view took "
        f"{first_view:.2f} s to the network's idle (Chromium's `networkidle`: 0.5 s without "
        f"requests included); the same view by a new browser after it, {loads['again'][2]:.2f} s."
    )
    return [
        Figure(
            "(7) browser loading the photo wall: bytes",
            prox_bytes / 1000,
            "kB",
            "hotlinked",
            hot_bytes / 1000,
            "fewer bytes",
            prox_bytes < hot_bytes,
        ),
        Figure(
            "(7) browser loading the photo wall: requests",
            prox_n,
            "requests",
            "hotlinked",
            hot_n,
            "",
            None,
        ),
    ]


def _disk_kb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1000


def _poll_pair(tmp: Path, up_port: int, kind: str) -> tuple[dict[str, float], dict[str, Any]]:
    """The first pass with `proxy: false`, then with the media cache on, until the images
    its items show are settled; what the cache's files take on disk after it."""
    runs = {}
    for proxy in (False, True):
        name = f"poll-{kind}-{'proxied' if proxy else 'direct'}"
        (tmp / name).mkdir()
        config = write_config(
            tmp / name,
            port=procs.free_port(),
            upstream_port=up_port,
            sources=polling.SOURCES,
            kind=kind,
            proxy=proxy,
        )
        runs[proxy] = polling._poll_passes(config)
    proxied, peak = runs[True]
    disk = _disk_kb(tmp / f"poll-{kind}-proxied" / "media")
    return runs[False][0], {**proxied, "peak": peak, "disk_kb": disk}


def _poll_figures(tmp: Path, up_port: int, notes: list[str]) -> list[Figure]:
    direct, proxied = _poll_pair(tmp, up_port, "imgfeed")
    smooth_direct, smooth = _poll_pair(tmp, up_port, "smoothfeed")
    # Serving during that first poll with images: a fresh store, wrk from the moment it listens.
    port = procs.free_port()
    (tmp / "serve").mkdir()
    config = write_config(
        tmp / "serve", port=port, upstream_port=up_port, sources=polling.SOURCES, kind="imgfeed"
    )
    daemon = procs.start(["-m", "feedhub", "serve", "-c", str(config)], log=tmp / "serve.log")
    try:
        procs.wait_port(port, daemon)
        url = f"http://127.0.0.1:{port}/w/{WIDGET}.html"
        busy = wrk.run(url, seconds=10, connections=polling.LATENCY_CONNECTIONS)
        polling._wait_idle(daemon.pid, timeout=600)
        idle = wrk.run(url, seconds=10, connections=polling.LATENCY_CONNECTIONS)
    finally:
        procs.stop(daemon)
    notes.append(
        f"(8): bench/pollrun.py (as (3)) polls {polling.SOURCES} feeds of 50 items whose "
        "newest item carries a 1200×800 JPEG (each URL's bytes unique), timed until the "
        "images those items show are settled (the items are stored before: "
        f"{proxied['first']:.1f} s here); the baseline is the same pass with `proxy: false`. "
        "During the poll the media cache checks each photo (a JPEG decoded at 1/8 scale) and "
        "keeps its original as fetched, encoding nothing (every file is made when `/m/` first "
        "asks for it, see README's media cache): "
        f"{proxied['disk_kb'] / polling.SOURCES:.0f} kB per photo on disk after the pass. "
        "Textured photos (camera-like, about 275 kB each, bench/photos.py); with smooth ones "
        f"(gradients, about 50 kB): {smooth['first_settled']:.2f} s against "
        f"{smooth_direct['first']:.2f} s "
        f"({smooth['first_settled'] / smooth_direct['first']:.2f}×). Bytes per view: (7). "
        f"Peak RSS with images: {proxied['peak']:.0f} MB. Serving p99: wrk "
        f"({polling.LATENCY_CONNECTIONS} connections, 10 s) "
        "on the widget while a fresh `feedhub serve` makes that first pass with images; the "
        "baseline is the same wrk run once that daemon is idle."
    )
    return [
        Figure(
            "(8) first poll, 1,000 feeds with a photo each",
            proxied["first_settled"],
            "s",
            "proxy: false",
            direct["first"],
            "≤ 2 × proxy: false",
            proxied["first_settled"] <= 2 * direct["first"],
        ),
        Figure(
            "(8) serving p99 during that poll",
            busy.p99_ms,
            "ms",
            "idle",
            idle.p99_ms,
            "< 25 ms",
            busy.p99_ms < 25,
        ),
    ]


def run(notes: list[str], *, photos: bool = True) -> list[Figure]:
    """(6), (7) and, with `photos`, (8)."""
    return _with_upstream(
        lambda tmp, up: (
            _file_figures(tmp, up, notes)
            + _wall_figures(tmp, up, notes)
            + (_poll_figures(tmp, up, notes) if photos else [])
        )
    )


def run_photos(notes: list[str]) -> list[Figure]:
    """(8) alone: the first poll with a photo per feed, and serving p99 during it."""
    return _with_upstream(lambda tmp, up: _poll_figures(tmp, up, notes))


def _with_upstream(figures: Callable[[Path, int], list[Figure]]) -> list[Figure]:
    tmp = Path(tempfile.mkdtemp(prefix="feedhub-bench-media-"))
    up_port = procs.free_port()
    upstream = procs.start(["-m", "bench.upstream", str(up_port)], core=1)
    try:
        procs.wait_port(up_port, upstream)
        return figures(tmp, up_port)
    finally:
        procs.stop(upstream)
