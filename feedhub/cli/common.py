"""What the commands share: loading the config with its problems listed, the event loop,
and a one-shot service for commands that do one thing and exit."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable, Mapping

from feedhub.config import Config, ConfigError, load_config
from feedhub.ingest.workers import shutdown
from feedhub.service import Service

# Adds a subcommand that takes -c/--config: `add(name, help)` gives its parser.
AddCommand = Callable[[str, str], argparse.ArgumentParser]


def load(path: str) -> Config | None:
    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"{path}: {len(exc.problems)} problem(s):", file=sys.stderr)
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
    print(f"no {kind} {name!r} in {path} (have: {', '.join(known) or 'none'})",
          file=sys.stderr)
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


