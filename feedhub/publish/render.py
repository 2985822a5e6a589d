"""Turning a widget's selected items into bytes: Jinja2 themes for HTML, writers for the rest.

Themes live in `widgets/<theme>/` (and first in `server.widgets_dir`). A theme's
`widget.html` extends `_base/widget.html` and overrides blocks; a site theme may extend a
built-in one with `{% extends "default:sidebar/widget.html" %}`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import segno
from jinja2 import (
    ChoiceLoader,
    PrefixLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from feedhub.config import BUILTIN_WIDGETS_DIR, PLATFORMS, Config, WidgetConfig
from feedhub.content.sanitize import html_to_text, safe_url, sanitize_html
from feedhub.media.markup import Images
from feedhub.models import Item, Profile
from feedhub.publish.dates import compact_number, iso_date, local_date, text_direction
from feedhub.publish.messages import messages_for
from feedhub.publish.themes import ThemeLoader, compiled_templates, theme_css

LINE_CHARS = 40  # characters on a line of a narrow widget, to guess a post's length


@dataclass(frozen=True, slots=True)
class WidgetView:
    """Everything a format needs to render one widget once."""

    name: str
    cfg: WidgetConfig
    items: list[Item]
    theme: str
    locale: str
    limit: int
    public_url: str
    images: Images  # how the items' images and players are written (`/m/` or direct)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    version: str = ""  # the widget's version: live embeds compare it to know a change
    profiles: list[Profile] = field(default_factory=list)  # the accounts its header shows
    next_url: str = ""  # the next page of this format ("": this page is the last)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A writer's output; `formats.render` types it from the table of formats."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = ""


@pass_context
def _date(ctx: Any, value: datetime | None, locale: str = "") -> str:
    """`|date`: in the widget's time zone (a site theme's `date(locale)` keeps working)."""
    return local_date(value, locale or ctx["locale"], ctx["timezone"])


def _titled(item: Item) -> bool:
    """Whether the item's title is shown (and labels its article)."""
    return bool(item.title) and PLATFORMS.has_titles(item.network)


def _clean(value: str) -> Markup:
    """Mark safe only what the sanitizer produced: content is re-sanitized on its way out."""
    return Markup(sanitize_html(value))


def _long(item: Item, lines: int) -> bool:
    """`|long(lines)`: whether the post's text may take more than `lines` lines (a line of
    about 40 characters, each paragraph or break starting one). The page's script drops the
    control from a post that turns out to fit."""
    html = item.content_html
    breaks = html.count("<p") + html.count("<br") + html.count("<li")
    return breaks + len(html_to_text(html)) / LINE_CHARS > lines


def _qr(value: str) -> Markup:
    """`|qr`: a link as a QR code, an SVG drawn here (no outside service), hidden from screen
    readers (the link itself stands beside it); nothing for a link that is not safe."""
    url = safe_url(value)
    if not url:
        return Markup()
    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff", border=2)
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


def _url(value: str) -> str:
    return safe_url(value)


@pass_context
def _compact(ctx: Any, value: int) -> str:
    """`|compact`: a count as the widget's language writes it short ("1,2 k" in French)."""
    return compact_number(value, ctx["locale"])


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


class Renderer:
    """Owns the Jinja2 environment, the themes' stylesheets and the templates' filters."""

    def __init__(self, config: Config) -> None:
        self.config = config
        dirs = [str(d) for d in config.theme_dirs()]
        # Sandboxed: a site theme is a template, not a program (no attribute walks to
        # os or subprocess from a `{{ }}`).
        self.env = SandboxedEnvironment(
            loader=ChoiceLoader(
                [
                    ThemeLoader(dirs),
                    PrefixLoader({"default": ThemeLoader(str(BUILTIN_WIDGETS_DIR))}, ":"),
                ]
            ),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.bytecode_cache = compiled_templates(self.env)
        self.env.filters.update(
            date=_date,
            isodate=iso_date,
            clean=_clean,
            url=_url,
            titled=_titled,
            compact=_compact,
            long=_long,
            qr=_qr,
        )
        self._css: dict[str, str] = {}
        self.themes = config.theme_names()
        # A source's `lang`, for the items whose platform says nothing of their language.
        self.source_langs = {
            sid: s.lang.replace("_", "-") for sid, s in config.sources.items() if s.lang
        }

    def warm(self, locales: set[str]) -> None:
        """Load what an item's first rendering would load on the way: each locale's date
        data (~10 ms the first time) and the sanitizer's."""
        now = datetime.now(UTC)
        for locale in locales:
            local_date(now, locale, self.config.server.timezone)
        _clean('<p><a href="https://example.org/">a</a><img src="https://example.org/i.png">')

    def css(self, theme: str) -> str:
        """The theme's stylesheet: the base one, then those of the themes it extends (once)."""
        if theme not in self._css:
            self._css[theme] = theme_css(self.env, theme)
        return self._css[theme]

    def template(self, view: WidgetView, name: str, **extra: object) -> str:
        tmpl = self.env.select_template([f"{view.theme}/{name}", f"_base/{name}"])
        return tmpl.render(
            widget=view.cfg,
            name=view.name,
            items=view.items,
            locale=view.locale,
            lang=view.locale.replace("_", "-"),
            dir=text_direction(view.locale),
            timezone=self.config.widget_zone(view.name),
            version=view.version,
            live=self.config.live_interval(view.name),
            theme=view.theme,
            public_url=view.public_url,
            css=self.css(view.theme),
            t=messages_for(view.locale),
            networks=PLATFORMS.display_names(),
            source_langs=self.source_langs,
            images=view.images,
            profiles=view.profiles,
            next_url=view.next_url,
            **extra,
        )
