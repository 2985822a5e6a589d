"""What the browser tests of the widgets' extras share (issue 23: counts, show more, alt text,
the account header, the lightbox, the new themes): `feedhub serve` polling a Mastodon account
on the local upstream, its pictures through the media cache, and each widget seen two ways in
Chromium, as its framed page and through the embed script on a host page with a strict CSP,
with every request the browser makes logged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.conftest import Daemon, Upstream, fixture_bytes, wait_until
from tests.media_support import with_local_cdn
from tests.served_support import polled, start
from tests.social_upstream import MASTODON_LOOKUP, MASTODON_STATUSES

STATUSES = "mastodon/statuses_widgets.json"
POSTS = 4  # in STATUSES


def serve_account(upstream: Upstream, statuses: str = STATUSES) -> dict[str, Any]:
    """The account's lookup and timeline, their pictures on the local CDN; the source."""

    def serve(up: Upstream) -> None:
        up.set(MASTODON_LOOKUP, fixture_bytes("mastodon/lookup.json"), "application/json")
        up.set(MASTODON_STATUSES, fixture_bytes(statuses), "application/json")

    with_local_cdn(upstream, serve, size=(800, 600))
    return {
        "type": "mastodon",
        "account": "@hubservateur@toot.example",
        "pinned": False,
        "base_url": upstream.base_url,
    }


async def serve_widgets(
    daemon: Callable[..., Daemon],
    tmp_path: Path,
    upstream: Upstream,
    widgets: dict[str, dict[str, Any]],
    count: int = POSTS,
    extra_sources: dict[str, Callable[[Upstream], dict[str, Any]]] | None = None,
    sections: dict[str, Any] | None = None,
) -> Daemon:
    """`feedhub serve` with the account as source `toots`, the media cache on, and `widgets`
    (each showing `toots` unless it says otherwise), once it has polled; `extra_sources`
    serve other sources once the account is served, and give their configs."""
    sources = {"toots": serve_account(upstream)}
    sources.update({sid: serve(upstream) for sid, serve in (extra_sources or {}).items()})
    d = start(
        daemon,
        tmp_path,
        sources,
        {
            "media": {"proxy": True, "dir": str(tmp_path / "media")},
            "widgets": {name: {"sources": ["toots"], **cfg} for name, cfg in widgets.items()},
            **(sections or {}),
        },
    )
    assert len(await polled(d, next(iter(widgets)), count)) == count
    return d


def strict_csp(feedhub: str) -> str:
    """A careful site's policy: nothing inline, one widget origin."""
    return (
        f"default-src 'none'; script-src {feedhub}; connect-src {feedhub}; "
        f"frame-src {feedhub}; img-src 'self' {feedhub}; style-src 'self'"
    )


def host_page(upstream: Upstream, feedhub: str, widget: str, attrs: str = "") -> str:
    """A host page on the upstream's origin embedding `widget` by script; its URL."""
    path = f"/host-{widget}.html"
    upstream.set(
        path,
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<main><h1>Host page</h1>
<div data-feedhub="{widget}"{attrs}><a href="{feedhub}/w/{widget}">{widget}</a></div>
</main><script async src="{feedhub}/w/{widget}.js"></script></body></html>""",
        "text/html",
        headers={"Content-Security-Policy": strict_csp(feedhub)},
    )
    return upstream.url(path)


@dataclass
class Seen:
    """A page with what it asked for and what went wrong in it."""

    page: Any
    root: Any  # the widget's `.fh` section (inside the shadow root for the script embed)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def origins(self) -> set[str]:
        return {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in self.requests}


async def open_widget(
    browser: Any,
    url: str,
    *,
    embedded: bool,
    width: int = 480,
    height: int = 800,
    reduced_motion: str = "no-preference",
) -> Seen:
    """Open a framed page (`embedded` False) or a host page, once its widget is there."""
    page = await browser.new_page(
        viewport={"width": width, "height": height}, reduced_motion=reduced_motion
    )
    seen = Seen(page, page.locator(".fh").first)
    log_page(seen)
    await page.goto(url)
    if embedded:
        ready = page.locator('[data-feedhub-state="ready"]')
        await wait_until(ready.count)
    await seen.root.wait_for()
    return seen


def log_page(seen: Seen) -> None:
    """Log every request of the page, its script errors and its failed answers."""
    page = seen.page
    page.on("request", lambda r: seen.requests.append(r.url))
    # A missing resource is reported by its response (the favicon is no widget's).
    page.on(
        "console",
        lambda m: (
            seen.errors.append(m.text)
            if m.type in ("error", "warning") and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            seen.errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: seen.errors.append(str(e)))


def allowed(d: Daemon, upstream: Upstream, embedded: bool) -> set[str]:
    """The origins a widget's page may ask anything of: feedhub's, and the host page's own."""
    feedhub = d.url
    return {feedhub, upstream.base_url} if embedded else {feedhub}


def both_ways(d: Daemon, upstream: Upstream, widget: str) -> list[tuple[str, bool]]:
    """The framed page and a host page embedding the widget by script: (URL, embedded)."""
    return [(f"{d.url}/w/{widget}", False), (host_page(upstream, d.url, widget), True)]


FOCUSED = """() => { let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  return e; }"""


async def focused_text(page: Any) -> str:
    """The text of the element that has the focus, inside a shadow root too."""
    return str(
        await page.evaluate(f"() => {{ const e = ({FOCUSED})(); return e ? e.innerText : ''; }}")
    )


async def tab_to(page: Any, name: str, limit: int = 40) -> None:
    """Press Tab until the focused element's text is `name`."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if (await focused_text(page)).strip() == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


async def focused_class(page: Any) -> str:
    """The class of the element that has the focus, inside a shadow root too."""
    return str(
        await page.evaluate(f"() => {{ const e = ({FOCUSED})(); return e ? e.className : ''; }}")
    )


async def tab_to_class(page: Any, name: str, limit: int = 40) -> None:
    """Press Tab until the focused element has the class `name`."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if name in (await focused_class(page)).split():
            return
    raise AssertionError(f"Tab never reached .{name}")
