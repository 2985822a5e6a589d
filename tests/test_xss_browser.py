"""The XSS corpus in every field of every source type, through every output, in Chromium.

Each output is loaded in headless Chromium with a hook installed before any page script:
`alert`, `confirm`, `prompt` and `print` record their caller, dialogs are recorded, and a
script blocked by a Content Security Policy counts as an attempt too (the CSP must not be
what hides a sanitizer hole). After loading, every frame's DOM, shadow roots included, is
audited for event-handler attributes, script URLs and foreign scripts, which catch vectors
that would need a click. The test fails on any of them, naming the vector and the output.
"""

from __future__ import annotations

import asyncio
import json
import math
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from feedhub.publish.formats import FORMATS
from tests.conftest import make_config, write_config
from tests.xss_corpus import ALL, HTML_VECTORS, vector_of
from tests.xss_sources import GROUPS, serve_all

pytestmark = pytest.mark.browser

ROUNDS = len(ALL)  # every vector in every field: field j of round r holds vector (r + j) % N
ROUNDS_PER_WIDGET = 20  # keeps each widget's items under the 200 a widget may show
FEED_FORMATS = [f for f in ("json", "atom", "rss") if f in FORMATS]

HOOK = """(() => {
  const report = (how, arg) => {
    try { window.__xssReport(how + "(" + String(arg) + ") in " + location.href); } catch (e) {}
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    try {
      Object.defineProperty(window, name, {value: (a) => report(name, a), configurable: false});
    } catch (e) {}
  }
  document.addEventListener("securitypolicyviolation", (e) => {
    if (e.effectiveDirective.startsWith("script"))
      report("blocked " + e.effectiveDirective, e.sample || e.blockedURI);
  }, true);
})();"""

AUDIT = r"""() => {
  const bad = [];
  const URL_ATTRS = ["href", "src", "action", "formaction", "xlink:href", "srcset", "background",
                     "data", "poster", "lowsrc", "dynsrc", "codebase", "cite"];
  const risky = /^(javascript|vbscript|data:(?!image\/(png|gif|jpeg|webp|avif)))/;
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      const tag = el.tagName.toLowerCase();
      for (const a of el.attributes) {
        const name = a.name.toLowerCase();
        const value = a.value.replace(/[\u0000-\u0020\u007f]+/g, "").toLowerCase();
        if (name.startsWith("on")) bad.push(`${tag} ${name}="${a.value}"`);
        if (URL_ATTRS.includes(name) && risky.test(value)) bad.push(`${tag} ${name}="${a.value}"`);
        if (name === "srcdoc") bad.push(`${tag} srcdoc`);
        if (name === "style" && /(expression|javascript|url\()/.test(value))
          bad.push(`${tag} style="${a.value}"`);
      }
      if (tag === "script" && /alert|evil|msgbox/.test(el.textContent + (el.src || "")))
        bad.push(`script ${el.src || el.textContent.slice(0, 80)}`);
      if (["object", "embed", "base", "meta", "link", "form", "math"].includes(tag) &&
          el.closest(".fh")) bad.push(`<${tag}> inside the widget`);
      if (tag === "iframe" && el.closest(".fh") &&
          !/^https:\/\/(www\.youtube(-nocookie)?\.com\/embed\/|player\.vimeo\.com\/video\/)/
            .test(el.getAttribute("src") || "")) bad.push(`iframe ${el.getAttribute("src")}`);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return bad;
}"""


def widget_groups(kind: str) -> dict[str, list[str]]:
    groups = math.ceil(ROUNDS / ROUNDS_PER_WIDGET)
    return {
        f"{kind}_{g}": [
            f"{kind}-{r}"
            for r in range(g * ROUNDS_PER_WIDGET, min(ROUNDS, (g + 1) * ROUNDS_PER_WIDGET))
        ]
        for g in range(groups)
    }


def admin_vectors() -> list[str]:
    """Vectors an upstream can put in an HTTP reason phrase: one line of latin-1."""
    return [
        v
        for v in HTML_VECTORS
        if v.isprintable()
        and v.encode("latin-1", "ignore").decode("latin-1") == v
        and "\r" not in v
        and "\n" not in v
    ]


@pytest.mark.parametrize("kinds", list(GROUPS.values()), ids=list(GROUPS))
async def test_no_vector_runs_in_any_output(tmp_path, upstream, feedhub_service, browser, kinds):
    sources = serve_all(upstream, ROUNDS, kinds)
    for i, vector in enumerate(admin_vectors()):
        upstream.routes[f"/admin-fault/{i}"] = _reason(vector)
        sources[f"fault-{i}"] = {"type": "feed", "url": upstream.url(f"/admin-fault/{i}")}
    widgets = {
        name: {"sources": members, "limit": 200}
        for kind in kinds
        for name, members in widget_groups(kind).items()
    }
    config = make_config(
        tmp_path,
        {
            "storage": {"backend": "memory"},
            "fetch": {"concurrency": 64, "per_host": 64, "timeout": "120s"},
            "sources": sources,
            "widgets": widgets,
        },
    )
    bad_config = write_config(tmp_path, {"widgets": {v: {"sources": [v]} for v in ALL[:40]}})
    running = await feedhub_service(config, config_path=bad_config)
    svc = running.service
    await asyncio.gather(*(svc.polling.poll(sid) for sid in sources))
    assert not await svc.reloads.reload()  # refused: its messages quote the hostile keys on /admin

    for sid in sources:
        state = svc.states[sid]
        if sid.startswith("fault-"):
            assert state.errors == 1
        else:  # a source that failed would prove nothing: its fields never reached a page
            assert state.errors == 0 and state.item_count > 0, (sid, state.last_error)
    rendered = await _static_checks(running, widgets)
    assert rendered >= ROUNDS * len(kinds) * 2  # at least two items per source made it out

    host = await _host_server(running, widgets)
    ours = (str(running.client.make_url("/")), str(host.make_url("/")))
    context, page, hits = await watched_context(browser, ours)
    outputs = ["/fragments", "/script", "/framed", "/feeds"]
    audits: dict[str, list[str]] = {}
    try:
        for path in outputs:
            await page.goto(str(host.make_url(path)), wait_until="load")
            if path == "/script":
                await page.wait_for_function(
                    f"document.querySelectorAll('[data-feedhub]').length === {len(widgets)} && "
                    "[...document.querySelectorAll('[data-feedhub]')].every("
                    "d => d.shadowRoot && d.shadowRoot.querySelector('.fh'))"
                )
            await page.wait_for_timeout(600)  # timers, animations, meta refresh
            audits[path] = await _audit_frames(page, ours)
        for path in ("/admin", "/"):
            await page.goto(str(running.client.make_url(path)), wait_until="load")
            await page.wait_for_timeout(300)
            audits[path] = await _audit_frames(page, ours)
        admin_html = (await running.get("/admin"))[1]
    finally:
        await context.close()
        await host.close()

    assert not hits, "script ran:\n" + "\n".join(
        f"{h}\n  vector: {vector_of(h)!r}" for h in hits[:20]
    )
    for path, bad in audits.items():
        assert not bad, f"{path}: dangerous markup survived:\n" + "\n".join(bad[:20])
    # The admin page did receive the hostile text, escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in admin_html
    assert "onerror=alert(3)" in admin_html and "<img src=x onerror" not in admin_html


async def watched_context(browser: Any, ours: tuple[str, ...]) -> tuple[Any, Any, list[str]]:
    """A browser context whose every frame runs HOOK first and only reaches our servers."""
    hits: list[str] = []
    context = await browser.new_context()
    await context.expose_binding("__xssReport", lambda source, msg: hits.append(msg))
    await context.add_init_script(HOOK)

    async def only_local(route: Any) -> None:
        if route.request.url.startswith(ours):
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", only_local)
    page = await context.new_page()
    page.on(
        "dialog", lambda d: (hits.append(f"dialog {d.message}"), asyncio.ensure_future(d.dismiss()))
    )
    return context, page, hits


async def test_the_hook_and_audit_catch_what_they_must(browser):
    """The control: unsanitized vectors in a page are seen running, and seen in the DOM."""
    vectors = (
        "<img src=x onerror=alert(3)>",
        '<a href="javascript:alert(21)">x</a>',
        "<svg><animate onbegin=alert(37) attributeName=x dur=1s>",
    )
    blocked = "<script>alert(1)</script>"

    async def serve(request: web.Request) -> web.Response:
        csp = request.path == "/csp"
        return web.Response(
            text="<!doctype html><body>" + (blocked if csp else "".join(vectors)),
            content_type="text/html",
            headers={"Content-Security-Policy": "script-src 'none'"} if csp else {},
        )

    app = web.Application()
    app.router.add_get("/{any}", serve)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    context, page, hits = await watched_context(browser, (str(server.make_url("/")),))
    try:
        await page.goto(str(server.make_url("/plain")), wait_until="load")
        await page.wait_for_timeout(300)
        audit = await _audit_frames(page, (str(server.make_url("/")),))
        await page.goto(str(server.make_url("/csp")), wait_until="load")
        await page.wait_for_timeout(300)
    finally:
        await context.close()
        await server.close()
    assert any(h.startswith("alert(3)") for h in hits), hits
    assert any(h.startswith("alert(37)") for h in hits), hits
    assert any(h.startswith("blocked script-src") for h in hits), hits
    assert any("onerror" in a for a in audit) and any("javascript:" in a for a in audit)
    assert vector_of("alert(37) in http://x/") == vectors[2]


def _reason(vector: str) -> Any:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=502, reason=vector)

    return handler


async def _static_checks(running: Any, widgets: dict[str, Any]) -> int:
    """Feed outputs stay well-formed; returns how many items the fragments rendered."""
    count = 0
    for name in widgets:
        status, fragment, _ = await running.get(f"/w/{name}.html")
        assert status == 200
        count += fragment.count('class="fh-item')
        assert "alert(" in fragment, f"{name}: no vector reached the widget, neutralized or not"
        for fmt in FEED_FORMATS:
            status, body, _ = await running.get(f"/w/{name}.{fmt}")
            assert status == 200, (name, fmt)
            if fmt == "json":
                json.loads(body)
            else:
                try:
                    ET.fromstring(body.encode())  # a vector must not break the XML
                except ET.ParseError as exc:
                    line, col = exc.position
                    near = body.splitlines()[line - 1][col - 80 : col + 40]
                    raise AssertionError(f"{name}.{fmt}: {exc}: {near!r}") from None
    return count


async def _audit_frames(page: Any, ours: tuple[str, ...]) -> list[str]:
    """Audit every frame of ours; any other frame (an allowed video player, its load refused
    by the test's network rule) holds no content of ours, and its iframe was audited."""
    found = []
    for frame in page.frames:
        if not frame.url.startswith(ours):
            continue
        try:
            found += [
                f"{frame.url}: {b}" for b in await asyncio.wait_for(frame.evaluate(AUDIT), 10)
            ]
        except Exception as exc:  # never hide a frame that could not be looked at
            found.append(f"{frame.url}: could not be audited ({exc!r})")
    return found


async def _host_server(running: Any, widgets: dict[str, Any]) -> TestServer:
    """Another origin's pages embedding the widgets every way the service offers."""
    base = str(running.client.make_url("")).rstrip("/")
    fragments = "".join([(await running.get(f"/w/{name}.html"))[1] for name in widgets])
    pages = {
        "/fragments": fragments,  # as a server-side include puts them
        "/script": "".join(f'<div data-feedhub="{n}"></div>' for n in widgets)
        + f'<script src="{base}/w/{next(iter(widgets))}.js" async></script>',
        "/framed": "".join(f'<iframe src="{base}/w/{n}"></iframe>' for n in widgets),
        "/feeds": "".join(
            f'<iframe src="{base}/w/{n}.{fmt}"></iframe>' for n in widgets for fmt in FEED_FORMATS
        ),
    }

    async def serve(request: web.Request) -> web.Response:
        body = pages[request.path]
        return web.Response(
            text=f"<!doctype html><html><head><meta charset=utf-8>"
            f"<title>host</title></head><body>{body}</body></html>",
            content_type="text/html",
        )

    app = web.Application()
    for path in pages:
        app.router.add_get(path, serve)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server
