"""The output formats, in one table: a request's suffix names the record that renders it.

A format is its writer, the media type it is served as, whether its bytes depend on the
theme, whether other origins may read it (CORS), and whether it is served at
`/w/{widget}.{name}` (the framed page is `/w/{widget}`). The web layer reads this table; a new
format is a writer and one line here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from feedhub.publish.embed import write_script
from feedhub.publish.feeds import write_atom, write_json, write_rss
from feedhub.publish.html import write_fragment, write_page
from feedhub.publish.render import Rendered, Renderer, WidgetView

Writer = Callable[[Renderer, WidgetView], Rendered]


@dataclass(frozen=True, slots=True)
class Format:
    writer: Writer
    media_type: str
    themed: bool = False  # its bytes depend on the theme (so on `?theme=`)
    cross_origin: bool = True  # other origins' scripts may read it
    suffixed: bool = True  # served at /w/{widget}.{name}


UTF8 = "; charset=utf-8"
FORMATS: dict[str, Format] = {
    # The framed document: no other origin reads it, it runs in its own frame.
    "page": Format(write_page, "text/html" + UTF8, themed=True, cross_origin=False, suffixed=False),
    "html": Format(write_fragment, "text/html" + UTF8, themed=True),
    "js": Format(write_script, "text/javascript" + UTF8),
    "json": Format(write_json, "application/feed+json" + UTF8),
    "atom": Format(write_atom, "application/atom+xml" + UTF8),
    "rss": Format(write_rss, "application/rss+xml" + UTF8),
}
THEMED_FORMATS = frozenset(name for name, f in FORMATS.items() if f.themed)


def render(renderer: Renderer, fmt: str, view: WidgetView) -> Rendered:
    """The widget's bytes in one format, typed as the table says."""
    record = FORMATS[fmt]
    return dataclasses.replace(record.writer(renderer, view), content_type=record.media_type)
