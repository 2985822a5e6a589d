"""Storage backends behind one interface (`base.Store`): items and fetch state per source.

`memory` (nothing survives a restart), `sqlite` (the default: one file, WAL mode) and `redis`
(several replicas: shared items and state, poll leases, change notices). `BACKENDS` is the
one table of them: a new backend is a `Store` subclass in a module here (with its `Maintenance`
for the `feedhub store` commands, see base.py), a row below, and its name in
`StorageConfig.backend`. Each row imports its module only when used: the Redis client costs
a daemon on SQLite time and memory at every start.
May import: models, config.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from feedhub.config import StorageConfig
from feedhub.store.base import Store
from feedhub.store.memory import MemoryStore


def _memory(cfg: StorageConfig, base_dir: str) -> Store:
    return MemoryStore()


def _sqlite(cfg: StorageConfig, base_dir: str) -> Store:
    from feedhub.store.sqlite import SqliteStore

    path = Path(cfg.path)
    return SqliteStore(path if path.is_absolute() else Path(base_dir) / path)


def _redis(cfg: StorageConfig, base_dir: str) -> Store:
    from feedhub.store.redis import RedisStore

    return RedisStore(cfg.url, prefix=cfg.prefix)


# Name (as `storage.backend` spells it) -> the store that storage config describes.
BACKENDS: dict[str, Callable[[StorageConfig, str], Store]] = {
    "memory": _memory,
    "sqlite": _sqlite,
    "redis": _redis,
}


def open_store(cfg: StorageConfig, base_dir: str = ".") -> Store:
    """The backend the config names (not yet opened: no file or connection is made)."""
    make = BACKENDS.get(cfg.backend)
    if make is None:
        raise ValueError(
            f"storage.backend: unknown backend {cfg.backend!r} (one of {', '.join(BACKENDS)})"
        )
    return make(cfg, base_dir)


__all__ = ["BACKENDS", "MemoryStore", "Store", "open_store"]
