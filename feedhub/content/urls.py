"""The one URL model: every URL feedhub checks or emits is read as a browser reads it.

A check made with a different parser than the browser's is a check of a different URL:
`https://evil\\@www.youtube.com/` is on youtube.com for `urllib` and on `evil` for every
browser. So URLs are parsed by the WHATWG URL rules (ada, the parser Node.js uses), which
strip tabs and newlines, read backslashes as slashes in http(s) URLs, decode percent-encoded
hosts and turn numeric hosts into addresses. A URL that carries userinfo (`user:pass@`) is
refused outright: it exists in feeds only to confuse readers, people and programs alike.
What passes is emitted in its normalized form only, the exact string the browser would
re-parse to the same URL, so the checked URL and the loaded one are one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

# ada's C API through its cffi binding: one call per part read, none of the Python wrapper's
# per-attribute dispatch (a feed's parse reads thousands of URLs).
from ada_url._ada_wrapper import ffi, lib

WEB_SCHEMES = frozenset({"http", "https"})
_OMITTED = 0xFFFFFFFF  # ada_url_components' offset of a part the URL does not have
_AT = ord("@")


@dataclass(frozen=True, slots=True)
class WebURL:
    """A parsed URL without userinfo: its normalized text and the parts checks look at."""

    href: str  # normalized: what feedhub emits
    scheme: str  # lower case, without the colon
    host: str  # lower case, ASCII (punycode); "" for mailto: and the like
    path: str


@functools.lru_cache(maxsize=4096)
def parse_url(text: str | None, base: str = "") -> WebURL | None:
    """`text` read as a browser would (relative to `base` if given), or None when a browser
    would not load it or it carries userinfo.

    Cached: a feed's base is read again for each of its links, and a page's URLs recur
    across its items (the answer is immutable, so callers may share it)."""
    if not text:
        return None
    try:
        raw, parent = text.encode(), base.encode()
    except UnicodeError:  # a lone surrogate: no browser gets such a URL from a document
        return None
    url = (
        lib.ada_parse_with_base(raw, len(raw), parent, len(parent))
        if base
        else lib.ada_parse(raw, len(raw))
    )
    try:
        if not lib.ada_is_valid(url) or lib.ada_has_credentials(url):
            return None
        # One copy of the href, its parts cut from it where ada's getters cut them (a
        # getter's answer is a view into the href), instead of one copy per part.
        href = lib.ada_get_href(url)
        buffer: bytes = ffi.unpack(href.data, href.length)
        ends = lib.ada_get_components(url)
        host, host_end = ends.host_start, ends.host_end
        if host_end > host and buffer[host] == _AT:
            host += 1
        path_end = ends.search_start
        if path_end == _OMITTED:
            path_end = ends.hash_start if ends.hash_start != _OMITTED else len(buffer)
        return WebURL(
            href=buffer.decode(),
            scheme=buffer[: ends.protocol_end - 1].decode(),
            host=buffer[host:host_end].decode(),
            path=buffer[ends.pathname_start : path_end].decode(),
        )
    finally:
        lib.ada_free(url)


def web_url(
    text: str | None, base: str = "", schemes: frozenset[str] = WEB_SCHEMES
) -> WebURL | None:
    """`text` as an absolute URL with one of `schemes` (and a host, for http and https)."""
    if base:  # only a web page is a base: `about:`, `file:` never resolve feed URLs
        parent = parse_url(base)
        base = parent.href if parent is not None and parent.scheme in WEB_SCHEMES else ""
    url = parse_url(text, base)
    if url is None or url.scheme not in schemes:
        return None
    if url.scheme in WEB_SCHEMES and not url.host:
        return None
    return url
