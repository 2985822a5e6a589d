"""`python -m bench.feedparse [ROUNDS]`: median ms per `parse_feed` call on the benchmark's
RSS feeds, with the ElementTree fast path and with feedparser alone (items built both ways).

A by-hand measurement, not part of `python -m bench`: it takes a few seconds of one core.
"""

from __future__ import annotations

import statistics
import sys
import time
from unittest import mock

from bench.corpus import feed
from feedhub.sources import feed as feed_source

URL = "https://blog.example.org/feed"


def median_ms(bodies: list[bytes], rounds: int) -> float:
    """The median wall time of one parse_feed call, in ms, over `rounds` passes of `bodies`."""
    times = []
    for _ in range(rounds):
        for body in bodies:
            start = time.perf_counter()
            feed_source.parse_feed(body, URL, "bench")
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 20
    bodies = [feed(n, version=n % 3) for n in range(10)]
    median_ms(bodies, 1)  # warm up: imports, caches
    fast = median_ms(bodies, rounds)
    with mock.patch.object(feed_source, "parse_xml_feed", lambda *args: None):
        slow = median_ms(bodies, rounds)
    print(f"parse_feed on {len(bodies)} feeds of 50 items, median of {rounds} rounds:")
    print(f"  ElementTree fast path  {fast:6.2f} ms per feed")
    print(f"  feedparser alone       {slow:6.2f} ms per feed  ({slow / fast:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
