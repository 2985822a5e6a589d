"""The benchmark's upstream content: many RSS feeds of 50 realistic items each."""

from __future__ import annotations

from email.utils import formatdate

ITEMS = 50
_PARAGRAPH = (
    '<p>A short post with <a href="https://example.org/docs">a link</a> and '
    "<em>some markup</em>, number {n}.</p>"
)


def feed(source: int, version: int = 0, items: int = ITEMS, images: int = 0) -> bytes:
    """An RSS 2.0 feed; `version` changes every item's title, as a changed upstream would.
    The first `images` items carry a photo (an enclosure on the upstream's `/img/`)."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Blog {source}</title><link>https://blog{source}.example.org/</link>"
        f"<description>Posts of blog {source}</description><language>en</language>"
    ]
    base = 1_700_000_000 - source * 97
    for i in range(items):
        n = source * ITEMS + i
        date = formatdate(base - i * 3600, usegmt=True)
        out.append(
            f"<item><title>Post {i} of blog {source} (v{version})</title>"
            f"<link>https://blog{source}.example.org/posts/{i}</link>"
            f"<guid>https://blog{source}.example.org/posts/{i}</guid>"
            f"<pubDate>{date}</pubDate><dc:creator>Author {i % 7}</dc:creator>"
            f"<description><![CDATA[{_PARAGRAPH.format(n=n)}]]></description>"
            + (
                f'<enclosure url="/img/{source}-{i}.jpg" type="image/jpeg" length="0"/>'
                if i < images
                else ""
            )
            + "</item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode()
