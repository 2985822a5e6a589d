"""feedparser's exact result for ordinary RSS 2.0, RSS 1.0 and Atom 1.0 feeds, fast; or None.

feedparser spends 12-20 ms on a 50-item feed, most of a poll's CPU; ElementTree reads the
same bytes in ~0.15 ms. `parse_xml_feed` walks the tree and replays, element by element, what
feedparser's handlers (feedparser/mixin.py, namespaces/*.py) would do, into the same feed and
entry dicts; `feed.build_parsed` turns those into items for both readers. It declines (None:
`parse_feed` then asks feedparser) wherever it does not reproduce feedparser exactly: a
body feedparser would not decode as UTF-8 (or ASCII), a charset given by HTTP that is not
the document's own, a DOCTYPE, a root other than rss, Atom feed or rdf:RDF,
XHTML or base64 text, markup inside a text element, an element feedparser handles that is not
replayed here (source, georss, itunes:owner…), prefix bindings its global table would misread.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

import feedparser
from feedparser.encodings import RE_XML_PI_ENCODING, convert_to_utf8, parse_content_type

from feedhub.sources.document import response_headers
from feedhub.sources.entries import Parsed, build_parsed
from feedhub.sources.fastfeed.elements import Reader
from feedhub.sources.fastfeed.state import CANONICAL, KNOWN, Decline, Dict, El

# The feedparser releases whose handlers this replays (their mixin.py and namespaces/ are the
# same). With any other, parse_xml_feed declines until tests/test_fastfeed.py passes with it.
_REPLAYED = {"6.0.10", "6.0.11", "6.0.12", "6.0.13", "6.0.14"}
# Codecs under which an all-ASCII document reads exactly as UTF-8.
_ASCII_LIKE = {"ascii", "iso8859-1", "cp1252"}
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_ATOM_NS, _RSS10_NS = "http://www.w3.org/2005/atom", "http://purl.org/rss/1.0/"
_RSS090_NS = "http://my.netscape.com/rdf/simple/0.9/"
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"


def parse_xml_feed(
    body: bytes,
    url: str,
    source_id: str,
    network: str = "feed",
    headers: Mapping[str, str] | None = None,
) -> Parsed | None:
    """`feed.parse_with_feedparser`'s result, read with ElementTree; None where this reader
    cannot be sure to match it."""
    if feedparser.__version__ not in _REPLAYED:
        return None
    served = response_headers(url, headers)
    base = served.get("content-location", "")
    try:
        # Well-formed, or ElementTree would have refused it: feedparser's checks for debris
        # (xmlguard.check_complete) do not apply.
        feed, entries = _read(body, served, base)
    except Decline:
        return None
    return build_parsed(feed, entries, base, source_id, network)


def _codec(name: str | bytes | None) -> str:
    """A charset's canonical codec name ("" for one Python does not know)."""
    try:
        text = name.decode("latin-1") if isinstance(name, bytes) else name or ""
        return codecs.lookup(text).name
    except LookupError:
        return ""


def _check_charset(body: bytes, data: bytes, served: dict[str, str]) -> None:
    """Declines unless feedparser decodes `body` to the text UTF-8 gives (this reader's), and
    the charset HTTP names, if any, is the document's own (BOM or declaration, else UTF-8)."""
    declared = RE_XML_PI_ENCODING.match(data)
    own = _codec(declared.group(1) if declared else "utf-8")
    _, http = parse_content_type(served.get("content-type", ""))
    if http and _codec(http) != own:
        raise Decline
    result: Dict = {}
    convert_to_utf8(served, body, result)  # feedparser's own choice, by its own rules
    used = _codec(result.get("encoding"))
    if used != "utf-8" and not (used in _ASCII_LIKE and data.isascii()):
        raise Decline


def _read(body: bytes, served: dict[str, str], base: str) -> tuple[Dict, list[Dict]]:
    """The feed and entry dicts feedparser would make of `body`."""
    data = body[3:] if body.startswith(codecs.BOM_UTF8) else body
    _check_charset(body, data, served)
    prolog = _PROLOG.match(data)
    if prolog is None or data.startswith(b"<!", prolog.end()):
        raise Decline  # a DOCTYPE: feedparser cuts it out, expat would apply it
    parser: ET.XMLPullParser[El] = ET.XMLPullParser(events=("start-ns", "start"))
    namespaces: list[tuple[str, str]] = []
    root: El | None = None
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
        raise Decline from None
    atom = _atom_version(namespaces)
    if root is None or not (
        root.tag == "rss" or root.tag == _RDF and not atom or root.tag == _ATOM_FEED and atom
    ):
        raise Decline
    return Reader(
        base, _prefixes(namespaces), root.tag == _ATOM_FEED, served.get("content-language")
    ).read(root)


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
        usual = KNOWN.get(
            "http://backend.userland.com/rss" if "backend.userland.com/rss" in low else low
        )
        given, name = prefix.lower(), prefix if usual is None else usual
        if (
            bound.setdefault(given, uri) != uri
            or naming.setdefault(uri, name) != name
            or given in CANONICAL
            and usual != given
            or low == "http://www.w3.org/1999/xlink"
        ):
            raise Decline
    return naming
