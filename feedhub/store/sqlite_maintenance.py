"""`feedhub store …` on a SQLite store: the file checked, copied, restored, recovered or set
aside, always read-only or beside it, and never while another process has it open when it
would be replaced."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

from feedhub.config import StorageConfig
from feedhub.store.backup import SQLITE_MAGIC, copy_sqlite, restore_sqlite
from feedhub.store.base import Maintenance, Outcome, Refused
from feedhub.store.check import check_sqlite, read_only, tables
from feedhub.store.files import move_aside
from feedhub.store.recover import recover_sqlite

# The tables the store interface carries into another backend.
# (when an alert was last sent is not: after a copy, an event may be sent once more.)
CARRIED_TABLES = {"items", "state", "media_records", "accounts", "alert_log", "decisions"}


class SqliteMaintenance(Maintenance):
    backup_noun = "a SQLite backup"
    url_forms = ("sqlite:///path/to/file.sqlite3", "sqlite:relative/path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.place = path.resolve()

    def names(self, url: str, prefix: str) -> StorageConfig | None:
        """`sqlite:///abs/path` or `sqlite:relative/path`."""
        parts = urlsplit(url)
        if parts.scheme == "sqlite" and parts.path and not parts.netloc:
            return StorageConfig(backend="sqlite", path=parts.path)
        return None

    def made(self, path: Path) -> bool:
        with path.open("rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC

    def _existing(self) -> Path:
        if not self.path.exists():
            raise Refused(f"no store at {self.path} yet (the first `feedhub serve` creates it)")
        return self.path

    async def check(self) -> Outcome:
        report = await asyncio.to_thread(check_sqlite, self._existing(), full=True)
        return Outcome(report.lines(), report.ok)

    async def backup(self, target: Path) -> Outcome:
        await asyncio.to_thread(copy_sqlite, self._existing(), target)
        report = await asyncio.to_thread(check_sqlite, target, full=True)
        if not report.ok:
            return Outcome(
                ["the store is damaged, and so is this copy of it:", *report.lines()], ok=False
            )
        return Outcome([f"backed up {self.path} to {target}", *report.lines()])

    async def restore(self, source: Path) -> Outcome:
        previous = await asyncio.to_thread(restore_sqlite, source, self.path)
        kept = [f"the store it replaced is kept as {previous}"] if previous else []
        return Outcome([f"restored {source} into {self.path}", *kept])

    async def recover(self) -> Outcome:
        return Outcome((await asyncio.to_thread(recover_sqlite, self._existing())).lines())

    async def quarantine(self) -> Outcome:
        aside = move_aside(self._existing())
        return Outcome(
            [
                f"moved {self.path} aside to {aside}; the next start begins empty and "
                "polls every source afresh"
            ]
        )

    async def copy(self, target: Maintenance, shown: str, force: bool) -> Outcome:
        assert isinstance(target, SqliteMaintenance)
        if not force and target.path.exists():
            raise Refused(
                f"{target.path} exists; --force replaces it (it is kept as NAME.replaced-<time>)"
            )
        await asyncio.to_thread(restore_sqlite, self._existing(), target.path)
        return Outcome([f"copied {self.path} to {target.path}"])

    async def left_out(self) -> list[str]:
        db = read_only(self._existing())
        try:
            return [f"table {t}" for t in tables(db) if t not in CARRIED_TABLES]
        finally:
            db.close()
