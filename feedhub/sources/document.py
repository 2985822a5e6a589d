"""How a feed document was served, as both XML readers (feedparser, the fast path) take it."""

from __future__ import annotations

from collections.abc import Mapping


def is_http(url: str) -> bool:
    return url[:8].lower().startswith(("http://", "https://"))


def response_headers(url: str, headers: Mapping[str, str] | None) -> dict[str, str]:
    """The headers a document is read with (feedparser's `response_headers`): the answer's
    Content-Type, Content-Location and Content-Language as the fetcher gave them, its address
    as the base where they name none. A local file has none: its relative links wait for the
    channel's link (`entries.build_parsed`), and no missing Content-Type makes it suspect."""
    found = dict(headers or {})
    if is_http(url):
        found.setdefault("content-location", url)
    return found
