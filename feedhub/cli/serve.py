"""`feedhub serve`: the daemon, reloading its config on SIGHUP or when the file changes."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from pathlib import Path

from feedhub.cli.common import AddCommand, load, loop_runner
from feedhub.config import Config
from feedhub.service import Service
from feedhub.store.errors import StoreDamaged, describe, store_errors

log = logging.getLogger("feedhub")


def register(add: AddCommand) -> None:
    add("serve", "run the daemon (SIGHUP or an edited file reloads the config)").set_defaults(
        func=cmd_serve
    )


def cmd_serve(args: argparse.Namespace) -> int:
    # What start-up builds (the config of every source, their states) lives as long as the
    # process: the collector walking it again and again while it grows is wasted work (~0.1 s
    # of a 10,000-source start). It runs again once serving starts (see `_serve`).
    gc.disable()
    config = load(args)
    if config is None:
        return 1
    try:
        with loop_runner() as runner:
            runner.run(_serve(config, args.config))
    except StoreDamaged as exc:  # the operator's to act on: what, where, the ways on
        print(f"feedhub: not starting: {exc.message(args.config)}", file=sys.stderr)
        return 1
    except store_errors() as exc:
        print(f"feedhub: not starting: cannot open the store: {describe(exc)}", file=sys.stderr)
        return 1
    return 0


async def _serve(config: Config, path: str) -> None:
    from aiohttp import web

    from feedhub.ingest.workers import shutdown
    from feedhub.web.app import SERVICE, create_app

    app = create_app(config, config_path=path)
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=10)
    await runner.setup()
    site = web.TCPSite(runner, config.server.host, config.server.port, reuse_address=True)
    await site.start()
    # What start-up built (modules, config, templates, states) lives as long as the process:
    # kept out of the collector, a full collection no longer stalls requests for ~40 ms.
    gc.freeze()
    gc.enable()
    # A render runs in a thread beside the loop; Python hands the GIL between them every
    # 5 ms by default, which a request waiting on the loop would feel. 1 ms keeps it short.
    sys.setswitchinterval(0.001)
    log.info(
        "serving %d widgets on http://%s:%d/ (public URL %s)",
        len(config.widgets),
        config.server.host,
        config.server.port,
        config.public_url,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    svc = app[SERVICE]
    loop.add_signal_handler(signal.SIGHUP, svc.reloads.soon)
    watcher = asyncio.create_task(_watch(svc, Path(path)))
    await stop.wait()
    log.info("stopping: finishing requests in flight")
    watcher.cancel()
    await runner.cleanup()
    shutdown()
    log.info("stopped")


async def _watch(svc: object, path: Path, every: float = 2.0) -> None:
    """Reload when the config file changes (mtime or size), as SIGHUP does."""

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
            try:
                await svc.reloads.reload()
            except Exception:  # a bug in reading one edit must not end the watching
                log.exception("config reload failed; the running config stays")
