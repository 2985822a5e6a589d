"""Which items a widget shows: merge, filter, hide, pin, limit. Pure functions only."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from feedhub.config import WidgetConfig
from feedhub.models import Item


@dataclass(frozen=True, slots=True)
class Matcher:
    """A filter word (case-insensitive substring) or a `/regex/`."""

    words: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def compile(cls, specs: Iterable[str]) -> Matcher:
        words, patterns = [], []
        for spec in specs:
            if len(spec) > 2 and spec.startswith("/") and spec.endswith("/"):
                patterns.append(re.compile(spec[1:-1], re.IGNORECASE))
            elif spec:
                words.append(spec.casefold())
        return cls(tuple(words), tuple(patterns))

    def __bool__(self) -> bool:
        return bool(self.words or self.patterns)

    def matches(self, item: Item) -> bool:
        text = f"{item.title}\n{item.summary}"
        folded = text.casefold()
        return any(w in folded for w in self.words) or any(p.search(text) for p in
                                                            self.patterns)


def select(
    items: Iterable[Item], widget: WidgetConfig, now: datetime, limit: int | None = None
) -> list[Item]:
    """The widget's items: pinned first (in `pin` order), then newest first, up to `limit`."""
    include = Matcher.compile(widget.filters.include)
    exclude = Matcher.compile(widget.filters.exclude)
    oldest = now - timedelta(seconds=widget.filters.max_age) if widget.filters.max_age else None
    hidden = set(widget.hide)
    pin_rank = {item_id: i for i, item_id in enumerate(widget.pin)}
    seen: set[tuple[str, str]] = set()
    pinned: list[Item] = []
    rest: list[Item] = []
    for item in items:
        key = (item.source, item.id)
        if key in seen or item.id in hidden:
            continue
        seen.add(key)
        if item.id in pin_rank:
            pinned.append(item)
            continue
        if include and not include.matches(item):
            continue
        if exclude and exclude.matches(item):
            continue
        if oldest and item.sort_time < oldest and not item.pinned:
            continue
        rest.append(item)
    pinned.sort(key=lambda it: pin_rank[it.id])
    rest.sort(key=lambda it: (it.pinned, it.sort_time), reverse=True)
    return (pinned + rest)[: limit or widget.limit]
