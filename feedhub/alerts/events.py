"""What is worth telling the owner, decided from what feedhub already knows. Pure: the
states, the settings and the clock come in, events go out; sending is dispatch.py's.

An event's `key` is what "at most once per period" counts; a recovery names the key of the
event it ends (`recovers`) and is sent only after that one was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feedhub.config.alerts import AlertsConfig
from feedhub.models import TOKEN, FetchState

STORE_PREFIX = "store: "  # a source error that is the store's fault, said once as the store's


@dataclass(frozen=True, slots=True)
class Event:
    key: str  # "source-failing:blog": the kind, then what it is about
    title: str  # one short line
    text: str  # what happened and what to do
    recovers: str = ""  # the key of the event this one ends

    @property
    def kind(self) -> str:
        return self.key.partition(":")[0]

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "kind": self.kind, "title": self.title, "text": self.text}


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def failing_since(state: FetchState) -> float | None:
    """When the current run of failed polls began (from the recent fetches), if it did."""
    if not state.errors:
        return None
    since = state.last_attempt
    for entry in reversed(state.history):
        if entry.get("ok"):
            break
        since = float(entry.get("t") or since or 0.0)
    return since


def source_events(
    source_id: str, before: FetchState, after: FetchState, rules: AlertsConfig, now: float
) -> list[Event]:
    """After a poll: the source failing (N polls in a row, or for long), or back."""
    failing = f"source-failing:{source_id}"
    if after.errors:
        if after.last_error.startswith(STORE_PREFIX):
            return []
        since = failing_since(after) or now
        if after.errors >= rules.failing_polls or now - since >= rules.failing_for:
            return [
                Event(
                    failing,
                    f"source {source_id} is failing",
                    f"Source {source_id} failed {after.errors} polls in a row, since"
                    f" {when(since)}: {after.last_error}. Its widgets show the items"
                    " stored before.",
                )
            ]
        return []
    if before.errors and not after.errors:
        return [
            Event(
                f"source-recovered:{source_id}",
                f"source {source_id} recovered",
                f"Source {source_id} was polled successfully again after"
                f" {before.errors} failed polls.",
                recovers=failing,
            )
        ]
    return []


def token_events(source_id: str, state: FetchState, rules: AlertsConfig, now: float) -> list[Event]:
    """A token about to expire, a renewal that failed, a token the platform refused."""
    record: Any = state.meta.get(TOKEN)
    if not isinstance(record, dict):
        return []
    events = []
    if record.get("refused"):
        events.append(
            Event(
                f"token-revoked:{source_id}",
                f"the {source_id} token was refused",
                f"The platform refused the access token of source {source_id} (expired or"
                f" revoked: {record.get('problem') or state.last_error or 'no reason given'})."
                " Connect the account again on /admin or put a new token in the config.",
            )
        )
    elif record.get("problem"):
        events.append(
            Event(
                f"token-renewal-failed:{source_id}",
                f"the {source_id} token was not renewed",
                f"Renewing the access token of source {source_id} failed:"
                f" {record['problem']}. feedhub tries again in a day.",
            )
        )
    expires = record.get("expires")
    if isinstance(expires, int | float) and now < expires <= now + rules.token_expiry:
        events.append(
            Event(
                f"token-expiring:{source_id}",
                f"the {source_id} token expires on {when(expires)}",
                f"The access token of source {source_id} expires on {when(expires)}, in"
                f" {(expires - now) / 86400:.1f} days, and feedhub could not renew it for"
                " longer. Connect the account again on /admin or put a new token in the config.",
            )
        )
    return events


def store_event(failing: bool, where: str, reason: str) -> Event:
    if failing:
        return Event(
            "store-failing",
            "the store is failing",
            f"The store {where} fails: {reason}. Polls are not kept; widgets show what"
            " they showed.",
        )
    return Event(
        "store-recovered",
        "the store works again",
        f"The store {where} works again.",
        recovers="store-failing",
    )


def media_full_event(used: int, budget: int) -> Event:
    return Event(
        "media-full",
        "the media disk budget is full",
        f"The images current widgets show take {used} bytes, over media.max_total"
        f" ({budget}): new images are not kept. Raise media.max_total or show fewer items.",
    )


def widget_empty_event(name: str) -> Event:
    return Event(
        f"widget-empty:{name}",
        f"widget {name} shows no items",
        f"Widget {name} has no items to show: its sources failed, are empty, or its"
        " filters leave nothing.",
    )


def test_event() -> Event:
    return Event(
        "test",
        "test message",
        "This is a test message from `feedhub alerts test`: this target receives alerts.",
    )
