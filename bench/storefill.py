"""`python -m bench.storefill [SOURCES] [bench|real] [startup]` (and the `store` group of
`python -m bench`: figures (11) and (11b)): a SQLite store of SOURCES
feeds × 50 items written straight through the store (no upstream, no polling), its size per
item and where the bytes go (SQLite's `dbstat`), the CPU of encoding and decoding an item
row; with `startup`, `feedhub serve` started on it three times, to the first widget that
answers 200 with items.

`bench` items are the polling bench's one-line posts (bench/corpus.py, parsed by the feed
adapter); `real` items are posts of 25-70 words with links and markup, like real ones.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import procs
from bench.corpus import feed
from bench.polling import _first_widget
from bench.report import Figure
from bench.setup import WIDGET, write_config
from feedhub.models import EncodedItems, FetchState, Item, item_json
from feedhub.sources.feed import parse_feed
from feedhub.store.compact import pack
from feedhub.store.rows import decode_items
from feedhub.store.sqlite import SqliteStore

ITEMS = 50
_TEXT = (
    "the of and to in is that for it with as was on be at by this had not are but from or "
    "have an they which one you were her all she there would their we him been has when "
    "who will more no if out so said what up its about into than them can only other new "
    "some could time these two may then do first any my now such like our over man me even "
    "most made after also did many before must through back years where much your way well "
    "down should because each just those people how too little state good very make world "
    "still own see release update server widget feed garden river coffee morning report "
    "meeting photo music"
)
_WORDS = _TEXT.split()


def _real_text(rng: random.Random, source: int, i: int) -> tuple[str, str]:
    """(content_html, summary) of a 25-70-word post with a link or two."""
    words = [rng.choice(_WORDS) for _ in range(rng.randint(25, 70))]
    html, text = [], []
    for n, word in enumerate(words):
        if n % 23 == 7:
            url = f"https://site{rng.randint(0, 999)}.example.com/{source}/{i}/{word}"
            html.append(
                f'<a href="{url}" target="_blank" rel="noopener noreferrer nofollow ugc">{word}</a>'
            )
        else:
            html.append(word)
        text.append(word)
    return "<p>" + " ".join(html) + ".</p>", " ".join(text) + "."


def source_items(source: int, kind: str, template: list[Item]) -> list[Item]:
    """A source's 50 items, made from the parsed template feed with this source's ids."""
    rng = random.Random(source)
    out = []
    for i, base in enumerate(template):
        changes: dict[str, object] = {
            "id": f"{source:06d}{base.id[6:]}",
            "source": f"s{source}",
            "url": base.url.replace("blog0.", f"blog{source}."),
            "title": f"Post {i} of blog {source} (v0)",
        }
        if kind == "real":
            changes["content_html"], changes["summary"] = _real_text(rng, source, i)
        out.append(dataclasses.replace(base, **changes))  # type: ignore[arg-type]
    return out


async def fill(path: Path, sources: int, kind: str) -> None:
    template = parse_feed(feed(0), "http://127.0.0.1:1/feed/0.xml", "s0")[0]
    store = SqliteStore(path)
    await store.open()
    try:
        for n in range(sources):
            items = source_items(n, kind, template)
            encoded = EncodedItems.of(items)
            state = FetchState(
                etag='"x"',
                next_check=time.time() + 86400,  # nothing due: start-up serves what is stored
                last_success=time.time(),
                digest=encoded.digest,
                item_count=len(items),
            )
            await store.save(f"s{n}", state, items, encoded)
    finally:
        await store.close()


def where_bytes_go(path: Path) -> dict[str, int]:
    import sqlite3

    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2"))
    except sqlite3.OperationalError:  # dbstat not compiled in
        return {}
    finally:
        db.close()


def cpu_per_item(kind: str, count: int = 5000) -> dict[str, float]:
    template = parse_feed(feed(0), "http://127.0.0.1:1/feed/0.xml", "s0")[0]
    items = [it for n in range(count // ITEMS) for it in source_items(n, kind, template)]
    texts = [item_json(it) for it in items]
    started = time.process_time()
    rows = [pack(t, it.id, it.source) for t, it in zip(texts, items, strict=True)]
    packed = time.process_time() - started
    started = time.process_time()
    decode_items(rows, [(it.id, it.source) for it in items])
    compact = time.process_time() - started
    started = time.process_time()
    decode_items(texts)
    plain = time.process_time() - started
    assert decode_items(rows[:50], [(it.id, it.source) for it in items[:50]])[0] == items[:50]
    return {
        "json_bytes": sum(map(len, texts)) / len(texts),
        "row_bytes": sum(map(len, rows)) / len(rows),
        "pack_us": packed / len(items) * 1e6,
        "decode_compact_us": compact / len(items) * 1e6,
        "decode_json_us": plain / len(items) * 1e6,
    }


def startups(folder: Path, sources: int, runs: int = 3) -> list[float]:
    port = procs.free_port()
    config = write_config(folder, port=port, upstream_port=procs.free_port(), sources=sources)
    url = f"http://127.0.0.1:{port}/w/{WIDGET}.html"
    times = []
    for _ in range(runs):
        proc = procs.start(["-m", "feedhub", "serve", "-c", str(config)])
        try:
            times.append(_first_widget(url, proc))
        finally:
            procs.stop(proc)
    return times


SCALE = 10_000  # sources: the 500,000 items
SIZE_TARGET_MB = 250.0


def run(notes: list[str]) -> list[Figure]:
    """(11) the file at 10,000 sources x 50 items, both kinds of items; (11b) start-up to the
    first widget with them stored (bench items)."""
    figures = []
    for kind in ("bench", "real"):
        folder = Path(tempfile.mkdtemp(prefix="feedhub-bench-store-"))
        asyncio.run(fill(folder / "feedhub.sqlite3", SCALE, kind))
        size = (folder / "feedhub.sqlite3").stat().st_size / 1e6
        figures.append(
            Figure(
                f"(11) SQLite file, {SCALE:,} sources x {ITEMS} {kind} items",
                size,
                "MB",
                target=f"< {SIZE_TARGET_MB:.0f} MB",
                met=size < SIZE_TARGET_MB,
            )
        )
        if kind == "bench":
            start = statistics.median(startups(folder, SCALE))
            figures.append(
                Figure(
                    f"(11b) start to first widget with items, {SCALE:,} sources stored",
                    start,
                    "s",
                    target="< 2 s",
                    met=start < 2,
                )
            )
        shutil.rmtree(folder)
    cpu = cpu_per_item("real")
    notes.append(
        f"(11): bench/storefill.py writes {SCALE:,} sources of {ITEMS} items through the SQLite "
        "store (no upstream): `bench` items are the polling bench's one-line posts, `real` "
        "ones 25-70 words with links. A compact item row (feedhub.store.compact) takes "
        f"{cpu['row_bytes']:.0f} bytes for {cpu['json_bytes']:.0f} bytes of JSON (real items); "
        f"encoding one costs {cpu['pack_us']:.0f} µs of CPU, decoding one into an Item "
        f"{cpu['decode_compact_us']:.0f} µs against {cpu['decode_json_us']:.0f} µs from JSON. "
        f"(11b): `feedhub serve` started 3 times on the bench store; as (5), median."
    )
    return figures


def main(argv: list[str]) -> int:
    sources = int(argv[0]) if argv else 1000
    kind = argv[1] if len(argv) > 1 else "bench"
    folder = Path(tempfile.mkdtemp(prefix="feedhub-bench-store-"))
    path = folder / "feedhub.sqlite3"
    started = time.monotonic()
    asyncio.run(fill(path, sources, kind))
    size = path.stat().st_size
    out: dict[str, object] = {
        "sources": sources,
        "kind": kind,
        "fill_s": round(time.monotonic() - started, 1),
        "file_mb": round(size / 1e6, 1),
        "bytes_per_item": round(size / (sources * ITEMS)),
        "tables": where_bytes_go(path),
        "cpu": {k: round(v, 1) for k, v in cpu_per_item(kind).items()},
    }
    if "startup" in argv:
        times = startups(folder, sources)
        out["startup_s"] = [round(t, 3) for t in times]
        out["startup_median_s"] = round(statistics.median(times), 3)
    out["store"] = str(path)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
