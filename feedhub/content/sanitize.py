"""One allowlist policy for every piece of upstream HTML, and URL checks for every URL field.

Content is sanitized once, at ingest, by `sanitize_html`; templates may re-apply it (the
`clean` filter) to anything they mark safe. URLs outside HTML (item links, avatars, media)
go through `safe_url`.

Markup that is refused never takes the author's text with it (`_text_kept`, before the
allowlist and before `html_to_text`):
- the text of MathML and SVG stays, as text; the elements themselves stay forbidden;
- literal `<!` text stays (`<!DOCTYPE html>` written about in a post): only a comment, or the
  doctype that opens a whole document, is markup.
Both only ever turn markup into escaped text, and the allowlist still reads the result.
"""

from __future__ import annotations

import html
import re
from contextvars import ContextVar

import nh3

from feedhub.content.structure import bounded, span
from feedhub.content.urls import WEB_SCHEMES, web_url

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "details", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u",
    "ul",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"lang", "title"},
    "a": {"href"},
    "abbr": {"title"},
    "iframe": {"src", "width", "height", "allowfullscreen"},
    "img": {"src", "srcset", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
SET_ATTRIBUTES = {"a": {"target": "_blank"}}
# Attributes every img and iframe gets, in this order. Not through nh3's
# set_tag_attribute_values: it writes several in a different order on every call, and the same
# item must always sanitize to the same bytes (the change check hashes them).
FIXED_ATTRIBUTES = {
    "img": ' loading="lazy" decoding="async" referrerpolicy="no-referrer"',
    "iframe": ' sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"'
    ' loading="lazy" referrerpolicy="strict-origin-when-cross-origin"',
}
# A whole start tag of nh3's output, quoted values included: there a value never holds a `"`
# and text never holds a `<`, so matching every tag from the left never starts inside a value.
_START_TAG_RE = re.compile(r'<([a-z][a-z0-9]*)((?:[^>"]|"[^"]*")*)>')
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Only players that are safe to frame, sandboxed, and only on their embed paths.
_IFRAME_SCHEMES = frozenset({"https"})
IFRAME_HOSTS = {
    "www.youtube.com": "/embed/",
    "www.youtube-nocookie.com": "/embed/",
    "player.vimeo.com": "/video/",
}
_DATA_IMAGE_RE = re.compile(r"^data:image/(png|gif|jpeg|webp|avif);base64,[A-Za-z0-9+/=\s]+$")
_PIXEL_RE = re.compile(
    r'<img\b[^>]*\bwidth="[01]"[^>]*\bheight="[01]"[^>]*>|'
    r'<img\b[^>]*\bheight="[01]"[^>]*\bwidth="[01]"[^>]*>'
)
_SPACE_RE = re.compile(r"\s+")
_EMPTY_IFRAME_RE = re.compile(r"<iframe(?![^>]*\bsrc=)[^>]*>\s*</iframe>")
# `<!` that opens neither a comment nor a whole document's doctype: text, not markup.
_LITERAL_BANG_RE = re.compile(r"<!(?!--|doctype\s[^>]*>\s*<html[\s>])", re.IGNORECASE)
# A MathML or SVG element, up to its end tag (or the end of the fragment).
_FOREIGN_RE = re.compile(
    r"<(math|svg)(?:[\s/][^>]*)?>(.*?)(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)
_HIDDEN_RE = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)
_TAG_RE = re.compile(r"</?[a-zA-Z](?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
# Math reads as one run (a+b); an SVG's texts (title, labels) are separate words.
_FOREIGN_GLUE = {"math": "", "svg": " "}


def safe_url(url: str | None, base: str = "", *, image: bool = False) -> str:
    """An absolute http(s)/mailto URL (or, for images, a raster data: URL) in the normalized
    form a browser reads it in (see `feedhub.content.urls`), else ""."""
    if not url:
        return ""
    url = url.strip()
    if image and url[:5].lower() == "data:":
        return url if _DATA_IMAGE_RE.match(url) else ""
    parsed = web_url(url, base, WEB_SCHEMES if image else LINK_SCHEMES)
    return parsed.href if parsed is not None else ""


def _srcset(value: str, base: str) -> str | None:
    parts = []
    for candidate in value.split(","):
        bits = candidate.split()
        if not bits:
            continue
        url = safe_url(bits[0], base, image=True)
        if not url or "," in url:
            return None
        parts.append(" ".join([url, *bits[1:2]]))
    return ", ".join(parts) or None


def _iframe_src(value: str) -> str | None:
    # The host and path checked are the ones the browser will load: same parser, and the
    # normalized text is what goes out.
    parsed = web_url(value, schemes=_IFRAME_SCHEMES)
    prefix = IFRAME_HOSTS.get(parsed.host) if parsed is not None else None
    if parsed is not None and prefix and parsed.path.startswith(prefix):
        return parsed.href
    return None


def _filter(base: str, tag: str, attr: str, value: str) -> str | None:
    if attr == "href":
        return safe_url(value, base) or None
    if attr == "src":
        if tag == "iframe":
            return _iframe_src(safe_url(value, base))
        return safe_url(value, base, image=True) or None
    if attr == "srcset":
        return _srcset(value, base)
    if attr in ("width", "height"):
        return value if value.isdigit() and len(value) < 6 else None
    if attr in ("colspan", "rowspan"):
        return span(value)
    return value


def _fix_attributes(tag: re.Match[str]) -> str:
    extra = FIXED_ATTRIBUTES.get(tag[1])
    return tag[0] if extra is None else f"<{tag[1]}{tag[2]}{extra}>"


def _foreign_text(element: re.Match[str]) -> str:
    # The text between the tags, escaped: what scripts, styles and comments hold is not text.
    # nh3 cannot do it: it drops MathML and SVG elements with their text even outside <math>.
    inner = _HIDDEN_RE.sub("", element[2])
    text = html.unescape(_TAG_RE.sub(_FOREIGN_GLUE[element[1].lower()], inner))
    return html.escape(_SPACE_RE.sub(" ", text), quote=False)


def _text_kept(fragment: str) -> str:
    """The fragment with literal `<!` text escaped, and MathML and SVG reduced to their text."""
    return _FOREIGN_RE.sub(_foreign_text, _LITERAL_BANG_RE.sub("&lt;!", fragment))


# The base URL of the fragment being cleaned, for the attribute filter: the cleaners are built
# once (building one per call cost three times the cleaning of a short post), so the base of
# each call reaches the filter this way.
_BASE: ContextVar[str] = ContextVar("sanitize_base", default="")


# The attributes `_filter` looks at; it keeps every other one as it is (nh3 asks about all,
# `target` and `rel` that it writes itself included).
_FILTERED = frozenset({"href", "src", "srcset", "width", "height", "colspan", "rowspan"})


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    return _filter(_BASE.get(), tag, attr, value) if attr in _FILTERED else value


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    set_tag_attribute_values=SET_ATTRIBUTES,
    url_schemes=LINK_SCHEMES | {"data"},
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel="noopener noreferrer nofollow ugc",
)
_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})


def sanitize_html(fragment: str, base: str = "") -> str:
    """Upstream HTML reduced to the allowlist; relative URLs resolved against `base`."""
    if not fragment:
        return ""
    token = _BASE.set(base)
    try:
        cleaned = _CLEANER.clean(_text_kept(fragment))
    finally:
        _BASE.reset(token)
    cleaned = bounded(cleaned)
    # Only img and iframe tags get attributes or go: where the text holds neither, the
    # passes that would call back into Python for every tag have nothing to do.
    if "<img" in cleaned:
        cleaned = _PIXEL_RE.sub("", _START_TAG_RE.sub(_fix_attributes, cleaned))
    elif "<iframe" in cleaned:
        cleaned = _START_TAG_RE.sub(_fix_attributes, cleaned)
    if "<iframe" in cleaned:
        # An iframe whose src was refused is an empty box: drop it.
        cleaned = _EMPTY_IFRAME_RE.sub("", cleaned)
    return cleaned


def _words(text: str) -> str:
    """Runs of whitespace made one space, none at the ends: `\\s+` as a regex would, ten times
    faster (str.split and re's `\\s` both take Unicode's whitespace)."""
    return " ".join(text.split())


def html_to_text(fragment: str, limit: int = 0) -> str:
    """Plain text of an HTML fragment, whitespace collapsed, cut at `limit` characters."""
    if not fragment:
        return ""
    text = html.unescape(
        _TEXT_CLEANER.clean(_text_kept(fragment).replace("<br", " <br").replace("</p>", "</p> "))
    )
    text = _words(text)
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return text


# A whole tag of nh3's output (quoted values never hold a `"`, text never holds a `<`): the
# tags `sanitized_text` strips, a line break and a paragraph's end leaving a space. Written
# as runs (`[^>"]*`), not one character per turn of a loop: the same matches, fewer steps.
_OUTPUT_TAG_RE = re.compile(r'<(/?)([a-z][a-z0-9]*)[^>"]*(?:"[^"]*"[^>"]*)*>')
# A player: what lies between its tags is raw text a browser never shows (the rest of a post
# after a self-closed `<iframe … />`, say), not words of the post.
_PLAYER_RE = re.compile(r'<iframe\b(?:[^>"]|"[^"]*")*>.*?</iframe>', re.S)


def sanitized_text(fragment: str, limit: int = 0) -> str:
    """The words a reader sees of what `sanitize_html` wrote, without parsing it again: its
    output is well-formed and holds no script, style or comment, so removing its tags gives
    `html_to_text`'s text, but for a player's raw content, which a browser never shows and
    this leaves out. Only for `sanitize_html`'s output; other HTML goes through `html_to_text`."""
    if not fragment:
        return ""
    # Split at the tags (text, slash, name, text…), not a call into Python for each tag.
    parts = _OUTPUT_TAG_RE.split(
        _PLAYER_RE.sub("", fragment) if "<iframe" in fragment else fragment
    )
    parts[1::3] = [
        " " if name == "br" or (slash and name == "p") else ""
        for slash, name in zip(parts[1::3], parts[2::3], strict=True)
    ]
    del parts[2::3]
    text = _words(html.unescape("".join(parts)))
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return text


def text_to_html(text: str) -> str:
    """Escape plain text and keep its line breaks, for sources that give no HTML."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
