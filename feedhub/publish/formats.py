"""The output formats, in one table: a request's suffix names the writer that renders it."""

from __future__ import annotations

from collections.abc import Callable

from feedhub.publish.embed import write_script
from feedhub.publish.feeds import write_atom, write_json, write_rss
from feedhub.publish.html import write_fragment, write_page
from feedhub.publish.render import Rendered, Renderer, WidgetView

Writer = Callable[[Renderer, WidgetView], Rendered]

FORMATS: dict[str, Writer] = {
    "page": write_page,  # the framed document, /w/{widget}
    "html": write_fragment,
    "js": write_script,
    "json": write_json,
    "atom": write_atom,
    "rss": write_rss,
}
THEMED_FORMATS = frozenset({"page", "html"})  # the only formats whose bytes depend on the theme


def render(renderer: Renderer, fmt: str, view: WidgetView) -> Rendered:
    """The widget's bytes in one format."""
    return FORMATS[fmt](renderer, view)
