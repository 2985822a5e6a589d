"""Item mapping helpers for the platforms that give plain text: captions as HTML with their
hashtags, mentions and links made links, absolute URLs from an instance's paths, and the
per-source choice between hiding and folding sensitive posts."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import quote, urljoin

from feedhub.content.sanitize import safe_url
from feedhub.models import Item

LinkFor = Callable[[str], str]  # a tag or a user name -> the platform's page for it
# A URL, a @mention (user, or user@host on the fediverse) or a #hashtag, each at a word start.
_TOKEN_RE = re.compile(
    r"(?P<url>https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]])"
    r"|(?<![\w@/])@(?P<user>[A-Za-z0-9_.]{1,64}(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?)"
    r"|(?<![\w&#/])#(?P<tag>\w{1,100})"
)


def caption_html(
    caption: str, tag_url: LinkFor | None = None, user_url: LinkFor | None = None
) -> str:
    """Plain text as HTML: escaped, paragraphs and line breaks kept, links linked, and
    hashtags and mentions linked to the platform's pages when it has them."""
    out, pos = [], 0
    for m in _TOKEN_RE.finditer(caption):
        href = ""
        if m.group("url"):
            href = safe_url(m.group("url"))
        elif m.group("user") and user_url:
            href = user_url(m.group("user").rstrip("."))
        elif m.group("tag") and tag_url:
            href = tag_url(m.group("tag"))
        if not href:
            continue
        out.append(html.escape(caption[pos : m.start()]))
        out.append(f'<a href="{html.escape(href)}">{html.escape(m.group(0))}</a>')
        pos = m.end()
    out.append(html.escape(caption[pos:]))
    joined = "".join(out).strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", joined) if p.strip()]
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)


def page_link(template: str) -> LinkFor:
    """A LinkFor filling `{}` in `template` with the quoted name."""
    return lambda name: template.format(quote(name))


def quote_block(body_html: str, credit: str, url: str) -> str:
    """A quoted or reblogged post as a block crediting its author (`credit` is plain text)."""
    href = safe_url(url)
    who = html.escape(credit)
    link = f'<a href="{html.escape(href)}">{who}</a>' if href else who
    return f"<blockquote>{body_html}<p>— {link}</p></blockquote>"


def instance_url(base: str, path: object, *, image: bool = False) -> str:
    """An instance's relative path (PeerTube, Lemmy) as an absolute, safe URL."""
    if not isinstance(path, str) or not path:
        return ""
    return safe_url(urljoin(base + "/", path), image=image)


def keep_sensitive(items: list[Item], mode: str) -> list[Item]:
    """The items a source shows: `hide` leaves sensitive posts out, `fold` keeps them
    folded behind their warning (the item's `sensitive` / `content_warning`)."""
    if mode == "fold":
        return items
    return [it for it in items if not (it.sensitive or it.content_warning)]
