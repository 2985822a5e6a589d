"""A real Redis for the tests: REDIS_URL (scripts/run-tests.sh starts one) or the local one.

Each test gets its own key prefix and leaves nothing behind. Without a reachable Redis the
tests skip, except under CI=true, where a missing Redis is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix unique to this test, on a Redis that answers."""
    client = aioredis.from_url(REDIS_URL, socket_connect_timeout=1.0)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Redis at {REDIS_URL}: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL} ({exc}); set REDIS_URL or run make test")
    prefix = f"feedhub-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    keys = [k async for k in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
