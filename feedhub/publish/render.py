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
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_time
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from feedhub.config import BUILTIN_WIDGETS_DIR, Config, WidgetConfig
from feedhub.content.sanitize import safe_url, sanitize_html
from feedhub.models import Item
from feedhub.publish.messages import NETWORK_NAMES, messages_for
from feedhub.publish.themes import theme_css


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
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    return Locale.parse(name.replace("-", "_"))


def local_date(value: datetime | None, locale: str = "en") -> str:
    """A date as people of `locale` write it: "25 nov. 2026, 20:39" in French."""
    if value is None:
        return ""
    loc = _locale(locale)
    day = format_date(value, "medium", locale=loc)
    return f"{day}, {format_time(value, 'short', tzinfo=UTC, locale=loc)}"


def iso_date(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else ""


def _clean(value: str) -> Markup:
    """Mark safe only what the sanitizer produced: content is re-sanitized on its way out."""
    return Markup(sanitize_html(value))


def _url(value: str) -> str:
    return safe_url(value)


def _image(value: str) -> str:
    return safe_url(value, image=True)


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


class Renderer:
    """Owns the Jinja2 environment, the themes' stylesheets and the templates' filters."""

    def __init__(self, config: Config) -> None:
        self.config = config
        dirs = [str(d) for d in config.theme_dirs()]
        self.env = Environment(
            loader=ChoiceLoader(
                [
                    FileSystemLoader(dirs),
                    PrefixLoader({"default": FileSystemLoader(str(BUILTIN_WIDGETS_DIR))}, ":"),
                ]
            ),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            date=local_date, isodate=iso_date, clean=_clean, url=_url, image=_image
        )
        self._css: dict[str, str] = {}
        self.themes = config.theme_names()

    def warm(self, locales: set[str]) -> None:
        """Load what an item's first rendering would load on the way: each locale's date
        data (~10 ms the first time) and the sanitizer's."""
        now = datetime.now(UTC)
        for locale in locales:
            local_date(now, locale)
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
            theme=view.theme,
            public_url=view.public_url,
            css=self.css(view.theme),
            t=messages_for(view.locale),
            networks=NETWORK_NAMES,
            **extra,
        )
