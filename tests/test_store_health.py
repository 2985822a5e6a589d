"""What /readyz reports, decided without a store: one log line per fault and per recovery."""

from __future__ import annotations

import logging
import sqlite3

from redis.exceptions import ConnectionError as RedisConnectionError

from feedhub.store.health import UNREACHABLE, StoreHealth


def full() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("database or disk is full")
    exc.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
    return exc


def test_a_refused_write_ends_with_a_write_not_with_a_ping(caplog):
    caplog.set_level(logging.INFO, logger="feedhub.store")
    health = StoreHealth("var/x.sqlite3")
    for _ in range(3):
        health.failed(full())
        health.pinged(True)
    health.pinged(False)  # says less than the error it follows
    assert health.reason == "database or disk is full (SQLITE_FULL)"
    health.pinged(True)
    assert not health.ok
    health.succeeded()
    assert health.ok
    assert [r.levelno for r in caplog.records] == [logging.ERROR, logging.INFO]


def test_a_lost_connection_ends_when_the_store_answers_again(caplog):
    caplog.set_level(logging.INFO, logger="feedhub.store")
    health = StoreHealth("redis://r:6379/0 (prefix 'feedhub')")
    health.pinged(False)
    assert health.reason == UNREACHABLE
    health.failed(RedisConnectionError("Error 111 connecting to r:6379"))
    assert health.reason.startswith("redis unreachable: Error 111")
    health.pinged(False)
    health.pinged(True)
    assert health.ok
    assert [r.levelno for r in caplog.records] == [logging.ERROR, logging.INFO]


def test_a_redis_url_is_named_without_its_password():
    from feedhub.store.errors import redact
    from feedhub.store.redis import RedisStore

    assert redact("redis://:s3cret@r.internal:6379/0") == "redis://:***@r.internal:6379/0"
    assert redact("redis://app:s3cret@r:6379/1") == "redis://app:***@r:6379/1"
    assert redact("redis://r:6379/0") == "redis://r:6379/0"
    assert "s3cret" not in RedisStore("redis://:s3cret@r:6379/0").where
