"""The package's own static files: embed script, framed-page script, publisher page."""

from __future__ import annotations

from functools import cache

from feedhub import package_folder

STATIC_DIR = package_folder("feedhub", "static")


@cache
def asset(name: str) -> str:
    """The text of `feedhub/static/<name>`, without its trailing newline (hashes see that)."""
    return (STATIC_DIR / name).read_text(encoding="utf-8").rstrip("\n")


@cache
def script(name: str) -> str:
    """A script as served: `live.js`, `player.js` and `controls.js` (what the framed page
    and the embed script share), then `name`, all inside one function so that none leaves a
    global behind."""
    shared = "\n".join(asset(part) for part in ("live.js", "player.js", "controls.js"))
    return f'(function () {{\n"use strict";\n{shared}\n{asset(name)}\n}})();'
