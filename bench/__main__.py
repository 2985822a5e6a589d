"""`python -m bench [serving] [polling] [startup] [parsing] [stalls] [media] [photos] [isolation]
[moderation] [scale] [store] [bigsite]`: run the groups, print, write the report."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from bench import (
    bigsite,
    feedparse,
    isolation,
    media,
    moderation,
    polling,
    scale,
    serving,
    stalls,
    storefill,
)
from bench.report import Figure, load, table, write

# Each group and what runs it, in the order a full run takes them; `startup` is the last part
# of `polling`, which runs once for either; `photos` is figure (8), the last part of `media`,
# which leaves it to `photos` when both are wanted.
RUNS: dict[str, Callable[[list[str], set[str]], list[Figure]]] = {
    "serving": lambda notes, wanted: serving.run(notes),
    "polling": lambda notes, wanted: polling.run(notes, startup_only="polling" not in wanted),
    "startup": lambda notes, wanted: [],
    "parsing": lambda notes, wanted: feedparse.run(notes),
    "stalls": lambda notes, wanted: stalls.run(notes),
    "media": lambda notes, wanted: media.run(notes, photos="photos" not in wanted),
    "photos": lambda notes, wanted: media.run_photos(notes),
    "isolation": lambda notes, wanted: isolation.run(notes),
    "moderation": lambda notes, wanted: moderation.run(notes),
    "scale": lambda notes, wanted: scale.run(notes),
    "store": lambda notes, wanted: storefill.run(notes),
    "bigsite": lambda notes, wanted: bigsite.run(notes),
}
GROUPS = tuple(RUNS)
REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if a] or list(GROUPS)
    unknown = set(wanted) - set(GROUPS)
    if unknown:
        print(
            f"unknown group(s): {', '.join(sorted(unknown))}; have: {', '.join(GROUPS)}",
            file=sys.stderr,
        )
        return 2
    figures: list[Figure] = []
    notes: list[str] = []
    load_at_start = load()
    chosen = set(wanted)
    if "startup" in chosen:
        chosen.add("polling")  # polling.run takes start-up alone when only it is wanted
    for group, run in RUNS.items():
        if group in chosen:
            figures += run(notes, set(wanted))
            print(table(figures), flush=True)
    print(table(figures))
    if set(wanted) == set(GROUPS):
        write(REPORT, figures, notes, load_at_start)
        print(f"written to {REPORT}")
    missed = [f.name for f in figures if f.met is False]
    if missed:
        print("targets missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
