"""Next-check decisions: pure functions, no clock, no I/O."""

from __future__ import annotations

import random
from email.utils import formatdate

import pytest

from feedhub.ingest.schedule import MAX_DELAY, backoff, hinted_delay, next_check

NOW = 1_800_000_000.0


def test_interval_jittered_within_ten_percent():
    rng = random.Random(7)
    delays = [next_check(NOW, 900, rng=rng) - NOW for _ in range(200)]
    assert all(810 <= d <= 990 for d in delays)
    assert max(delays) - min(delays) > 50  # really jittered, not constant


def test_short_intervals_are_kept_as_configured():
    assert 1.8 <= next_check(NOW, 2) - NOW <= 2.2


@pytest.mark.parametrize(
    "headers, ttl, expected",
    [
        ({"cache-control": "public, max-age=3600"}, None, 3600),
        ({"cache-control": "s-maxage=10, max-age=7200"}, None, 7200),
        ({"expires": formatdate(NOW + 5000, usegmt=True)}, None, 5000),
        ({"retry-after": "120"}, None, 120),
        ({"retry-after": formatdate(NOW + 600, usegmt=True)}, None, 600),
        ({}, 1800.0, 1800),
        # Mastodon sends the reset as an ISO date.
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "2027-01-15T08:00:00Z"}, None, None),
        ({"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW + 900))}, None, 900),
        ({"x-rate-limit-remaining": "12", "x-rate-limit-reset": str(int(NOW + 900))}, None, 0),
        ({"cache-control": "no-cache"}, None, 0),
        # Bluesky: unprefixed names, epoch reset; Reddit: a decimal count, seconds to the reset
        ({"ratelimit-remaining": "0", "ratelimit-reset": str(int(NOW + 300))}, None, 300),
        ({"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "240"}, None, 240),
        ({"x-ratelimit-remaining": "97.0", "x-ratelimit-reset": "240"}, None, 0),
        # A 304's usual headers give no hint; a reset without a count is still one.
        ({"etag": '"e"', "date": formatdate(NOW, usegmt=True), "server": "x"}, None, 0),
        ({"etag": '"e"', "x-ratelimit-remaining": "0"}, 1800.0, 1800),
        ({"etag": '"e"', "x-ratelimit-reset": "240"}, None, 240),
    ],
)
def test_hints(headers, ttl, expected):
    got = hinted_delay(headers, NOW, ttl)
    if expected is None:  # an ISO reset date: compare with the date itself
        from datetime import datetime

        expected = datetime.fromisoformat("2027-01-15T08:00:00+00:00").timestamp() - NOW
    assert got == pytest.approx(expected, abs=1)


def test_hints_only_lengthen_the_interval():
    assert next_check(NOW, 900, hint=60) - NOW >= 810
    assert next_check(NOW, 900, hint=7200) - NOW >= 7200 * 0.9


def test_backoff_doubles_capped_never_gives_up():
    assert [backoff(60, n) for n in range(5)] == [60, 60, 120, 240, 480]
    assert backoff(900, 40) == MAX_DELAY
    assert next_check(NOW, 900, errors=100) - NOW <= MAX_DELAY * 1.1


def test_hints_are_capped_at_a_day():
    assert next_check(NOW, 60, hint=10 * MAX_DELAY) - NOW <= MAX_DELAY * 1.1


def test_meta_usage_headers_lengthen_from_80_percent():
    from feedhub.ingest.schedule import usage_delay

    assert usage_delay({"x-app-usage": '{"call_count":79,"total_cputime":10,"total_time":5}'}) == 0
    assert (
        usage_delay({"x-app-usage": '{"call_count":95,"total_cputime":10,"total_time":5}'}) == 2700
    )
    assert (
        usage_delay({"x-app-usage": '{"call_count":12,"total_cputime":130,"total_time":5}'}) == 3600
    ), "over 100 % waits the whole window, no more"
    business = (
        '{"104512345678901":[{"type":"pages","call_count":40,"total_cputime":12,'
        '"total_time":18,"estimated_time_to_regain_access":90}]}'
    )
    assert usage_delay({"x-business-use-case-usage": business}) == 90 * 60
    assert usage_delay({"x-app-usage": "not json"}) == 0


def test_tumblr_windows_wait_for_the_one_used_up():
    hour = {
        "x-ratelimit-perhour-remaining": "0",
        "x-ratelimit-perhour-reset": "1800",
        "x-ratelimit-perday-remaining": "4200",
        "x-ratelimit-perday-reset": "50000",
    }
    assert hinted_delay(hour, 0.0) == 1800
    assert hinted_delay({**hour, "x-ratelimit-perhour-remaining": "12"}, 0.0) == 0
