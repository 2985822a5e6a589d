"""Small readers for upstream values, shared by every parser: lenient, never raising."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

SUMMARY_CHARS = 280  # plain-text summary length, for every source


def as_int(value: Any) -> int | None:
    """An int from an int or a numeric string, else None."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def iso_time(value: Any) -> datetime | None:
    """A UTC datetime from an ISO 8601 string ("Z" or an offset; naive is taken as UTC)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
