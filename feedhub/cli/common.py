"""What the commands share: finding and loading the config with its problems listed, the
event loop, and a one-shot service for commands that do one thing and exit."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Protocol

from feedhub.config import Config, ConfigError, load_config
from feedhub.ingest.workers import shutdown
from feedhub.service import Service


class AddCommand(Protocol):
    """Adds a subcommand and gives its parser; with -c/--config unless `config=False`."""

    def __call__(self, name: str, help: str, *, config: bool = True) -> argparse.ArgumentParser: ...


SYSTEM_CONFIG = Path("/etc/feedhub/config.yaml")
CONFIG_HELP = (
    "the config file (default: ./config.yaml, else $FEEDHUB_CONFIG, else /etc/feedhub/config.yaml)"
)

log = logging.getLogger("feedhub")


def find_config(
    env: Mapping[str, str] | None = None, system: Path = SYSTEM_CONFIG
) -> tuple[str | None, str]:
    """The config file to read without -c and why that one: ./config.yaml, else the file
    $FEEDHUB_CONFIG names, else the system-wide one. (None, what is wrong) if none."""
    env = os.environ if env is None else env
    named = env.get("FEEDHUB_CONFIG", "")
    if Path("config.yaml").is_file():
        return "config.yaml", "in the current folder"
    if named:
        if Path(named).is_file():
            return named, "named by $FEEDHUB_CONFIG"
        return None, f"$FEEDHUB_CONFIG names {named}, which is not a file"
    if system.is_file():
        return str(system), "the system-wide config"
    return None, (
        f"no config file: none in the current folder, $FEEDHUB_CONFIG is not set "
        f"and there is no {system}.\n`feedhub init` writes an example config.yaml "
        f"here (or give -c FILE)"
    )


def load(args: argparse.Namespace) -> Config | None:
    """The config of a command: the file -c names, or the one `find_config` finds (said in
    the log); `args.config` is then the path read. None once every problem is printed."""
    if args.config is None:
        args.config, why = find_config()
        if args.config is None:
            print(why, file=sys.stderr)
            return None
        log.info("reading %s (%s)", args.config, why)
    try:
        return load_config(args.config)
    except ConfigError as exc:
        print(f"{args.config}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def loop_runner() -> asyncio.Runner:
    try:
        import uvloop
    except ImportError:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def known(name: str, kind: str, known: Mapping[str, object], path: str) -> bool:
    """Whether the command line names a source or widget the config has; says so if not."""
    if name in known:
        return True
    print(f"no {kind} {name!r} in {path} (have: {', '.join(known) or 'none'})", file=sys.stderr)
    return False


@contextlib.asynccontextmanager
async def one_shot(config: Config) -> AsyncIterator[Service]:
    """A service for one command: no poller; store and parse workers closed after."""
    svc = Service(config)
    await svc.start(poll=False)
    try:
        yield svc
    finally:
        await svc.stop()
        shutdown()
