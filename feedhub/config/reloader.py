"""Re-reading config.yaml in a running daemon (SIGHUP, the file watcher): a config is taken
only when it is whole and valid (`restart.refused_on_reload`), once the file has stopped
changing; otherwise it is refused, logged and kept for /admin, and the running one stays.
Settings that cannot change while running wait for a restart, and are listed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from feedhub.config.loader import ConfigError, load_config
from feedhub.config.restart import applicable, needs_restart, refused_on_reload
from feedhub.config.schema import Config

log = logging.getLogger("feedhub")
SETTLE = 0.25  # seconds a config file must stay unchanged before a reload reads it


class Reloader:
    """One reload at a time: reloads asked for while one runs become one more after it."""

    def __init__(
        self,
        path: Path | None,
        current: Callable[[], Config],
        apply: Callable[[Config], Awaitable[None]],
    ) -> None:
        self.path = path
        self._current = current
        self._apply = apply
        self.error = ""  # why the last reload was refused, for /admin and /metrics
        self.needs_restart: list[str] = []  # settings a reload changed that wait for a restart
        self._lock = asyncio.Lock()
        self._wanted = False

    def soon(self) -> None:
        """Reload in a task of its own (SIGHUP), whose failure is logged, not lost."""
        task = asyncio.create_task(self.reload(), name="config reload")
        task.add_done_callback(_log_failure)

    async def reload(self) -> bool:
        """Re-read the config file; a bad one is refused and the running config stays."""
        if self.path is None:
            return False
        self._wanted = True
        async with self._lock:
            if not self._wanted:  # a reload that started after the ask read the file
                return True
            self._wanted = False
            return await self._reload(self.path)

    async def _reload(self, path: Path) -> bool:
        running = self._current()
        try:
            config = await asyncio.to_thread(load_config, path, settle=SETTLE)
            problems = refused_on_reload(running, config)
            if problems:
                raise ConfigError(problems)
        except ConfigError as exc:
            self.error = "\n".join(exc.problems)
            log.error("config reload refused, keeping the running config:\n%s", self.error)
            return False
        self.needs_restart = needs_restart(running, config)
        if self.needs_restart:
            log.warning(
                "config reloaded, but these settings need a restart (the running"
                " values stay until then): %s",
                "; ".join(self.needs_restart),
            )
            config = applicable(running, config)
        self.error = ""
        await self._apply(config)
        log.info(
            "config reloaded: %d sources, %d widgets", len(config.sources), len(config.widgets)
        )
        return True


def _log_failure(task: asyncio.Task[bool]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("config reload failed; the running config stays", exc_info=task.exception())
