"""A WebSub subscriber whose hub check only records which source it was asked about."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from feedhub.ingest.subscriber import Subscriber
from feedhub.service import Service
from tests.conftest import make_config


def recording_subscriber(tmp_path: Path, sources: dict[str, Any]) -> tuple[Subscriber, list[str]]:
    """A service's subscriber for `sources` (not started) and the list its checks append to;
    each check says to look again in an hour."""
    svc = Service(make_config(tmp_path, {"sources": sources}))
    sub = Subscriber(store=svc.store, states=svc.states, lease=svc.poller, hubs=svc.polling.hubs)
    checked: list[str] = []

    async def check(sid: str) -> float:
        checked.append(sid)
        return time.time() + 3600

    sub.check = check  # type: ignore[method-assign]
    return sub, checked
