"""Two of feedparser's helpers the replay calls once or twice per entry, with the common
case answered without their general work: the answer is theirs, byte for byte, or they are
asked. (The equivalence is checked against them in tests/test_fastfeed_shortcuts.py.)"""

from __future__ import annotations

import contextlib
import re
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

# feedparser's own helpers (private: see the package's note on the releases replayed).
from feedparser.datetimes import _parse_date
from feedparser.urls import _urljoin

# An absolute http(s) URL of letters, digits and `-._~/` only: `_urljoin` gives it back as it
# is against any base urllib can split (no slashes for its fix, no params, query or fragment
# for urlunparse to rewrite), so it is not split and put together again for every entry.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9][A-Za-z0-9.-]*(?:/[A-Za-z0-9._~/-]*)?\Z")
_SPLITS: dict[str, bool] = {}  # base -> whether urllib splits it (else _urljoin answers "")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
# RFC 822 as feeds write it most: day name, two-digit day, four-digit year, seconds, GMT or
# a numeric zone; ASCII digits only (int() would also read other scripts' digits).
_RFC822 = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) ("
    + "|".join(_MONTHS)
    + r") ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) (?:GMT|([+-])([0-9]{2})([0-9]{2}))"
)


def urljoin(base: str, uri: str) -> str:
    """feedparser's `_urljoin(base, uri)`, without its work where the answer is `uri`."""
    if _PLAIN_URL.match(uri):
        splits = _SPLITS.get(base)
        if splits is None:
            try:
                urlsplit(base)
                splits = True
            except ValueError:
                splits = False
            if len(_SPLITS) < 1024:
                _SPLITS[base] = splits
        if splits:
            return uri
    return _urljoin(base, uri)


def parse_date(text: str) -> time.struct_time | None:
    """feedparser's `_parse_date(text)`. The usual RFC 822 form ("Tue, 14 Nov 2023 22:13:20
    GMT") is read here as feedparser's rfc822 parser reads it (its W3C-DTF parser, tried
    first, finds no year in that form: the day name stands where it looks for one); any
    other text, or a date that does not exist, goes through feedparser's handlers."""
    match = _RFC822.fullmatch(text)
    if match is not None:
        day, month, year, hour, minute, second, sign, zone_h, zone_m = match.groups()
        offset_h, offset_m = (int(zone_h), int(zone_m)) if sign else (0, 0)
        if sign == "-":
            offset_h, offset_m = -offset_h, -offset_m
        with contextlib.suppress(ValueError, OverflowError):
            stamp = datetime(
                int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second)
            )
            return (stamp - timedelta(minutes=offset_m, hours=offset_h)).utctimetuple()
    return _parse_date(text)
