"""The element handlers: each replays what feedparser's start and end handlers do with one
kind of element (channel, item, title, link, enclosure, media, dates, people…)."""

from __future__ import annotations

from collections.abc import Callable

# feedparser's own helpers (private: see the package's note on the releases replayed).
from feedparser.mixin import _FeedParserMixin as _FP
from feedparser.util import FeedParserDict

from feedhub.sources.fastfeed.shortcuts import parse_date, urljoin
from feedhub.sources.fastfeed.state import (
    OWN_DICT,
    PERSON,
    READ,
    Attrs,
    Decline,
    El,
    Handler,
    Person,
    ReaderState,
    mended,
    unentity,
)

HANDLERS: dict[str, Handler] = {}


def handles(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Registers a Reader method as the replay of feedparser's handlers for these names."""

    def register(handler: Callable[..., None]) -> Callable[..., None]:
        HANDLERS.update(dict.fromkeys(names, handler))
        return handler

    return register


class Reader(ReaderState):
    """The replay of every element feedparser handles that this reader takes on."""

    @handles("channel", "feed")
    def channel(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """RSS channel, Atom feed: what they hold outside entries is the feed's."""
        if self.infeed or self.inentry or "href" in attrs or "lastmod" in attrs:
            raise Decline  # nested, or CDF attributes
        self.infeed = True
        self.children(el, depth)
        self.infeed = False

    @handles("item", "entry")
    def item(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """A new entry; its rdf:about is its id until a guid says otherwise."""
        if self.inentry or "href" in attrs or "lastmod" in attrs:
            raise Decline
        self.entries.append({"id": attrs["rdf:about"]} if attrs.get("rdf:about") else {})
        self.depths = {}
        self.inentry, self.guidislink, self.title_depth, self.entry_depth = True, False, -1, depth
        self.children(el, depth)
        self.inentry = self.has_content = False

    @handles("title", "dc_title", "media_title")
    def title(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """The first title in an entry stays (title_depth); media:title leaves no mark."""
        kept = self.title_depth
        detail = self.push_content(attrs, "text/plain")
        value = self.text(el, detail=detail)
        if not -1 < self.title_depth <= depth:
            self.store("title", value, depth, detail)
        self.title_depth = kept if name == "media_title" else depth if value else kept

    @handles("description", "dc_description", "media_description", "summary", "itunes_summary")
    def description(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """The summary (RSS descriptions default to HTML, summaries to text)."""
        if "summary" in self.context() and not self.has_content:
            raise Decline  # feedparser would read this one as the content
        element = "summary" if name.endswith("summary") else "description"
        detail = self.push_content(attrs, "text/plain" if element == "summary" else "text/html")
        self.store(element, self.text(el, detail=detail), depth, detail)

    @handles("content", "content_encoded")
    def content(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """The entry's content, and its summary if it has none."""
        if name == "content" and not (self.inentry and depth == self.entry_depth + 1):
            raise Decline  # _start_content pushes twice; elsewhere the extra one misleads
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

    @handles("guid", "id")
    def guid(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """The id; a permalink guid is also the link, if there is none yet."""
        self.guidislink = attrs.get("ispermalink", "true") == "true"
        raw = self.text(el, mend=False)
        value = mended(self.resolve(raw) if self.guidislink else raw)
        self.store("id", value, depth)
        if self.guidislink:
            self.context().setdefault("link", value)

    @handles("link")
    def link(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """Atom's link (href, rel, type) or RSS's (its text), both listed in links."""
        attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
        attrs = _FP._enforce_href(attrs)
        context = self.context()
        context.setdefault("links", []).append(attrs)
        if "href" in attrs:
            attrs["href"] = urljoin(self.base or "", attrs["href"])
            if (
                attrs["rel"] == "alternate"
                and _FP.map_content_type(attrs["type"]) in _FP.html_types
            ):
                context["link"] = attrs["href"]
            self.children(el, depth)
            return
        value = mended(self.resolve(self.text(el, mend=False)))
        if self.inentry:
            context["link"] = value = unentity(value.replace("&amp;", "&"))
            if value:
                attrs["href"] = value
        elif self.infeed:
            context["link"] = attrs["href"] = unentity(value)

    @handles("enclosure")
    def enclosure(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """An enclosure, listed in links (its url becomes href, unresolved)."""
        attrs = _FP._enforce_href(attrs)
        attrs["rel"] = "enclosure"
        self.context().setdefault("links", []).append(attrs)
        self.children(el, depth)

    @handles("media_content", "media_thumbnail")
    def media(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """media:content (which may hold titles, thumbnails…) and media:thumbnail."""
        self.context().setdefault(name, []).append(attrs)
        if name == "media_content":
            self.children(el, depth)
        elif (url := mended(self.resolve(self.text(el, mend=False)))) and "url" not in attrs:
            attrs["url"] = url

    @handles(
        "pubdate",
        "published",
        "issued",
        "dcterms_issued",
        "updated",
        "modified",
        "lastbuilddate",
        "dc_date",
        "dcterms_modified",
    )
    def date(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """A publication or update date, parsed by feedparser's own date parsers."""
        published = name in ("pubdate", "published", "issued", "dcterms_issued")
        self.context()["published_parsed" if published else "updated_parsed"] = parse_date(
            self.text(el)
        )

    @handles("author", "dc_creator", "dc_author", "itunes_author", "managingeditor")
    def author(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """An author as text ("a@b.c (Name)"), or as name, email and uri parts."""
        context = self.context()
        context.setdefault("authors", []).append(FeedParserDict())
        value = ""
        if not len(el):
            value = self.text(el)
        elif (el.text or "").strip() or any((child.tail or "").strip() for child in el):
            raise Decline
        else:
            self.inauthor = True
            self.children(el, depth)
            self.inauthor = False
        self.store("author", value, depth)
        Person(context)._sync_author_detail()

    @handles(*PERSON)
    def person(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """An author's parts (outside one, nothing items read)."""
        key = PERSON[name]
        value = (
            mended(self.resolve(self.text(el, mend=False)))
            if key == "href"
            else self.text(el, mend=False)
        )
        if self.inauthor:
            Person(self.context())._save_author(key, value)

    @handles("language", "dc_language")
    def language(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """The feed's language (feedparser keeps it from reaching the entries' texts)."""
        self.store("language", self.text(el), depth)

    @handles(*OWN_DICT)
    def own_dict(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """image, textinput, contributor: nothing in them reaches what items read."""
        if name != "contributor" and self.inentry:
            raise Decline
        if any(len(child) or self.name(child.tag) not in OWN_DICT[name] for child in el):
            raise Decline

    @handles(
        "subtitle",
        "tagline",
        "rights",
        "copyright",
        "dc_rights",
        "info",
        "feedburner_browserfriendly",
        "itunes_subtitle",
    )
    def text_construct(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """Subtitles, rights and the like: unread, but their children would be markup."""
        if len(el):
            raise Decline

    @handles(
        "rss",
        "media_group",
        "category",
        "keywords",
        "dc_subject",
        "media_category",
        "itunes_category",
        "media_keywords",
        "itunes_keywords",
        "tags",
        "cloud",
        "generator",
        "created",
        "dcterms_created",
        "expirationdate",
        "dcterms_valid",
        "webmaster",
        "dc_publisher",
        "dc_contributor",
        "media_credit",
        "media_rating",
        "media_restriction",
        "media_license",
        "media_player",
        "newlocation",
        "width",
        "height",
        "itunes_image",
        "itunes_link",
        "itunes_explicit",
        "itunes_block",
    )
    def ignored(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """Handlers that fill only keys items never read: only the children matter."""
        self.children(el, depth)

    def unknown(self, el: El, name: str, attrs: Attrs, depth: int) -> None:
        """No handler: feedparser stores it under its name (ttl is the one read)."""
        key = FeedParserDict.keymap.get(name, name)
        if key == "ttl":
            value = self.text(el)
            self.store("ttl", attrs or value, depth)
        elif (key[0] if isinstance(key, list) else key) in READ:
            raise Decline
        else:
            self.children(el, depth)


Reader.handlers = HANDLERS
