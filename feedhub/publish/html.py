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
    css = r.css(view.theme)
    body = f"<style>{css}</style>\n" + r.template(view, "widget.html")
    # Opened on its own (a link to it, or a browser pointed at it), it is a page of our
    # origin: no script at all, and only its own styles; a host page applies its own CSP.
    return Rendered(body.encode(), {"Content-Security-Policy": csp(css, r.config, "")})


def write_page(r: Renderer, view: WidgetView) -> Rendered:
    fragment = Markup(r.template(view, "widget.html"))
    body = r.template(view, "page.html", fragment=fragment, frame_js=Markup(script("frame.js")))
    # The framed page runs no script but ours (by hash) and takes styles only from itself;
    # the script may fetch the page again (live updates).
    return Rendered(
        body.encode(),
        {"Content-Security-Policy": csp(r.css(view.theme), r.config, script("frame.js"))},
    )


def image_sources(config: Config) -> str:
    """Where a widget's images come from: feedhub itself, unless the media cache is off."""
    return "'self'" if config.media.proxy else "https: http: data:"


def csp(css: str, config: Config, code: str) -> str:
    """The policy of a widget document: its one stylesheet and its one script `code` (none,
    and nothing to fetch or frame, when empty), framed only by the embedding origins."""
    # 'self' too: the publisher page previews every widget in a frame.
    origins = config.server.embed_origins
    ancestors = " ".join(["'self'", *origins]) if origins else "*"
    if code:
        # A player's origin is framed only after a click on its placeholder (see player.js).
        frames = " ".join(player_origins(config.media.youtube_player))
        scripts = f"connect-src 'self'; frame-src {frames}; script-src {csp_hash(code)}"
    else:
        scripts = "script-src 'none'"
    return (
        f"default-src 'none'; img-src {image_sources(config)}; "
        f"style-src {csp_hash(css)}; {scripts}; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )
