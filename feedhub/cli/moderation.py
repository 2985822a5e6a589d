"""`feedhub moderation export [WIDGET]`: the moderation decisions kept in the store, printed as
the `hide:` and `pin:` lines a widget takes in config.yaml (rejected posts hidden, pinned ones
pinned, oldest pin first). Ids already in the config still win over the store's decisions."""

from __future__ import annotations

import argparse
import sys

from feedhub.cli.common import CONFIG_HELP, AddCommand, load, loop_runner
from feedhub.config import Config
from feedhub.publish.moderation import decisions_of, export_lines
from feedhub.store import open_store
from feedhub.store.base import opened
from feedhub.store.errors import describe, store_errors


def register(add: AddCommand) -> None:
    parser = add("moderation", "moderation decisions: export them as config lines")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = sub.add_parser(
        "export",
        help="print decisions as config hide:/pin: lines",
        description="print each moderated widget's decisions as the hide: and pin: lines"
        " of config.yaml",
    )
    p.add_argument("-c", "--config", default=argparse.SUPPRESS, help=CONFIG_HELP)
    p.add_argument("widget", nargs="?", help="only this widget")
    p.set_defaults(func=export)


def export(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return 1
    if args.widget and args.widget not in config.widgets:
        print(f"feedhub moderation export: no widget named {args.widget!r}", file=sys.stderr)
        return 1
    try:
        with loop_runner() as runner:
            lines = runner.run(_lines(config, args.widget))
    except store_errors() as exc:
        print(f"feedhub moderation export: {describe(exc)}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


async def _lines(config: Config, only: str | None) -> list[str]:
    lines = ["widgets:"]
    async with opened(open_store(config.storage, config.base_dir)) as store:
        for name in config.widgets:
            if only and name != only:
                continue
            decided = decisions_of(await store.decisions(name))
            cfg = config.widgets[name]
            lines += export_lines(name, decided, cfg.hide, cfg.pin)
    return lines
