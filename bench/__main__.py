"""`python -m bench [serving] [polling] [startup] [parsing] [stalls] [media] [isolation]
[moderation] [scale] [store] [bigsite]`: run the groups, print, write the report."""

from __future__ import annotations

import sys
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

GROUPS = (
    "serving",
    "polling",
    "startup",
    "parsing",
    "stalls",
    "media",
    "isolation",
    "moderation",
    "scale",
    "store",
    "bigsite",
)
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
    if "serving" in wanted:
        figures += serving.run(notes)
        print(table(figures), flush=True)
    if "polling" in wanted or "startup" in wanted:
        figures += polling.run(notes, startup_only="polling" not in wanted)
    if "parsing" in wanted:
        figures += feedparse.run(notes)
    if "stalls" in wanted:
        figures += stalls.run(notes)
    if "media" in wanted:
        figures += media.run(notes)
    if "isolation" in wanted:
        figures += isolation.run(notes)
    if "moderation" in wanted:
        figures += moderation.run(notes)
    if "scale" in wanted:
        figures += scale.run(notes)
    if "store" in wanted:
        figures += storefill.run(notes)
    if "bigsite" in wanted:
        figures += bigsite.run(notes)
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
