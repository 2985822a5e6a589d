"""The config file's sections other than `sources:`, and the whole `Config`."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, create_model, field_validator

from feedhub import package_folder
from feedhub.config.alerts import AlertsConfig
from feedhub.config.fields import (
    MAX_ITEMS,
    NAME_RE,
    Duration,
    Size,
    Strict,
    TimeZone,
    mask_secrets,
)
from feedhub.config.platforms import BUILTIN, PLATFORMS, Platform, SourceConfig, source_union
from feedhub.config.server import MetricsConfig, ServerConfig
from feedhub.config.sources import STORED
from feedhub.config.walls import ModerationRules

# widgets/ of the repository, shipped as package data (see setup.py).
BUILTIN_WIDGETS_DIR = package_folder("feedhub.widgets")
LIVE_MIN = 60.0  # seconds: embeds never re-check a widget more often
SECRET_KEY = "FEEDHUB_SECRET_KEY"  # the environment variable of the stored tokens' key
CLAMP_MAX = 12  # lines: widgets/_base/style.css has a rule for each


class StorageConfig(Strict):
    backend: Literal["memory", "sqlite", "redis"] = "sqlite"
    path: str = "var/feedhub.sqlite3"
    url: str = "redis://127.0.0.1:6379/0"
    prefix: str = "feedhub"
    lease: Duration = 30.0  # redis: how long a replica's right to poll a source lasts


class FetchConfig(Strict):
    interval: Duration = 900.0
    timeout: Duration = 30.0
    max_bytes: Size = 10 * 1024 * 1024
    max_items: int = Field(1000, ge=1, le=MAX_ITEMS)  # kept per source, newest first
    max_age: Duration | None = None  # how long a post that left its upstream's answer stays
    recheck: Duration = 6 * 3600.0  # how often posts older than the answer are asked about
    concurrency: int = Field(16, ge=1, le=1024)
    per_host: int = Field(2, ge=1, le=64)
    allow_private_addresses: bool = False
    user_agent: str = ""


class AdminConfig(Strict):
    token: str = ""


class MediaConfig(Strict):
    """The media cache: images fetched, cleaned and served by feedhub itself."""

    proxy: bool = True
    dir: str = "var/media"
    widths: list[int] = [320, 640, 1280]
    max_bytes: Size = 20 * 1000**2
    max_pixels: int = Field(40_000_000, ge=1)
    max_total: Size = 2 * 1000**3
    grace_period: Duration = 7 * 86400.0
    timeout: Duration | None = None  # per image; fetch.timeout when unset
    youtube_player: str = "https://www.youtube-nocookie.com"
    # What one source may ask the cache for: an item's first images, a poll's first new ones
    # (the rest show their alt text; the next poll takes the next ones).
    max_images_per_item: int = Field(8, ge=1, le=1000)
    max_images_per_poll: int = Field(40, ge=1, le=10000)

    @field_validator("widths")
    @classmethod
    def _widths(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("must list at least one width")
        for width in value:
            if not 16 <= width <= 4096:
                raise ValueError(f"each width must be between 16 and 4096 pixels, got {width}")
        return sorted(set(value))

    @field_validator("youtube_player")
    @classmethod
    def _origin(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+$", value):
            raise ValueError(f"must be an origin, scheme://host[:port], got {value!r}")
        return value


class MoreLink(Strict):
    label: str = ""  # "" says "More posts" in the widget's language
    url: str
    qr: bool = False  # the wall theme also shows the link as a QR code


class Filters(Strict):
    include: list[str] = []
    exclude: list[str] = []
    max_age: Duration | None = None

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/"):
                try:
                    re.compile(pattern[1:-1])
                except re.error as exc:
                    raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return value


class WidgetConfig(Strict):
    title: str = ""
    sources: list[str]
    limit: int = 10
    theme: str = "sidebar"
    scheme: Literal["light", "dark", "auto"] = "auto"
    locale: str = "en"
    locales: list[str] = Field([], max_length=8)  # others a `?locale=` may choose
    more: MoreLink | None = None
    filters: Filters = Filters()
    hide: list[str] = []
    pin: list[str] = []
    timezone: TimeZone | None = None  # None: server.timezone
    dates: Literal["absolute", "relative"] = "absolute"
    live: bool | Duration = True  # True: the shortest interval of its sources, at least 60s
    dedupe: bool = True
    counts: bool = True  # replies, reposts and likes, where the platform gives them
    clamp: int | None = None  # lines of a long post before "show more"; None: the theme's
    require_alt: Literal["show", "fold", "hide"] = "show"  # pictures without a description
    header: Literal["full", "compact", "none"] = "none"  # the accounts, above the posts
    # open: every post shows (as before walls); approve: posts of sources not in `trusted`
    # show once approved on /admin/moderation, by a rule of `rules` or by a favourite.
    moderation: Literal["open", "approve"] = "open"
    trusted: list[str] = []
    rules: ModerationRules = ModerationRules()
    # Sources of the site's own favourites or likes: the posts they hold are approved.
    approve_from: list[str] = []

    @property
    def moderated(self) -> bool:
        """Whether decisions and rules apply to this widget."""
        r = self.rules
        return self.moderation == "approve" or bool(
            r.per_author_per_day or r.languages or r.media_required
        )

    @field_validator("live")
    @classmethod
    def _live(cls, value: bool | float) -> bool | float:
        if not isinstance(value, bool) and value < LIVE_MIN:
            raise ValueError(f"must be true, false or a duration of at least 60s, got {value:g}s")
        return value

    @field_validator("limit")
    @classmethod
    def _limit(cls, value: int) -> int:
        if not 1 <= value <= 200:
            raise ValueError(f"must be between 1 and 200, got {value}")
        return value

    @field_validator("clamp")
    @classmethod
    def _clamp(cls, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= CLAMP_MAX:
            raise ValueError(f"must be between 0 (no clamp) and {CLAMP_MAX} lines, got {value}")
        return value

    @field_validator("sources")
    @classmethod
    def _some(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must list at least one source")
        return value


class Config(Strict):
    server: ServerConfig = ServerConfig()
    storage: StorageConfig = StorageConfig()
    fetch: FetchConfig = FetchConfig()
    admin: AdminConfig = AdminConfig()
    metrics: MetricsConfig = MetricsConfig()
    media: MediaConfig = MediaConfig()
    alerts: AlertsConfig = AlertsConfig()
    sources: dict[str, SourceConfig] = {}
    widgets: dict[str, WidgetConfig] = {}
    # Where the file lives: relative paths in it are relative to this folder.
    base_dir: str = Field(".", exclude=True)
    # The values `${VAR}` took from the environment, by name: never shown (see `mask`).
    _env_values: dict[str, str] = PrivateAttr(default_factory=dict)
    # FEEDHUB_SECRET_KEY, as the environment gave it: never shown, never stored.
    _secret_key: str = PrivateAttr(default="")
    _stored: list[str] | None = PrivateAttr(default=None)  # kept by `with_accounts`

    @property
    def secret_key(self) -> str:
        return self._secret_key

    def stored_sources(self) -> list[str]:
        """The sources whose token is connected on /admin and kept in the store."""
        if self._stored is not None:
            return list(self._stored)
        # From the fields' values: a getattr that misses costs a pydantic error per source.
        return [sid for sid, s in self.sources.items() if vars(s).get("token") == STORED]

    def with_accounts(self, accounts: dict[str, dict[str, str]]) -> Config:
        """This config with the connected accounts' values (token, page_id) in place of
        `stored`; a source not connected yet keeps `stored`."""
        sources = dict(self.sources)
        for sid in self.stored_sources():
            if sid in accounts:
                cfg = sources[sid]
                fields = {k: v for k, v in accounts[sid].items() if k in type(cfg).model_fields}
                sources[sid] = cfg.model_copy(update=fields)
        copy = self.model_copy(update={"sources": sources})
        copy._env_values, copy._secret_key = self._env_values, self._secret_key
        copy._stored = self.stored_sources()
        return copy

    def mask(self, text: str) -> str:
        """`text` (an error quoting a URL, say) with the environment's values as `${VAR}`."""
        return mask_secrets(text, self._env_values)

    def resolve(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else Path(self.base_dir) / p

    @property
    def public_url(self) -> str:
        return self.server.public_url or f"http://{self.server.host}:{self.server.port}"

    def theme_dirs(self) -> list[Path]:
        """Theme folders, searched in order: the site's own first, then the built-in ones."""
        dirs = [self.resolve(self.server.widgets_dir)] if self.server.widgets_dir else []
        return [*dirs, BUILTIN_WIDGETS_DIR]

    def theme_names(self) -> set[str]:
        return theme_names(self.theme_dirs())

    def source_interval(self, source_id: str) -> float:
        return self.sources[source_id].interval or self.fetch.interval

    def widget_zone(self, name: str) -> str:
        """The IANA zone a widget's dates are shown in; "" is the host's."""
        zone = self.widgets[name].timezone
        return self.server.timezone if zone is None else zone

    def live_interval(self, name: str) -> int:
        """Seconds between an embed's checks of the widget; 0 when it is not live."""
        live = self.widgets[name].live
        if live is False:
            return 0
        if live is True:
            live = min(self.source_interval(sid) for sid in self.widgets[name].sources)
        return round(max(live, LIVE_MIN))

    def source_max_items(self, source_id: str) -> int:
        return self.sources[source_id].max_items or self.fetch.max_items

    def source_recheck(self, source_id: str) -> float:
        """Seconds between re-checks of a source's posts older than its latest answer."""
        return self.sources[source_id].recheck or self.fetch.recheck

    def source_max_age(self, source_id: str) -> float | None:
        """Seconds a post that left the upstream's answer is kept (None: no limit)."""
        return self.sources[source_id].max_age or self.fetch.max_age


def config_model() -> type[Config]:
    """The model a config file is validated with: `Config` itself, or, once other platforms
    are registered (by a test), a `Config` whose `sources` take the types registered now."""
    return _config_for(tuple(PLATFORMS))


@functools.lru_cache(maxsize=8)
def _config_for(platforms: tuple[Platform, ...]) -> type[Config]:
    if platforms == BUILTIN:
        return Config
    sources: Any = dict[str, source_union(platforms)]  # type: ignore[misc]
    return create_model("Config", __base__=Config, __module__=__name__, sources=(sources, {}))


def theme_names(dirs: list[Path]) -> set[str]:
    """Themes are the folders of the theme dirs whose names are valid ids (not `_base`)."""
    names: set[str] = set()
    for d in dirs:
        if d.is_dir():
            names |= {
                p.name
                for p in d.iterdir()
                if p.is_dir() and not p.is_symlink() and NAME_RE.match(p.name)
            }
    return names
