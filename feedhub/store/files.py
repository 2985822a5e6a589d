"""A SQLite store as files: its companions, whether a daemon has it open, moving it aside."""

from __future__ import annotations

import contextlib
import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path

# SQLite's lock bytes (its os_unix.c): every connection to a WAL database holds a read lock
# in this range for as long as it is open, so a write lock on it fails while one is.
_SHARED_FIRST = 0x40000002
_SHARED_SIZE = 510
COMPANIONS = ("-wal", "-shm", "-journal")


class StoreInUse(Exception):
    """Another process (a running `feedhub serve`) has the SQLite file open."""


def stamp(now: datetime | None = None) -> str:
    """The UTC time in names of things set aside: 20261202T145000Z."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def aside_name(path: Path, now: datetime | None = None, why: str = "damaged") -> Path:
    """`NAME.damaged-<UTC time>` beside the store (`replaced` when a restore took its place)."""
    return path.with_name(f"{path.name}.{why}-{stamp(now)}")


def in_use(path: Path) -> bool:
    """Whether another process has the database open (ours must have closed it first)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, _SHARED_SIZE, _SHARED_FIRST, os.SEEK_SET)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, _SHARED_SIZE, _SHARED_FIRST, os.SEEK_SET)
        return False
    finally:
        os.close(fd)


def refuse_if_in_use(path: Path) -> None:
    if in_use(path):
        raise StoreInUse(
            f"{path} is open in another process (is `feedhub serve` running?): stop it first"
        )


def move_aside(path: Path, now: datetime | None = None, why: str = "damaged") -> Path:
    """Rename the database and its WAL and shared-memory files to the aside name, together,
    so the set-aside copy opens with everything it had."""
    refuse_if_in_use(path)
    target = aside_name(path, now, why)
    for suffix in ("", *COMPANIONS):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(target.with_name(target.name + suffix))
    return target


def remove_with_companions(path: Path) -> None:
    """Delete a database file we made and failed to finish, with its companions."""
    for suffix in ("", *COMPANIONS):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()
