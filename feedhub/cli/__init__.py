"""The `feedhub` command: one module per command group, each adding its subcommands.

The top of the package: it may import every stage.
"""

from __future__ import annotations

import argparse
import logging
import sys

from feedhub import __version__
from feedhub.cli import accounts, alerts, init, moderation, once, serve, store, themes
from feedhub.cli.common import CONFIG_HELP, load
from feedhub.logs import setup_logging
from feedhub.store.schema import SchemaError


def cmd_check(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return 1
    print(f"{args.config}: ok ({len(config.sources)} sources, {len(config.widgets)} widgets)")
    if not config.media.proxy:
        print(
            "warning: media.proxy is false: widgets link images to the platforms' servers, "
            "so every visitor's browser contacts them (address, browser, the page it is on)"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feedhub", description="Self-hosted social feed widgets.")
    parser.add_argument("--version", action="version", version=f"feedhub {__version__}")
    parser.add_argument(
        "--log-format",
        choices=["text", "json"],
        default=None,
        help="log lines as text (default) or JSON (also FEEDHUB_LOG_FORMAT)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug lines too")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help: str, *, config: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if config:
            p.add_argument("-c", "--config", default=None, help=CONFIG_HELP)
        return p

    serve.register(add)
    add("check", "validate the config; exit 1 listing every problem").set_defaults(func=cmd_check)
    once.register(add)
    store.register(add)
    init.register(add)
    themes.register(add)
    alerts.register(add)
    accounts.register(add)
    moderation.register(add)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_format, logging.DEBUG if args.verbose else logging.INFO)
    try:
        return int(args.func(args))
    except SchemaError as exc:  # a store this release must not touch: said, not a traceback
        print(f"feedhub: {exc}", file=sys.stderr)
        return 1
