"""`feedhub accounts key`: a new FEEDHUB_SECRET_KEY, the key connected accounts' tokens are
kept encrypted with (the accounts themselves are connected on /admin/connect)."""

from __future__ import annotations

import argparse

from feedhub.cli.common import AddCommand


def register(add: AddCommand) -> None:
    p = add("accounts", "connected accounts: `accounts key` prints a new secret key", config=False)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    help = "print a new key for FEEDHUB_SECRET_KEY (32 random bytes, URL-safe base64)"
    k = actions.add_parser("key", help=help, description=help)
    k.set_defaults(func=cmd_key)


def cmd_key(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())
    return 0
