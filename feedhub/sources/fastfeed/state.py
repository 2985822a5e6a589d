"""feedparser's parse state, replayed: the base and language stacks, where a value is stored,
how text is stripped, guessed and mended, as feedparser's mixin does it on SAX events."""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any, ClassVar

# feedparser's own helpers and tables, private (see the package's _REPLAYED): with them,
# dates, URL joins, the HTML guess and author parsing are feedparser's by construction.
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin as _FP
from feedparser.urls import _urljoin, make_safe_absolute_uri

from feedhub.sources.fastfeed.shortcuts import urljoin

Dict = dict[str, Any]
Attrs = dict[str, str]
El = ET.Element
KNOWN = {uri.lower(): prefix for uri, prefix in _FP.namespaces.items()}
CANONICAL = {prefix.lower() for prefix in KNOWN.values() if prefix}
HANDLED = {n.split("_", 2)[2].lower() for n in dir(_FP) if n.startswith(("_start_", "_end_"))}
# Keys items are built from, or that steer feedparser's handlers: an element with no handler
# of its own that feedparser would store under one of them is not replayed (but ttl).
READ = {
    "author",
    "author_detail",
    "authors",
    "content",
    "enclosures",
    "id",
    "image",
    "language",
    "link",
    "links",
    "media_content",
    "media_description",
    "media_thumbnail",
    "published_parsed",
    "summary",
    "summary_detail",
    "textinput",
    "title",
    "title_detail",
    "updated_parsed",
}
_ENTITY_LIKE = re.compile("&([A-Za-z0-9_]+);")
PERSON = {"name": "name", "email": "email", "uri": "href", "url": "href", "homepage": "href"}
# image, textinput, contributor fill dicts of their own, if they hold only these.
OWN_DICT = {
    "image": {"title", "link", "url", "width", "height", "description"},
    "textinput": {"title", "link", "description", "name"},
    "contributor": set(PERSON),
}
Handler = Callable[["ReaderState", El, str, Attrs, int], None]


class Decline(Exception):
    """The document holds something feedparser may read differently than this replay does."""


def mended(text: str) -> str:
    """pop's last steps: undo UTF-8 read as Latin-1, then cp1252's characters for C1 codes."""
    if text.isascii():
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_cp1252)


def unentity(text: str) -> str:
    """What pop does to link text, taking "&name;" for a query string's mangled "&name"."""
    return _ENTITY_LIKE.sub(r"&\g<1>", text) if "&" in text else text


class Person:
    """One feed or entry dict with feedparser's own author bookkeeping bound to it."""

    _save_author = _FP._save_author
    _sync_author_detail = _FP._sync_author_detail

    def __init__(self, context: Dict) -> None:
        self.context = context

    def _get_context(self) -> Dict:
        return self.context


def _unreplayed(*_: object) -> None:
    """The handler of an element feedparser handles and this reader does not replay."""
    raise Decline


class ReaderState:
    """feedparser's parse state (infeed, inentry, base and language stacks, title depth…),
    advanced by a walk over the tree instead of by SAX events. A subclass gives the element
    handlers (`handlers`, and `unknown` for elements without one)."""

    handlers: ClassVar[dict[str, Handler]] = {}

    def __init__(
        self, url: str, prefixes: dict[str, str], atom: bool, lang: str | None = None
    ) -> None:
        self.prefixes, self.atom = prefixes, atom
        self.names: dict[str, str] = {}
        self.kinds: dict[str, tuple[str, Handler]] = {}
        self.joins: dict[tuple[str, str], str] = {}
        self.resolved: dict[tuple[str, str], str] = {}
        # The answer's Content-Language is the document's until an xml:lang says otherwise.
        self.feed: Dict = {"language": lang.replace("_", "-")} if lang else {}
        self.entries: list[Dict] = []
        self.depths: dict[str, int] = {}  # feedparser's property_depth_map, for the entry
        self.base = url
        self.lang = lang
        self.bases: list[str] = []
        self.langs: list[str | None] = []
        self.infeed = self.inentry = self.inauthor = self.has_content = self.guidislink = False
        self.title_depth = self.entry_depth = -1

    def unknown(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        raise NotImplementedError

    def read(self, root: El) -> tuple[Dict, list[Dict]]:
        """The feed dict and entry dicts, once the whole tree is replayed."""
        self.element(root, 1)
        if not self.entries:
            raise Decline  # feedparser's verdict on an empty feed hangs on its title
        return self.feed, self.entries

    def element(self, el: El, depth: int) -> None:
        """One element, as feedparser's unknown_starttag, its handlers and unknown_endtag go."""
        name, handler = self.kinds.get(el.tag) or self.kind(el.tag)
        if el.attrib:
            attrs = self.attrs(el)
            xml_base = attrs.get("xml:base", attrs.get("base")) or self.base
            lang = attrs.get("xml:lang", attrs.get("lang"))
            lang = None if lang == "" else self.lang if lang is None else lang
        else:  # the same steps, with nothing to look up
            attrs, xml_base, lang = {}, self.base, self.lang
        self.base = base = self.join(self.base, xml_base)
        self.lang = lang
        if lang and name in ("feed", "rss"):
            self.feed["language"] = lang.replace("_", "-")
        bases, langs = self.bases, self.langs
        bases.append(base)
        langs.append(lang)
        if self.inauthor and name not in PERSON:
            raise Decline
        handler(self, el, name, attrs, depth)
        bases.pop()
        if bases and bases[-1]:
            self.base = bases[-1]
        langs.pop()
        if langs:
            self.lang = langs[-1]

    def kind(self, tag: str) -> tuple[str, Handler]:
        """An element's name and the handler that replays it, looked up once per tag."""
        name = self.name(tag)
        handler = self.handlers.get(name)
        if handler is None and name in HANDLED:
            handler = _unreplayed
        kind = self.kinds[tag] = (name, handler or type(self).unknown)
        return kind

    def name(self, tag: str) -> str:
        """feedparser's name for an element: "prefix_local" or "local", lowercase."""
        uri, _, local = tag[1:].rpartition("}") if tag[0] == "{" else ("", "", tag)
        prefix = self.prefixes.get(uri) if uri else ""
        if prefix is None:
            raise Decline
        name = self.names[tag] = (f"{prefix}_{local}" if prefix else local).lower()
        return name

    @staticmethod
    def attrs(el: El) -> Attrs:
        """An element's attributes, keyed and lowercased as feedparser's SAX handler has them."""
        out = {}
        for key, value in el.attrib.items():
            if key[0] == "{":
                uri, _, local = key[1:].rpartition("}")
                prefix = KNOWN.get(uri.lower())
                if not prefix:
                    raise Decline  # feedparser would file it under its bare name too
                key = f"{prefix}:{local}"
            key = key.lower()
            out[key] = value.lower() if key in ("rel", "type") else value
        return out

    def join(self, base: str, xml_base: str) -> str:
        """The base an element sets (unknown_starttag does it for each), memoized."""
        joined = self.joins.get((base, xml_base))
        if joined is None:
            joined = self.joins[base, xml_base] = (
                (make_safe_absolute_uri(base, xml_base) or base)
                if base
                else _urljoin(base, xml_base)
            )
        return joined

    def resolve(self, uri: str) -> str:
        """A URL resolved against the base (pop's resolve_uri), memoized: guid and link are
        often the same URL."""
        resolved = self.resolved.get((self.base, uri))
        if resolved is None:
            resolved = self.resolved[self.base, uri] = urljoin(self.base or "", uri) if uri else uri
        return resolved

    def children(self, el: El, depth: int) -> None:
        """Replays an element's children, as feedparser meets them between its tags."""
        for child in el:
            self.element(child, depth + 1)

    def context(self) -> Dict:
        """feedparser's _get_context: the current entry, else the feed."""
        return self.entries[-1] if self.inentry else self.feed

    def text(self, el: El, *, mend: bool = True, detail: Dict | None = None) -> str:
        """pop's value for a text-only element: stripped, HTML guessed, mended."""
        if len(el):
            raise Decline  # feedparser reads markup inside text as XHTML, or loses the text
        out = (el.text or "").strip()
        if not mend:
            return out
        if (
            detail is not None
            and detail["type"] == "text/plain"
            and not self.atom
            and _FP.looks_like_html(out)
        ):
            detail["type"] = "text/html"  # in RSS, feedparser guesses whether text is HTML
        return mended(out)

    def store(self, element: str, value: Any, depth: int, detail: Dict | None = None) -> None:
        """pop's storing: into the entry (a deeper duplicate does not replace) or the feed."""
        if self.inentry:
            key = "summary" if element == "description" else element
            entry = self.entries[-1]
            if self.depths.get(key, depth) >= depth:
                self.depths[key] = depth
                entry[key] = value
            if detail is not None:
                detail["value"] = value
                entry[f"{key}_detail"] = detail
        elif self.infeed:
            self.feed["subtitle" if element == "description" else element] = value

    def push_content(self, attrs: Attrs, default: str) -> Dict:
        """push_content's detail (type, language, base) for a text construct."""
        if self.lang:
            self.lang = self.lang.replace("_", "-")
        kind = _FP.map_content_type(attrs.get("type", default))
        if (
            "mode" in attrs
            or kind == "application/xhtml+xml"
            or not (kind.startswith("text/") or kind.endswith(("+xml", "/xml")))
        ):
            raise Decline  # XHTML or base64
        return {"type": kind, "language": self.lang, "base": self.base}
