"""Storage backends behind one interface (`base.Store`): items and fetch state per source.

`memory` (nothing survives a restart), `sqlite` (the default: one file, WAL mode) and `redis`
(several replicas: shared items and state, poll leases, change notices). A new backend is a
module here, a `Store` subclass, and a name in `open_store`.
May import: models, config.
"""

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
