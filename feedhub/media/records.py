"""What feedhub knows of one upstream image URL: its cached files, or why it has none.

Records are what the stores share (a replica that lacks a file finds, by its name, the URL to
fetch it from) and what rendering reads. The decisions on them are pure functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

# A failed image is tried again after this, doubling with each failure, up to a day.
RETRY_AFTER = 15 * 60.0
MAX_RETRY = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class MediaRecord:
    """An image URL and its cached variants (`sizes`, smallest first), or its last error."""

    url: str
    source: str = ""  # the source whose item brought it first (its errors are counted there)
    digest: str = ""
    fallback: str = ""  # jpg | png
    sizes: tuple[tuple[int, int], ...] = field(default=())  # (width, height) per variant
    size: int = 0  # bytes on disk, every variant and format
    error: str = ""
    errors: int = 0
    next_try: float = 0.0
    etag: str = ""
    last_modified: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.digest)

    @property
    def widths(self) -> list[int]:
        return [w for w, _ in self.sizes]

    def to_json(self) -> str:
        # The fields by hand, not `asdict`: its deep copy of every value cost a settled image
        # a millisecond of the event loop, for the same text.
        return json.dumps({f: getattr(self, f) for f in FIELDS}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> MediaRecord:
        data: dict[str, Any] = json.loads(text)
        data["sizes"] = tuple(tuple(s) for s in data.get("sizes") or ())
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


FIELDS = tuple(f.name for f in fields(MediaRecord))


def retry_delay(errors: int) -> float:
    """How long a failed image waits before the next try."""
    return min(RETRY_AFTER * 2 ** min(max(errors, 1) - 1, 32), MAX_RETRY)


def failed(
    previous: MediaRecord | None, url: str, source: str, error: str, now: float
) -> MediaRecord:
    """The record after a failed fetch or a refused image: no files, next try backed off."""
    errors = (previous.errors if previous else 0) + 1
    return MediaRecord(
        url=url,
        source=previous.source if previous else source,
        error=error,
        errors=errors,
        next_try=now + retry_delay(errors),
    )


def cached(
    url: str,
    source: str,
    digest: str,
    fallback: str,
    sizes: tuple[tuple[int, int], ...],
    size: int,
    etag: str = "",
    last_modified: str = "",
) -> MediaRecord:
    return MediaRecord(
        url=url,
        source=source,
        digest=digest,
        fallback=fallback,
        sizes=sizes,
        size=size,
        etag=etag,
        last_modified=last_modified,
    )


def due(record: MediaRecord | None, now: float) -> bool:
    """Whether to fetch the URL now: never seen, or failed and its backoff is over. A cached
    one is not fetched again (its files are immutable); a missing file is fetched on demand."""
    if record is None:
        return True
    return not record.ok and now >= record.next_try


def settled(record: MediaRecord | None) -> bool:
    """Cached or failed: a widget may show the item (with the image, or with its alt text)."""
    return record is not None and (record.ok or bool(record.error))
