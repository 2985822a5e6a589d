"""Two `feedhub serve` replicas on one Redis: both see the same events, the owner is told
each one once."""

from __future__ import annotations

import aiohttp
import pytest

from tests import redis_support
from tests.alerts_support import Hook, Mailbox, alert_targets, hook, mailbox
from tests.conftest import Upstream, free_port, wait_until, write_config
from tests.feeds_support import rss
from tests.redis_support import REDIS_URL

__all__ = ["hook", "mailbox"]  # the fixtures, for this module's tests

pytestmark = pytest.mark.redis
redis_prefix = redis_support.redis_prefix  # the fixture, for this module's tests


async def test_two_replicas_send_each_alert_once(
    tmp_path, upstream: Upstream, hook: Hook, mailbox: Mailbox, daemon, redis_prefix
):
    hook.delay = 1.5  # a slow service: the other replica meets the event while one sends it
    upstream.set("/down", "no", content_type="text/plain", status=500)
    upstream.set("/empty", rss())  # a valid feed with nothing in it: its widget stays empty
    replicas = []
    for n in range(2):
        port = free_port()
        data = {
            "server": {"port": port},
            "storage": {
                "backend": "redis",
                "url": REDIS_URL,
                "prefix": redis_prefix,
                "lease": "2s",
            },
            "fetch": {"interval": "1s", "allow_private_addresses": True},
            "sources": {
                "down": {"type": "feed", "url": upstream.url("/down")},
                "empty": {"type": "feed", "url": upstream.url("/empty")},
            },
            "widgets": {"quiet": {"sources": ["empty"]}},
            "alerts": alert_targets(hook, mailbox, failing_polls=2),
        }
        replicas.append(daemon(write_config(tmp_path, data, f"replica{n}.yaml"), port))
    await wait_until(lambda: len(set(hook.keys())) >= 2, timeout=60)
    # Both replicas keep looking (every 0.5 s) while the sources are polled a few more times.
    seen = len(upstream.requests_to("/empty"))
    await wait_until(lambda: len(upstream.requests_to("/empty")) >= seen + 4, timeout=60)
    await wait_until(lambda: len(mailbox.messages) >= len(hook.bodies), timeout=20)
    assert sorted(hook.keys()) == ["source-failing:down", "widget-empty:quiet"]
    assert len(mailbox.messages) == len(hook.bodies)
    for replica in replicas:  # the deliveries are kept in the shared store
        async with aiohttp.ClientSession() as http, http.get(f"{replica.url}/admin") as resp:
            page = await resp.text()
        assert "Widget quiet has no items to show" in page
        assert "Source down failed" in page
    senders = [r for r in replicas if "alerts: 'feedhub: " in r.output()]
    assert senders, "one replica says what it sent"
