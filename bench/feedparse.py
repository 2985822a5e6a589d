"""How the parse step of figure (3) is made fast: median ms per `parse_feed` call on the
benchmark's RSS feeds with the ElementTree fast path, against feedparser alone (items built
both ways), in one process. Part of `python -m bench` (group `parsing`), or by hand:
`python -m bench.feedparse [ROUNDS]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from unittest import mock

from bench.corpus import feed
from bench.report import Figure
from feedhub.content.urls import parse_url
from feedhub.sources import feed as feed_source

URL = "https://blog.example.org/feed"


def median_ms(bodies: list[bytes], rounds: int) -> float:
    """The median wall time of one parse_feed call, in ms, over `rounds` passes of `bodies`."""
    times = []
    for _ in range(rounds):
        for body in bodies:
            parse_url.cache_clear()  # every URL new to the parser, as in a poll of many feeds
            start = time.perf_counter()
            feed_source.parse_feed(body, URL, "bench")
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(rounds: int = 20) -> tuple[float, float, int]:
    """(fast path ms, feedparser ms, feeds) per parse_feed call, medians."""
    bodies = [feed(n, version=n % 3) for n in range(10)]
    median_ms(bodies, 1)  # warm up: imports, caches
    fast = median_ms(bodies, rounds)
    with mock.patch.object(feed_source, "parse_xml_feed", lambda *args, **kwargs: None):
        slow = median_ms(bodies, rounds)
    return fast, slow, len(bodies)


def run(notes: list[str]) -> list[Figure]:
    fast, slow, count = measure()
    notes.append(
        f"parse step: `parse_feed` on {count} of the benchmark's 50-item RSS feeds, 20 rounds, "
        "median per call, items built and sanitized both ways, in the bench process; the "
        "baseline is the same call with the fast path turned off (feedparser reads every "
        "feed). The fast path gives feedparser's exact items or declines (tests/test_fastfeed.py)."
    )
    return [
        Figure(
            "parse step: one 50-item feed, ElementTree fast path", fast, "ms", "feedparser", slow
        )
    ]


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 20
    fast, slow, count = measure(rounds)
    print(f"parse_feed on {count} feeds of 50 items, median of {rounds} rounds:")
    print(f"  ElementTree fast path  {fast:6.2f} ms per feed")
    print(f"  feedparser alone       {slow:6.2f} ms per feed  ({slow / fast:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
