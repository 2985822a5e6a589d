"""The benchmark's upstream content: many RSS feeds of 50 items each, either one-line posts or
posts of 25 to 70 words with links and markup, as blogs and social accounts write them."""

from __future__ import annotations

import random
from email.utils import formatdate

ITEMS = 50
_PARAGRAPH = (
    '<p>A short post with <a href="https://example.org/docs">a link</a> and '
    "<em>some markup</em>, number {n}.</p>"
)


# Words for the long posts: common English, so the text compresses as a real post's does.
_TEXT = (
    "the of and to in is that for it with as was on be at by this have from or one had not but "
    "what all were when we there can an your which their said if do will each about how up out "
    "them then she many some so these would other into has more her two like him see time could "
    "no make than first been its who now people my made over did down only way find use may "
    "water long little very after words called just where most know get through back much go "
    "good new write our used me man too any day same right look think also around another came "
    "come work three word must because does part even place well such here take why things help "
    "release notes update server widget photo garden city music weekend conference talk"
)
_WORDS = _TEXT.split()


def long_post(n: int) -> str:
    """25 to 70 words in two or three paragraphs, with links, a mention and a hashtag; the
    same text for the same `n`."""
    rng = random.Random(n)
    words = [rng.choice(_WORDS) for _ in range(rng.randint(25, 70))]
    words[rng.randrange(len(words))] = f'<a href="https://example.org/{n}/notes">{words[0]}</a>'
    words[rng.randrange(len(words))] = f'<a href="https://social.example/@user{n % 97}">@user</a>'
    words[rng.randrange(len(words))] = f"<strong>{rng.choice(_WORDS)}</strong>"
    words.append(f'<a href="https://social.example/tags/t{n % 13}">#t{n % 13}</a>')
    cut = sorted(rng.sample(range(1, len(words) - 1), rng.randint(1, 2)))
    paragraphs = [words[a:b] for a, b in zip([0, *cut], [*cut, len(words)], strict=True)]
    return "".join(f"<p>{' '.join(p).capitalize()}.</p>" for p in paragraphs)


def feed(
    source: int, version: int = 0, items: int = ITEMS, images: int = 0, long: bool = False
) -> bytes:
    """An RSS 2.0 feed; `version` changes every item's title, as a changed upstream would.
    The first `images` items carry a photo (an enclosure on the upstream's `/img/`); `long`
    gives every item a post of 25 to 70 words instead of one line."""
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
            f"<description><![CDATA[{long_post(n) if long else _PARAGRAPH.format(n=n)}]]>"
            "</description>"
            + (
                f'<enclosure url="/img/{source}-{i}.jpg" type="image/jpeg" length="0"/>'
                if i < images
                else ""
            )
            + "</item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode()
