"""When to poll a source next: pure functions of the interval, upstream hints and errors."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from feedhub.models import FetchState

MAX_DELAY = 24 * 3600.0
JITTER = 0.10
REMAINING_HEADERS = ("x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining")
RESET_HEADERS = ("x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset")
_MAX_AGE_RE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def _http_date(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def hinted_delay(headers: Mapping[str, str], now: float, ttl: float | None = None) -> float:
    """The longest wait an upstream asked for: max-age, Expires, Retry-After, rate-limit reset."""
    hints = [ttl or 0.0]
    if m := _MAX_AGE_RE.search(headers.get("cache-control", "")):
        hints.append(float(m.group(1)))
    if (expires := headers.get("expires")) and (at := _http_date(expires)):
        hints.append(at - now)
    if retry := headers.get("retry-after", "").strip():
        if retry.isdigit():
            hints.append(float(retry))
        elif at := _http_date(retry):
            hints.append(at - now)
    if _rate_limited(headers):
        for name in RESET_HEADERS:
            reset = headers.get(name, "").strip()
            if not reset:
                continue
            if reset.replace(".", "", 1).isdigit():
                value = float(reset)
                # Mastodon sends an ISO date, X and Bluesky an epoch, Reddit seconds-from-now.
                hints.append(value - now if value > 1e9 else value)
            elif at := _iso_time(reset):
                hints.append(at - now)
    return max(0.0, *hints)


def _rate_limited(headers: Mapping[str, str]) -> bool:
    """No requests left in the window (or no count given beside a reset time)."""
    for name in REMAINING_HEADERS:
        if name in headers:
            try:
                return float(headers[name]) <= 0  # Reddit sends "0.0"
            except ValueError:
                return False
    return True


def _iso_time(value: str) -> float | None:
    from datetime import datetime

    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def header_hints(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers `hinted_delay` (and WebSub discovery) read, kept in the fetch state."""
    names = ("cache-control", "expires", "retry-after", *REMAINING_HEADERS, *RESET_HEADERS,
             "link")  # link: a WebSub hub announced in the headers
    return {k: str(headers[k]) for k in names if k in headers}


def backoff(interval: float, errors: int) -> float:
    """Exponential backoff: interval × 2^(errors−1), capped at a day; never gives up."""
    if errors <= 0:
        return interval
    return min(interval * 2 ** min(errors - 1, 32), MAX_DELAY)


def next_check(
    now: float,
    interval: float,
    *,
    errors: int = 0,
    hint: float = 0.0,
    rng: random.Random | None = None,
) -> float:
    """Unix time of the next poll: the longest of interval, backoff and hints, jittered ±10%."""
    delay = max(backoff(interval, errors), min(hint, MAX_DELAY))
    jitter = (rng or random).uniform(-JITTER, JITTER) * delay
    return now + max(delay + jitter, min(delay, 1.0))


def refresh_at(state: FetchState, floor: float, now: float) -> float:
    """When a requested refresh may poll: never inside a backoff or an upstream's
    Retry-After (both in `next_check` while the source errs), nor sooner after the last
    poll than `floor` (the platform's least interval, or a minimum between push pings)."""
    if state.errors:
        return max(now, state.next_check)
    return max(now, (state.last_attempt or 0.0) + floor)
