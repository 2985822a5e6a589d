"""A widget's items as feeds: JSON Feed 1.1, Atom 1.0 (RFC 4287) and RSS 2.0.

Every URL in them is absolute, built from `server.public_url`; item content is the sanitized
HTML re-sanitized on its way out, like the HTML formats. An item's enclosures (its media
that a feed declared with a MIME type, such as a podcast's audio) go out in each format's
place for them: RSS `<enclosure>`, Atom `rel="enclosure"` links, JSON Feed `attachments`.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from feedhub.content.sanitize import safe_url, sanitize_html
from feedhub.models import Item, Media
from feedhub.publish.dates import iso_date
from feedhub.publish.render import Rendered, Renderer, WidgetView

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("dc", DC_NS)
# Lone surrogates too (a JSON upstream can send "\ud800"): UTF-8 cannot even encode them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def widget_url(view: WidgetView, suffix: str = "") -> str:
    """The public address of the widget, or of one of its formats (`suffix` ".json")."""
    return f"{view.public_url}/w/{view.name}{suffix}"


def home_url(view: WidgetView) -> str:
    """Where a feed reader sends people: the widget's "more" link, else its framed page."""
    more = view.cfg.more
    return (safe_url(more.url) if more else "") or widget_url(view)


def item_id(view: WidgetView, item: Item) -> str:
    """A stable IRI per item (RFC 4151 tag URI), the same in every feed format."""
    host = urlsplit(view.public_url).hostname or "localhost"
    return f"tag:{host},2026:{item.source}/{item.id}"


def feed_title(view: WidgetView) -> str:
    return view.cfg.title or view.name


def item_html(item: Item) -> str:
    return sanitize_html(item.content_html)


def last_change(view: WidgetView) -> datetime:
    """The newest time among the items; the render time when there are none."""
    times = [t for it in view.items for t in (it.updated, it.published) if t]
    return max(times) if times else view.now


def enclosures(item: Item) -> list[Media]:
    """The item's enclosures: the media its feed declared with a MIME type."""
    return [m for m in item.media if m.mime and safe_url(m.url)]


def _lang(view: WidgetView) -> str:
    return view.locale.replace("_", "-")


def json_feed(view: WidgetView) -> dict[str, Any]:
    """The JSON Feed 1.1 document, as a dict."""
    items = []
    for it in view.items:
        entry: dict[str, Any] = {"id": item_id(view, it)}
        if safe_url(it.url):
            entry["url"] = safe_url(it.url)
        if it.title:
            entry["title"] = it.title
        html = item_html(it)
        if html:
            entry["content_html"] = html
        else:
            entry["content_text"] = it.summary or it.title or ""
        if it.summary:
            entry["summary"] = it.summary
        image = next(
            (safe_url(m.preview_url or m.url, image=True) for m in it.media if m.type == "image"),
            "",
        )
        if image:
            entry["image"] = image
        if it.published:
            entry["date_published"] = iso_date(it.published)
        if it.updated:
            entry["date_modified"] = iso_date(it.updated)
        author = {
            k: v
            for k, v in (
                ("name", it.author.name or it.author.handle),
                ("url", safe_url(it.author.url)),
                ("avatar", safe_url(it.author.avatar, image=True)),
            )
            if v
        }
        if author:
            entry["authors"] = [author]
        if it.lang:
            entry["language"] = it.lang
        attachments = [
            {"url": safe_url(m.url), "mime_type": m.mime}
            | ({"size_in_bytes": m.size} if m.size else {})
            for m in enclosures(it)
        ]
        if attachments:
            entry["attachments"] = attachments
        items.append(entry)
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed_title(view),
        "home_page_url": home_url(view),
        "feed_url": widget_url(view, ".json"),
        "language": _lang(view),
        **({"next_url": view.next_url} if view.next_url else {}),
        "items": items,
    }


def write_json(r: Renderer, view: WidgetView) -> Rendered:
    body = json.dumps(json_feed(view), ensure_ascii=False, indent=1)
    return Rendered(body.encode())


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_chars(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_chars(text)
    return el


def xml_chars(text: str) -> str:
    """Text without the control characters XML 1.0 cannot carry (upstream text may hold them)."""
    return _XML_INVALID.sub("", text)


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def atom_feed(view: WidgetView) -> ET.Element:
    a = f"{{{ATOM_NS}}}"
    feed = ET.Element(a + "feed", {"{http://www.w3.org/XML/1998/namespace}lang": _lang(view)})
    _sub(feed, a + "id", widget_url(view))
    _sub(feed, a + "title", feed_title(view))
    _sub(feed, a + "updated", iso_date(last_change(view)))
    _sub(feed, a + "link", rel="self", type="application/atom+xml", href=widget_url(view, ".atom"))
    _sub(feed, a + "link", rel="alternate", type="text/html", href=home_url(view))
    if view.next_url:  # RFC 5005 paging: the older entries
        _sub(feed, a + "link", rel="next", type="application/atom+xml", href=view.next_url)
    # Atom wants an author on every entry: the feed-level one stands in for entries without.
    _sub(_sub(feed, a + "author"), a + "name", feed_title(view))
    _sub(feed, a + "generator", "feedhub")
    for it in view.items:
        entry = _sub(feed, a + "entry")
        if it.lang:
            entry.set("{http://www.w3.org/XML/1998/namespace}lang", xml_chars(it.lang))
        _sub(entry, a + "id", item_id(view, it))
        _sub(entry, a + "title", it.title or it.summary[:80], type="text")
        _sub(entry, a + "updated", iso_date(it.updated or it.published or last_change(view)))
        if it.published:
            _sub(entry, a + "published", iso_date(it.published))
        if safe_url(it.url):
            _sub(entry, a + "link", rel="alternate", type="text/html", href=safe_url(it.url))
        if it.author.name or it.author.handle:
            author = _sub(entry, a + "author")
            _sub(author, a + "name", it.author.name or it.author.handle)
            if safe_url(it.author.url).startswith("http"):
                _sub(author, a + "uri", safe_url(it.author.url))
        if it.summary:
            _sub(entry, a + "summary", it.summary, type="text")
        html = item_html(it)
        if html:
            _sub(entry, a + "content", html, type="html")
        for m in enclosures(it):
            size = {"length": str(m.size)} if m.size else {}
            _sub(entry, a + "link", rel="enclosure", href=safe_url(m.url), type=m.mime, **size)
    return feed


def write_atom(r: Renderer, view: WidgetView) -> Rendered:
    return Rendered(_xml(atom_feed(view)))


def _rfc822(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=True)


def _tag(lang: str) -> str:
    return lang.replace("_", "-").lower()


def rss_feed(view: WidgetView) -> ET.Element:
    """The RSS 2.0 document. RSS has one language per channel: an item whose own language
    differs from the channel's says so in Dublin Core's `dc:language`."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _sub(channel, "title", feed_title(view))
    _sub(channel, "link", home_url(view))
    _sub(channel, "description", feed_title(view))
    channel_lang = _tag(_lang(view))
    _sub(channel, "language", channel_lang)
    _sub(channel, "lastBuildDate", _rfc822(last_change(view)))
    _sub(channel, "generator", "feedhub")
    _sub(
        channel,
        f"{{{ATOM_NS}}}link",
        rel="self",
        type="application/rss+xml",
        href=widget_url(view, ".rss"),
    )
    if view.next_url:  # RFC 5005 paging, in Atom's link element
        _sub(
            channel,
            f"{{{ATOM_NS}}}link",
            rel="next",
            type="application/rss+xml",
            href=view.next_url,
        )
    for it in view.items:
        item = _sub(channel, "item")
        if it.title:
            _sub(item, "title", it.title)
        if safe_url(it.url):
            _sub(item, "link", safe_url(it.url))
        # RSS needs a title or a description; the description carries the content.
        _sub(item, "description", item_html(it) or it.summary or it.title)
        _sub(item, "guid", item_id(view, it), isPermaLink="false")
        when = it.published or it.updated
        if when:
            _sub(item, "pubDate", _rfc822(when))
        if it.author.name or it.author.handle:
            # RSS's own <author> must be an e-mail address; Dublin Core takes a name.
            _sub(item, f"{{{DC_NS}}}creator", it.author.name or it.author.handle)
        if it.lang and _tag(it.lang) != channel_lang:
            _sub(item, f"{{{DC_NS}}}language", _tag(it.lang))
        for m in enclosures(it):
            # RSS requires a length; 0 is how feeds say they do not know it.
            _sub(item, "enclosure", url=safe_url(m.url), length=str(m.size or 0), type=m.mime)
    return rss


def write_rss(r: Renderer, view: WidgetView) -> Rendered:
    return Rendered(_xml(rss_feed(view)))
