"""`feedhub store …`: check, back up, restore, recover, set aside and copy the store.

Each is safe while the daemon serves: reads are online (SQLite's WAL, Redis itself), and
what would replace a SQLite file under a running daemon is refused until it is stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

from feedhub.cli.common import CONFIG_HELP, AddCommand, load, loop_runner
from feedhub.config import Config, StorageConfig
from feedhub.store import Store, open_store
from feedhub.store.backup import (
    backup_kind,
    copy_sqlite,
    dump_redis,
    load_redis,
    move_redis_aside,
    read_dump,
    restore_sqlite,
    write_dump,
)
from feedhub.store.check import check_redis, check_sqlite, read_only, tables
from feedhub.store.errors import StoreDamaged, describe, redact, store_errors
from feedhub.store.files import StoreInUse, move_aside
from feedhub.store.recover import recover_sqlite
from feedhub.store.transfer import (
    BadTarget,
    copy_records,
    is_empty,
    left_out,
    parse_target,
    same_place,
)

Outcome = tuple[list[str], int]  # lines to print, exit status
Action = Callable[[Config, argparse.Namespace], Coroutine[Any, Any, Outcome]]


class Refused(Exception):
    """An action that would lose or mix data, refused with what to do instead."""


def register(add: AddCommand) -> None:
    parser = add("store", "check, back up, restore, recover, set aside or copy the store")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, help: str, run: Action) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("-c", "--config", default=argparse.SUPPRESS, help=CONFIG_HELP)
        p.set_defaults(func=lambda args: _run(run, args))
        return p

    action("check", "integrity and schema version; exit 1 saying what is wrong", check)
    action("backup", "write an online, consistent copy to FILE", backup).add_argument("file")
    action("restore", "replace the store with a backup FILE", restore).add_argument("file")
    action("recover", "save every readable row of a damaged SQLite file into a new one",
           recover)
    action("quarantine", "set the store aside so the next start re-polls from empty",
           quarantine)
    p = action("copy", "copy the store into another backend (sqlite:///path, redis://…)", copy)
    p.add_argument("--to", required=True, metavar="URL", help="the store to copy into")
    p.add_argument("--prefix", help="redis: the key prefix there (default: the configured one)")
    p.add_argument("--force", action="store_true",
                   help="copy even if the target holds data (what it had is replaced)")


def _run(run: Action, args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return 1
    try:
        with loop_runner() as runner:
            outcome: Outcome = runner.run(run(config, args))
    except StoreDamaged as exc:
        print(exc.message(args.config), file=sys.stderr)
        return 1
    except (Refused, StoreInUse, BadTarget) as exc:
        print(f"feedhub store {args.action}: {exc}", file=sys.stderr)
        return 1
    except (*store_errors(), ValueError) as exc:  # type: ignore[misc]
        print(f"feedhub store {args.action}: {describe(exc)}", file=sys.stderr)
        return 1
    print("\n".join(outcome[0]))
    return outcome[1]


def _path(config: Config, storage: StorageConfig | None = None) -> Path:
    return config.resolve((storage or config.storage).path)


def _existing(config: Config) -> Path:
    path = _path(config)
    if not path.exists():
        raise Refused(f"no store at {path} yet (the first `feedhub serve` creates it)")
    return path


def _backend(config: Config, *allowed: str) -> str:
    backend = config.storage.backend
    if backend not in allowed:
        raise Refused(f"not for the {backend} backend (this works on: {', '.join(allowed)})")
    return backend


@contextlib.asynccontextmanager
async def _redis(url: str, *, decode: bool) -> AsyncIterator[Any]:
    import redis.asyncio as aioredis  # here: the client costs every other command its start

    client = aioredis.from_url(url, decode_responses=decode, socket_connect_timeout=2.0)
    try:
        yield client
    finally:
        await client.aclose()


@contextlib.asynccontextmanager
async def _opened(storage: StorageConfig, base_dir: str) -> AsyncIterator[Store]:
    store = open_store(storage, base_dir)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def _announce(storage: StorageConfig, base_dir: str) -> None:
    """Tell running replicas that every source changed under them (Redis only)."""
    async with _opened(storage, base_dir) as store:
        publish = getattr(store, "publish", None)
        if publish is not None:
            for sid, state in (await store.all_states()).items():
                await publish(sid, state.digest)


async def check(config: Config, args: argparse.Namespace) -> Outcome:
    if _backend(config, "sqlite", "redis") == "sqlite":
        report = check_sqlite(_existing(config), full=True)
    else:
        async with _redis(config.storage.url, decode=True) as client:
            report = await check_redis(client, config.storage.prefix, full=True)
    return report.lines(), 0 if report.ok else 1


async def backup(config: Config, args: argparse.Namespace) -> Outcome:
    target = Path(args.file)
    if _backend(config, "sqlite", "redis") == "sqlite":
        copy_sqlite(_existing(config), target)
        report = check_sqlite(target, full=True)
        if not report.ok:
            return ["the store is damaged, and so is this copy of it:", *report.lines()], 1
        return [f"backed up {_path(config)} to {target}", *report.lines()], 0
    async with _redis(config.storage.url, decode=False) as client:
        entries = await dump_redis(client, config.storage.prefix)
    write_dump(target, config.storage.prefix, entries)
    return [f"backed up {len(entries)} keys under {config.storage.prefix!r} to {target}"], 0


async def restore(config: Config, args: argparse.Namespace) -> Outcome:
    source = Path(args.file)
    backend = _backend(config, "sqlite", "redis")
    kind = backup_kind(source)
    if kind != backend:
        raise Refused(f"{source} is a {kind} backup and storage.backend is {backend}: "
                      f"restore it into a {kind} store, then `feedhub store copy --to`")
    if backend == "sqlite":
        previous = restore_sqlite(source, _path(config))
        kept = [f"the store it replaced is kept as {previous}"] if previous else []
        return [f"restored {source} into {_path(config)}", *kept], 0
    entries = read_dump(source)
    prefix = config.storage.prefix
    async with _redis(config.storage.url, decode=False) as client:
        aside, moved = await move_redis_aside(client, prefix, why="replaced")
        await load_redis(client, prefix, entries)
    await _announce(config.storage, config.base_dir)
    kept = [f"the {moved} keys it replaced are kept under {aside!r}"] if moved else []
    return [f"restored {len(entries)} keys from {source} under {prefix!r}", *kept], 0


async def recover(config: Config, args: argparse.Namespace) -> Outcome:
    _backend(config, "sqlite")
    return recover_sqlite(_existing(config)).lines(), 0


async def quarantine(config: Config, args: argparse.Namespace) -> Outcome:
    if _backend(config, "sqlite", "redis") == "sqlite":
        aside = move_aside(_existing(config))
        return [f"moved {_path(config)} aside to {aside}; the next start begins empty and "
                "polls every source afresh"], 0
    prefix = config.storage.prefix
    async with _redis(config.storage.url, decode=False) as client:
        aside_prefix, moved = await move_redis_aside(client, prefix)
    return [f"moved {moved} keys from {prefix!r} to {aside_prefix!r}; the replicas poll "
            "every source afresh"], 0


async def copy(config: Config, args: argparse.Namespace) -> Outcome:
    source = config.storage
    target = parse_target(args.to, args.prefix or source.prefix)
    args.to = redact(args.to)  # from here on only shown
    _backend(config, "sqlite", "redis")
    if same_place(source, target, config.base_dir):
        raise Refused(f"{args.to} is the configured store itself")
    if source.backend == target.backend == "sqlite":
        if not args.force and _path(config, target).exists():
            raise Refused(f"{_path(config, target)} exists; --force replaces it (it is kept "
                          "as NAME.replaced-<time>)")
        restore_sqlite(_existing(config), _path(config, target))
        return [f"copied {_path(config)} to {_path(config, target)}"], 0
    if source.backend == target.backend == "redis":
        async with _redis(source.url, decode=False) as src, \
                _redis(target.url, decode=False) as dst:
            entries = await dump_redis(src, source.prefix)
            if any([k async for k in dst.scan_iter(match=f"{target.prefix}:*", count=100)]):
                if not args.force:
                    raise Refused(f"{args.to} holds keys under {target.prefix!r}; --force "
                                  "replaces them (they are kept under a .replaced- prefix)")
                await move_redis_aside(dst, target.prefix, why="replaced")
            await load_redis(dst, target.prefix, entries)
        await _announce(target, config.base_dir)
        return [f"copied {len(entries)} keys to {args.to} under {target.prefix!r}"], 0
    return await _copy_across(config, target, args)


async def _copy_across(config: Config, target: StorageConfig, args: argparse.Namespace
                       ) -> Outcome:
    """SQLite to Redis or back: through the store interface, source by source."""
    source = config.storage
    if source.backend == "sqlite":
        db = read_only(_existing(config))
        try:
            missing = left_out(tables=tables(db))
        finally:
            db.close()
    else:
        async with _redis(source.url, decode=True) as client:
            keys = [str(k) async for k in client.scan_iter(match=f"{source.prefix}:*")]
        missing = left_out(kinds={k[len(source.prefix) + 1:].split(":", 1)[0] for k in keys})
    async with _opened(source, config.base_dir) as src, \
            _opened(target, config.base_dir) as dst:
        if not args.force and not await is_empty(dst):
            raise Refused(f"{args.to} already holds feedhub data; --force copies over it")
        report = await copy_records(src, dst)
        report.left_out = missing
    if target.backend == "redis":
        await _announce(target, config.base_dir)
    return report.lines(args.to), 0
