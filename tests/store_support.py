"""Real SQLite stores for the store tests: filled through the backend, damaged page by page,
and `feedhub` commands run as the operator runs them."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from feedhub.models import FetchState, Item
from feedhub.store.base import Store, opened
from feedhub.store.sqlite import SqliteStore
from tests.conftest import ROOT


def items_of(sid: str, n: int) -> list[Item]:
    return [
        Item(
            id=f"{sid}-{k}",
            source=sid,
            url=f"https://example.org/{sid}/{k}",
            title=f"Post {k} of {sid}",
            content_html="<p>" + "words " * 60 + "</p>",
        )
        for k in range(n)
    ]


async def fill(path: Path, sources: dict[str, int]) -> None:
    """A store as the daemon leaves it: each source's items and fetch state."""
    store = SqliteStore(path)
    await store.open()
    for sid, n in sources.items():
        await store.save(
            sid,
            FetchState(etag=f'"{sid}-etag"', item_count=n, digest=sid, last_success=1.0),
            items_of(sid, n),
        )
    await store.close()


def damage_items_page(path: Path, source: str) -> set[str]:
    """Overwrite one leaf page of the items table that holds rows of `source` (not its first
    or last page); the ids of the items that page held."""
    db = sqlite3.connect(path)
    size = db.execute("PRAGMA page_size").fetchone()[0]
    pages = [
        p
        for (p,) in db.execute(
            "SELECT pageno FROM dbstat WHERE name = 'items' AND pagetype = 'leaf' ORDER BY pageno"
        )
    ]
    db.close()
    raw = bytearray(path.read_bytes())
    for page in pages[1:-1]:
        chunk = bytes(raw[(page - 1) * size : page * size])
        ids = {m.decode() for m in re.findall(rb'"id":\s*"(' + source.encode() + rb'-\d+)"', chunk)}
        if ids:
            raw[(page - 1) * size : page * size] = b"\xde\xad" * (size // 2)
            path.write_bytes(bytes(raw))
            return ids
    raise AssertionError(f"no inner page of items holds rows of {source}")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def feedhub(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """`feedhub ARGS` in its own process: exit status, standard output and error."""
    return subprocess.run(
        [sys.executable, "-m", "feedhub", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=timeout,
    )


async def fill_store(store: Store, sources: dict[str, int]) -> None:
    """An open store of any backend, as the daemon leaves it: each source's items and state."""
    for sid, n in sources.items():
        await store.save(
            sid,
            FetchState(etag=f'"{sid}-etag"', item_count=n, digest=sid, last_success=1.0),
            items_of(sid, n),
        )


async def counts(store: Store) -> dict[str, int]:
    """Items per source of an unopened store (opened and closed here)."""
    async with opened(store):
        return {sid: len(await store.get_items(sid)) for sid in await store.all_states()}
