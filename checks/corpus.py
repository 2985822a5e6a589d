"""`make corpus`: feedhub's feed reading against real feeds that nobody here wrote.

Reads `shared/corpus/feeds/` beside the checkout (or `$FEEDHUB_CORPUS/feeds/`): every feed
file goes through the poller's parse path (`parse_feed`, with the headers the file says it was
served with) and through feedparser beside it, then through a widget's selection (the
cross-post merge included). Per project it prints the files, the posts feedparser reads, the
items feedhub stores and shows, the items lost (fewer stored than feedparser's posts, and
stored but not shown), the titles and links that differ from feedparser's, and the crashes
(anything but a ParseError). Then the files that lose items, worst first.

A check for developers, not a test: the corpus is not part of the repository.
"""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import feedparser

from feedhub.config import parse_config
from feedhub.publish.selection import select
from feedhub.sources.base import ParseError
from feedhub.sources.feed import parse_feed

ROOT = Path(__file__).resolve().parent.parent
URL = "https://feeds.example.org/feed"
SKIP = {"MANIFEST.tsv", "README.md"}
TYPES = {
    ".json": "application/feed+json",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
}
_HEADER = re.compile(rb"^Header:\s*([\w-]+):\s*(.+?)\s*$", re.MULTILINE)
_TAG = re.compile(r"<[^>]*>")


def corpus_root() -> Path | None:
    where = os.environ.get("FEEDHUB_CORPUS")
    path = Path(where) if where else ROOT.parent / "shared" / "corpus"
    return path if (path / "feeds").is_dir() else None


def served_headers(path: Path, body: bytes) -> dict[str, str]:
    """The headers a file says it was served with (feedparser's `Header:` lines), else a
    Content-Type from its suffix."""
    head = body[:2048]
    found = (
        {m.group(1).decode().lower(): m.group(2).decode("latin-1") for m in _HEADER.finditer(head)}
        if b"<!--" in head
        else {}
    )
    found.setdefault("content-type", TYPES.get(path.suffix, "application/rss+xml"))
    return found


def plain(text: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", text or "")).split())


def feedparser_posts(body: bytes, headers: dict[str, str]) -> list[dict[str, str]]:
    """The posts a plain feedparser reader shows: its entries less word-for-word repeats."""
    if body.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"{":
        try:
            items = json.loads(body).get("items") or []
        except (ValueError, AttributeError):
            return []
        return [
            {"title": plain(str(it.get("title") or "")), "link": str(it.get("url") or "")}
            for it in items
            if isinstance(it, dict)
        ]
    parsed = feedparser.parse(body, response_headers=headers)
    seen: set[str] = set()
    posts = []
    for entry in parsed.entries:
        key = json.dumps(entry, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            posts.append({"title": plain(entry.get("title", "")), "link": entry.get("link", "")})
    return posts


@dataclass
class Tally:
    files: int = 0
    posts: int = 0
    stored: int = 0
    shown: int = 0
    lost: int = 0
    titles: int = 0
    links: int = 0
    unreadable: int = 0
    crashes: list[str] = field(default_factory=list)


def check_file(path: Path, widget: object, now: datetime) -> tuple[dict[str, int], str]:
    body = path.read_bytes()
    headers = served_headers(path, body)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posts = feedparser_posts(body, headers)
        try:
            items, _ = parse_feed(body, URL, "corpus", headers=headers)
        except ParseError:
            return {"posts": len(posts), "unreadable": 1, "lost": len(posts)}, ""
        except Exception as exc:  # what the check is for: a crash a poll would log
            return {"posts": len(posts)}, f"{type(exc).__name__}: {exc}"[:200]
    shown = select(items, widget, now, len(items) or 1)  # type: ignore[arg-type]
    titles = {plain(it.title) for it in items}
    links = {it.url.rstrip("/") for it in items}
    return {
        "posts": len(posts),
        "stored": len(items),
        "shown": len(shown),
        "lost": max(0, len(posts) - len(items)) + len(items) - len(shown),
        "titles": sum(1 for p in posts if p["title"] and p["title"] not in titles),
        "links": sum(1 for p in posts if p["link"] and p["link"].rstrip("/") not in links),
    }, ""


def main() -> int:
    root = corpus_root()
    if root is None:
        print(
            "no corpus: shared/corpus/feeds/ is not beside this checkout; set FEEDHUB_CORPUS "
            "to the folder that holds feeds/",
            file=sys.stderr,
        )
        return 2
    cfg = parse_config(
        {
            "sources": {"corpus": {"type": "feed", "url": URL}},
            "widgets": {"w": {"sources": ["corpus"], "limit": 100}},
            "media": {"proxy": False},
        },
        base_dir=str(ROOT),
    )
    widget, now = cfg.widgets["w"], datetime(2026, 12, 1, tzinfo=UTC)
    tallies: dict[str, Tally] = {}
    losses: Counter[str] = Counter()
    for project in sorted(p for p in (root / "feeds").iterdir() if p.is_dir()):
        tally = tallies.setdefault(project.name, Tally())
        for path in sorted(p for p in project.rglob("*") if p.is_file() and p.name not in SKIP):
            tally.files += 1
            counts, crash = check_file(path, widget, now)
            name = str(path.relative_to(root / "feeds"))
            if crash:
                tally.crashes.append(f"{name}: {crash}")
            for key, value in counts.items():
                setattr(tally, key, getattr(tally, key) + value)
            if counts.get("lost") and not counts.get("unreadable"):
                losses[name] = counts["lost"]
    print(
        "| project | files | posts (feedparser) | stored | shown | lost | titles differ "
        "| links differ | unreadable | crashes |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, t in tallies.items():
        print(
            f"| {name} | {t.files} | {t.posts} | {t.stored} | {t.shown} | {t.lost} | "
            f"{t.titles} | {t.links} | {t.unreadable} | {len(t.crashes)} |"
        )
    print(
        "\nFiles feedhub reads that lose items (lost: fewer stored than feedparser's posts,"
        " or stored but not shown):"
    )
    for name, lost in losses.most_common(40):
        print(f"  {lost:4d}  {name}")
    for t in tallies.values():
        for crash in t.crashes:
            print(f"CRASH {crash}")
    print("\nRecorded platform answers (shared/corpus/social/) are not checked yet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
