"""The `feedhub store` commands over every backend: which backend's maintenance does an action,
which made a backup file, which a `--to URL` names, and the copy from one store to another.
All of it asks the backends (`BACKENDS`, each store's `Maintenance`); none names one.
"""

from __future__ import annotations

from pathlib import Path

from feedhub.config import StorageConfig
from feedhub.store import BACKENDS, open_store
from feedhub.store.base import Maintenance, Outcome, Refused
from feedhub.store.errors import redact
from feedhub.store.transfer import copy_across


class BadTarget(ValueError):
    """A `--to` that names no store feedhub can write."""


def _maintenances() -> dict[str, Maintenance]:
    """Every backend's maintenance, of its default storage (nothing is opened or read)."""
    return {name: open_store(StorageConfig(backend=name)).maintenance() for name in BACKENDS}


def maintenance_for(cfg: StorageConfig, base_dir: str, action: str) -> Maintenance:
    """The maintenance of the configured store, refused when its backend does not do `action`."""
    found = open_store(cfg, base_dir).maintenance()
    if not found.does(action):
        able = [name for name, other in _maintenances().items() if other.does(action)]
        raise Refused(f"not for the {cfg.backend} backend (this works on: {', '.join(able)})")
    return found


def backup_kind(path: Path) -> str:
    """Which backend a backup file was made by."""
    every = _maintenances()
    for name, each in every.items():
        if each.made(path):
            return name
    nouns = [each.backup_noun for each in every.values() if each.backup_noun]
    raise ValueError(f"{path} is neither {' nor '.join(nouns)}")


async def restore(cfg: StorageConfig, base_dir: str, source: Path) -> Outcome:
    """Replace the configured store with a backup its backend made."""
    found = maintenance_for(cfg, base_dir, "restore")
    kind = backup_kind(source)
    if kind != cfg.backend:
        raise Refused(
            f"{source} is a {kind} backup and storage.backend is {cfg.backend}: "
            f"restore it into a {kind} store, then `feedhub store copy --to`"
        )
    return await found.restore(source)


def parse_target(url: str, prefix: str) -> StorageConfig:
    """The storage a `--to URL` names (a Redis one with `prefix`)."""
    every = _maintenances().values()
    for each in every:
        named = each.names(url, prefix)
        if named is not None:
            return named
    forms = [form for each in every for form in each.url_forms]
    raise BadTarget(f"--to {url!r}: expected {', '.join(forms[:-1])} or {forms[-1]}")


async def copy(
    cfg: StorageConfig, base_dir: str, to: str, prefix: str | None, force: bool
) -> Outcome:
    """The configured store's contents into the one `to` names; a target with data is
    replaced only with `force`."""
    target = parse_target(to, prefix or cfg.prefix)
    shown = redact(to)  # from here on only shown
    source = open_store(cfg, base_dir)
    into = open_store(target, base_dir)
    ours = maintenance_for(cfg, base_dir, "copy")
    theirs = into.maintenance()
    if target.backend == cfg.backend and theirs.place == ours.place:
        raise Refused(f"{shown} is the configured store itself")
    if target.backend == cfg.backend:
        return await ours.copy(theirs, shown, force)
    return await copy_across(source, into, shown, force)
