"""Reading config.yaml: `${VAR}` interpolation, validation, and every problem with its path."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from feedhub.config.fields import NAME_RE, mask_secrets
from feedhub.config.platforms import PLATFORMS
from feedhub.config.schema import BUILTIN_WIDGETS_DIR, SECRET_KEY, Config, config_model, theme_names
from feedhub.config.yamlsafe import MAX_BYTES, YAMLLimitError, decode, load_yaml


class ConfigError(Exception):
    """A config file that cannot be used; `problems` lists every one, each with its path."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def interpolate(
    node: Any,
    path: str,
    env: dict[str, str],
    problems: list[str],
    used: dict[str, str] | None = None,
) -> Any:
    """Replace `${VAR}` and `${VAR:-default}` in every string of the tree; `used` collects
    the variables taken from the environment, so messages can mask their values."""
    used = {} if used is None else used
    if isinstance(node, dict):
        return {k: interpolate(v, _join(path, k), env, problems, used) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, f"{path}[{i}]", env, problems, used) for i, v in enumerate(node)]
    if not isinstance(node, str):
        return node

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            used[name] = env[name]
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
    if len(parts) >= 3 and parts[0] == "sources" and parts[2] in PLATFORMS:
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
        return f"type must be one of {', '.join(PLATFORMS.types())}, got {ctx.get('tag')!r}"
    if kind == "union_tag_not_found":
        return f"type is required (one of {', '.join(PLATFORMS.types())})"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {value!r}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{err['msg'].lower().replace('input should be', 'must be')}, got {value!r}"
    return f"{err['msg'].lower().replace('input should be', 'must be')}, got {value!r}"


def parse_config(data: Any, base_dir: str = ".", env: dict[str, str] | None = None) -> Config:
    """Validate a config tree; raise ConfigError listing every problem with its path."""
    problems: list[str] = []
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(["(top level): must be a mapping of sections (server, sources, ...)"])
    used: dict[str, str] = {}
    data = interpolate(data, "", dict(os.environ) if env is None else env, problems, used)
    data["base_dir"] = base_dir
    config = None
    try:
        config = config_model().model_validate(data)
    except ValidationError as exc:
        problems += [f"{_error_path(e['loc'])}: {_error_message(e)}" for e in exc.errors()]
    # Cross-references are checked on the raw tree, so they are listed with the rest.
    problems += _cross_checks(data, base_dir)
    key = (os.environ if env is None else env).get(SECRET_KEY, "")
    if config is not None:
        problems += secret_key_problems(key, config.stored_sources())
    if problems or config is None:
        raise ConfigError([mask_secrets(p, used) for p in problems])
    config._env_values = used
    config._secret_key = key
    return config


def secret_key_problems(key: str, stored: list[str]) -> list[str]:
    """What is wrong with FEEDHUB_SECRET_KEY, the key of the tokens kept in the store."""
    if not key:
        if not stored:
            return []
        return [
            f"{SECRET_KEY} is not set: sources {', '.join(stored)} keep their token in the"
            f" store (token: stored), encrypted with it. Set {SECRET_KEY} to the key they were"
            " connected with (a new key: `feedhub accounts key`)"
        ]
    from cryptography.fernet import Fernet  # here: only a config with a key loads it

    try:
        Fernet(key.encode())
    except ValueError:
        return [
            f"{SECRET_KEY}: not a key (32 random bytes in URL-safe base64, 44 characters;"
            " `feedhub accounts key` prints a new one)"
        ]
    return []


APPROVERS = ("mastodon_favourites", "bluesky_likes")  # what `approve_from` may name


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
    for sid, source in sources.items():
        if not NAME_RE.match(str(sid)):
            problems.append(f"sources.{sid}: ids may use letters, digits, '-' and '_' only")
        lang = _mapping(source).get("lang")
        if isinstance(lang, str) and lang and not valid_locale(lang):
            problems.append(f"sources.{sid}.lang: unknown language {lang!r} (e.g. fr, en, pt-BR)")
    for name, widget in _mapping(data.get("widgets")).items():
        if not NAME_RE.match(str(name)):
            problems.append(f"widgets.{name}: names may use letters, digits, '-' and '_' only")
        elif name == "index":  # /w/index.json is the list of widgets
            problems.append("widgets.index: the name 'index' is taken by /w/index.json")
        widget = _mapping(widget)
        refs = widget.get("sources")
        for i, sid in enumerate(refs if isinstance(refs, list) else []):
            if sid not in sources:
                problems.append(f"widgets.{name}.sources[{i}]: unknown source {sid!r}")
        approvers = widget.get("approve_from")
        for i, sid in enumerate(approvers if isinstance(approvers, list) else []):
            kind = _mapping(sources.get(sid)).get("type")
            if kind not in APPROVERS:
                problems.append(
                    f"widgets.{name}.approve_from[{i}]: {sid!r} is not a source of type"
                    f" {' or '.join(APPROVERS)}"
                )
        trusted = widget.get("trusted")
        for i, sid in enumerate(trusted if isinstance(trusted, list) else []):
            if not isinstance(refs, list) or sid not in refs:
                problems.append(
                    f"widgets.{name}.trusted[{i}]: {sid!r} is not one of the widget's sources"
                )
        theme = widget.get("theme", "sidebar")
        if isinstance(theme, str) and theme not in themes:
            problems.append(
                f"widgets.{name}.theme: no theme {theme!r} (have: {', '.join(sorted(themes))})"
            )
        locale = widget.get("locale", "en")
        if isinstance(locale, str) and not valid_locale(locale):
            problems.append(f"widgets.{name}.locale: unknown locale {locale!r}")
        others = widget.get("locales")
        for i, other in enumerate(others if isinstance(others, list) else []):
            if not isinstance(other, str) or not valid_locale(other):
                problems.append(f"widgets.{name}.locales[{i}]: unknown locale {other!r}")
    return problems


def valid_locale(name: str) -> bool:
    from babel import Locale, UnknownLocaleError

    if not re.match(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$", name):
        return False
    try:
        Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def read_settled(path: str | Path, settle: float = 0.25, tries: int = 40) -> bytes:
    """The file's bytes once it has stopped changing: the same size, mtime and inode before
    and after a `settle` pause, and a read that saw exactly that file whole. An editor's
    truncate-then-write, or a writer in progress, is waited out instead of parsed half-way."""
    path = Path(path)
    for _ in range(tries):
        before = _stamp(path.stat())
        time.sleep(settle)
        with path.open("rb") as f:
            opened = _stamp(os.fstat(f.fileno()))
            raw = f.read(MAX_BYTES + 1)  # never more than the limit, whatever the file holds
            after = _stamp(os.fstat(f.fileno()))
        if before == opened == after == _stamp(path.stat()) and (
            len(raw) == after[1] or len(raw) > MAX_BYTES
        ):
            return raw
    raise ConfigError([f"{path}: the file kept changing while it was read; try again"])


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def load_config(
    path: str | Path, env: dict[str, str] | None = None, *, settle: float | None = None
) -> Config:
    """Read and validate a config file; with `settle`, only once it has stopped changing
    (see `read_settled`: what a reload of a running daemon reads)."""
    path = Path(path)
    try:
        if settle is None:
            with path.open("rb") as f:
                raw = f.read(MAX_BYTES + 1)  # never more than the limit
        else:
            raw = read_settled(path, settle)
        data = load_yaml(decode(raw))
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read the file: {exc.strerror}"]) from None
    except YAMLLimitError as exc:
        raise ConfigError([f"{path}: {exc}"]) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f":{where.line + 1}:{where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([f"{path}{at}: not valid YAML: {problem}"]) from None
    if settle is not None and data is None:
        raise ConfigError([f"{path}: the file is empty"])
    return parse_config(data, base_dir=str(path.resolve().parent), env=env)
