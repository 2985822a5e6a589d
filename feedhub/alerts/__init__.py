"""Telling the owner before a widget goes stale: events decided from what the daemon knows
(`events.py`, `watch.py`), sent to webhooks and mailboxes (`targets.py`), once per period,
as one digest, by one replica (`dispatch.py`)."""
