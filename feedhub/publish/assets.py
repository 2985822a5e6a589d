"""The package's own static files: embed script, framed-page script, publisher page."""

from __future__ import annotations

from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@cache
def asset(name: str) -> str:
    """The text of `feedhub/static/<name>`, without its trailing newline (hashes see that)."""
    return (STATIC_DIR / name).read_text(encoding="utf-8").rstrip("\n")

