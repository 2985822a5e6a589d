"""Access tokens that feedhub renews itself (Instagram's and Threads' 60-day tokens).

The token in use lives in the source's fetch state (`FetchState.meta["token"]`), so the
store keeps it across restarts and backups. The config's token is only where it starts: a
different one in the config (the site owner pasted a new token) replaces the stored one.
The record never leaves the store: errors carry `redact()`ed text, and the admin page reads
only `FetchState.token_expires` and `.renewal_problem`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import quote, quote_plus

from feedhub.models import TOKEN as TOKEN  # the meta key the record is kept under

DAY = 86400.0
# After a failed renewal, the next try waits this long: a refusal (token too young, app
# not allowed) is not fixed by asking again at every poll.
RETRY_RENEWAL = DAY
REDACTED = "[token]"


def fingerprint(token: str) -> str:
    """Which configured token a stored record started from, without keeping that token."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass(slots=True)
class TokenRecord:
    """The token in use and what is known of its life."""

    value: str
    of: str  # fingerprint of the configured token it descends from
    renewed: float | None = None  # when feedhub last renewed it (unix time)
    expires: float | None = None  # when it expires, as the platform said at renewal
    tried: float | None = None  # a renewal that failed, and when
    problem: str = ""  # why it failed (redacted)
    refused: float | None = None  # when the platform refused the token (expired, revoked)

    def to_meta(self) -> dict[str, Any]:
        return asdict(self)


def current(configured: str, stored: Any) -> TokenRecord:
    """The record to use: the stored one if it descends from the configured token."""
    if (
        isinstance(stored, dict)
        and stored.get("of") == fingerprint(configured)
        and isinstance(stored.get("value"), str)
        and stored["value"]
    ):
        known = {k: stored.get(k) for k in ("renewed", "expires", "tried", "refused")}
        return TokenRecord(
            stored["value"],
            stored["of"],
            **{k: float(v) if isinstance(v, int | float) else None for k, v in known.items()},
            problem=str(stored.get("problem") or ""),
        )
    return TokenRecord(configured, fingerprint(configured))


def renewal_due(record: TokenRecord, now: float, refresh_after: float) -> bool:
    """Renew when feedhub never did (the token's age is unknown) or it is older than
    `refresh_after`, unless a renewal failed less than a day ago."""
    if record.tried is not None and now - record.tried < RETRY_RENEWAL:
        return False
    return record.renewed is None or now - record.renewed >= refresh_after


def renewed(record: TokenRecord, answer: Any, now: float) -> TokenRecord | None:
    """The record after a refresh answer `{access_token, token_type, expires_in}`; None when
    the answer is not one."""
    if (
        not isinstance(answer, dict)
        or not isinstance(answer.get("access_token"), str)
        or not answer["access_token"]
    ):
        return None
    expires_in = answer.get("expires_in")
    expires = now + float(expires_in) if isinstance(expires_in, int | float) else None
    return TokenRecord(answer["access_token"], record.of, renewed=now, expires=expires)


def failed(record: TokenRecord, now: float, problem: str, *, refused: bool = False) -> TokenRecord:
    """The record after a renewal that did not work: the token stays, a retry waits.
    `refused`: the platform said the token itself is no good (expired or revoked)."""
    return TokenRecord(
        record.value,
        record.of,
        record.renewed,
        record.expires,
        tried=now,
        problem=problem,
        refused=now if refused else None,
    )


def refused(record: TokenRecord, now: float, *, accepted: bool) -> TokenRecord:
    """The record after a read: the platform refused the token, or (`accepted`) took it."""
    if accepted:
        return replace(record, refused=None) if record.refused else record
    return replace(record, refused=record.refused or now)


def redact(text: str, *secrets: str) -> str:
    """`text` with every secret in it replaced, as it is and as a URL carries it, for
    messages that may quote a URL."""
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, REDACTED)
    return text
