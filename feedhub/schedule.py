"""When to poll a source next: pure functions of the interval, upstream hints and errors."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

MAX_DELAY = 24 * 3600.0
JITTER = 0.10
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
    remaining = headers.get("x-ratelimit-remaining", headers.get("x-rate-limit-remaining"))
    for name in ("x-ratelimit-reset", "x-rate-limit-reset"):
        reset = headers.get(name, "").strip()
        if not reset or remaining not in ("0", None):
            continue
        if reset.replace(".", "", 1).isdigit():
            value = float(reset)
            # Mastodon sends an ISO date, X an epoch, others seconds-from-now.
            hints.append(value - now if value > 1e9 else value)
        elif at := _iso_time(reset):
            hints.append(at - now)
    return max(0.0, *hints)


def _iso_time(value: str) -> float | None:
    from datetime import datetime

    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


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
