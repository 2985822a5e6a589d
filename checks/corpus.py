"""`make corpus`: feedhub's feed reading against real feeds that nobody here wrote.

Reads `shared/corpus/feeds/` beside the checkout (or `$FEEDHUB_CORPUS/feeds/`): every feed
file goes through the poller's parse path (`parse_feed`, with the headers the file says it was
served with) and through feedparser beside it, then through a widget's selection (the
cross-post merge included). Per project it prints the files, the posts feedparser reads, the
items feedhub stores and shows, the items lost (fewer stored than feedparser's posts, and
stored but not shown), the posts of documents feedhub refuses on purpose (each with its
reason), the titles and links that differ from feedparser's, and the crashes (anything but a
ParseError). Then every file that loses items, is refused, or differs, one line each.

Then the recorded platform answers of `shared/corpus/social/` (`checks.social`). The exit
status is 1 when anything crashed or lost a post. docs/corpus.md explains each difference.

A check for developers, not a test: the corpus is not part of the repository.
"""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import feedparser

from checks.social import report as social_report
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


def same_words(text: str) -> str:
    """A title as compared: spaces left out (an inline tag between two words, "₹</span>4",
    leaves a space in one reader's text and none in the other's)."""
    return "".join(text.split())


def web_link(link: str) -> str:
    """A link as compared, in the normal form a browser gives it: absolute (resolved against
    the feed's address), scheme and host in lower case, non-ASCII characters percent-encoded,
    no trailing slash. A link that is no web address (a URN, a tag: id) stays as written."""
    link = urljoin(URL, link.strip())
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https"):
        return link
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, parts.query, "")).rstrip("/")


def feedparser_posts(body: bytes, headers: dict[str, str]) -> list[dict[str, str]]:
    """The posts a plain feedparser reader shows: its entries, less repeats of the same words
    (entries equal in id, title, link, text and date, which only attributes such as `xml:lang`
    tell apart)."""
    if body.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"{":
        try:
            items = json.loads(body).get("items") or []
        except (ValueError, AttributeError):
            return []
        return [
            {"title": str(it.get("title") or ""), "link": str(it.get("url") or "")}
            for it in items
            if isinstance(it, dict)
        ]
    parsed = feedparser.parse(body, response_headers=headers)
    seen: set[str] = set()
    posts = []
    for entry in parsed.entries:
        text = entry.get("summary", "")
        text += "".join(c.get("value", "") for c in entry.get("content", []))
        shown = [entry.get(k, "") for k in ("id", "title", "link", "published", "updated")]
        key = json.dumps([*shown, plain(text)], default=str)
        if key not in seen:
            seen.add(key)
            detail = entry.get("title_detail") or {}
            title = entry.get("title", "")
            title = plain(title) if "html" in (detail.get("type") or "") else title
            posts.append({"title": title, "link": entry.get("link", "")})
    return posts


def linked(link: str, links: set[str]) -> bool:
    """Whether an item has this link: the same web address, or, for a relative link (which
    a JSON Feed resolves against its home page, not the feed's address), one ending in it."""
    if web_link(link) in links:
        return True
    relative = not urlsplit(link.strip()).scheme
    tail = "/" + quote(link.strip().lstrip("/"), safe="/%:@!$&'()*+,;=-._~")
    return relative and any(known.endswith(tail) for known in links)


@dataclass
class Tally:
    files: int = 0
    posts: int = 0
    stored: int = 0
    shown: int = 0
    lost: int = 0
    refused: int = 0
    titles: int = 0
    links: int = 0
    unreadable: int = 0
    crashes: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """One file: its counts, and what the report lists of it."""

    counts: dict[str, int]
    crash: str = ""
    notes: list[str] = field(default_factory=list)


def check_file(path: Path, widget: object, now: datetime) -> Outcome:
    body = path.read_bytes()
    headers = served_headers(path, body)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posts = feedparser_posts(body, headers)
        try:
            items, _ = parse_feed(body, URL, "corpus", headers=headers)
        except ParseError as exc:
            notes = [f"refused ({len(posts)} posts): {exc}"[:160]] if posts else []
            return Outcome({"posts": len(posts), "unreadable": 1, "refused": len(posts)}, "", notes)
        except Exception as exc:  # what the check is for: a crash a poll would log
            return Outcome({"posts": len(posts)}, f"{type(exc).__name__}: {exc}"[:200])
    shown = select(items, widget, now, len(items) or 1)  # type: ignore[arg-type]
    titles = {same_words(it.title) for it in items}
    links = {web_link(it.url) for it in items if it.url}
    title_diffs = [p["title"] for p in posts if same_words(p["title"]) not in titles]
    link_diffs = [p["link"] for p in posts if p["link"] and not linked(p["link"], links)]
    lost = max(0, len(posts) - len(items)) + len(items) - len(shown)
    notes = [f"lost {lost}"] if lost else []
    notes += [f"title {t[:60]!r} is not among {sorted(titles)[:2]!r}" for t in title_diffs]
    notes += [f"link {u[:70]!r} is not among {sorted(links)[:2]!r}" for u in link_diffs]
    counts = {
        "posts": len(posts),
        "stored": len(items),
        "shown": len(shown),
        "lost": lost,
        "titles": len(title_diffs),
        "links": len(link_diffs),
    }
    return Outcome(counts, "", notes)


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
    notes: list[str] = []
    for project in sorted(p for p in (root / "feeds").iterdir() if p.is_dir()):
        tally = tallies.setdefault(project.name, Tally())
        for path in sorted(p for p in project.rglob("*") if p.is_file() and p.name not in SKIP):
            tally.files += 1
            outcome = check_file(path, widget, now)
            name = str(path.relative_to(root / "feeds"))
            if outcome.crash:
                tally.crashes.append(f"{name}: {outcome.crash}")
            for key, value in outcome.counts.items():
                setattr(tally, key, getattr(tally, key) + value)
            notes += [f"  {name}: {note}" for note in outcome.notes]
    print(
        "| project | files | posts (feedparser) | stored | shown | lost | refused "
        "| titles differ | links differ | unreadable files | crashes |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, t in tallies.items():
        print(
            f"| {name} | {t.files} | {t.posts} | {t.stored} | {t.shown} | {t.lost} | "
            f"{t.refused} | {t.titles} | {t.links} | {t.unreadable} | {len(t.crashes)} |"
        )
    print("\nEvery file that loses posts, is refused, or differs from feedparser:")
    print("\n".join(notes) or "  none")
    bad = 0
    for t in tallies.values():
        for crash in t.crashes:
            print(f"CRASH {crash}")
        bad += t.lost + len(t.crashes)
    bad += social_report(root)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
