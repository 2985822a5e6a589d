"""Storage backends behind one interface: items and fetch state per source."""

from __future__ import annotations

from feedhub.config import StorageConfig
from feedhub.store.base import Store
from feedhub.store.memory import MemoryStore


def open_store(cfg: StorageConfig, base_dir: str = ".") -> Store:
    """The backend the config names (not yet opened)."""
    if cfg.backend == "memory":
        return MemoryStore()
    if cfg.backend == "sqlite":
        from pathlib import Path

        from feedhub.store.sqlite import SqliteStore

        path = Path(cfg.path)
        return SqliteStore(path if path.is_absolute() else Path(base_dir) / path)
    from feedhub.store.redis import RedisStore

    return RedisStore(cfg.url, prefix=cfg.prefix)


__all__ = ["MemoryStore", "Store", "open_store"]
