"""The platforms' image CDNs, played by the local upstream: fixtures are served with their CDN
hosts pointing at `/cdn/<host>/…` there, and every such path answers a real JPEG."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

from aiohttp import web

from tests import images
from tests.conftest import Route, Upstream

CDN_HOSTS = (
    "files.toot.example",
    "blog.example.org",
    "files.piaille.example",
    "pbs.twimg.com",
    "video.bsky.app",
    "cdn.bsky.app",
    "b.thumbs.redditmedia.com",
    "i.redd.it",
    "i2.ytimg.com",
    "i3.ytimg.com",
    "i.ytimg.com",
    "www.redditstatic.com",
)
_HOST_RE = re.compile(r"https://(" + "|".join(re.escape(h) for h in CDN_HOSTS) + r")/")
_PATH_RE = re.compile(r"http://127\.0\.0\.1:\d+(/cdn/[^\"<>\s\\?&]+)")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def local_cdn(up: Upstream, text: str) -> str:
    """`text` with every CDN URL moved onto the local upstream."""
    return _HOST_RE.sub(lambda m: up.url(f"/cdn/{m[1]}/"), text)


def with_local_cdn(
    up: Upstream, serve: Callable[[Upstream], None], size: tuple[int, int] = (1600, 1000)
) -> None:
    """Run a fixture-serving function with its CDN URLs moved onto the local upstream, and
    answer each of them with a photo derived from its path."""
    serve(up)

    def rewrite(body: bytes) -> bytes:
        text = local_cdn(up, body.decode())
        for path in map(unquote, _PATH_RE.findall(text)):
            if path not in up.routes:
                seed = int(hashlib.sha256(path.encode()).hexdigest()[:6], 16)
                up.set(path, images.photo(*size, seed=seed, quality=92), "image/jpeg")
        return text.encode()

    for path, route in list(up.routes.items()):
        if isinstance(route, Route):
            route.body = rewrite(route.body)
        elif not path.startswith("/cdn/"):
            up.routes[path] = _rewriting(route, rewrite)


def _rewriting(handler: Handler, rewrite: Callable[[bytes], bytes]) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        resp = await handler(request)
        if isinstance(resp, web.Response) and isinstance(resp.body, bytes):
            resp.body = rewrite(resp.body)
        return resp

    return handle


def image_feed(up: Upstream, path: str, images: list[tuple[str, str]], title: str = "Post") -> str:
    """Serve at `path` an RSS feed of one item per image (`(image path, alt)`), the image in
    its content as `<img alt>`; the feed's URL."""
    items = "".join(
        f"<item><title>{title} {i}</title><link>https://blog.example.org{path}/{i}</link>"
        f"<guid>{path}-{i}</guid><pubDate>Mon, 0{1 + i % 9} Dec 2026 10:00:00 GMT</pubDate>"
        f'<description><![CDATA[<p>{title} {i}</p><img src="{up.url(img)}" alt="{alt}">]]>'
        "</description></item>"
        for i, (img, alt) in enumerate(images)
    )
    up.set(
        path,
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://blog.example.org/</link>{items}</channel></rss>",
        "application/rss+xml",
    )
    return up.url(path)


M_URL_RE = re.compile(r"(http://127\.0\.0\.1:\d+/m/[0-9a-f]{24}-\d+)")


def m_urls(html: str) -> list[str]:
    """Every `/m/` URL in a rendered widget, each once."""
    return list(dict.fromkeys(M_URL_RE.findall(html)))
