"""The feedhub configuration every benchmark serves: N feed sources from the local upstream."""

from __future__ import annotations

from pathlib import Path

import yaml

WIDGET = "side"
WIDGET_SOURCES = 5
WIDGET_LIMIT = 20


def write_config(
    folder: Path,
    *,
    port: int,
    upstream_port: int,
    sources: int,
    kind: str = "feed",
    proxy: bool = True,
    widget_sources: int = WIDGET_SOURCES,
    name: str = "config.yaml",
) -> Path:
    """config.yaml with `sources` feeds and one 20-item widget; returns its path. `kind`
    "imgfeed" serves the feeds whose items carry textured photos, "smoothfeed" smooth ones;
    `proxy` is `media.proxy`."""
    data = {
        "server": {"host": "127.0.0.1", "port": port, "public_url": f"http://127.0.0.1:{port}"},
        "storage": {"backend": "sqlite", "path": str(folder / "feedhub.sqlite3")},
        # Every feed comes from one local host here, so per_host is raised to concurrency.
        "fetch": {
            "interval": "1h",
            "concurrency": 16,
            "per_host": 16,
            "allow_private_addresses": True,
        },
        "sources": {
            f"s{n}": {"type": "feed", "url": f"http://127.0.0.1:{upstream_port}/{kind}/{n}.xml"}
            for n in range(sources)
        },
        "widgets": {
            WIDGET: {
                "title": "Latest posts",
                "sources": [f"s{n}" for n in range(min(sources, widget_sources))],
                "limit": WIDGET_LIMIT,
            }
        },
        "media": {"proxy": proxy, "dir": str(folder / "media")},
    }
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
