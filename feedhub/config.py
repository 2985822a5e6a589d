"""config.yaml: loading, `${ENV}` interpolation and validation with every problem listed."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from feedhub.units import parse_duration, parse_size

BUILTIN_WIDGETS_DIR = Path(__file__).resolve().parent.parent / "widgets"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
NETWORKS = ("feed", "mastodon", "bluesky", "youtube", "reddit", "x")

Duration = Annotated[float, BeforeValidator(parse_duration)]
Size = Annotated[int, BeforeValidator(parse_size)]


class ConfigError(Exception):
    """A config file that cannot be used; `problems` lists every one, each with its path."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_url: str = ""
    embed_origins: list[str] = []
    widgets_dir: str | None = None

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
        return value.rstrip("/")

    @field_validator("embed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not re.match(r"^https?://[^/\s]+$", origin):
                raise ValueError(f"each origin must be scheme://host[:port], got {origin!r}")
        return value


class StorageConfig(_Strict):
    backend: Literal["memory", "sqlite", "redis"] = "sqlite"
    path: str = "var/feedhub.sqlite3"
    url: str = "redis://127.0.0.1:6379/0"
    prefix: str = "feedhub"
    lease: Duration = 30.0  # redis: how long a replica's right to poll a source lasts


class FetchConfig(_Strict):
    interval: Duration = 900.0
    timeout: Duration = 30.0
    max_bytes: Size = 10 * 1024 * 1024
    concurrency: int = Field(16, ge=1, le=1024)
    per_host: int = Field(2, ge=1, le=64)
    allow_private_addresses: bool = False
    user_agent: str = ""


class AdminConfig(_Strict):
    token: str = ""


class _SourceBase(_Strict):
    interval: Duration | None = None
    timeout: Duration | None = None
    max_bytes: Size | None = None
    base_url: str | None = None

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
        return value.rstrip("/") if value else value


class FeedSource(_SourceBase):
    type: Literal["feed"]
    url: str
    websub: bool = True


class _Timeline(_SourceBase):
    """An account's posts on a network that has replies, reposts and pins."""

    exclude_replies: bool = True
    exclude_reposts: bool = False
    pinned: bool = True


class MastodonSource(_Timeline):
    type: Literal["mastodon"]
    account: str

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        if not re.match(r"^@?[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", value):
            raise ValueError(f"must look like @user@instance.social, got {value!r}")
        return value


class BlueskySource(_Timeline):
    type: Literal["bluesky"]
    handle: str


class YoutubeSource(_SourceBase):
    type: Literal["youtube"]
    channel_id: str

    @field_validator("channel_id")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not re.match(r"^UC[A-Za-z0-9_-]{22}$", value):
            raise ValueError(f"must be a channel id like UCxxxxxxxxxxxxxxxxxxxxxx, got {value!r}")
        return value


class RedditSource(_SourceBase):
    type: Literal["reddit"]
    subreddit: str | None = None
    user: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> RedditSource:
        if bool(self.subreddit) == bool(self.user):
            raise ValueError("give exactly one of subreddit or user")
        return self


class XSource(_SourceBase):
    type: Literal["x"]
    username: str
    bearer_token: str = ""
    user_id: str | None = None
    exclude_replies: bool = True
    exclude_reposts: bool = False

    @field_validator("bearer_token")
    @classmethod
    def _token(cls, value: str) -> str:
        if not value:
            raise ValueError(
                "is required for X: set bearer_token: ${X_BEARER_TOKEN} and export the token"
            )
        return value

    @field_validator("interval")
    @classmethod
    def _floor(cls, value: float | None) -> float | None:
        if value is not None and value < 1800:
            raise ValueError("must be at least 30m for X (the API bills every post read)")
        return value


SourceConfig = Annotated[
    FeedSource | MastodonSource | BlueskySource | YoutubeSource | RedditSource | XSource,
    Field(discriminator="type"),
]


class MoreLink(_Strict):
    label: str
    url: str


class Filters(_Strict):
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


class WidgetConfig(_Strict):
    title: str = ""
    sources: list[str]
    limit: int = 10
    theme: str = "sidebar"
    scheme: Literal["light", "dark", "auto"] = "auto"
    locale: str = "en"
    more: MoreLink | None = None
    filters: Filters = Filters()
    hide: list[str] = []
    pin: list[str] = []

    @field_validator("limit")
    @classmethod
    def _limit(cls, value: int) -> int:
        if not 1 <= value <= 200:
            raise ValueError(f"must be between 1 and 200, got {value}")
        return value

    @field_validator("sources")
    @classmethod
    def _some(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must list at least one source")
        return value


class Config(_Strict):
    server: ServerConfig = ServerConfig()
    storage: StorageConfig = StorageConfig()
    fetch: FetchConfig = FetchConfig()
    admin: AdminConfig = AdminConfig()
    sources: dict[str, SourceConfig] = {}
    widgets: dict[str, WidgetConfig] = {}
    # Where the file lives: relative paths in it are relative to this folder.
    base_dir: str = Field(".", exclude=True)

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


_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def interpolate(node: Any, path: str, env: dict[str, str], problems: list[str]) -> Any:
    """Replace `${VAR}` and `${VAR:-default}` in every string of the tree."""
    if isinstance(node, dict):
        return {k: interpolate(v, _join(path, k), env, problems) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, f"{path}[{i}]", env, problems) for i, v in enumerate(node)]
    if not isinstance(node, str):
        return node

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        problems.append(
            f"{path}: environment variable {name} is not set"
            f" (set it, or give a default: ${{{name}:-default}})"
        )
        return ""

    return _ENV_RE.sub(replace, node)


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _error_path(loc: tuple[int | str, ...]) -> str:
    parts = list(loc)
    # A discriminated union puts the tag in the path: sources.blog.feed.url -> sources.blog.url
    if len(parts) >= 3 and parts[0] == "sources" and parts[2] in NETWORKS:
        del parts[2]
    out = ""
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else _join(out, part)
    return out or "(top level)"


def _error_message(err: Any) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "union_tag_invalid":
        return f"type must be one of {', '.join(NETWORKS)}, got {ctx.get('tag')!r}"
    if kind == "union_tag_not_found":
        return f"type is required (one of {', '.join(NETWORKS)})"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {value!r}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{err['msg'].lower().replace('input should be', 'must be')}, got {value!r}"
    return f"{err['msg'].lower().replace('input should be', 'must be')}, got {value!r}"


def parse_config(
    data: Any, base_dir: str = ".", env: dict[str, str] | None = None
) -> Config:
    """Validate a config tree; raise ConfigError listing every problem with its path."""
    problems: list[str] = []
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(["(top level): must be a mapping of sections (server, sources, ...)"])
    data = interpolate(data, "", dict(os.environ) if env is None else env, problems)
    data["base_dir"] = base_dir
    config = None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems += [f"{_error_path(e['loc'])}: {_error_message(e)}" for e in exc.errors()]
    # Cross-references are checked on the raw tree, so they are listed with the rest.
    problems += _cross_checks(data, base_dir)
    if problems or config is None:
        raise ConfigError(problems)
    return config


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _cross_checks(data: dict[str, Any], base_dir: str) -> list[str]:
    problems = []
    server = _mapping(data.get("server"))
    widgets_dir = server.get("widgets_dir")
    dirs = [BUILTIN_WIDGETS_DIR]
    if isinstance(widgets_dir, str):
        site = Path(base_dir) / widgets_dir  # an absolute widgets_dir stays absolute
        if site.is_dir():
            dirs.insert(0, site)
        else:
            problems.append(f"server.widgets_dir: {widgets_dir!r} is not a folder")
    themes = theme_names(dirs)
    sources = _mapping(data.get("sources"))
    for sid in sources:
        if not NAME_RE.match(str(sid)):
            problems.append(f"sources.{sid}: ids may use letters, digits, '-' and '_' only")
    for name, widget in _mapping(data.get("widgets")).items():
        if not NAME_RE.match(str(name)):
            problems.append(f"widgets.{name}: names may use letters, digits, '-' and '_' only")
        widget = _mapping(widget)
        refs = widget.get("sources")
        for i, sid in enumerate(refs if isinstance(refs, list) else []):
            if sid not in sources:
                problems.append(f"widgets.{name}.sources[{i}]: unknown source {sid!r}")
        theme = widget.get("theme", "sidebar")
        if isinstance(theme, str) and theme not in themes:
            problems.append(
                f"widgets.{name}.theme: no theme {theme!r} (have: {', '.join(sorted(themes))})"
            )
        locale = widget.get("locale", "en")
        if isinstance(locale, str) and not valid_locale(locale):
            problems.append(f"widgets.{name}.locale: unknown locale {locale!r}")
    return problems


def theme_names(dirs: list[Path]) -> set[str]:
    """Themes are the folders of the theme dirs whose names are valid ids (not `_base`)."""
    names: set[str] = set()
    for d in dirs:
        if d.is_dir():
            names |= {p.name for p in d.iterdir() if p.is_dir() and NAME_RE.match(p.name)}
    return names


def valid_locale(name: str) -> bool:
    from babel import Locale, UnknownLocaleError

    if not re.match(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$", name):
        return False
    try:
        Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def load_config(path: str | Path, env: dict[str, str] | None = None) -> Config:
    """Read and validate a config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read the file: {exc.strerror}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f":{where.line + 1}:{where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([f"{path}{at}: not valid YAML: {problem}"]) from None
    return parse_config(data, base_dir=str(path.resolve().parent), env=env)
