"""The common item every source adapter yields, and the per-source fetch state."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any


def _by_fields(obj: Any) -> tuple[type, tuple[Any, ...]]:
    """Pickle as the class and its field values: twice as fast to load as slot by slot, and
    parse workers send every item they read this way."""
    return type(obj), tuple(getattr(obj, name) for name in obj.__slots__)


@dataclass(frozen=True, slots=True)
class Author:
    name: str = ""
    handle: str = ""
    url: str = ""
    avatar: str = ""

    __reduce__ = _by_fields


@dataclass(frozen=True, slots=True)
class Media:
    url: str
    type: str = "image"  # image | video | audio | link | file (an enclosure of another kind)
    width: int | None = None
    height: int | None = None
    alt: str = ""
    preview_url: str = ""
    mime: str = ""  # set for a feed's enclosure, which the feed outputs carry on
    size: int | None = None  # an enclosure's length in bytes, when its feed gave it

    __reduce__ = _by_fields


@dataclass(frozen=True, slots=True)
class Item:
    """One post or entry, the same shape whichever platform it came from."""

    id: str
    source: str
    url: str
    title: str = ""
    content_html: str = ""  # sanitized at ingest; the only field templates mark safe
    summary: str = ""  # plain text
    author: Author = field(default_factory=Author)
    published: datetime | None = None
    updated: datetime | None = None
    media: tuple[Media, ...] = ()
    reply: bool = False
    repost: bool = False
    pinned: bool = False
    lang: str = ""
    network: str = "feed"  # the source type: feed, mastodon, … (config.platforms)
    reposted_by: Author | None = None
    content_warning: str = ""  # shown folded over the content when set
    sensitive: bool = False  # folded even without a warning text
    extra: dict[str, Any] = field(default_factory=dict)
    # What the platform counts of the post, when it gives them (None: it does not).
    replies: int | None = None
    reposts: int | None = None
    likes: int | None = None

    __reduce__ = _by_fields

    def __post_init__(self) -> None:
        # Every title passes here, whichever adapter made it: bidi overrides would reorder
        # the text around it, control characters drive terminals (`feedhub fetch`).
        if _UNSHOWN.search(self.title):
            object.__setattr__(self, "title", _UNSHOWN.sub("", self.title))

    @property
    def sort_time(self) -> datetime:
        return self.published or self.updated or _EPOCH

    @property
    def rank(self) -> float:
        """Where the item stands in its source, higher first: a platform's pinned posts,
        then the newest. Stores index it, so a widget reads only the items it can show."""
        return self.sort_time.timestamp() + (PINNED_RANK if self.pinned else 0.0)

    def to_dict(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict: this runs twice per item stored (digest, store)
        # and asdict's recursive deep copy was most of a poll's time on the event loop.
        data = {name: getattr(self, name) for name in _ITEM_FIELDS}
        data["author"] = _slots_dict(self.author)
        data["media"] = tuple(_media_dict(m) for m in self.media)
        data["reposted_by"] = _slots_dict(self.reposted_by) if self.reposted_by else None
        data["extra"] = copy.deepcopy(self.extra) if self.extra else {}
        for key in ("published", "updated"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        # Kept only when the platform gave them: items stored before they existed keep
        # their encoding and digest.
        for key in COUNTS:
            if data[key] is None:
                del data[key]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        data = dict(data)
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        for key in ("published", "updated"):
            if data.get(key):
                data[key] = datetime.fromisoformat(data[key])
        data["author"] = Author(**data.get("author") or {})
        data["media"] = tuple(Media(**m) for m in data.get("media") or ())
        if data.get("reposted_by"):
            data["reposted_by"] = Author(**data["reposted_by"])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Profile:
    """The account a social source reads, as a widget's header shows it."""

    name: str = ""
    handle: str = ""
    url: str = ""  # the account's page on its network (the "Follow" link)
    avatar: str = ""
    banner: str = ""
    bio_html: str = ""  # sanitized at ingest, and again on the way out
    followers: int | None = None
    posts: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        known = set(cls.__slots__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def images_item(self, source_id: str) -> Item:
        """The profile's pictures as an item's, so that the media cache settles and looks them
        up as it does a post's."""
        media = (Media(self.banner),) if self.banner else ()
        return Item(
            id=PROFILE,
            source=source_id,
            url=self.url,
            author=Author(avatar=self.avatar),
            media=media,
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Left out of titles: C0 controls but tab and line breaks, DEL, C1 controls, and the bidi
# embeddings, overrides and isolates (U+202A-202E, U+2066-2069).
_UNSHOWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
PINNED_RANK = 1e11  # above any timestamp: pinned posts rank first
WITHHELD = "withheld"  # FetchState.meta: {author handle: why they are left out}
COUNTS = ("replies", "reposts", "likes")  # Item's engagement counts, in the order shown
PROFILE = "profile"  # FetchState.meta: the account's Profile, as its to_dict (widget headers)
PROFILE_AT = "profile_at"  # FetchState.meta: when the profile was last read (unix time)
TOKEN = "token"  # FetchState.meta: a renewed token, its expiry and last renewal problem
SESSION = "session"  # FetchState.meta: an AT Protocol session (its access and refresh JWTs)
_ITEM_FIELDS = tuple(f.name for f in fields(Item))


def _slots_dict(obj: Author | Media) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


_ENCLOSURE_ONLY = ("mime", "size")


def _media_dict(media: Media) -> dict[str, Any]:
    """A picture's or a video's fields as stores have always kept them; an enclosure's type
    and length only when it has them, so what was stored before, and its digest, stay the
    same."""
    data = _slots_dict(media)
    for name in _ENCLOSURE_ONLY:
        if not data[name]:
            del data[name]
    return data


def item_json(item: Item) -> str:
    """An item's canonical JSON: what the stores keep and what the digest hashes."""
    return json.dumps(item.to_dict(), sort_keys=True, default=str)


# The rows a store keeps items as, made from the items and their canonical JSON: a
# module-level function, so that a parse worker can be sent it (`Store.row_maker`).
RowMaker = Callable[[list["Item"], list[str]], list[bytes]]


@dataclass(frozen=True, slots=True)
class EncodedItems:
    """A list of items' canonical JSON texts and their digest, made once per poll (in the
    parse worker when the items come from one) for both the change check and the store;
    and the store's rows of them when it gave its `RowMaker` (each keyed by the item's own
    id and source; None: the store makes that one), so that its thread only writes them."""

    texts: list[str]
    digest: str
    rows: Sequence[bytes | None] | None = None

    @classmethod
    def of(cls, items: list[Item], make_rows: RowMaker | None = None) -> EncodedItems:
        texts = [item_json(item) for item in items]
        return cls.of_texts(texts, make_rows(items, texts) if make_rows else None)

    @classmethod
    def of_texts(cls, texts: list[str], rows: Sequence[bytes | None] | None) -> EncodedItems:
        h = hashlib.blake2b(digest_size=12)
        for text in texts:
            h.update(text.encode())
        return cls(texts, h.hexdigest(), rows)


def items_digest(items: list[Item]) -> str:
    """A short digest of a source's items: equal digests mean nothing a widget shows changed."""
    return EncodedItems.of(items).digest


def stable_id(*candidates: str | None) -> str:
    """Hash the first non-empty candidate (native id, then link, then title+content)."""
    for value in candidates:
        if value:
            return hashlib.sha256(value.encode()).hexdigest()[:24]
    return hashlib.sha256(b"").hexdigest()[:24]


@dataclass(slots=True)
class FetchState:
    """What the scheduler remembers of a source between polls (and across restarts).

    `meta` is the adapters' memory; the keys below are also read by the admin page."""

    etag: str = ""
    last_modified: str = ""
    errors: int = 0
    next_check: float = 0.0  # unix time
    last_success: float | None = None
    last_attempt: float | None = None
    last_error: str = ""
    digest: str = ""  # items_digest of the stored items
    item_count: int = 0
    meta: dict[str, Any] = field(default_factory=dict)  # adapter memory: account ids, since_id
    history: list[dict[str, Any]] = field(default_factory=list)  # recent fetches, newest last

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FetchState:
        # Once per stored source at start: the field names are looked up once, not per call.
        return cls(**{k: v for k, v in data.items() if k in _STATE_FIELDS})

    @property
    def withheld(self) -> dict[str, str]:
        """The authors left out at their request: {handle: reason} (`sources.consent`)."""
        value = self.meta.get(WITHHELD)
        return value if isinstance(value, dict) else {}

    @property
    def profile(self) -> Profile | None:
        """The account's profile, when the source's adapter reads one."""
        value = self.meta.get(PROFILE)
        return Profile.from_dict(value) if isinstance(value, dict) else None

    @property
    def token_expires(self) -> float | None:
        """When the source's token expires, if it has one (never the token itself)."""
        stored = self.meta.get(TOKEN)
        value = stored.get("expires") if isinstance(stored, dict) else None
        return float(value) if isinstance(value, int | float) else None

    @property
    def renewal_problem(self) -> str:
        """Why the token's last renewal failed ("" when it did not)."""
        stored = self.meta.get(TOKEN)
        return str(stored.get("problem") or "") if isinstance(stored, dict) else ""

    @property
    def health(self) -> str:
        """ok, degraded (erring but has items to show) or failing (erring with nothing)."""
        if self.errors == 0:
            return "ok" if self.last_success else "pending"
        return "degraded" if self.item_count else "failing"


_STATE_FIELDS = frozenset(f.name for f in fields(FetchState))
