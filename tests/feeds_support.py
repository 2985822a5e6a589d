"""RSS documents built in a test: the one RSS 2.0 builder, and the plain item most tests
poll, serve or push."""

from __future__ import annotations

UTF8_DECL = '<?xml version="1.0" encoding="utf-8"?>\n'
NAMESPACES = (
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:atom="http://www.w3.org/2005/Atom"'
)


def rss(
    *items: str,
    title: str = "Blog",
    link: str = "https://blog.example.org/",
    channel: str = "",
    decl: str = UTF8_DECL,
    attrs: str = "",
) -> bytes:
    """An RSS 2.0 document of `items` (each an <item> element as text), UTF-8 encoded.

    `channel` is more markup inside <channel> before the items, `attrs` more attributes of
    <rss>, `decl` the XML declaration ("" for none); the dc, content, media and atom
    prefixes are always declared."""
    return (
        f'{decl}<rss version="2.0" {NAMESPACES}{attrs}><channel><title>{title}</title>'
        f"<link>{link}</link>{channel}{''.join(items)}</channel></rss>"
    ).encode()


def post(title: str, *, slug: str | None = None, text: str = "") -> str:
    """An <item> titled `title`, its guid and link https://example.org/{slug or title}, with
    a <description> of `text` when there is one."""
    url = f"https://example.org/{title if slug is None else slug}"
    description = f"<description>{text}</description>" if text else ""
    return f"<item><guid>{url}</guid><title>{title}</title><link>{url}</link>{description}</item>"
