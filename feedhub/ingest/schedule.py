"""When to poll a source next: pure functions of the interval, upstream hints and errors."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from feedhub.models import FetchState

MAX_DELAY = 24 * 3600.0
JITTER = 0.10
REMAINING_HEADERS = ("x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining")
RESET_HEADERS = ("x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset")
# Windows with a count of their own (Tumblr's hour and day): when one is used up, wait for its
# reset (seconds from now).
WINDOW_HEADERS = (
    ("x-ratelimit-perhour-remaining", "x-ratelimit-perhour-reset"),
    ("x-ratelimit-perday-remaining", "x-ratelimit-perday-reset"),
)
# Meta's usage headers: JSON percentages of the app's (or the business's) quotas over a
# rolling hour; Meta throttles at 100 %. From USAGE_SLOWDOWN on, the next poll waits a share
# of that hour growing to all of it at 100 % (95 % -> 45 min): feedhub leaves the last fifth
# to whatever else uses the same app, and never runs into the wall itself.
USAGE_HEADERS = ("x-app-usage", "x-business-use-case-usage")
USAGE_SLOWDOWN = 80.0
USAGE_WINDOW = 3600.0
# What `header_hints` keeps; link: a WebSub hub announced in the headers.
HINT_HEADERS = (
    "cache-control",
    "expires",
    "retry-after",
    *REMAINING_HEADERS,
    *RESET_HEADERS,
    *(name for pair in WINDOW_HEADERS for name in pair),
    *USAGE_HEADERS,
    "link",
)
# Those that can ask for a wait: an answer with none of them (most 304s) asks for none.
_DELAY_HEADERS = frozenset(HINT_HEADERS) - {"link", *REMAINING_HEADERS}
_MAX_AGE_RE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def _http_date(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def hinted_delay(headers: Mapping[str, str], now: float, ttl: float | None = None) -> float:
    """The longest wait an upstream asked for: max-age, Expires, Retry-After, rate-limit reset."""
    if headers.keys().isdisjoint(_DELAY_HEADERS):
        return max(0.0, ttl or 0.0)
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
    for remaining, reset in WINDOW_HEADERS:
        left, wait = _number(headers.get(remaining)), _number(headers.get(reset))
        if left is not None and left <= 0 and wait is not None:
            hints.append(wait)
    hints.append(usage_delay(headers))
    return max(0.0, *hints)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def usage_delay(headers: Mapping[str, str]) -> float:
    """How long Meta's usage percentages ask to wait (see USAGE_SLOWDOWN); 0 below it."""
    top = regain = 0.0
    for name in USAGE_HEADERS:
        if not (raw := headers.get(name)):
            continue  # the usual answer: no Meta usage header to read
        try:
            doc = json.loads(raw)
        except ValueError:
            continue
        # X-App-Usage is one set of figures; X-Business-Use-Case-Usage a list per business.
        sets = (
            [doc]
            if isinstance(doc, dict) and "call_count" in doc
            else [
                figures
                for group in (doc.values() if isinstance(doc, dict) else [])
                if isinstance(group, list)
                for figures in group
                if isinstance(figures, dict)
            ]
        )
        for figures in sets:
            for key in ("call_count", "total_cputime", "total_time"):
                value = figures.get(key)
                if isinstance(value, int | float):
                    top = max(top, float(value))
            minutes = figures.get("estimated_time_to_regain_access")
            if isinstance(minutes, int | float):
                regain = max(regain, minutes * 60.0)
    if top < USAGE_SLOWDOWN:
        return regain
    share = min(top - USAGE_SLOWDOWN, 100.0 - USAGE_SLOWDOWN) / (100.0 - USAGE_SLOWDOWN)
    return max(regain, USAGE_WINDOW * share)


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
    return {k: str(headers[k]) for k in HINT_HEADERS if k in headers}


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
