"""The storage interface every backend implements: `Store` for the running daemon, and
`Maintenance` for what the operator's `feedhub store …` commands do to a backend's data.

A backend is a `Store` subclass whose `maintenance()` gives its own `Maintenance`. That
store is the one `open_store` makes, not yet opened: it knows where its data is, so each
command works on that data at rest (a damaged SQLite file is checked and recovered without
the backend writing to it). An action a backend's `Maintenance` does not override is
refused; the command line only parses, calls these and prints (store/operations.py answers
the questions about every backend: which made a backup, which a `--to URL` names).
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from feedhub.config import StorageConfig
from feedhub.models import EncodedItems, FetchState, Item, RowMaker, item_json
from feedhub.store.rows import Unreadable
from feedhub.store.sealing import Sealer

ALERTS_KEPT = 500  # delivery records kept, newest first
ChangeListener = Callable[[str, str], Awaitable[None]]  # (source_id, digest)
# What a shared store tells its change listeners after catching up on an outage: changes that
# are not a source's (moderation decisions) may have been missed too, and are to be read again.
CAUGHT_UP = "@caught-up"
# A position among a source's items: (rank, id). Items are ordered by rank, then id, both
# descending (ids compared as strings, which is UTF-8 byte order in every backend).
Position = tuple[float, str]
LAST_ID = "\U0010ffff"  # above every id: with a rank, a position after all items of that rank


def position(item: Item) -> Position:
    return (item.rank, item.id)


def item_texts(items: list[Item], encoded: EncodedItems | None) -> list[str]:
    """The items' JSON: the caller's when it has it (made in the parse worker), else made now."""
    return encoded.texts if encoded is not None else [item_json(item) for item in items]


class Store(ABC):
    """Items and fetch state per source. Single-process backends lease every source to us."""

    shared = False  # True when several replicas share the data (redis)
    sealer: Sealer | None = None  # seals the tokens a state carries (store/sealing.py)
    where = "memory"  # the store, as messages to the operator name it

    @property
    def unreadable(self) -> Unreadable:
        """The sources with rows that could not be read (see `feedhub.store.rows`)."""
        found = self.__dict__.get("_unreadable")
        if found is None:
            found = self.__dict__["_unreadable"] = Unreadable(self.where)
        return found

    async def open(self) -> None:
        """Connect, create the schema."""

    async def close(self) -> None:
        """Flush and release the backend."""

    @abstractmethod
    async def get_items(self, source_id: str) -> list[Item]:
        """The source's stored items (any order)."""

    async def recent_items(self, source_id: str, count: int) -> list[Item]:
        """The source's first `count` items by rank (`Item.rank`): what a widget can show,
        read without loading every stored item (each backend keeps them in rank order)."""
        return await self.page(source_id, count)

    async def page(self, source_id: str, count: int, after: Position | None = None) -> list[Item]:
        """The source's first `count` items (by rank, then id, descending) that come after
        `after` (every item without it): a page of a widget reads only those."""
        items = sorted(await self.get_items(source_id), key=position, reverse=True)
        if after is not None:
            items = [it for it in items if position(it) < after]
        return items[:count]

    async def item_ids(self, source_id: str) -> set[str]:
        """The ids of the source's stored items (a backend may read only those)."""
        return {item.id for item in await self.get_items(source_id)}

    @abstractmethod
    async def save(
        self,
        source_id: str,
        state: FetchState,
        items: list[Item] | None,
        encoded: EncodedItems | None = None,
    ) -> None:
        """Store the fetch state and, when given, replace the source's items, atomically.
        `encoded`: the items' JSON (and rows, see `row_maker`) when the caller has them."""

    def row_maker(self) -> RowMaker | None:
        """What makes this backend's rows of items when they are not the items' JSON: the
        parse workers make them beside the JSON, so the store only writes them."""
        return None

    @abstractmethod
    async def get_state(self, source_id: str) -> FetchState | None:
        """The source's fetch state, None if never polled."""

    @abstractmethod
    async def all_states(self) -> dict[str, FetchState]:
        """Every source's fetch state: loaded once at start."""

    async def delete(self, source_id: str) -> None:
        """Forget a source that left the config."""

    async def ping(self) -> bool:
        return True

    async def acquire(self, source_id: str, owner: str, ttl: float) -> bool:
        """Take or renew the right to poll a source; a lone process always has it."""
        return True

    async def release(self, source_id: str, owner: str) -> None:
        """Give the right to poll back early (on shutdown)."""

    def on_change(self, listener: ChangeListener) -> None:
        """Be told of changes made by other replicas (shared backends only)."""

    async def publish(self, source_id: str, digest: str) -> None:
        """Tell the other replicas a source's items changed (shared backends only)."""

    # -- alert deliveries and connected accounts: JSON texts, kept beside the items -----
    # A lone process may keep them in memory (the memory backend); the persistent backends
    # override every one of these.

    def _kept(self) -> dict[str, dict[str, str]]:
        return self.__dict__.setdefault("_kept_texts", {"alerts": {}, "sent": {}, "accounts": {}})

    async def add_alert(self, text: str, when: float) -> None:
        """Keep the record of one delivery (JSON); the newest `ALERTS_KEPT` stay."""
        log = self._kept()["alerts"]
        log[f"{when:020.6f}-{len(log):06d}"] = text
        for key in sorted(log)[:-ALERTS_KEPT]:
            del log[key]

    async def recent_alerts(self, count: int) -> list[str]:
        """The newest `count` delivery records, newest first."""
        log = self._kept()["alerts"]
        return [log[k] for k in sorted(log, reverse=True)[:count]]

    async def alert_sent(self, key: str) -> float | None:
        """When the event `key` was last sent, if ever (what "once per period" counts on)."""
        when = self._kept()["sent"].get(key)
        return float(when) if when is not None else None

    async def mark_sent(self, keys: list[str], when: float) -> None:
        for key in keys:
            self._kept()["sent"][key] = str(when)

    async def get_account(self, source_id: str) -> str | None:
        """A connected account's record (its token encrypted), None if not connected."""
        return self._kept()["accounts"].get(source_id)

    async def put_account(self, source_id: str, text: str) -> None:
        self._kept()["accounts"][source_id] = text

    def maintenance(self) -> Maintenance:
        """What `feedhub store …` can do to this backend's data (nothing, by default)."""
        return Maintenance()

    # -- moderation decisions: JSON by widget and item id ------------------------------
    # Kept here, in this process, by default (the memory backend); persistent backends
    # override all three.

    async def decisions(self, widget: str) -> dict[str, str]:
        """A widget's decisions: item id -> JSON (publish/decisions.py reads them)."""
        return dict(self._kept_decisions().get(widget, {}))

    async def decide(self, widget: str, item_id: str, text: str | None) -> None:
        """Record a decision on an item (None: forget it, as an undo does)."""
        kept = self._kept_decisions().setdefault(widget, {})
        if text is None:
            kept.pop(item_id, None)
        else:
            kept[item_id] = text

    async def all_decisions(self) -> dict[str, dict[str, str]]:
        """Every widget's decisions (for `feedhub moderation export` and `store copy`)."""
        return {w: dict(d) for w, d in self._kept_decisions().items() if d}

    def _kept_decisions(self) -> dict[str, dict[str, str]]:
        kept: dict[str, dict[str, str]] | None = getattr(self, "_decided", None)
        if kept is None:
            kept = {}
            self._decided = kept
        return kept

    # -- the media cache's records: JSON by image URL, findable by content name --------

    @abstractmethod
    async def media_records(self) -> list[str]:
        """Every image record (read once at start)."""

    @abstractmethod
    async def get_media(self, urls: list[str]) -> dict[str, str]:
        """The records of those URLs that have one."""

    @abstractmethod
    async def media_by_digest(self, digest: str) -> str | None:
        """A record whose files have this content name (a replica that lacks them fetches
        them from its URL)."""

    @abstractmethod
    async def put_media(self, url: str, digest: str, text: str) -> None:
        """Store an image URL's record (`digest` empty when it failed)."""

    @abstractmethod
    async def delete_media(self, urls: list[str]) -> None:
        """Forget images no stored item uses any more."""


class Refused(Exception):
    """An action that would lose or mix data, or that a backend has no use for: refused with
    what to do instead."""


@dataclass
class Outcome:
    """What a maintenance action says to the operator, and whether it went well (its exit)."""

    lines: list[str]
    ok: bool = True


class Maintenance:
    """One backend's `feedhub store` actions on its data. Each action it does not override
    is refused; `does` says which it overrides."""

    ACTIONS = ("check", "backup", "restore", "recover", "quarantine", "copy")
    backup_noun = ""  # what its backups are, in a message: "a SQLite backup"
    url_forms: tuple[str, ...] = ()  # the `--to URL`s `names` takes, as a message shows them
    place: object = None  # where its data is: equal places of one backend are one store

    def does(self, action: str) -> bool:
        return getattr(type(self), action) is not getattr(Maintenance, action)

    def names(self, url: str, prefix: str) -> StorageConfig | None:
        """The storage a `--to URL` names, if it is one of this backend's."""
        return None

    def made(self, path: Path) -> bool:
        """Whether FILE is a backup this backend writes."""
        return False

    async def check(self) -> Outcome:
        """Integrity and schema version; not ok when damaged."""
        raise _not_here("check")

    async def backup(self, target: Path) -> Outcome:
        """An online, consistent copy into FILE."""
        raise _not_here("backup")

    async def restore(self, source: Path) -> Outcome:
        """Replace the data with a backup FILE this backend made; what it replaces is kept."""
        raise _not_here("restore")

    async def recover(self) -> Outcome:
        """Save what can still be read of damaged data."""
        raise _not_here("recover")

    async def quarantine(self) -> Outcome:
        """Set the data aside, so the next start begins empty."""
        raise _not_here("quarantine")

    async def copy(self, target: Maintenance, shown: str, force: bool) -> Outcome:
        """Everything, as it is, into another store of this backend (`shown`: its name in
        messages); a target that holds data is replaced only with `force`."""
        raise _not_here("copy")

    async def left_out(self) -> list[str]:
        """What a copy into another backend would not carry (it goes through `Store`)."""
        return []


def _not_here(action: str) -> Refused:
    return Refused(f"{action}: not for this backend")


@contextlib.asynccontextmanager
async def opened(store: Store) -> AsyncIterator[Store]:
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def announce(store: Store) -> None:
    """Tell running replicas that every source changed under them (their data was replaced)."""
    async with opened(store):
        for sid, state in (await store.all_states()).items():
            await store.publish(sid, state.digest)
