"""Online backups of a SQLite store and their restore.

The backup API copies every page of the file in one step under a read lock, so the copy is
one consistent moment even while the daemon writes (WAL lets it go on meanwhile). Tables this
code does not know come along as they are. (Redis's backups: redis_dump.py.)
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from feedhub.store.check import check_sqlite, read_only
from feedhub.store.errors import StoreDamaged
from feedhub.store.files import move_aside, refuse_if_in_use, remove_with_companions

SQLITE_MAGIC = b"SQLite format 3\x00"


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file, written beside the target and renamed into place
    (a half-written copy never takes a file's name)."""
    partial = target.with_name(target.name + ".partial")
    remove_with_companions(partial)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = read_only(source)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # The source's WAL mode comes along; a backup is one file, so it leaves WAL.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    except BaseException:
        remove_with_companions(partial)
        raise
    finally:
        src.close()
    partial.replace(target)


def restore_sqlite(backup: Path, path: Path, now: datetime | None = None) -> Path | None:
    """Put a checked backup in the store's place; the store it replaces is kept beside it
    (`NAME.replaced-<time>`), whose name is returned."""
    report = check_sqlite(backup)
    if not report.ok:
        raise StoreDamaged(str(backup), report.problems)
    refuse_if_in_use(path)
    staged = path.with_name(path.name + ".restoring")
    copy_sqlite(backup, staged)
    previous = move_aside(path, now, "replaced") if path.exists() else None
    # Stale WAL or shared-memory files beside a new main file would corrupt it.
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    staged.rename(path)
    return previous
