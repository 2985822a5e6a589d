"""A SQLite store with a damaged page: `feedhub serve` refuses it in one message and leaves
it as it was; `feedhub store recover` saves every readable row; `quarantine` starts over."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from feedhub.store.check import check_sqlite
from feedhub.store.files import StoreInUse, in_use, move_aside
from feedhub.store.recover import recover_sqlite
from tests.conftest import free_port, write_config
from tests.store_support import damage_items_page, digest, feedhub, fill

SOURCES = {"blog": 60, "news": 60, "talk": 40}


def config_for(tmp_path: Path, port: int) -> Path:
    """Sources whose upstream is gone (a closed port): what is served is what was stored."""
    dead = f"http://127.0.0.1:{free_port()}/feed.xml"
    return write_config(
        tmp_path,
        {
            "server": {"port": port},
            "storage": {"backend": "sqlite", "path": "var/feedhub.sqlite3"},
            "fetch": {"allow_private_addresses": True, "interval": "1h"},
            "sources": {sid: {"type": "feed", "url": dead} for sid in SOURCES},
            "widgets": {sid: {"sources": [sid], "limit": 100} for sid in SOURCES},
        },
    )


def damaged_store(tmp_path: Path) -> tuple[Path, set[str]]:
    db = tmp_path / "var" / "feedhub.sqlite3"
    asyncio.run(fill(db, SOURCES))
    return db, damage_items_page(db, "news")


def widget_ids(url: str) -> set[str]:
    with urllib.request.urlopen(url, timeout=5) as resp:
        # Item URLs are https://example.org/{source}/{n}, ids {source}-{n}.
        return {"-".join(item["url"].rsplit("/", 2)[-2:]) for item in json.load(resp)["items"]}


def test_a_damaged_store_stops_serve_with_one_message_and_stays_as_it_was(tmp_path):
    db, _ = damaged_store(tmp_path)
    before = digest(db)
    config = config_for(tmp_path, free_port())
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "feedhub", "serve", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert time.monotonic() - started < 10
    assert run.returncode != 0
    out = run.stdout + run.stderr
    assert "Traceback" not in out
    assert str(db) in out and "malformed" in out
    assert f"feedhub store recover -c {config}" in out
    assert f"feedhub store quarantine -c {config}" in out
    assert digest(db) == before

    check = feedhub("store", "check", "-c", str(config))
    assert check.returncode == 1, check.stdout + check.stderr
    assert "DAMAGED" in check.stdout and "Traceback" not in check.stderr
    assert digest(db) == before


def test_recover_saves_the_readable_items_and_serve_then_serves_them(tmp_path, daemon):
    db, lost = damaged_store(tmp_path)
    assert 0 < len(lost) < SOURCES["news"]
    damaged = digest(db)
    port = free_port()
    config = config_for(tmp_path, port)

    run = feedhub("store", "recover", "-c", str(config))
    assert run.returncode == 0, run.stderr
    saved = SOURCES["news"] - len(lost)
    assert f"source news: {saved} of 60 items saved, {len(lost)} lost" in run.stdout
    assert "source blog: 60 of 60 items saved; fetch state saved" in run.stdout
    assert "source talk: 40 of 40 items saved" in run.stdout
    (kept,) = db.parent.glob("feedhub.sqlite3.damaged-*[0-9]Z")
    assert str(kept) in run.stdout
    assert digest(kept) == damaged
    assert check_sqlite(db, full=True).ok

    serving = daemon(config, port)
    news = widget_ids(f"{serving.url}/w/news.json")
    assert news == {f"news-{k}" for k in range(60)} - lost
    assert len(widget_ids(f"{serving.url}/w/blog.json")) == 60


def test_damage_to_the_index_alone_loses_no_item(tmp_path):
    db = tmp_path / "feedhub.sqlite3"
    asyncio.run(fill(db, SOURCES))
    con = sqlite3.connect(db)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    (page,) = con.execute(
        "SELECT pageno FROM dbstat WHERE name = 'items_order'"
        " AND pagetype = 'leaf' ORDER BY pageno LIMIT 1"
    ).fetchone()
    con.close()
    raw = bytearray(db.read_bytes())
    raw[(page - 1) * size : page * size] = bytes(size)
    db.write_bytes(bytes(raw))
    assert not check_sqlite(db, full=True).ok

    report = recover_sqlite(db)
    assert report.items == {sid: (n, n) for sid, n in SOURCES.items()}
    assert report.tables["items"].gaps == 0
    assert check_sqlite(db, full=True).ok


def test_quarantine_sets_the_files_aside_and_serve_starts_empty(tmp_path, daemon):
    db, _ = damaged_store(tmp_path)
    damaged = digest(db)
    port = free_port()
    config = config_for(tmp_path, port)
    run = feedhub("store", "quarantine", "-c", str(config))
    assert run.returncode == 0, run.stderr
    assert not db.exists()
    (kept,) = db.parent.glob("feedhub.sqlite3.damaged-*[0-9]Z")
    assert digest(kept) == damaged
    serving = daemon(config, port)
    assert widget_ids(f"{serving.url}/w/news.json") == set()


def test_recover_and_quarantine_refuse_a_store_another_process_has_open(tmp_path):
    db = tmp_path / "feedhub.sqlite3"
    asyncio.run(fill(db, {"blog": 3}))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sqlite3, sys, time\n"
                f"db = sqlite3.connect({str(db)!r}); db.execute('SELECT * FROM state').fetchall()\n"
                "print('open', flush=True); time.sleep(30)"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        assert in_use(db)
        for attempt in (recover_sqlite, move_aside):
            try:
                attempt(db)
            except StoreInUse as exc:
                assert "feedhub serve" in str(exc)
            else:
                raise AssertionError(f"{attempt.__name__} ran on a store in use")
        assert db.exists()
    finally:
        holder.kill()
        holder.wait()
    assert not in_use(db)
