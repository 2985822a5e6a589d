"""`feedhub init [DIR]`: a new site folder with the example config and the feed it reads.

The files are the package's own copies of the repository's `config.yaml` (the one the README
explains) and `examples/news.xml`, written where that config expects them, so the new folder
serves a filled widget at once and with no network.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from importlib import resources
from pathlib import Path

from feedhub.cli.common import AddCommand

# (where in DIR, which file of feedhub.examples)
FILES = [("config.yaml", "config.yaml"), ("examples/news.xml", "news.xml")]


def register(add: AddCommand) -> None:
    p = add("init", "write a commented config.yaml and an example feed into a folder", config=False)
    p.add_argument(
        "dir",
        nargs="?",
        default=".",
        metavar="DIR",
        help="the site's folder, made if missing (default: the current one)",
    )
    p.add_argument("--force", action="store_true", help="overwrite files that exist")
    p.set_defaults(func=cmd_init)


def cmd_init(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    targets = [
        (folder / name, resources.files("feedhub.examples") / shipped) for name, shipped in FILES
    ]
    present = [str(target) for target, _ in targets if target.exists()]
    if present and not args.force:
        print(
            f"not written: {', '.join(present)} already there (--force overwrites)", file=sys.stderr
        )
        return 1
    for target, shipped in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(shipped.read_bytes())
    print(f"wrote {', '.join(str(target) for target, _ in targets)}")
    where = "" if folder == Path(".") else f" -c {shlex.quote(str(folder / 'config.yaml'))}"
    print(f"next:\n  feedhub check{where}\n  feedhub serve{where}")
    return 0
