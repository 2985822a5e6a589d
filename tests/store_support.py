"""Real SQLite stores for the store tests: filled through the backend, damaged page by page,
and `feedhub` commands run as the operator runs them."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from feedhub.models import FetchState, Item
from feedhub.store.base import Store, opened
from feedhub.store.compact import unpack
from feedhub.store.sqlite import SqliteStore
from tests.conftest import ROOT


def item_data(row: str | bytes) -> dict[str, Any]:
    """An item row's data as the file holds it (compact or JSON text), read without the store."""
    data: dict[str, Any] = json.loads(unpack(row))
    return data


def items_of(sid: str, n: int) -> list[Item]:
    return [
        Item(
            id=f"{sid}-{k}",
            source=sid,
            url=f"https://example.org/{sid}/{k}",
            title=f"Post {k} of {sid}",
            # Words that differ from item to item: compact rows of repeated text would be so
            # small that one page held the rows of several sources.
            content_html="<p>"
            + " ".join(hashlib.sha256(f"{sid}/{k}/{w}".encode()).hexdigest()[:9] for w in range(40))
            + "</p>",
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
        # The id column's text (a row's data may be compact, deflated; its key is not): a page
        # whose rows are all the source's.
        # A row's record holds its source, then its id ("news" "news-3"): whose rows these are.
        rows = {(m[0].decode(), m[1].decode()) for m in re.findall(rb"([a-z]+)(\1-\d+)", chunk)}
        ids = {item_id for _, item_id in rows}
        if ids and {sid for sid, _ in rows} == {source}:
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
