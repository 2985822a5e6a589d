"""Whether the store works right now, and why not: what `/readyz` answers.

A fault is logged once when it starts and once when it ends, however many polls, requests
and readiness checks meet it in between.
"""

from __future__ import annotations

import logging
import time

from feedhub.store.errors import describe, shows_in_ping

log = logging.getLogger("feedhub.store")

UNREACHABLE = "cannot be read (it does not answer)"


class StoreHealth:
    def __init__(self, where: str) -> None:
        self.where = where
        self.reason = ""  # empty while the store works
        self.since = 0.0
        self._ping_clears = False

    @property
    def ok(self) -> bool:
        return not self.reason

    def failed(self, exc: BaseException) -> str:
        """Note a store error met by a poll or a request; its reason, in one line."""
        return self._fault(describe(exc), ping_clears=shows_in_ping(exc))

    def _fault(self, reason: str, *, ping_clears: bool) -> str:
        if not self.reason:  # logged when it starts; what else meets it adds no line
            log.error(
                "store %s: %s; polls are recorded as errors and widgets keep the "
                "versions already rendered until it works again",
                self.where,
                reason,
            )
            self.since = time.time()
        elif reason == UNREACHABLE:  # a failed ping says less than the error it follows
            return self.reason
        self.reason, self._ping_clears = reason, ping_clears
        return reason

    def succeeded(self) -> None:
        """A write went through: whatever failed works again."""
        if self.reason:
            log.info(
                "store %s works again after %.0f s (it was: %s)",
                self.where,
                time.time() - self.since,
                self.reason,
            )
            self.reason = ""

    def pinged(self, answered: bool) -> None:
        """The outcome of a readiness probe. A ping that answers ends only a fault a ping
        can disprove (a lost connection); a refused write needs a write to end."""
        if not answered:
            self._fault(UNREACHABLE, ping_clears=True)
        elif self._ping_clears:
            self.succeeded()
