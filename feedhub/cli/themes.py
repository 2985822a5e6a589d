"""`feedhub themes`: which themes a site has and where each comes from; `themes copy` gives
a site a built-in theme's files to change.

A copy in `server.widgets_dir` takes the built-in theme's place (the site's folder is searched
first); its `widget.html` still extends the built-in `_base`, so what it does not change is
inherited.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from feedhub.cli.common import AddCommand, find_config, load
from feedhub.config import BUILTIN_WIDGETS_DIR, Config, parse_config
from feedhub.publish.themes import theme_folders


def register(add: AddCommand) -> None:
    p = add("themes", "list the built-in and the site's themes; `themes copy` copies one")
    p.set_defaults(func=cmd_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    help = "copy a built-in theme into a folder (the site's widgets_dir) to override it"
    c = actions.add_parser("copy", help=help, description=help)
    c.add_argument("name", metavar="NAME", help="a built-in theme")
    c.add_argument("dir", metavar="DIR", help="the site's themes folder (server.widgets_dir)")
    c.set_defaults(func=cmd_copy)


def _site_config(args: argparse.Namespace) -> Config | None:
    """The site's config; without one, the built-in themes alone (said, not an error)."""
    if args.config is None and find_config()[0] is None:
        print("no config found: listing the built-in themes only", file=sys.stderr)
        return parse_config({})
    return load(args)


def cmd_list(args: argparse.Namespace) -> int:
    config = _site_config(args)
    if config is None:
        return 1
    rows = [("theme", "from", "folder")]
    for name, folders in theme_folders(config.theme_dirs()).items():
        used = folders[0]
        origin = "built-in" if used.parent == BUILTIN_WIDGETS_DIR else "site"
        note = "  (in place of the built-in one)" if len(folders) > 1 else ""
        rows.append((name, origin, f"{used}{note}"))
    width = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, origin, where in rows:
        print(f"{name:<{width[0]}}  {origin:<{width[1]}}  {where}")
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    builtin = theme_folders([BUILTIN_WIDGETS_DIR])
    if args.name not in builtin:
        print(f"no built-in theme {args.name!r} (have: {', '.join(builtin)})", file=sys.stderr)
        return 2
    target = Path(args.dir) / args.name
    if target.exists():
        print(
            f"{target} exists: edit it, or remove it to copy the built-in one afresh",
            file=sys.stderr,
        )
        return 1
    shutil.copytree(
        builtin[args.name][0], target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    print(
        f"copied the built-in theme {args.name} to {target}: change its blocks there.\n"
        f"With `server.widgets_dir: {args.dir}` in the config, widgets with "
        f"`theme: {args.name}` use it after a reload (SIGHUP, or an edit of the config)."
    )
    return 0
