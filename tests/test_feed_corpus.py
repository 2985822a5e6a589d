"""The corpus test: every feed file of the suite, read with the headers it is served with.

- Each file of tests/fixtures/corpus gives exactly the items its `.expected.json` lists.
- No feed that feedparser reads loses an item: as many items as feedparser has entries, less
  only the posts it repeats word for word (JSON Feed: as many as the items that are objects).
- No file, whole or broken (cut short, bytes flipped, served as the wrong type), raises
  anything but ParseError, which a poll records as the source's error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedparser
import pytest

from feedhub.config import FeedSource
from feedhub.sources.base import ParseError
from feedhub.sources.feed import FeedAdapter, parse_feed
from tests.conftest import FIXTURES, Upstream
from tests.source_support import poll_source_fixture  # noqa: F401

URL = "https://feeds.example.org/feed"
CORPUS = FIXTURES / "corpus"
FILES = sorted(
    [
        p
        for p in CORPUS.iterdir()
        if p.suffix in (".rss", ".atom", ".json") and not p.name.endswith(".expected.json")
    ]
    + [
        *(FIXTURES / "feeds").iterdir(),
        FIXTURES / "reddit/new.rss",
        FIXTURES / "youtube/videos.xml",
    ]
)


def name_of(path: Path) -> str:
    return str(path.relative_to(FIXTURES))


def spec_of(path: Path) -> dict[str, Any]:
    spec = path.with_name(f"{path.name}.expected.json")
    return json.loads(spec.read_text(encoding="utf-8")) if spec.exists() else {}


def read_as(path: Path) -> tuple[str, dict[str, str]]:
    """Where the file is read from and the headers it comes with: a local path and none for
    a site's own file, else URL and the Content-Type of its `.expected.json` or its suffix."""
    spec = spec_of(path)
    if spec.get("read_from") == "file":
        return f"/srv/site/public/{path.name}", {}
    types = {
        ".json": "application/feed+json",
        ".atom": "application/atom+xml",
        ".rdf": "application/rdf+xml",
    }
    return URL, {
        "content-type": spec.get("content_type") or types.get(path.suffix, "application/rss+xml")
    }


def broken(body: bytes) -> dict[str, bytes]:
    """Damaged copies of a document, as a network or a bad generator delivers them."""
    return {
        "cut at a third": body[: len(body) // 3],
        "cut one byte short": body[:-1],
        "first half only": body[: len(body) // 2],
        "bytes flipped": bytes(b ^ 0x5A if i % 97 == 13 else b for i, b in enumerate(body)),
        "NUL in the middle": body[: len(body) // 2] + b"\x00" + body[len(body) // 2 :],
        "doubled": body + body,
    }


@pytest.mark.parametrize("path", [p for p in FILES if p.parent == CORPUS], ids=name_of)
def test_corpus_file_gives_the_items_a_reader_expects(path):
    want, (url, headers) = spec_of(path), read_as(path)
    items, _ = parse_feed(path.read_bytes(), url, "src", headers=headers)
    published = [
        it.published.isoformat().replace("+00:00", "Z") if it.published else None for it in items
    ]
    assert [(it.title, it.url, p) for it, p in zip(items, published, strict=True)] == [
        (it["title"], it["url"], it["published"]) for it in want["items"]
    ]
    assert len({it.id for it in items}) == len(items)


def posts_feedparser_reads(body: bytes, headers: dict[str, str]) -> int:
    """How many posts a plain feedparser reader shows: its entries less word-for-word repeats."""
    if body.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"{":
        return sum(isinstance(it, dict) for it in json.loads(body)["items"])
    parsed = feedparser.parse(body, response_headers=headers)
    return len({json.dumps(entry, sort_keys=True, default=str) for entry in parsed.entries})


@pytest.mark.parametrize("path", FILES, ids=name_of)
def test_no_feed_that_feedparser_reads_loses_an_item(path):
    body, (url, headers) = path.read_bytes(), read_as(path)
    items, _ = parse_feed(body, url, "src", headers=headers)
    assert len(items) == posts_feedparser_reads(body, headers) > 0


def damaged_corpus() -> dict[str, tuple[bytes, dict[str, str]]]:
    docs = {}
    for path in FILES:
        body, (_, headers) = path.read_bytes(), read_as(path)
        for how, damaged in broken(body).items():
            docs[f"{name_of(path)} {how}"] = (damaged, headers)
        docs[f"{name_of(path)} as text/html"] = (body, {"content-type": "text/html"})
        docs[f"{name_of(path)} as Shift_JIS"] = (body, {"content-type": "text/xml; charset=sjis"})
        docs[f"{name_of(path)} unknown charset"] = (body, {"content-type": "text/xml; charset=x"})
    return docs


DAMAGED = damaged_corpus()


@pytest.mark.parametrize("name", list(DAMAGED))
def test_no_file_raises_anything_but_a_parse_error(name):
    body, headers = DAMAGED[name]
    for url in (URL, "/srv/site/public/index.xml"):
        try:
            items, _ = parse_feed(body, url, "src", headers=headers)
        except ParseError as exc:
            assert str(exc)
        else:
            assert all(isinstance(it.title, str) and it.id for it in items)


@pytest.mark.parametrize("how", list(broken(b"0123456789")))
async def test_a_broken_answer_is_a_recorded_source_error_or_items(
    upstream: Upstream, poll_source: Any, how
):
    body = (CORPUS / "wordpress-duplicate-guids.rss").read_bytes()
    upstream.set("/feed", broken(body)[how], "application/rss+xml")
    result = await poll_source(
        FeedAdapter("blog", FeedSource(type="feed", url=upstream.url("/feed")))
    )
    assert result.error.startswith("malformed answer from ") or result.items is not None
    assert not result.error or result.items is None
