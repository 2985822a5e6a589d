"""`feedhub alerts test`: a test message to every alert target, each one's answer printed;
the exit status is 0 only when every target took it."""

from __future__ import annotations

import argparse

from feedhub.alerts.dispatch import Alerts
from feedhub.alerts.events import test_event
from feedhub.alerts.targets import Message
from feedhub.cli.common import AddCommand, load, loop_runner
from feedhub.config import Config
from feedhub.store.memory import MemoryStore


def register(add: AddCommand) -> None:
    p = add("alerts", "alert targets: `alerts test` sends a test message to every one")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    help = "send a test message to every alert target; exit 1 unless every one answered"
    t = actions.add_parser("test", help=help, description=help)
    t.add_argument("-c", "--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    t.set_defaults(func=cmd_test)


def cmd_test(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return 1
    if not config.alerts.targets:
        print(f"{args.config}: no alert targets (alerts.targets is empty)")
        return 1
    with loop_runner() as runner:
        return runner.run(_test(config))


async def _test(config: Config) -> int:
    alerts = Alerts(MemoryStore(), lambda: config)  # nothing is recorded: a test
    try:
        outcome = await alerts.deliver(Message.of([test_event()]), retries=0)
    finally:
        await alerts.stop()
    for name, answer in outcome.answers.items():
        print(f"{name}: {'ok' if answer == 'ok' else answer}")
    return 0 if outcome.ok else 1
