"""feedparser's exact result for ordinary RSS 2.0, RSS 1.0 and Atom 1.0 feeds, fast; or None.

feedparser spends 12-20 ms on a 50-item feed, most of a poll's CPU; ElementTree reads the
same bytes in ~0.15 ms. `parse_xml_feed` walks the tree and replays, element by element, what
feedparser's handlers (feedparser/mixin.py, namespaces/*.py) would do, into the same feed and
entry dicts; `feed.build_parsed` turns those into items for both readers. It declines (None:
`parse_feed` then asks feedparser) wherever it does not reproduce feedparser exactly: an
encoding other than UTF-8 (or ASCII), a DOCTYPE, a root other than rss, Atom feed or rdf:RDF,
XHTML or base64 text, markup inside a text element, an element feedparser handles that is not
replayed here (source, georss, itunes:owner…), prefix bindings its global table would misread.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

# feedparser's own helpers and tables, private (see _REPLAYED): with them, dates, URL joins,
# the HTML guess and author parsing are feedparser's by construction.
import feedparser
from feedparser.datetimes import _parse_date
from feedparser.encodings import RE_XML_PI_ENCODING
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin as _FP
from feedparser.urls import _urljoin, make_safe_absolute_uri
from feedparser.util import FeedParserDict

from feedhub.sources.base import ParseError
from feedhub.sources.xmlguard import check_complete

if TYPE_CHECKING:
    from feedhub.sources.feed import Parsed

# The feedparser releases whose handlers this replays (their mixin.py and namespaces/ are the
# same). With any other, parse_xml_feed declines until tests/test_fastfeed.py passes with it.
_REPLAYED = {"6.0.10", "6.0.11", "6.0.12", "6.0.13", "6.0.14"}

_Dict = dict[str, Any]
_Attrs = dict[str, str]
_El = ET.Element
_KNOWN = {uri.lower(): prefix for uri, prefix in _FP.namespaces.items()}
_CANONICAL = {prefix.lower() for prefix in _KNOWN.values() if prefix}
_HANDLED = {n.split("_", 2)[2].lower() for n in dir(_FP) if n.startswith(("_start_", "_end_"))}
# Keys items are built from, or that steer feedparser's handlers: an element with no handler
# of its own that feedparser would store under one of them is not replayed (but ttl).
_READ = {"author", "author_detail", "authors", "content", "enclosures", "id", "image",
         "language", "link", "links", "media_content", "media_description", "media_thumbnail",
         "published_parsed", "summary", "summary_detail", "textinput", "title", "title_detail",
         "updated_parsed"}
# Declared encodings under which an all-ASCII document reads exactly as UTF-8.
_ASCII_LIKE = {b"", b"us-ascii", b"ascii", b"iso-8859-1", b"latin-1", b"latin1",
               b"windows-1252", b"cp1252", b"utf-8", b"utf8"}
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_ENTITY_LIKE = re.compile("&([A-Za-z0-9_]+);")
_ATOM_NS, _RSS10_NS = "http://www.w3.org/2005/atom", "http://purl.org/rss/1.0/"
_RSS090_NS = "http://my.netscape.com/rdf/simple/0.9/"
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
_PERSON = {"name": "name", "email": "email", "uri": "href", "url": "href", "homepage": "href"}
# image, textinput, contributor fill dicts of their own, if they hold only these.
_OWN_DICT = {"image": {"title", "link", "url", "width", "height", "description"},
             "textinput": {"title", "link", "description", "name"}, "contributor": set(_PERSON)}
_HANDLERS: dict[str, Callable[[_Reader, _El, str, _Attrs, int], None]] = {}


def parse_xml_feed(body: bytes, url: str, source_id: str, network: str = "feed") -> Parsed | None:
    """`feed.parse_with_feedparser`'s result, read with ElementTree; None where this reader
    cannot be sure to match it."""
    from feedhub.sources.feed import build_parsed  # feed.py imports this module first

    if feedparser.__version__ not in _REPLAYED:
        return None
    try:
        feed, entries = _read(body, url)
        # parse_feed gives feedparser no Content-Type, which it flags (bozo) on every
        # document, so its check for entries with nothing readable always applies.
        check_complete({"bozo": True, "entries": entries})
    except (_Decline, ParseError):
        return None
    return build_parsed(feed, entries, url, source_id, network)


class _Decline(Exception):
    """The document holds something feedparser may read differently than this replay does."""


def _read(body: bytes, url: str) -> tuple[_Dict, list[_Dict]]:
    """The feed and entry dicts feedparser would make of `body`."""
    data = body[3:] if body.startswith(codecs.BOM_UTF8) else body
    declared = RE_XML_PI_ENCODING.match(data)
    encoding = declared.group(1).lower() if declared else b""
    # feedparser decodes by the declaration, Latin-1 without one; this reader, UTF-8.
    if encoding not in (b"utf-8", b"utf8") and not (encoding in _ASCII_LIKE and data.isascii()):
        raise _Decline
    prolog = _PROLOG.match(data)
    if prolog is None or data.startswith(b"<!", prolog.end()):
        raise _Decline  # a DOCTYPE: feedparser cuts it out, expat would apply it
    parser: ET.XMLPullParser[_El] = ET.XMLPullParser(events=("start-ns", "start"))
    namespaces: list[tuple[str, str]] = []
    root: _El | None = None
    try:
        # Text, not bytes: expat then reads UTF-8 whatever the declaration says, as it does
        # inside feedparser, which re-encodes every document to UTF-8.
        parser.feed(data.decode("utf-8"))
        parser.close()
        for event in parser.read_events():
            if isinstance(item := event[-1], tuple):
                namespaces.append(item)
            elif root is None and isinstance(item, ET.Element):
                root = item
    except (UnicodeDecodeError, ET.ParseError):
        raise _Decline from None
    atom = _atom_version(namespaces)
    if root is None or not (root.tag == "rss" or root.tag == _RDF and not atom
                            or root.tag == _ATOM_FEED and atom):
        raise _Decline
    return _Reader(url, _prefixes(namespaces), root.tag == _ATOM_FEED).read(root)


def _atom_version(namespaces: list[tuple[str, str]]) -> bool:
    """Whether feedparser takes the version, from the first telling declaration, as Atom 1.0
    (it then guesses no HTML in plain text)."""
    for prefix, uri in namespaces:
        low = uri.lower()
        if low in (_ATOM_NS, _RSS10_NS) or not prefix and low == _RSS090_NS:
            return low == _ATOM_NS
    return False


def _prefixes(namespaces: list[tuple[str, str]]) -> dict[str, str]:
    """The prefix feedparser names each namespace's elements by: its usual one, else the
    document's ("" for none). feedparser keeps one prefix table for the whole document, in
    declaration order: where that could name an element otherwise, decline."""
    bound: dict[str, str] = {}
    naming: dict[str, str] = {}
    for prefix, uri in namespaces:
        low = uri.lower()
        usual = _KNOWN.get("http://backend.userland.com/rss" if "backend.userland.com/rss" in low
                           else low)
        given, name = prefix.lower(), prefix if usual is None else usual
        if (bound.setdefault(given, uri) != uri or naming.setdefault(uri, name) != name
                or given in _CANONICAL and usual != given or low == "http://www.w3.org/1999/xlink"):
            raise _Decline
    return naming


def _mend(text: str) -> str:
    """pop's last steps: undo UTF-8 read as Latin-1, then cp1252's characters for C1 codes."""
    if text.isascii():
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_cp1252)


def _unentity(text: str) -> str:
    """What pop does to link text, taking "&name;" for a query string's mangled "&name"."""
    return _ENTITY_LIKE.sub(r"&\g<1>", text) if "&" in text else text


def _handles(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Registers a _Reader method as the replay of feedparser's handlers for these names."""

    def register(handler: Callable[..., None]) -> Callable[..., None]:
        _HANDLERS.update(dict.fromkeys(names, handler))
        return handler
    return register


class _Person:
    """One feed or entry dict with feedparser's own author bookkeeping bound to it."""

    _save_author = _FP._save_author
    _sync_author_detail = _FP._sync_author_detail

    def __init__(self, context: _Dict) -> None:
        self.context = context

    def _get_context(self) -> _Dict:
        return self.context


class _Reader:
    """feedparser's parse state (infeed, inentry, base and language stacks, title depth…),
    advanced by a walk over the tree instead of by SAX events."""

    def __init__(self, url: str, prefixes: dict[str, str], atom: bool) -> None:
        self.prefixes, self.atom = prefixes, atom
        self.names: dict[str, str] = {}
        self.joins: dict[tuple[str, str], str] = {}
        self.resolved: dict[tuple[str, str], str] = {}
        self.feed: _Dict = {}
        self.entries: list[_Dict] = []
        self.depths: dict[str, int] = {}  # feedparser's property_depth_map, for the entry
        self.base = url
        self.lang: str | None = None
        self.bases: list[str] = []
        self.langs: list[str | None] = []
        self.infeed = self.inentry = self.inauthor = self.has_content = self.guidislink = False
        self.title_depth = self.entry_depth = -1

    def read(self, root: _El) -> tuple[_Dict, list[_Dict]]:
        """The feed dict and entry dicts, once the whole tree is replayed."""
        self.element(root, 1)
        if not self.entries:
            raise _Decline  # feedparser's verdict on an empty feed hangs on its title
        return self.feed, self.entries

    def element(self, el: _El, depth: int) -> None:
        """One element, as feedparser's unknown_starttag, its handlers and unknown_endtag go."""
        name = self.names.get(el.tag) or self.name(el.tag)
        attrs = self.attrs(el) if el.attrib else {}
        self.base = self.join(self.base, attrs.get("xml:base", attrs.get("base")) or self.base)
        lang = attrs.get("xml:lang", attrs.get("lang"))
        self.lang = lang = None if lang == "" else self.lang if lang is None else lang
        if lang and name in ("feed", "rss"):
            self.feed["language"] = lang.replace("_", "-")
        self.bases.append(self.base)
        self.langs.append(lang)
        if self.inauthor and name not in _PERSON:
            raise _Decline
        handler = _HANDLERS.get(name)
        if handler is None and name in _HANDLED:
            raise _Decline
        (handler or _Reader.unknown)(self, el, name, attrs, depth)
        self.bases.pop()
        if self.bases and self.bases[-1]:
            self.base = self.bases[-1]
        self.langs.pop()
        if self.langs:
            self.lang = self.langs[-1]

    def name(self, tag: str) -> str:
        """feedparser's name for an element: "prefix_local" or "local", lowercase."""
        uri, _, local = tag[1:].rpartition("}") if tag[0] == "{" else ("", "", tag)
        prefix = self.prefixes.get(uri) if uri else ""
        if prefix is None:
            raise _Decline
        name = self.names[tag] = (f"{prefix}_{local}" if prefix else local).lower()
        return name

    @staticmethod
    def attrs(el: _El) -> _Attrs:
        """An element's attributes, keyed and lowercased as feedparser's SAX handler has them."""
        out = {}
        for key, value in el.attrib.items():
            if key[0] == "{":
                uri, _, local = key[1:].rpartition("}")
                prefix = _KNOWN.get(uri.lower())
                if not prefix:
                    raise _Decline  # feedparser would file it under its bare name too
                key = f"{prefix}:{local}"
            key = key.lower()
            out[key] = value.lower() if key in ("rel", "type") else value
        return out

    def join(self, base: str, xml_base: str) -> str:
        """The base an element sets (unknown_starttag does it for each), memoized."""
        joined = self.joins.get((base, xml_base))
        if joined is None:
            joined = self.joins[base, xml_base] = (make_safe_absolute_uri(base, xml_base) or
                                                   base) if base else _urljoin(base, xml_base)
        return joined

    def resolve(self, uri: str) -> str:
        """A URL resolved against the base (pop's resolve_uri), memoized: guid and link are
        often the same URL."""
        resolved = self.resolved.get((self.base, uri))
        if resolved is None:
            resolved = self.resolved[self.base, uri] = _urljoin(self.base or "", uri) if uri \
                else uri
        return resolved

    def children(self, el: _El, depth: int) -> None:
        """Replays an element's children, as feedparser meets them between its tags."""
        for child in el:
            self.element(child, depth + 1)

    def context(self) -> _Dict:
        """feedparser's _get_context: the current entry, else the feed."""
        return self.entries[-1] if self.inentry else self.feed

    def text(self, el: _El, *, mend: bool = True, detail: _Dict | None = None) -> str:
        """pop's value for a text-only element: stripped, HTML guessed, mended."""
        if len(el):
            raise _Decline  # feedparser reads markup inside text as XHTML, or loses the text
        out = (el.text or "").strip()
        if not mend:
            return out
        if (detail is not None and detail["type"] == "text/plain" and not self.atom
                and _FP.looks_like_html(out)):
            detail["type"] = "text/html"  # in RSS, feedparser guesses whether text is HTML
        return _mend(out)

    def store(self, element: str, value: Any, depth: int, detail: _Dict | None = None) -> None:
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

    def push_content(self, attrs: _Attrs, default: str) -> _Dict:
        """push_content's detail (type, language, base) for a text construct."""
        if self.lang:
            self.lang = self.lang.replace("_", "-")
        kind = _FP.map_content_type(attrs.get("type", default))
        if "mode" in attrs or kind == "application/xhtml+xml" or not (
                kind.startswith("text/") or kind.endswith(("+xml", "/xml"))):
            raise _Decline  # XHTML or base64
        return {"type": kind, "language": self.lang, "base": self.base}

    @_handles("channel", "feed")
    def channel(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """RSS channel, Atom feed: what they hold outside entries is the feed's."""
        if self.infeed or self.inentry or "href" in attrs or "lastmod" in attrs:
            raise _Decline  # nested, or CDF attributes
        self.infeed = True
        self.children(el, depth)
        self.infeed = False

    @_handles("item", "entry")
    def item(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """A new entry; its rdf:about is its id until a guid says otherwise."""
        if self.inentry or "href" in attrs or "lastmod" in attrs:
            raise _Decline
        self.entries.append({"id": attrs["rdf:about"]} if attrs.get("rdf:about") else {})
        self.depths = {}
        self.inentry, self.guidislink, self.title_depth, self.entry_depth = True, False, -1, depth
        self.children(el, depth)
        self.inentry = self.has_content = False

    @_handles("title", "dc_title", "media_title")
    def title(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """The first title in an entry stays (title_depth); media:title leaves no mark."""
        kept = self.title_depth
        detail = self.push_content(attrs, "text/plain")
        value = self.text(el, detail=detail)
        if not -1 < self.title_depth <= depth:
            self.store("title", value, depth, detail)
        self.title_depth = kept if name == "media_title" else depth if value else kept

    @_handles("description", "dc_description", "media_description", "summary", "itunes_summary")
    def description(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """The summary (RSS descriptions default to HTML, summaries to text)."""
        if "summary" in self.context() and not self.has_content:
            raise _Decline  # feedparser would read this one as the content
        element = "summary" if name.endswith("summary") else "description"
        detail = self.push_content(attrs, "text/plain" if element == "summary" else "text/html")
        self.store(element, self.text(el, detail=detail), depth, detail)

    @_handles("content", "content_encoded")
    def content(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """The entry's content, and its summary if it has none."""
        if name == "content" and not (self.inentry and depth == self.entry_depth + 1):
            raise _Decline  # _start_content pushes twice; elsewhere the extra one misleads
        self.has_content = True
        detail = self.push_content(attrs, "text/plain" if name == "content" else "text/html")
        copied = detail["type"] in {"text/plain"} | _FP.html_types
        value = self.text(el, detail=detail)
        context = self.context()
        if self.inentry:
            detail["value"] = value
            context.setdefault("content", []).append(detail)
        if copied:
            context.setdefault("summary", value)

    @_handles("guid", "id")
    def guid(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """The id; a permalink guid is also the link, if there is none yet."""
        self.guidislink = attrs.get("ispermalink", "true") == "true"
        raw = self.text(el, mend=False)
        value = _mend(self.resolve(raw) if self.guidislink else raw)
        self.store("id", value, depth)
        if self.guidislink:
            self.context().setdefault("link", value)

    @_handles("link")
    def link(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """Atom's link (href, rel, type) or RSS's (its text), both listed in links."""
        attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else
                         "text/html")
        attrs = _FP._enforce_href(attrs)
        context = self.context()
        context.setdefault("links", []).append(attrs)
        if "href" in attrs:
            attrs["href"] = _urljoin(self.base or "", attrs["href"])
            if attrs["rel"] == "alternate" and \
                    _FP.map_content_type(attrs["type"]) in _FP.html_types:
                context["link"] = attrs["href"]
            self.children(el, depth)
            return
        value = _mend(self.resolve(self.text(el, mend=False)))
        if self.inentry:
            context["link"] = value = _unentity(value.replace("&amp;", "&"))
            if value:
                attrs["href"] = value
        elif self.infeed:
            context["link"] = attrs["href"] = _unentity(value)

    @_handles("enclosure")
    def enclosure(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """An enclosure, listed in links (its url becomes href, unresolved)."""
        attrs = _FP._enforce_href(attrs)
        attrs["rel"] = "enclosure"
        self.context().setdefault("links", []).append(attrs)
        self.children(el, depth)

    @_handles("media_content", "media_thumbnail")
    def media(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """media:content (which may hold titles, thumbnails…) and media:thumbnail."""
        self.context().setdefault(name, []).append(attrs)
        if name == "media_content":
            self.children(el, depth)
        elif (url := _mend(self.resolve(self.text(el, mend=False)))) and "url" not in attrs:
            attrs["url"] = url

    @_handles("pubdate", "published", "issued", "dcterms_issued", "updated", "modified",
              "lastbuilddate", "dc_date", "dcterms_modified")
    def date(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """A publication or update date, parsed by feedparser's own date parsers."""
        published = name in ("pubdate", "published", "issued", "dcterms_issued")
        self.context()["published_parsed" if published else "updated_parsed"] = \
            _parse_date(self.text(el))

    @_handles("author", "dc_creator", "dc_author", "itunes_author", "managingeditor")
    def author(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """An author as text ("a@b.c (Name)"), or as name, email and uri parts."""
        context = self.context()
        context.setdefault("authors", []).append(FeedParserDict())
        value = ""
        if not len(el):
            value = self.text(el)
        elif (el.text or "").strip() or any((child.tail or "").strip() for child in el):
            raise _Decline
        else:
            self.inauthor = True
            self.children(el, depth)
            self.inauthor = False
        self.store("author", value, depth)
        _Person(context)._sync_author_detail()

    @_handles(*_PERSON)
    def person(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """An author's parts (outside one, nothing items read)."""
        key = _PERSON[name]
        value = _mend(self.resolve(self.text(el, mend=False))) if key == "href" else \
            self.text(el, mend=False)
        if self.inauthor:
            _Person(self.context())._save_author(key, value)

    @_handles("language", "dc_language")
    def language(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """The feed's language (feedparser keeps it from reaching the entries' texts)."""
        self.store("language", self.text(el), depth)

    @_handles(*_OWN_DICT)
    def own_dict(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """image, textinput, contributor: nothing in them reaches what items read."""
        if name != "contributor" and self.inentry:
            raise _Decline
        if any(len(child) or self.name(child.tag) not in _OWN_DICT[name] for child in el):
            raise _Decline

    @_handles("subtitle", "tagline", "rights", "copyright", "dc_rights", "info",
              "feedburner_browserfriendly", "itunes_subtitle")
    def text_construct(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """Subtitles, rights and the like: unread, but their children would be markup."""
        if len(el):
            raise _Decline

    @_handles("rss", "media_group", "category", "keywords", "dc_subject", "media_category",
              "itunes_category", "media_keywords", "itunes_keywords", "tags", "cloud",
              "generator", "created", "dcterms_created", "expirationdate", "dcterms_valid",
              "webmaster", "dc_publisher", "dc_contributor", "media_credit", "media_rating",
              "media_restriction", "media_license", "media_player", "newlocation", "width",
              "height", "itunes_image", "itunes_link", "itunes_explicit", "itunes_block")
    def ignored(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """Handlers that fill only keys items never read: only the children matter."""
        self.children(el, depth)

    def unknown(self, el: _El, name: str, attrs: _Attrs, depth: int) -> None:
        """No handler: feedparser stores it under its name (ttl is the one read)."""
        key = FeedParserDict.keymap.get(name, name)
        if key == "ttl":
            value = self.text(el)
            self.store("ttl", attrs or value, depth)
        elif (key[0] if isinstance(key, list) else key) in _READ:
            raise _Decline
        else:
            self.children(el, depth)
