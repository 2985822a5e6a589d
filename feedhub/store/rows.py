"""Stored rows that cannot be read: one bad row is skipped, said once and shown, never a
widget's 500 or a daemon that will not start.

A row can be damaged by a disk, a hand edit or a restore of something else; the rest of the
source's rows still serve. The source is marked until a save rewrites its rows, and its next
poll asks the upstream without validators (no `If-None-Match`), so a `304` cannot keep the
bad row for ever.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from feedhub.models import FetchState, Item
from feedhub.store.compact import unpack, with_key

log = logging.getLogger("feedhub.store")

# What decoding a damaged row raises: bad JSON, UTF-8 or deflate (ValueError), JSON of the wrong
# shape (TypeError, KeyError, AttributeError).
ROW_ERRORS = (ValueError, TypeError, KeyError, AttributeError)


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:160]


def decode_items(
    texts: Iterable[str | bytes], keys: Iterable[tuple[str, str]] | None = None
) -> tuple[list[Item], list[str]]:
    """The items the rows hold (JSON text, or compact: `feedhub.store.compact`, whose `id` and
    `source` come from `keys`, each row's (id, source)), and why each row that holds none could
    not be read. Milliseconds for a source's items: backends run it off the event loop."""
    items, bad = [], []
    rows: Iterable[tuple[str | bytes, tuple[str, str] | None]] = (
        zip(texts, keys, strict=True) if keys is not None else ((t, None) for t in texts)
    )
    for text, key in rows:
        try:
            data = json.loads(unpack(text))
            items.append(Item.from_dict(with_key(data, *key) if key else data))
        except ROW_ERRORS as exc:
            bad.append(_why(exc))
    return items, bad


def decode_state(
    text: str | bytes, read: Callable[[str | bytes], Any] = json.loads
) -> FetchState | str:
    """The state a row holds, or why it cannot be read; `read` turns the row into its dict
    (a backend's own reading opens the sealed token in it)."""
    try:
        data = read(text)
        if not isinstance(data, dict):
            raise TypeError(f"a state is a JSON object, not {type(data).__name__}")
        return FetchState.from_dict(data)
    except ROW_ERRORS as exc:
        return _why(exc)


class Unreadable:
    """The sources whose stored rows could not all be read, and why: for `/readyz`, `/admin`
    and the poll that rewrites them. `listener` is told of each newly marked source."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.by_source: dict[str, str] = {}
        # Per source, moves when its rows are rewritten: what was rendered without the bad
        # rows has the same digest as what is stored now, yet differs from it.
        self.epochs: dict[str, int] = {}
        self.listener: Callable[[str], None] | None = None

    def __contains__(self, source_id: str) -> bool:
        return source_id in self.by_source

    def note(self, source_id: str, kind: str, problems: list[str]) -> None:
        """Rows of `kind` ("item", "state") of a source were skipped; logged once a source."""
        if not problems:
            return
        count = f"{len(problems)} {kind} row{'s' if len(problems) > 1 else ''}"
        reason = f"{count} cannot be read ({problems[0]})"
        if source_id not in self.by_source:
            log.error(
                "store %s: source %s: %s; skipped, the source is fetched again to rewrite it",
                self.where,
                source_id,
                reason,
            )
            self.by_source[source_id] = reason
            if self.listener is not None:
                self.listener(source_id)

    def rewritten(self, source_id: str) -> None:
        if self.by_source.pop(source_id, None) is not None:
            self.epochs[source_id] = self.epochs.get(source_id, 0) + 1
            log.info("store %s: source %s: its rows are whole again", self.where, source_id)
