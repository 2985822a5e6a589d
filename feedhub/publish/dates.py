"""Dates (and counts) as a widget's visitors read them: in the widget's time zone and language.

The served `<time datetime>` is always UTC; the text inside it is the local date. A widget
with `dates: relative` also carries `data-fh-dates="relative"` on its root, and the framed
page's script (or the embed script) rewrites each date as "3 hours ago" at view time, so
cached bytes never go stale; the absolute date stays as the fallback without scripts.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.localtime import get_localzone
from babel.numbers import format_compact_decimal


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    return Locale.parse(name.replace("-", "_"))


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """The time zone called `name` (IANA, e.g. "Europe/Paris"); "" is the host's own."""
    return ZoneInfo(name) if name else get_localzone()


@lru_cache(maxsize=64)
def text_direction(locale: str) -> str:
    """ "rtl" for a right-to-left language (ar, he, fa, ur, ...), else "ltr"."""
    return "rtl" if _locale(locale).character_order == "right-to-left" else "ltr"


def local_date(value: datetime | None, locale: str = "en", timezone: str = "") -> str:
    """A date as people of `locale` write it, in `timezone`: "24 nov. 2026, 10:30"."""
    if value is None:
        return ""
    loc, tz = _locale(locale), zone(timezone)
    local = value.astimezone(tz)
    return f"{format_date(local, 'medium', locale=loc)}, {format_time(local, 'short', locale=loc)}"


def iso_date(value: datetime | None) -> str:
    """The machine-readable date of `<time datetime>`: always UTC."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else ""


@lru_cache(maxsize=1024)
def compact_number(value: int, locale: str = "en") -> str:
    """A count written short as people of `locale` write it: "1.2K", "1,2 k", "1.5万"."""
    return format_compact_decimal(value, locale=_locale(locale), fraction_digits=1)
