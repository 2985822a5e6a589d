"""What can go wrong with a store, said for the operator who has to act on it."""

from __future__ import annotations

import sqlite3

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Every failure a backend may raise while reading or writing (a bug raises something else).
STORE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, RedisError, OSError)

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
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return f"redis unreachable: {exc}"
    return f"{type(exc).__name__}: {exc}" if isinstance(exc, RedisError) else str(exc)


def shows_in_ping(exc: BaseException) -> bool:
    """Whether a successful ping proves this fault is over (a connection lost, not a write
    refused: a full disk or a read-only file only shows when a write succeeds again)."""
    return isinstance(exc, RedisConnectionError | RedisTimeoutError | ConnectionError)
