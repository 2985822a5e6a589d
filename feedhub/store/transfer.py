"""`feedhub store copy --to URL`: the configured store's contents into another backend.

Between two stores of one kind the copy is the backup's, so every table or key comes along
as it is. Between SQLite and Redis it goes through the store interface, source by source:
each source's fetch state (with what adapters keep in it, such as renewed tokens) and items.
What a backend holds beyond those is named, never dropped silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from feedhub.config import StorageConfig
from feedhub.store.base import Store

# What the store interface carries, in each backend's terms (tables; kinds of keys).
CARRIED_TABLES = {"items", "state", "media_records"}
CARRIED_KINDS = {"items", "ranked", "states", "lease", "schema", "media_records"}


class BadTarget(ValueError):
    """A `--to` that names no store feedhub can write."""


def parse_target(url: str, prefix: str) -> StorageConfig:
    """`sqlite:///abs/path`, `sqlite:relative/path` or `redis://host:port/db`."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite" and parts.path and not parts.netloc:
        return StorageConfig(backend="sqlite", path=parts.path)
    if parts.scheme in ("redis", "rediss", "unix") and (parts.netloc or parts.path):
        return StorageConfig(backend="redis", url=url, prefix=prefix)
    raise BadTarget(f"--to {url!r}: expected sqlite:///path/to/file.sqlite3, "
                    "sqlite:relative/path or redis://host:port/db")


def same_place(a: StorageConfig, b: StorageConfig, base_dir: str) -> bool:
    """Whether two storage settings name one store (a copy onto itself would empty it)."""
    if a.backend != b.backend:
        return False
    if a.backend == "sqlite":
        return (Path(base_dir) / a.path).resolve() == (Path(base_dir) / b.path).resolve()
    return (a.url, a.prefix) == (b.url, b.prefix)


@dataclass
class CopyReport:
    sources: int = 0
    items: int = 0
    left_out: list[str] = field(default_factory=list)  # what the interface does not carry

    def lines(self, target: str) -> list[str]:
        out = [f"copied {self.sources} sources ({self.items} items with their fetch "
               f"state) to {target}"]
        out += [f"  not carried: {what}" for what in self.left_out]
        return out


async def is_empty(store: Store) -> bool:
    """No source recorded yet: a copy into it loses nothing."""
    return not await store.all_states()


async def copy_records(source: Store, target: Store) -> CopyReport:
    """Every source's fetch state and items, from one open store into another."""
    report = CopyReport()
    for sid, state in sorted((await source.all_states()).items()):
        items = await source.get_items(sid)
        await target.save(sid, state, items)
        report.sources += 1
        report.items += len(items)
    # What the media cache knows of each image URL (the files stay in media.dir).
    for text in await source.media_records():
        record = json.loads(text)
        await target.put_media(record["url"], record.get("digest", ""), text)
    return report


def left_out(tables: list[str] | None = None, kinds: set[str] | None = None) -> list[str]:
    """The tables or kinds of keys a copy between backends would not carry."""
    names = [f"table {t}" for t in tables or () if t not in CARRIED_TABLES]
    return names + [f"keys {k}:*" for k in sorted(kinds or ()) if k not in CARRIED_KINDS]
