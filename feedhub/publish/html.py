"""The two HTML formats: the fragment (server-side includes, the embed script) and the framed
page."""

from __future__ import annotations

from markupsafe import Markup

from feedhub.config import Config
from feedhub.media.players import player_origins
from feedhub.publish.assets import script
from feedhub.publish.render import Rendered, Renderer, WidgetView, csp_hash


def write_fragment(r: Renderer, view: WidgetView) -> Rendered:
    # A fragment travels alone (server-side include, embed script): its styles go with it.
    body = f"<style>{r.css(view.theme)}</style>\n" + r.template(view, "widget.html")
    # Only for a browser that opens the fragment itself; a host page applies its own CSP.
    policy = (f"default-src 'none'; img-src {image_sources(r.config)}; "
              "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
    return Rendered(body.encode(), "text/html; charset=utf-8",
                    {"Content-Security-Policy": policy})


def write_page(r: Renderer, view: WidgetView) -> Rendered:
    fragment = Markup(r.template(view, "widget.html"))
    body = r.template(view, "page.html", fragment=fragment, frame_js=Markup(script("frame.js")))
    # The framed page runs no script but ours (by hash) and takes styles only from itself;
    # the script may fetch the page again (live updates).
    return Rendered(
        body.encode(),
        "text/html; charset=utf-8",
        {"Content-Security-Policy": page_csp(r.css(view.theme), r.config)},
    )


def image_sources(config: Config) -> str:
    """Where a widget's images come from: feedhub itself, unless the media cache is off."""
    return "'self'" if config.media.proxy else "https: http: data:"


def page_csp(css: str, config: Config) -> str:
    # 'self' too: the publisher page previews every widget in a frame.
    origins = config.server.embed_origins
    ancestors = " ".join(["'self'", *origins]) if origins else "*"
    # A player's origin is framed only after a click on its placeholder (see player.js).
    frames = " ".join(player_origins(config.media.youtube_player))
    return (
        f"default-src 'none'; img-src {image_sources(config)}; connect-src 'self'; "
        f"frame-src {frames}; style-src {csp_hash(css)}; "
        f"script-src {csp_hash(script('frame.js'))}; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )
