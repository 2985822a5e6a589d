"""The parse workers' CPU per feed item: `parse_feed` on 40 of the benchmark's 50-item feeds
of one-line posts and 40 of 25-70-word posts with links, process time (what a worker pays,
not the wall clock), every URL new to each parse as in a poll of many feeds. By hand:
`python -m bench.parsecpu [ROUNDS]`; `--profile short|long` adds cProfile's top entries.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import sys
import time

from bench.corpus import feed
from feedhub.content.urls import parse_url
from feedhub.sources.feed import parse_feed

URL = "https://blog.example.org/feed"
FEEDS = 40


def bodies(long: bool) -> list[bytes]:
    return [feed(n, long=long) for n in range(FEEDS)]


def us_per_item(feeds: list[bytes]) -> float:
    """One pass over `feeds`: process time per item, in µs."""
    spent, items = 0.0, 0
    for body in feeds:
        parse_url.cache_clear()
        start = time.process_time()
        parsed, _ = parse_feed(body, URL, "bench")
        spent += time.process_time() - start
        items += len(parsed)
    return spent / items * 1e6


def main(argv: list[str]) -> int:
    profile = argv[argv.index("--profile") + 1] if "--profile" in argv else ""
    rounds = int(argv[0]) if argv and argv[0].isdigit() else 7
    kinds = {"short": bodies(False), "long": bodies(True)}
    for feeds in kinds.values():
        us_per_item(feeds)  # warm up: imports, compiled patterns
    for name, feeds in kinds.items():
        runs = [us_per_item(feeds) for _ in range(rounds)]
        shown = " ".join(f"{run:.1f}" for run in runs)
        print(f"{name:5} posts: {statistics.median(runs):6.1f} µs per item (runs: {shown})")
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(us_per_item, kinds[profile])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
