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

from dataclasses import dataclass

from ada_url import URL

WEB_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True, slots=True)
class WebURL:
    """A parsed URL without userinfo: its normalized text and the parts checks look at."""

    href: str  # normalized: what feedhub emits
    scheme: str  # lower case, without the colon
    host: str  # lower case, ASCII (punycode); "" for mailto: and the like
    path: str


def parse_url(text: str | None, base: str = "") -> WebURL | None:
    """`text` read as a browser would (relative to `base` if given), or None when a browser
    would not load it or it carries userinfo."""
    if not text:
        return None
    try:
        url = URL(text, base=base) if base else URL(text)
    except ValueError:
        return None
    if url.username or url.password:
        return None
    return WebURL(href=url.href, scheme=url.protocol[:-1], host=url.hostname,
                  path=url.pathname)


def web_url(text: str | None, base: str = "", schemes: frozenset[str] = WEB_SCHEMES
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
