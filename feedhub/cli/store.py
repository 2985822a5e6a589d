"""`feedhub store …`: check, back up, restore, recover, set aside and copy the store.

Each is safe while the daemon serves: reads are online (SQLite's WAL, Redis itself), and
what would replace a SQLite file under a running daemon is refused until it is stopped.
What each does is the backend's own (`Store.maintenance()`, see feedhub/store/base.py); this
module parses the arguments, calls it and prints what it says.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from feedhub.cli.common import CONFIG_HELP, AddCommand, load, loop_runner
from feedhub.config import Config
from feedhub.store.base import Outcome, Refused
from feedhub.store.errors import StoreDamaged, describe, store_errors
from feedhub.store.files import StoreInUse
from feedhub.store.operations import BadTarget, maintenance_for
from feedhub.store.operations import copy as copy_store
from feedhub.store.operations import restore as restore_store

Action = Callable[[Config, argparse.Namespace], Coroutine[Any, Any, Outcome]]


def register(add: AddCommand) -> None:
    parser = add("store", "check, back up, restore, recover, set aside or copy the store")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, help: str, run: Action) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("-c", "--config", default=argparse.SUPPRESS, help=CONFIG_HELP)
        p.set_defaults(func=lambda args: _run(run, args))
        return p

    action("check", "integrity and schema version; exit 1 saying what is wrong", check)
    p = action("backup", "write an online, consistent copy to FILE", backup)
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    action("restore", "replace the store with a backup FILE", restore).add_argument("file")
    action("recover", "save every readable row of a damaged SQLite file into a new one", recover)
    action("quarantine", "set the store aside so the next start re-polls from empty", quarantine)
    p = action("copy", "copy the store into another backend (sqlite:///path, redis://…)", copy)
    p.add_argument("--to", required=True, metavar="URL", help="the store to copy into")
    p.add_argument("--prefix", help="redis: the key prefix there (default: the configured one)")
    p.add_argument(
        "--force",
        action="store_true",
        help="copy even if the target holds data (what it had is replaced)",
    )


def _run(run: Action, args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return 1
    try:
        with loop_runner() as runner:
            outcome = runner.run(run(config, args))
    except StoreDamaged as exc:
        print(exc.message(args.config), file=sys.stderr)
        return 1
    except (Refused, StoreInUse, BadTarget) as exc:
        print(f"feedhub store {args.action}: {exc}", file=sys.stderr)
        return 1
    except (*store_errors(), ValueError) as exc:  # type: ignore[misc]
        print(f"feedhub store {args.action}: {describe(exc)}", file=sys.stderr)
        return 1
    print("\n".join(outcome.lines))
    return 0 if outcome.ok else 1


async def check(config: Config, args: argparse.Namespace) -> Outcome:
    return await maintenance_for(config.storage, config.base_dir, "check").check()


async def backup(config: Config, args: argparse.Namespace) -> Outcome:
    if Path(args.file).exists() and not args.force:
        raise Refused(f"{args.file} exists; add --force to replace it")
    return await maintenance_for(config.storage, config.base_dir, "backup").backup(Path(args.file))


async def restore(config: Config, args: argparse.Namespace) -> Outcome:
    return await restore_store(config.storage, config.base_dir, Path(args.file))


async def recover(config: Config, args: argparse.Namespace) -> Outcome:
    return await maintenance_for(config.storage, config.base_dir, "recover").recover()


async def quarantine(config: Config, args: argparse.Namespace) -> Outcome:
    return await maintenance_for(config.storage, config.base_dir, "quarantine").quarantine()


async def copy(config: Config, args: argparse.Namespace) -> Outcome:
    return await copy_store(config.storage, config.base_dir, args.to, args.prefix, args.force)
