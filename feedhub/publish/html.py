"""The two HTML formats: the fragment (server-side includes, the embed script) and the framed
page."""

from __future__ import annotations

from markupsafe import Markup

from feedhub.publish.assets import script
from feedhub.publish.render import Rendered, Renderer, WidgetView, csp_hash


def write_fragment(r: Renderer, view: WidgetView) -> Rendered:
    # A fragment travels alone (server-side include, embed script): its styles go with it.
    css = r.css(view.theme)
    body = f"<style>{css}</style>\n" + r.template(view, "widget.html")
    # Opened on its own (a link to it, or a browser pointed at it), it is a page of our
    # origin: no script at all, and only its own styles.
    return Rendered(body.encode(), "text/html; charset=utf-8",
                    {"Content-Security-Policy": csp(css, r.config.server.embed_origins, "")})


def write_page(r: Renderer, view: WidgetView) -> Rendered:
    fragment = Markup(r.template(view, "widget.html"))
    body = r.template(view, "page.html", fragment=fragment, frame_js=Markup(script("frame.js")))
    # The framed page runs no script but ours (by hash) and takes styles only from itself;
    # the script may fetch the page again (live updates).
    return Rendered(
        body.encode(),
        "text/html; charset=utf-8",
        {"Content-Security-Policy": csp(r.css(view.theme), r.config.server.embed_origins,
                                        script("frame.js"))},
    )


def csp(css: str, embed_origins: list[str], code: str) -> str:
    """The policy of a widget document: its one stylesheet and its one script `code` (none,
    and nothing to fetch, when empty), framed only by the embedding origins."""
    # 'self' too: the publisher page previews every widget in a frame.
    ancestors = " ".join(["'self'", *embed_origins]) if embed_origins else "*"
    scripts = f"connect-src 'self'; script-src {csp_hash(code)}" if code else "script-src 'none'"
    return (
        "default-src 'none'; img-src https: http: data:; "
        f"style-src {csp_hash(css)}; {scripts}; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )
