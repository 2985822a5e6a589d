"""What the tests that run `feedhub serve` on a written config file share."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def base_config(tmp_path: Path, upstream: Any, port: int, widgets: dict) -> dict:
    """A daemon on `port` with one feed source, `blog`, on the upstream's /feed and `widgets`."""
    return {
        "server": {"port": port},
        "storage": {"backend": "sqlite", "path": str(tmp_path / "feedhub.sqlite3")},
        "fetch": {"allow_private_addresses": True, "interval": "1h"},
        "sources": {"blog": {"type": "feed", "url": upstream.url("/feed")}},
        "widgets": widgets,
    }
