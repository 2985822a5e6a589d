"""What can go wrong with a store, said for the operator who has to act on it."""

from __future__ import annotations

import sqlite3
import sys
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

# Every failure SQLite or the file system may raise while reading or writing (a bug raises
# something else); see store_errors() for Redis's.
_FILE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, OSError)


def _redis() -> ModuleType | None:
    """redis-py's exceptions, once the Redis backend has loaded them. Only that backend can
    raise them, and importing the client costs a daemon on SQLite a fifth of its start."""
    return sys.modules.get("redis.exceptions")


def store_errors() -> tuple[type[Exception], ...]:
    """Every failure a backend may raise while reading or writing, for `except` clauses
    (looked up when an exception is matched, so a Redis backend opened later is covered)."""
    redis = _redis()
    return _FILE_ERRORS if redis is None else (*_FILE_ERRORS, redis.RedisError)


WAYS_ON = (
    "to save what can be read into a new file: `feedhub store recover -c {config}`;\n"
    "to set it aside and start over, re-polling every source: "
    "`feedhub store quarantine -c {config}`"
)


class StoreDamaged(Exception):
    """The store's data cannot be trusted: it is damaged or not a feedhub store."""

    def __init__(self, where: str, problems: list[str]) -> None:
        super().__init__(f"{where}: " + "; ".join(problems))
        self.where = where
        self.problems = problems

    def message(self, config: str = "config.yaml") -> str:
        """What the operator reads: the store, what is wrong, and the two ways on."""
        lines = [f"the store {self.where} is damaged:"]
        lines += [f"  {problem}" for problem in self.problems[:10]]
        if len(self.problems) > 10:
            lines.append(f"  … and {len(self.problems) - 10} more")
        lines.append(WAYS_ON.format(config=config))
        return "\n".join(lines)


def describe(exc: BaseException) -> str:
    """A store error in one line: SQLite's own words and code, or Redis's."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorname", "")
        return f"{exc} ({code})" if code else str(exc)
    redis = _redis()
    if redis is None or not isinstance(exc, redis.RedisError):
        return str(exc)
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return f"redis unreachable: {exc}"
    return f"{type(exc).__name__}: {exc}"


def shows_in_ping(exc: BaseException) -> bool:
    """Whether a successful ping proves this fault is over (a connection lost, not a write
    refused: a full disk or a read-only file only shows when a write succeeds again)."""
    if isinstance(exc, ConnectionError):
        return True
    redis = _redis()
    return redis is not None and isinstance(exc, redis.ConnectionError | redis.TimeoutError)


def redact(url: str) -> str:
    """The URL without its password, fit for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + host))
