"""The two HTML formats: the fragment (server-side includes, the embed script) and the framed
page."""

from __future__ import annotations

from markupsafe import Markup

from feedhub.publish.assets import script
from feedhub.publish.render import Rendered, Renderer, WidgetView, csp_hash


def write_fragment(r: Renderer, view: WidgetView) -> Rendered:
    # A fragment travels alone (server-side include, embed script): its styles go with it.
    body = f"<style>{r.css(view.theme)}</style>\n" + r.template(view, "widget.html")
    return Rendered(body.encode(), "text/html; charset=utf-8")


def write_page(r: Renderer, view: WidgetView) -> Rendered:
    fragment = Markup(r.template(view, "widget.html"))
    body = r.template(view, "page.html", fragment=fragment, frame_js=Markup(script("frame.js")))
    # The framed page runs no script but ours (by hash) and takes styles only from itself;
    # the script may fetch the page again (live updates).
    return Rendered(
        body.encode(),
        "text/html; charset=utf-8",
        {"Content-Security-Policy": page_csp(r.css(view.theme), r.config.server.embed_origins)},
    )


def page_csp(css: str, embed_origins: list[str]) -> str:
    # 'self' too: the publisher page previews every widget in a frame.
    ancestors = " ".join(["'self'", *embed_origins]) if embed_origins else "*"
    return (
        "default-src 'none'; img-src https: http: data:; connect-src 'self'; "
        f"style-src {csp_hash(css)}; script-src {csp_hash(script('frame.js'))}; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )
