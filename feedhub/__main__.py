"""`python -m feedhub` and the `feedhub` command.

Kept light on purpose: a parse worker starts by importing the module its parent ran as the
main one (that is how multiprocessing starts a worker), so whatever this module imports, each
worker loads too. The command line itself is imported only to run it.
"""

from __future__ import annotations

import sys


def main() -> int:
    from feedhub.cli import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main())
