"""The `feedhub` command: serve, check, fetch, render."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from feedhub import __version__
from feedhub.config import Config, ConfigError, load_config
from feedhub.logs import setup_logging

if TYPE_CHECKING:
    from feedhub.service import Service

log = logging.getLogger("feedhub")


def _load(path: str) -> Config | None:
    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"{path}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def _loop_runner() -> asyncio.Runner:
    try:
        import uvloop
    except ImportError:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def cmd_check(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 1
    print(f"{args.config}: ok ({len(config.sources)} sources, {len(config.widgets)} widgets)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 1
    with _loop_runner() as runner:
        runner.run(_serve(config, args.config))
    return 0


async def _serve(config: Config, path: str) -> None:
    from aiohttp import web

    from feedhub.web.app import SERVICE, create_app
    from feedhub.workers import shutdown

    app = create_app(config, config_path=path)
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=10)
    await runner.setup()
    site = web.TCPSite(runner, config.server.host, config.server.port, reuse_address=True)
    await site.start()
    # What start-up built (modules, config, templates, states) lives as long as the process:
    # kept out of the collector, a full collection no longer stalls requests for ~40 ms.
    gc.freeze()
    log.info("serving %d widgets on http://%s:%d/ (public URL %s)", len(config.widgets),
             config.server.host, config.server.port, config.public_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    svc = app[SERVICE]
    loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(svc.reload()))
    watcher = asyncio.create_task(_watch(svc, Path(path)))
    await stop.wait()
    log.info("stopping: finishing requests in flight")
    watcher.cancel()
    await runner.cleanup()
    shutdown()
    log.info("stopped")


async def _watch(svc: object, path: Path, every: float = 2.0) -> None:
    """Reload when the config file changes (mtime or size), as SIGHUP does."""
    from feedhub.service import Service

    assert isinstance(svc, Service)

    def stamp() -> tuple[int, int]:
        try:
            st = path.stat()
        except OSError:
            return (0, 0)
        return (st.st_mtime_ns, st.st_size)

    seen = stamp()
    while True:
        await asyncio.sleep(every)
        now = stamp()
        if now != seen and now != (0, 0):
            seen = now
            await svc.reload()


def _known(name: str, kind: str, known: Mapping[str, object], path: str) -> bool:
    """Whether the command line names a source or widget the config has; says so if not."""
    if name in known:
        return True
    print(f"no {kind} {name!r} in {path} (have: {', '.join(known) or 'none'})",
          file=sys.stderr)
    return False


def cmd_fetch(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 1
    if not _known(args.source, "source", config.sources, args.config):
        return 2
    with _loop_runner() as runner:
        return runner.run(_fetch(config, args.source, args.json))


@contextlib.asynccontextmanager
async def _one_shot(config: Config) -> AsyncIterator[Service]:
    """A service for one command: no poller; store and parse workers closed after."""
    from feedhub.service import Service
    from feedhub.workers import shutdown

    svc = Service(config)
    await svc.start(poll=False)
    try:
        yield svc
    finally:
        await svc.stop()
        shutdown()


async def _fetch(config: Config, source_id: str, as_json: bool) -> int:
    memory = config.model_copy(update={"storage": config.storage.model_copy(
        update={"backend": "memory"})})
    async with _one_shot(memory) as svc:
        result = await svc.poll(source_id)
        items = await svc.store.get_items(source_id)
    if result.error:
        print(f"{source_id}: {result.error}", file=sys.stderr)
        return 1
    items.sort(key=lambda it: it.sort_time, reverse=True)
    if as_json:
        print(json.dumps([it.to_dict() for it in items], indent=2, ensure_ascii=False))
        return 0
    for it in items:
        when = it.published.strftime("%Y-%m-%d %H:%M") if it.published else "????-??-?? ??:??"
        text = it.title or it.summary
        print(f"{when}  {text[:90]}\n                  {it.url}")
    print(f"{len(items)} items from {source_id}", file=sys.stderr)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 1
    if not _known(args.widget, "widget", config.widgets, args.config):
        return 2
    with _loop_runner() as runner:
        body = runner.run(_render(config, args.widget, args.format, args.fetch))
    if args.output and args.output != "-":
        Path(args.output).write_bytes(body)
    else:
        sys.stdout.buffer.write(body)
    return 0


async def _render(config: Config, name: str, fmt: str, fetch: bool) -> bytes:
    from feedhub.cache import Key
    async with _one_shot(config) as svc:
        if fetch:
            for sid in config.widgets[name].sources:
                await svc.poll(sid)
        widget = config.widgets[name]
        view = await svc.view(Key(name, fmt, widget.limit, widget.locale, widget.theme))
        return svc.renderer.render(fmt, view).body


def build_parser() -> argparse.ArgumentParser:
    from feedhub.render import FORMATS

    parser = argparse.ArgumentParser(
        prog="feedhub", description="Self-hosted social feed widgets.")
    parser.add_argument("--version", action="version", version=f"feedhub {__version__}")
    parser.add_argument("--log-format", choices=["text", "json"], default=None,
                        help="log lines as text (default) or JSON (also FEEDHUB_LOG_FORMAT)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug lines too")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("-c", "--config", default="config.yaml",
                       help="the config file (default: config.yaml)")
        return p

    add("serve", "run the daemon (SIGHUP or an edited file reloads the config)").set_defaults(
        func=cmd_serve)
    add("check", "validate the config; exit 1 listing every problem").set_defaults(
        func=cmd_check)
    p = add("fetch", "fetch one source now and print its items")
    p.add_argument("source", help="a source id from the config")
    p.add_argument("--json", action="store_true", help="print the items as JSON")
    p.set_defaults(func=cmd_fetch)
    p = add("render", "render a widget once from the stored items, for static sites")
    p.add_argument("widget", help="a widget name from the config")
    p.add_argument("-f", "--format", default="html", choices=sorted(FORMATS),
                   help="html (fragment, default), page (whole document) or a feed format")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.add_argument("--fetch", action="store_true",
                   help="poll the widget's sources first (and store what they give)")
    p.set_defaults(func=cmd_render)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_format, logging.DEBUG if args.verbose else logging.INFO)
    return int(args.func(args))
