"""What alerts decide (pure) and how `Alerts` sends: presets, signatures, once per period,
recoveries only after their failure, retries, the store's and the media budget's events."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from feedhub.alerts.dispatch import Alerts
from feedhub.alerts.events import Event, failing_since, source_events, token_events
from feedhub.alerts.targets import Message, signature, webhook_body
from feedhub.alerts.watch import Watch
from feedhub.config import Config, parse_config
from feedhub.config.alerts import AlertsConfig
from feedhub.models import TOKEN, FetchState
from feedhub.store.health import StoreHealth
from feedhub.store.memory import MemoryStore
from tests.alerts_support import SECRET, Hook, Mailbox, alert_targets, hook, mailbox
from tests.conftest import wait_until

__all__ = ["hook", "mailbox"]  # the fixtures, for this module's tests

RULES = AlertsConfig()
NOW = 1_800_000_000.0


def failed(errors: int, since: float) -> FetchState:
    history = [{"t": since + n, "ok": False} for n in range(errors)]
    return FetchState(
        errors=errors, last_attempt=since + errors, last_error="HTTP 500", history=history
    )


def test_a_source_fails_after_n_polls_or_after_a_while():
    assert source_events("a", failed(1, NOW), failed(2, NOW), RULES, NOW) == []
    (event,) = source_events("a", failed(2, NOW), failed(3, NOW), RULES, NOW)
    assert event.key == "source-failing:a" and "failed 3 polls in a row" in event.text
    long_ago = NOW - 7 * 3600
    assert failing_since(failed(1, long_ago)) == long_ago
    (event,) = source_events("a", FetchState(), failed(1, long_ago), RULES, NOW)
    assert event.key == "source-failing:a"
    store = FetchState(errors=5, last_error="store: disk full")
    assert source_events("a", store, store, RULES, NOW) == [], "said once, as the store's"


def test_recovery_names_the_failure_it_ends():
    (event,) = source_events("a", failed(4, NOW), FetchState(last_attempt=NOW), RULES, NOW)
    assert event.key == "source-recovered:a" and event.recovers == "source-failing:a"
    ok = FetchState(last_attempt=NOW)
    assert source_events("a", ok, ok, RULES, NOW) == []


def test_token_events():
    def state(**record: object) -> FetchState:
        return FetchState(meta={TOKEN: {"value": "x", "of": "y", **record}})

    assert [e.key for e in token_events("a", state(expires=NOW + 6 * 86400), RULES, NOW)] == [
        "token-expiring:a"
    ]
    assert token_events("a", state(expires=NOW + 8 * 86400), RULES, NOW) == []
    assert [e.key for e in token_events("a", state(problem="nope (code 10)"), RULES, NOW)] == [
        "token-renewal-failed:a"
    ]
    revoked = state(problem="Session expired (code 190)", refused=NOW)
    assert [e.key for e in token_events("a", revoked, RULES, NOW)] == ["token-revoked:a"]


def test_webhook_presets_and_signature():
    one = Message.of([Event("k:a", "source a is failing", "it fails")], now=NOW)
    assert json.loads(webhook_body("slack", one)) == {
        "text": "*feedhub: source a is failing*\nit fails"
    }
    assert json.loads(webhook_body("discord", one))["content"].startswith("**feedhub: source a")
    assert json.loads(webhook_body("matrix", one))["text"].startswith(
        "feedhub: source a is failing\n"
    )
    doc = json.loads(webhook_body("json", one))
    assert doc["events"] == [
        {"key": "k:a", "kind": "k", "title": "source a is failing", "text": "it fails"}
    ]
    many = Message.of([Event(f"k:{n}", f"t{n}", "x" * 100) for n in range(40)], now=NOW)
    assert len(json.loads(webhook_body("discord", many))["content"]) == 2000
    assert signature("key", b"body") == "sha256=" + hmac.new(b"key", b"body", "sha256").hexdigest()


def config_for(hook: Hook, mailbox: Mailbox, **rules: object) -> Config:
    return parse_config({"alerts": alert_targets(hook, mailbox, **rules)}, env={})


async def test_once_per_period_and_recovery_only_after_its_failure(hook, mailbox):
    config = config_for(hook, mailbox, retries=0)
    alerts = Alerts(MemoryStore(), lambda: config)
    back = Event("source-recovered:a", "a back", "back", recovers="source-failing:a")
    try:
        assert await alerts.send([back]) is None, "nothing failed before"
        down = Event("source-failing:a", "a failing", "down")
        outcome = await alerts.send([down])
        assert outcome is not None and outcome.ok
        assert await alerts.send([down]) is None, "once per period"
        assert (await alerts.send([back])) is not None
        assert await alerts.send([back]) is None
    finally:
        await alerts.stop()
    assert hook.keys() == ["source-failing:a", "source-recovered:a"]
    assert mailbox.subjects() == ["feedhub: a failing", "feedhub: a back"]
    records = await alerts.recent()
    assert [r["title"] for r in records] == ["feedhub: a back", "feedhub: a failing"]
    assert records[0]["targets"] == {"ops": "ok", "owner": "ok"}


async def test_a_failed_delivery_is_retried_and_logged_without_credentials(
    hook, mailbox, caplog, monkeypatch
):
    monkeypatch.setenv("FEEDHUB_SMTP_USER", "alice")  # a password is missing: said, not sent
    config = config_for(hook, mailbox, retries=3)
    alerts = Alerts(MemoryStore(), lambda: config)
    hook.status = 503

    async def recover() -> None:
        await wait_until(lambda: hook.bad_signatures == 0 and "trying again" in caplog.text)
        hook.status = 200

    caplog.set_level(logging.INFO, "feedhub.alerts")
    try:
        recovering = asyncio.create_task(recover())
        outcome = await alerts.send([Event("media-full", "full", "the disk")])
        await recovering
    finally:
        await alerts.stop()
    assert outcome is not None
    assert outcome.answers["ops"] == "ok", "the webhook took it on a retry"
    assert outcome.answers["owner"].endswith(
        "FEEDHUB_SMTP_USER is set but FEEDHUB_SMTP_PASSWORD is not"
    )
    assert "answered HTTP 503; trying again" in caplog.text
    for secret in ("T0SECRETPATH", SECRET, "alice"):
        assert secret not in caplog.text
    assert hook.keys() == ["media-full"]


async def test_the_store_failing_and_recovering_and_the_media_budget(hook, mailbox):
    config = config_for(hook, mailbox, digest_after="0.1s")
    alerts = Alerts(MemoryStore(), lambda: config)
    health = StoreHealth("var/feedhub.sqlite3")
    use = [(10, 100)]

    async def none() -> list[str]:
        return []

    watch = Watch(alerts, states={}, health=health, disk=lambda: use[0], empty_widgets=none)
    try:
        await watch.sweep()
        assert alerts.drain() == [], "all is well"
        health.failed(OSError(28, "No space left on device"))
        use[0] = (120, 100)
        await watch.sweep()
        await alerts.send(alerts.drain())
        health.succeeded()
        await watch.sweep()
        await alerts.send(alerts.drain())
    finally:
        await alerts.stop()
    assert hook.keys() == ["store-failing", "media-full", "store-recovered"]
    assert "No space left on device" in hook.bodies[0]["events"][0]["text"]
    assert hook.bodies[0]["title"] == "feedhub: 2 alerts"
