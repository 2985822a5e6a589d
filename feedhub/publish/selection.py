"""Which items a widget shows: merge, filter, hide, pin, limit. Pure functions only.

Precedence, as the README states it: `hide` beats everything; `pin` keeps an item whatever
the filters say; then `filters.include`, `filters.exclude` and `filters.max_age` (which a
post its platform pinned is spared). Filters read the whole plain text of a post.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from feedhub.config import WidgetConfig
from feedhub.content.sanitize import sanitized_text
from feedhub.models import Item
from feedhub.publish.crossposts import merge_crossposts


@dataclass(frozen=True, slots=True)
class Matcher:
    """Filter words (case-insensitive substrings) and `/regex/`es (as written: case
    matters unless the regex says `(?i)`)."""

    words: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def compile(cls, specs: Iterable[str]) -> Matcher:
        words, patterns = [], []
        for spec in specs:
            if len(spec) > 2 and spec.startswith("/") and spec.endswith("/"):
                patterns.append(re.compile(spec[1:-1]))
            elif spec:
                words.append(spec.casefold())
        return cls(tuple(words), tuple(patterns))

    def __bool__(self) -> bool:
        return bool(self.words or self.patterns)

    def matches(self, text: str) -> bool:
        folded = text.casefold()
        return any(w in folded for w in self.words) or any(p.search(text) for p in self.patterns)


def filter_text(item: Item) -> str:
    """All a post says, as plain text: title, content warning, content (links' texts
    included), link cards' titles; the summary when there is no content."""
    cards = [m.alt for m in item.media if m.type == "link" and m.alt]
    body = sanitized_text(item.content_html) if item.content_html else item.summary
    return "\n".join(t for t in (item.title, item.content_warning, body, *cards) if t)


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
        text = filter_text(item) if include or exclude else ""
        if include and not include.matches(text):
            continue
        if exclude and exclude.matches(text):
            continue
        if oldest and item.sort_time < oldest and not item.pinned:
            continue
        rest.append(item)
    pinned.sort(key=lambda it: pin_rank[it.id])
    # One order for every page (publish/paging.py): rank, then source, then id.
    rest.sort(key=lambda it: (it.rank, it.source, it.id), reverse=True)
    shown = pinned + rest
    if widget.dedupe:
        shown = merge_crossposts(shown, {sid: i for i, sid in enumerate(widget.sources)})
    return shown[: limit or widget.limit]


FILTERED_WINDOW = 10  # with include/exclude filters, items read per item shown


def read_window(widget: WidgetConfig) -> int:
    """How many of each source's first items (by rank) a widget reads: enough for its
    largest limit after hidden, pinned and filtered items, never the whole source."""
    filtered = widget.filters.include or widget.filters.exclude
    return widget.limit * (FILTERED_WINDOW if filtered else 1) + len(widget.hide) + len(widget.pin)


# The limits a widget is prepared at: a request's `limit` is answered by the largest of these
# not above it (or the widget's own limit), so a query can choose among a few renderings.
LIMIT_STEPS = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    12,
    15,
    20,
    25,
    30,
    40,
    50,
    60,
    80,
    100,
    120,
    150,
    200,
)


def prepared_limit(asked: int, widget_limit: int) -> int:
    """The prepared limit that answers `?limit=asked` (1 <= asked <= widget_limit)."""
    if asked >= widget_limit:
        return widget_limit
    return max(step for step in LIMIT_STEPS if step <= asked)


def prepared_locale(asked: str, widget: WidgetConfig) -> str:
    """The prepared locale that answers `?locale=asked`: the same one, else one of the same
    language, else the widget's own."""
    prepared = [widget.locale, *widget.locales]
    wanted = asked.replace("-", "_").lower()
    for candidate in (wanted, wanted.partition("_")[0]):
        for locale in prepared:
            if locale.replace("-", "_").lower() == candidate:
                return locale
    language = wanted.partition("_")[0]
    return next((loc for loc in prepared if loc.lower().startswith(language)), widget.locale)


SCHEMES = ("", "light", "dark", "auto")  # "": the widget's own


def variant_count(widget: WidgetConfig, themes: int, formats: int, themed: int) -> int:
    """How many renderings of a widget a query string can choose among: what the render
    cache must hold so that every one stays prepared."""
    limits = {
        prepared_limit(step, widget.limit) for step in LIMIT_STEPS if step <= widget.limit
    } | {widget.limit}
    return (
        len(limits)
        * (1 + len(widget.locales))
        * (themed * themes * len(SCHEMES) + formats - themed)
    )
